#include "live/ingestwriter.h"

#include "cache/tracecache.h"
#include "model/traceassembler.h"

#include <algorithm>
#include <unordered_map>

namespace tracemap {

IngestWriter::IngestWriter(std::unique_ptr<TraceCache> cache, const Options& options)
    : m_cache(std::move(cache))
    , m_checkpointer(std::make_unique<Checkpointer>(m_cache->path()))
    , m_options(options)
{
    if (m_checkpointer->isValid())
        m_cache->setAutoCheckpoint(false);
    else
        m_checkpointer.reset();
    m_thread = std::thread([this] { run(); });
}

IngestWriter::~IngestWriter()
{
    stop();
}

size_t IngestWriter::bytesOf(const Trace& trace)
{
    return trace.structuralBytes() + trace.payloadBytes();
}

std::optional<IngestWriter::Commit> IngestWriter::submit(std::vector<Trace> traces, qint64 spans, qint64 rejected)
{
    // Encoded, compressed and indexed here, on the receiving thread, so that the writer thread only runs SQL:
    // the connections' threads and the writer then share the cores.
    Request request;
    request.traces.reserve(traces.size());
    size_t bytes = 0;
    for (Trace& trace : traces) {
        request.traces.push_back(TraceCache::prepare(std::move(trace)));
        bytes += bytesOf(request.traces.back().trace) + request.traces.back().extraBytes();
    }
    request.spans = spans;
    request.bytes = bytes;
    Commit commit = request.done.get_future();
    {
        std::lock_guard lock(m_mutex);
        // Strict: a request that does not fit is refused even into an empty queue, so memory never exceeds the
        // bound; maxQueueBytes is meant to be well above the largest request body.
        if (m_stopping || m_queuedBytes + bytes > m_options.maxQueueBytes) {
            m_counters.refused += spans + rejected;
            return std::nullopt;
        }
        m_counters.received += spans;
        m_counters.rejected += rejected;
        m_queuedBytes += bytes;
        m_counters.peakQueuedBytes = std::max(m_counters.peakQueuedBytes, static_cast<qint64>(m_queuedBytes));
        m_queuedSpans += spans;
        ++m_submitted;
        m_queue.push_back(std::move(request));
    }
    m_wake.notify_one();
    return commit;
}

void IngestWriter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && !m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
    m_checkpointer.reset();
}

IngestCounters IngestWriter::counters() const
{
    std::lock_guard lock(m_mutex);
    return m_counters;
}

size_t IngestWriter::queuedBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_queuedBytes;
}

void IngestWriter::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (m_foldDue && m_queue.empty() && !m_stopping) {
            // Nothing waits: fold staged posting lists now, so that the next batches do not (see StagedPostings).
            lock.unlock();
            foldOneSlice();
            lock.lock();
            continue;
        }
        const auto wakeUp = [this] { return m_stopping || !m_queue.empty(); };
        if (m_options.retention.isActive())
            m_wake.wait_until(lock, m_nextRetention, wakeUp);
        else
            m_wake.wait(lock, wakeUp);
        if (m_queue.empty()) {
            if (m_stopping)
                return; // everything is committed
            lock.unlock(); // retention is due and nothing waits
            retainOneStep();
            lock.lock();
            continue;
        }
        // Gather: wait for more requests until the batch is big enough, its time is up, none came for the linger,
        // or we are stopping.
        const auto deadline = std::chrono::steady_clock::now() + m_options.batchInterval;
        for (;;) {
            const quint64 seen = m_submitted;
            const auto until = std::min(deadline, std::chrono::steady_clock::now() + m_options.batchLinger);
            const bool came = m_wake.wait_until(lock, until, [this, seen] {
                return m_stopping || static_cast<size_t>(m_queuedSpans) >= m_options.batchSpans || m_submitted != seen;
            });
            if (m_stopping || static_cast<size_t>(m_queuedSpans) >= m_options.batchSpans || !came
                || std::chrono::steady_clock::now() >= deadline)
                break;
        }
        std::vector<Request> batch;
        qint64 spans = 0;
        size_t bytes = 0;
        while (!m_queue.empty() && (batch.empty() || static_cast<size_t>(spans) < m_options.batchSpans)) {
            spans += m_queue.front().spans;
            bytes += m_queue.front().bytes;
            batch.push_back(std::move(m_queue.front()));
            m_queue.pop_front();
        }
        m_queuedSpans -= spans;
        lock.unlock();
        const auto written = commit(batch);
        requestCheckpointIfDue();
        m_foldDue = m_cache->wantsFold().value_or(false);
        lock.lock();
        // The bytes stay counted until written: what is being committed is still in memory.
        m_queuedBytes -= bytes;
        if (written) {
            m_counters.committed += spans;
            ++m_counters.batches;
        }
        // Answered after the counters: whoever holds an acknowledgement sees its batch counted.
        for (Request& request : batch)
            request.done.set_value(written);
        if (m_options.retention.isActive() && !m_stopping && std::chrono::steady_clock::now() >= m_nextRetention) {
            lock.unlock();
            retainOneStep();
            lock.lock();
        }
    }
}

