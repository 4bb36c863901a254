#pragma once

#include "cache/tracecache.h"
#include "live/checkpointer.h"
#include "model/trace.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <expected>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tracemap {

class TraceCache;

/// Span counts since the writer started, for serve's summary and (later) the window.
struct IngestCounters {
    qint64 received = 0; // spans accepted into the queue
    qint64 committed = 0; // spans written to the cache
    qint64 refused = 0; // spans of requests refused because the queue was full (the sender retries)
    qint64 rejected = 0; // spans dropped as invalid (all-zero ids), reported to the sender
    qint64 batches = 0; // transactions committed
    qint64 deletedTraces = 0; // traces retention deleted
    qint64 retentionTransactions = 0; // the transactions that deleted them
    qint64 peakQueuedBytes = 0; // the most the queue held at once (never above maxQueueBytes)
};

/// Between the receivers and the cache: a queue bounded in bytes and one thread that writes it.
///
/// A receiver submits the decoded traces of one request and waits for the future: it resolves only once the batch
/// holding them has committed, so a request is acknowledged only when its spans are durable. The writer gathers
/// requests into one transaction (TraceCache merges a trace already cached, as a re-import does) until it holds
/// `batchSpans` spans, the first has waited `batchInterval`, or no request came for `batchLinger`: requests that
/// arrive together (or while the previous batch commits) share a transaction, and a sender waiting for its answer
/// is not kept waiting for others that will not come (it cannot send its next request before).
/// When the queue holds `maxQueueBytes`, submit() refuses at once: overload is answered (retryable), not absorbed.
class IngestWriter {
public:
    struct Options {
        size_t maxQueueBytes = size_t(256) << 20;
        std::chrono::milliseconds batchInterval { 200 };
        size_t batchSpans = 10000;
        std::chrono::microseconds batchLinger { 2000 };
        QString source = QStringLiteral("live"); // the import row's name in the cache
        /// Enforced every retentionInterval, one small transaction at a time between batches, so that a request
        /// waits for at most one retention transaction (nowNs is set at each pass).
        RetentionPolicy retention;
        std::chrono::milliseconds retentionInterval { 5000 };
        /// The checkpointer is woken once the WAL holds this many pages, not after every batch: a checkpoint copies
        /// each page the WAL holds, and the index pages most batches rewrite are then copied once for several.
        int checkpointPages = 4000;
    };
    /// Resolves with nothing when committed, or with the reason the batch could not be written.
    using Commit = std::future<std::expected<void, QString>>;

    /// Takes over an open cache: from now on only the writer thread uses it.
    IngestWriter(std::unique_ptr<TraceCache> cache, const Options& options);
    IngestWriter(const IngestWriter&) = delete;
    IngestWriter& operator=(const IngestWriter&) = delete;
    /// Stops (see stop()).
    ~IngestWriter();

    /// Queues one request's traces (`spans` spans; `rejected` more were dropped as invalid and are only counted).
    /// Empty when the queue is full or the writer is stopping: answer "retry later".
    std::optional<Commit> submit(std::vector<Trace> traces, qint64 spans, qint64 rejected = 0);

    /// Commits what is queued, then ends the thread. Later submits are refused.
    void stop();

    IngestCounters counters() const;
    size_t queuedBytes() const;

    /// What a trace costs in the queue (its arrays and text; its prepared blob and terms come on top), the unit of
    /// maxQueueBytes.
    static size_t bytesOf(const Trace& trace);

private:
    struct Request {
        std::vector<PreparedTrace> traces;
        qint64 spans = 0;
        size_t bytes = 0;
        std::promise<std::expected<void, QString>> done;
    };
    void run();
    /// Writes the batch in one transaction; the caller answers its requests.
    std::expected<void, QString> commit(std::vector<Request>& batch);
    void retainOneStep(); // one retention transaction; sets the next time
    void requestCheckpointIfDue();
    /// One slice of staged posting lists into the index, while no request waits (TraceCache::foldStagedPostings).
    void foldOneSlice();

    std::unique_ptr<TraceCache> m_cache;
    std::unique_ptr<Checkpointer> m_checkpointer; // null: SQLite checkpoints in the writer's commits
    int m_checkpointRequestedAt = 0; // the WAL's pages at the last request (writer thread only)
    bool m_foldDue = false; // the cache wants staged posting lists folded (writer thread only)
    const Options m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Request> m_queue;
    size_t m_queuedBytes = 0;
    qint64 m_queuedSpans = 0;
    quint64 m_submitted = 0; // requests queued so far: the gathering sees whether one came meanwhile
    bool m_stopping = false;
    IngestCounters m_counters;
    std::chrono::steady_clock::time_point m_nextRetention;
    std::thread m_thread;
};

} // namespace tracemap