void IngestWriter::requestCheckpointIfDue()
{
    if (!m_checkpointer)
        return;
    // Once per checkpointPages the WAL grew (a request while a checkpoint runs would make one more).
    const int pages = m_cache->walPages();
    if (pages < m_checkpointRequestedAt)
        m_checkpointRequestedAt = 0; // the WAL started again after a complete checkpoint
    if (pages - m_checkpointRequestedAt >= m_options.checkpointPages) {
        m_checkpointer->request();
        m_checkpointRequestedAt = pages;
    }
}

void IngestWriter::foldOneSlice()
{
    // On an error (a full disk) stop folding until the next batch asks again: the lists stay staged and searchable.
    m_foldDue = m_cache->foldStagedPostings().has_value() && m_cache->wantsFold().value_or(false);
    requestCheckpointIfDue();
}

void IngestWriter::retainOneStep()
{
    RetentionPolicy policy = m_options.retention;
    policy.nowNs
        = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    const auto result = m_cache->enforceRetention(policy, 1);
    if (m_checkpointer)
        m_checkpointer->request();
    // More to delete: go on right after the next batch (queued requests first); else wait for the interval.
    const bool more = result && !result->done;
    m_nextRetention
        = std::chrono::steady_clock::now() + (more ? std::chrono::milliseconds(0) : m_options.retentionInterval);
    if (result) {
        std::lock_guard lock(m_mutex);
        m_counters.deletedTraces += result->traces;
        m_counters.retentionTransactions += result->transactions;
    }
}

std::expected<void, QString> IngestWriter::commit(std::vector<Request>& batch)
{
    // One trace per id in the transaction: requests carrying spans of the same trace merge here first.
    std::vector<PreparedTrace> traces;
    std::unordered_map<TraceId, size_t, TraceIdHash> index;
    std::vector<size_t> merged; // prepared for a part only: prepared again once whole
    for (Request& request : batch) {
        for (PreparedTrace& trace : request.traces) {
            const auto [it, inserted] = index.try_emplace(trace.trace.id, traces.size());
            if (inserted) {
                traces.push_back(std::move(trace));
            } else {
                TraceAssembler::append(traces[it->second].trace, trace.trace);
                TraceAssembler::assemble(traces[it->second].trace);
                merged.push_back(it->second);
            }
        }
    }
    std::ranges::sort(merged);
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    for (size_t i : merged)
        traces[i] = TraceCache::prepare(std::move(traces[i].trace));
    std::expected<void, QString> result;
    if (!traces.empty())
        result = m_cache->storeTraces(traces, m_options.source);
    return result;
}

} // namespace tracemap
