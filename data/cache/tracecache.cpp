#include "cache/tracecache.h"

#include "cache/postings.h"
#include "cache/rollupstore.h"
#include "cache/searchterms.h"
#include "cache/sqlitestatement.h"
#include "cache/stagedpostings.h"
#include "cache/tracecodec.h"
#include "model/traceassembler.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QStandardPaths>

#include <sqlite3.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>
#include <unordered_set>

namespace tracemap {

namespace {
constexpr int kBusyTimeoutMs = 5000; // how long a statement waits for another connection's lock
constexpr qint64 kLiveLockWaitMs = 10 * 60 * 1000; // how long a live batch waits for another program's import

bool isDamageCode(int code)
{
    return (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB;
}

// SQLite's words for a full disk ("database or disk is full") and a damaged file ("database disk image is
// malformed", "file is not a database") say too little of what happened and what to do.
QString explainSqliteError(int code, const QString& message)
{
    if ((code & 0xff) == SQLITE_FULL)
        return QStringLiteral("the disk is full (or the cache reached its size limit), so nothing of this was written: "
                              "free some space and try again (%1)")
            .arg(message);
    if (isDamageCode(code))
        return QStringLiteral("the cache file is damaged (%1): move it aside to start a new cache").arg(message);
    return message;
}

// The code of an SQLite message passed on as text (Writer returns sqlite3_errmsg): SQLite's texts for these codes
// are fixed (sqlite3_errstr).
int codeOfMessage(const QString& message)
{
    for (const int code : { SQLITE_FULL, SQLITE_CORRUPT, SQLITE_NOTADB }) {
        if (message == QLatin1String(sqlite3_errstr(code)))
            return code;
    }
    return SQLITE_ERROR;
}

// The caches this process has open (absolute path → connections), which moveAside() must not move.
std::mutex s_openCachesMutex;
std::map<QString, int> s_openCaches;

QString registryKey(const QString& path)
{
    const QFileInfo info(path);
    const QString canonical = info.canonicalFilePath();
    return canonical.isEmpty() ? info.absoluteFilePath() : canonical;
}

// Whether another process holds a lock on bytes [start, start + length) of `file`. SQLite (unix VFS) holds a shared
// lock on byte 128 of the -shm file (its "DMS" byte) as long as a WAL connection is open, and locks from byte
// 0x40000000 of the database file during transactions. F_GETLK does not see this process's own locks, and closing
// the descriptor would drop them: callers ask only once no connection of this process has the file open.
bool lockedByAnotherProcess(const QString& file, off_t start, off_t length)
{
    const int fd = ::open(QFile::encodeName(file).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct flock lock { };
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = start;
    lock.l_len = length;
    const bool locked = fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
    ::close(fd);
    return locked;
}
} // namespace

using namespace cachedetail;

namespace {

constexpr quint64 kMaxRawTraceBytes = 1ull << 40; // 1 TiB: far above any real trace, far below size_t limits
constexpr size_t kChunkBytes = 32u << 20; // a 1M-span trace spans several rows; SQLite's default limit is 1 GB

// Trace blobs are stored zstd-compressed: the arrays of a trace repeat themselves a lot, so the cache is about 6x
// smaller and an import writes (and checkpoints) that much less. Level -1 rather than 1: on the 400k-span Jaeger
// file the import is 4% faster (median of five alternating runs) for a cache 3% larger (47.4 MB against 45.8);
// level -4 was no faster and made the cache 40% larger.
class BlobCompressor {
public:
    BlobCompressor()
        : m_context(ZSTD_createCCtx())
    {
    }
    ~BlobCompressor() { ZSTD_freeCCtx(m_context); }
    BlobCompressor(const BlobCompressor&) = delete;
    BlobCompressor& operator=(const BlobCompressor&) = delete;

    std::string_view compress(std::string_view raw)
    {
        m_buffer.resize(ZSTD_compressBound(raw.size()));
        const size_t size = ZSTD_compressCCtx(m_context, m_buffer.data(), m_buffer.size(), raw.data(), raw.size(), -1);
        if (ZSTD_isError(size))
            return {};
        return { m_buffer.data(), size };
    }

private:
    ZSTD_CCtx* m_context;
    std::string m_buffer;
};

// Decompresses a trace's blob rows (one zstd frame cut into chunks, in seq order) while TraceCodec reads it, so
// neither the compressed nor the raw form of a large trace is ever held whole: a 1M-span trace is 230 MB raw.
class BlobStream {
public:
    explicit BlobStream(SqliteStatement& rows)
        : m_rows(rows)
        , m_context(ZSTD_createDCtx())
    {
    }
    ~BlobStream() { ZSTD_freeDCtx(m_context); }
    BlobStream(const BlobStream&) = delete;
    BlobStream& operator=(const BlobStream&) = delete;

    /// Reads the first chunk and returns the raw size its frame header declares, or nullopt. The writer's first
    /// chunk is kChunkBytes (or the whole frame), so it always holds the header.
    std::optional<quint64> open()
    {
        if (!m_context || !nextChunk())
            return std::nullopt;
        const unsigned long long size = ZSTD_getFrameContentSize(m_input.src, m_input.size);
        if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
            return std::nullopt;
        return size;
    }

    bool read(char* out, size_t size)
    {
        ZSTD_outBuffer output { out, size, 0 };
        while (output.pos < output.size) {
            const size_t inputBefore = m_input.pos;
            const size_t outputBefore = output.pos;
            const size_t result = ZSTD_decompressStream(m_context, &output, &m_input);
            if (ZSTD_isError(result))
                return false;
            if (output.pos == output.size)
                break;
            // Everything decodable was flushed: the frame needs the next chunk, unless it has ended.
            if (result == 0 || (m_input.pos < m_input.size && m_input.pos == inputBefore && output.pos == outputBefore))
                return false;
            if (m_input.pos == m_input.size && !nextChunk())
                return false;
        }
        return true;
    }

    /// True when the frame used every byte of every row: anything after it means the rows are damaged. (The writer
    /// compresses without a content checksum, so the frame's last byte is the last raw byte's.)
    bool consumedAll()
    {
        if (m_input.pos < m_input.size)
            return false;
        m_status = m_rows.step();
        return m_status == SQLITE_DONE;
    }

    /// SQLite failed (rather than the data being short or damaged).
    bool readError() const { return m_status != SQLITE_ROW && m_status != SQLITE_DONE; }

private:
    bool nextChunk()
    {
        m_status = m_rows.step();
        if (m_status != SQLITE_ROW)
            return false;
        const std::string_view chunk = m_rows.blob(0); // valid until the next step
        m_input = { chunk.data(), chunk.size(), 0 };
        return true;
    }

    SqliteStatement& m_rows;
    ZSTD_DCtx* m_context;
    ZSTD_inBuffer m_input { nullptr, 0, 0 };
    int m_status = SQLITE_DONE;
};

} // namespace

/// Everything one import transaction writes, with its statements prepared once.
class TraceCache::Writer {
public:
    /// `staging` null: the posting lists go straight into the index (an import, one transaction); else into the
    /// staging (a live batch, one of many small transactions; see StagedPostings).
    Writer(sqlite3* db, qint64 importId, cachedetail::StagedPostings* staging)
        : m_db(db)
        , m_staging(staging)
        , m_importId(importId)
        , m_findTrace(db, "SELECT row FROM traces WHERE trace_hi = ?1 AND trace_lo = ?2")
        , m_insertTrace(db,
              // Past every row retention deleted: their posting lists still name them, so a row is never reused.
              "INSERT INTO traces(row, trace_hi, trace_lo, start_ns, duration_ns, root_service, root_operation, "
              "span_count, service_count, error_count) VALUES (max(coalesce((SELECT max(row) FROM traces), 0), "
              "coalesce((SELECT max(row) FROM retired), 0)) + 1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        , m_updateTrace(db,
              "UPDATE traces SET start_ns = ?3, duration_ns = ?4, root_service = ?5, root_operation = ?6, "
              "span_count = ?7, service_count = ?8, error_count = ?9 WHERE row = ?1")
        , m_deleteBlobs(db, "DELETE FROM trace_blobs WHERE trace_row = ?1")
        , m_insertBlob(db, "INSERT INTO trace_blobs(trace_row, seq, data) VALUES (?1, ?2, ?3)")
        , m_selectBlobs(db, "SELECT data FROM trace_blobs WHERE trace_row = ?1 ORDER BY seq")
        , m_insertPosting(db, "INSERT OR REPLACE INTO postings(term, import_id, rows) VALUES (?1, ?2, ?3)")
        , m_insertOperation(db, "INSERT OR IGNORE INTO operations(service, operation) VALUES (?1, ?2)")
        , m_rollupStore(db)
        , m_callStore(db)
    {
    }

    bool isValid() const
    {
        return m_findTrace.isValid() && m_insertTrace.isValid() && m_updateTrace.isValid() && m_deleteBlobs.isValid()
            && m_insertBlob.isValid() && m_selectBlobs.isValid() && m_insertPosting.isValid()
            && m_insertOperation.isValid() && m_rollupStore.isValid() && m_callStore.isValid();
    }

    std::expected<void, QString> store(Trace& trace)
    {
        const qint64 row = findRow(trace.id);
        if (row >= 0) {
            const auto changed = mergeCached(row, trace);
            if (!changed || !*changed)
                return changed ? std::expected<void, QString>() : std::unexpected(changed.error());
        }
        // Prepared only now: an unchanged re-imported trace is not encoded at all.
        PreparedTrace prepared = TraceCache::prepare(std::move(trace));
        auto result = write(row, prepared);
        trace = std::move(prepared.trace); // the caller sees the merged trace, as before
        return result;
    }

    std::expected<void, QString> store(PreparedTrace& prepared)
    {
        const qint64 row = findRow(prepared.trace.id);
        if (row >= 0) {
            const auto changed = mergeCached(row, prepared.trace);
            if (!changed || !*changed)
                return changed ? std::expected<void, QString>() : std::unexpected(changed.error());
            // What was prepared is for the part alone.
            prepared = TraceCache::prepare(std::move(prepared.trace));
        }
        return write(row, prepared);
    }

    /// An import calls this after each batch, on the thread that writes, while the next batch is being parsed: sorts
    /// the (term, row) pairs added since the last call, so that finish() has little sorting left to do, and once
    /// they are m_maxHeldPostings, writes them to the index as a segment of the import's lists, so that memory stays
    /// bounded however many traces the import has (a million small traces hold about fifty million pairs).
    std::expected<void, QString> afterBatch()
    {
        sortNewPostings();
        if (m_staging || m_postings.size() < m_maxHeldPostings)
            return {};
        return writePostings(false);
    }

    std::expected<void, QString> finish()
    {
        if (auto r = writePostings(true); !r)
            return r;
        for (const auto& [service, operation] : m_operations) {
            m_insertOperation.reset();
            m_insertOperation.bind(1, service);
            m_insertOperation.bind(2, operation);
            if (m_insertOperation.step() != SQLITE_DONE)
                return std::unexpected(QString::fromUtf8(sqlite3_errmsg(m_db)));
        }
        m_insertOperation.reset();
        if (auto r = m_rollupStore.apply(m_rollups); !r)
            return r;
        if (auto r = m_callStore.apply(m_topology); !r)
            return r;
        return cachedetail::storeServiceAttributes(m_db, m_topology.attributes());
    }

    void setMaxHeldPostings(size_t pairs) { m_maxHeldPostings = pairs; }

private:
    /// Sorted runs are merged as in a merge sort's bottom-up passes (a run merges into the one before once it is as
    /// long), so the merging costs O(n log n) over the whole import rather than the whole vector again for each
    /// batch.
    void sortNewPostings()
    {
        const size_t sortedEnd = m_postingRuns.empty() ? 0 : m_postingRuns.back();
        if (sortedEnd == m_postings.size())
            return;
        std::sort(m_postings.begin() + static_cast<std::ptrdiff_t>(sortedEnd), m_postings.end());
        m_postingRuns.push_back(m_postings.size());
        while (m_postingRuns.size() >= 2) {
            const size_t end = m_postingRuns.back();
            const size_t middle = m_postingRuns[m_postingRuns.size() - 2];
            const size_t begin = m_postingRuns.size() >= 3 ? m_postingRuns[m_postingRuns.size() - 3] : 0;
            if (end - middle < middle - begin)
                break;
            mergePostingRuns(begin, middle, end);
        }
    }

    // Writes the pairs held as posting lists, one row per term (or stages them, for a live batch), and forgets them.
    // An import written at once (`last` and no segment before) keys its lists by its id; the segments of one
    // written in several are keyed by negative ids of their own (no import or staged list has one), ascending with
    // the import and the segment, so that the lists of a cache made by one large import come back in row order and
    // unite without a sort. A search unites a term's rows whatever their key, sorting them when they are not.
    std::expected<void, QString> writePostings(bool last)
    {
        const bool segmented = !last || m_postingSegments > 0;
        constexpr qint64 kFirstSegmentKey = -(qint64(1) << 62); // import ids below 2^40, segments below 2^20
        const qint64 key = segmented ? kFirstSegmentKey + (m_importId << 20) + m_postingSegments : m_importId;
        sortNewPostings();
        while (m_postingRuns.size() >= 2) {
            const size_t begin = m_postingRuns.size() >= 3 ? m_postingRuns[m_postingRuns.size() - 3] : 0;
            mergePostingRuns(begin, m_postingRuns[m_postingRuns.size() - 2], m_postingRuns.back());
        }
        m_postings.erase(std::unique(m_postings.begin(), m_postings.end()), m_postings.end());
        std::vector<qint64> rows;
        std::vector<cachedetail::EncodedPostings> staged;
        for (size_t i = 0; i < m_postings.size();) {
            const qint64 term = m_postings[i].first;
            rows.clear();
            for (; i < m_postings.size() && m_postings[i].first == term; ++i)
                rows.push_back(m_postings[i].second);
            if (m_staging) {
                staged.emplace_back(term, encodePostings(rows));
                continue;
            }
            m_insertPosting.reset();
            m_insertPosting.bind(1, term);
            m_insertPosting.bind(2, key);
            const std::string encoded = encodePostings(rows);
            m_insertPosting.bindBlob(3, encoded);
            const int status = m_insertPosting.step();
            m_insertPosting.reset(); // the binding points into `encoded`, which dies with this iteration
            if (status != SQLITE_DONE)
                return std::unexpected(QString::fromUtf8(sqlite3_errmsg(m_db)));
        }
        if (m_staging) {
            if (auto r = m_staging->stage(m_importId, staged); !r)
                return r;
        }
        m_insertPosting.reset();
        m_postings.clear();
        m_postingRuns.clear();
        ++m_postingSegments;
        return {};
    }

    // Merges the last two sorted runs of m_postings, [begin, middle) and [middle, end), into one.
    void mergePostingRuns(size_t begin, size_t middle, size_t end)
    {
        const auto at = [this](size_t i) { return m_postings.begin() + static_cast<std::ptrdiff_t>(i); };
        std::inplace_merge(at(begin), at(middle), at(end));
        m_postingRuns.erase(m_postingRuns.end() - 2);
    }

    // The trace's row when it is cached already (then one of this import's traces, changed or not), else -1.
    qint64 findRow(const TraceId& id)
    {
        m_findTrace.reset();
        m_findTrace.bind(1, static_cast<qint64>(id.high));
        m_findTrace.bind(2, static_cast<qint64>(id.low));
        qint64 row = -1;
        if (m_findTrace.step() == SQLITE_ROW)
            row = m_findTrace.int64(0);
        m_findTrace.reset();
        if (row >= 0) // found again: listed among this import's traces too, changed or not
            m_postings.emplace_back(SearchTerms::importedBy(m_importId), row);
        return row;
    }

    // The trace is cached already (the same file again, or more spans of it): merges the cached one into `trace`;
    // false when that changes nothing, so that nothing is written.
    std::expected<bool, QString> mergeCached(qint64 row, Trace& trace)
    {
        auto existing = TraceCache::readBlobs(m_selectBlobs, row);
        if (!existing)
            return std::unexpected(existing.error());
        Trace merged = *existing;
        TraceAssembler::append(merged, trace);
        TraceAssembler::assemble(merged);
        if (TraceAssembler::sameContent(merged, *existing))
            return false;
        m_rollups.add(*existing, -1); // write() adds the merged trace's figures
        m_topology.add(*existing, -1);
        trace = std::move(merged);
        return true;
    }

    // Inserts the trace (row -1) or replaces the cached one at `row`.
    std::expected<void, QString> write(qint64 row, const PreparedTrace& prepared)
    {
        const Trace& trace = prepared.trace;
        const TraceSummary& summary = prepared.summary;
        SqliteStatement& statement = row >= 0 ? m_updateTrace : m_insertTrace;
        statement.reset();
        if (row >= 0) {
            statement.bind(1, row);
        } else {
            statement.bind(1, static_cast<qint64>(trace.id.high));
            statement.bind(2, static_cast<qint64>(trace.id.low));
        }
        statement.bind(3, summary.startNs);
        statement.bind(4, summary.durationNs);
        const QByteArray rootService = summary.rootService.toUtf8();
        const QByteArray rootOperation = summary.rootOperation.toUtf8();
        statement.bind(5, utf8(rootService));
        statement.bind(6, utf8(rootOperation));
        statement.bind(7, summary.spanCount);
        statement.bind(8, summary.serviceCount);
        statement.bind(9, summary.errorCount);
        if (statement.step() != SQLITE_DONE)
            return std::unexpected(QString::fromUtf8(sqlite3_errmsg(m_db)));
        statement.reset();
        if (row < 0) {
            row = sqlite3_last_insert_rowid(m_db);
        } else {
            m_deleteBlobs.reset();
            m_deleteBlobs.bind(1, row);
            if (m_deleteBlobs.step() != SQLITE_DONE)
                return std::unexpected(QString::fromUtf8(sqlite3_errmsg(m_db)));
            m_deleteBlobs.reset();
        }

        const std::string_view blob = prepared.blob;
        if (blob.empty())
            return std::unexpected(
                QStringLiteral("cannot compress trace %1").arg(QString::fromStdString(prepared.trace.id.toHex())));
        for (size_t offset = 0, seq = 0; offset < blob.size() || seq == 0; offset += kChunkBytes, ++seq) {
            m_insertBlob.reset();
            m_insertBlob.bind(1, row);
            m_insertBlob.bind(2, static_cast<qint64>(seq));
            m_insertBlob.bindBlob(3, blob.substr(offset, kChunkBytes));
            if (m_insertBlob.step() != SQLITE_DONE)
                return std::unexpected(QString::fromUtf8(sqlite3_errmsg(m_db)));
        }
        m_insertBlob.reset();

        for (qint64 term : prepared.terms)
            m_postings.emplace_back(term, row);
        m_postings.emplace_back(SearchTerms::importedBy(m_importId), row);
        m_operations.insert(prepared.operations.begin(), prepared.operations.end());
        m_rollups.merge(prepared.rollups);
        m_topology.merge(prepared.topology);
        m_topology.addAttributes(trace);
        return {};
    }

    sqlite3* m_db;
    cachedetail::StagedPostings* m_staging;
    qint64 m_importId;
    SqliteStatement m_findTrace;
    SqliteStatement m_insertTrace;
    SqliteStatement m_updateTrace;
    SqliteStatement m_deleteBlobs;
    SqliteStatement m_insertBlob;
    SqliteStatement m_selectBlobs;
    SqliteStatement m_insertPosting;
    SqliteStatement m_insertOperation;
    cachedetail::RollupStore<SeriesKey> m_rollupStore;
    cachedetail::RollupStore<CallKey> m_callStore;
    SpanRollups m_rollups; // this transaction's changes, applied by finish()
    TopologyRollups m_topology; // the same for the calls and the services' attributes
    std::vector<std::pair<qint64, qint64>> m_postings;
    std::vector<size_t> m_postingRuns; // where each sorted run of m_postings ends (sortNewPostings)
    qint64 m_postingSegments = 0; // written by writePostings()
    size_t m_maxHeldPostings = 4 << 20; // 64 MB of (term, row) pairs; an import of more writes them in segments
    std::set<std::pair<std::string, std::string>> m_operations;
};

size_t PreparedTrace::extraBytes() const
{
    size_t bytes = blob.capacity() + terms.capacity() * sizeof(qint64);
    for (const auto& [service, operation] : operations)
        bytes += sizeof(operations.front()) + service.capacity() + operation.capacity();
    for (const auto& [cell, figures] : rollups.cells()) // map nodes: about four pointers each
        bytes += sizeof(cell) + sizeof(figures) + 4 * sizeof(void*) + cell.first.service.capacity()
            + cell.first.operation.capacity()
            + figures.durations.buckets().capacity() * sizeof(LatencyHistogram::Bucket);
    for (const auto& [cell, figures] : topology.cells())
        bytes += sizeof(cell) + sizeof(figures) + 4 * sizeof(void*) + cell.first.caller.capacity()
            + cell.first.callee.capacity() + figures.durations.buckets().capacity() * sizeof(LatencyHistogram::Bucket);
    for (const auto& [service, pairs] : topology.attributes()) {
        bytes += sizeof(service) + sizeof(pairs) + 4 * sizeof(void*) + service.capacity();
        for (const auto& [key, value] : pairs)
            bytes += sizeof(key) + sizeof(value) + key.capacity() + value.capacity();
    }
    return bytes;
}

PreparedTrace TraceCache::prepare(Trace trace)
{
    thread_local BlobCompressor compressor; // a context per thread: making one costs more than a small trace
    PreparedTrace prepared;
    prepared.summary = TraceSummary::of(trace);
    const std::string encoded = TraceCodec::encode(trace);
    prepared.blob = std::string(compressor.compress(encoded));
    prepared.terms = SearchTerms::ofTrace(trace);
    std::vector<std::pair<StringId, StringId>> pairs;
    pairs.reserve(trace.spans.size());
    for (const Span& span : trace.spans)
        pairs.emplace_back(span.service, span.operation);
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    prepared.operations.reserve(pairs.size());
    for (const auto& [service, operation] : pairs)
        prepared.operations.emplace_back(std::string(trace.string(service)), std::string(trace.string(operation)));
    prepared.rollups.add(trace);
    prepared.topology.add(trace);
    prepared.trace = std::move(trace);
    return prepared;
}

QString TraceCache::defaultPath()
{
    // The generic cache folder, not CacheLocation: that one depends on the organisation and application names,
    // and the command line and the window must find the same cache.
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    return QDir(dir.isEmpty() ? QDir::tempPath() : dir).filePath(QStringLiteral("tracemap/tracemap-cache.sqlite"));
}

std::expected<std::unique_ptr<TraceCache>, QString> TraceCache::open(const QString& path, OpenMode mode)
{
    auto cache = openChecked(path, mode);
    if (!cache)
        return std::unexpected(cache.error().message);
    return std::move(*cache);
}

std::expected<std::unique_ptr<TraceCache>, CacheError> TraceCache::openChecked(const QString& path, OpenMode mode)
{
    auto fail = [&path](const QString& message) {
        return std::unexpected(CacheError { QStringLiteral("%1: %2").arg(path, message), false });
    };
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (mode == OpenMode::MustExist) {
        if (!QFileInfo(path).isFile())
            return fail(QStringLiteral("there is no cache there (nothing imported yet, or another path meant)"));
    } else {
        QDir().mkpath(QFileInfo(path).absolutePath());
        flags |= SQLITE_OPEN_CREATE;
    }
    std::unique_ptr<TraceCache> cache(new TraceCache);
    cache->m_path = path;
    const QByteArray native = QFile::encodeName(path);
    if (sqlite3_open_v2(native.constData(), &cache->m_db, flags, nullptr) != SQLITE_OK) {
        const QString message = cache->m_db ? cache->lastError() : QStringLiteral("out of memory");
        return fail(QStringLiteral("cannot open the cache: %1").arg(message));
    }
    cache->m_registeredAs = registryKey(path);
    {
        const std::lock_guard lock(s_openCachesMutex);
        ++s_openCaches[cache->m_registeredAs];
    }
    sqlite3_busy_timeout(cache->m_db, kBusyTimeoutMs);
    auto checked = cache->migrate();
    if (checked)
        checked = cache->checkCheaply();
    if (!checked) {
        if (cache->isDamaged())
            return std::unexpected(CacheError {
                QStringLiteral("%1: %2").arg(path, explainSqliteError(SQLITE_CORRUPT, cache->m_damage)), true });
        return fail(checked.error());
    }
    cache->m_staged = std::make_unique<cachedetail::StagedPostings>(cache->m_db);
    return cache;
}

TraceCache::~TraceCache()
{
    sqlite3_close_v2(m_db);
    if (!m_registeredAs.isEmpty()) {
        const std::lock_guard lock(s_openCachesMutex);
        if (const auto it = s_openCaches.find(m_registeredAs); it != s_openCaches.end() && --it->second <= 0)
            s_openCaches.erase(it);
    }
}

QString TraceCache::lastError() const
{
    const int code = sqlite3_errcode(m_db);
    const QString message = QString::fromUtf8(sqlite3_errmsg(m_db));
    if (isDamageCode(code))
        m_damage = message;
    return explainSqliteError(code, message);
}

QString TraceCache::withCause(const QString& message) const
{
    return isDamageCode(sqlite3_errcode(m_db)) ? QStringLiteral("%1: %2").arg(message, lastError()) : message;
}

QString TraceCache::writeError(const QString& sqliteMessage)
{
    const int code = codeOfMessage(sqliteMessage);
    if (isDamageCode(code))
        m_damage = sqliteMessage;
    return QStringLiteral("cannot write the cache %1: %2").arg(m_path, explainSqliteError(code, sqliteMessage));
}

void TraceCache::setPageLimitForTest(qint64 pages)
{
    // SQLite keeps the limit at least at the current size, and clamps one above its own largest.
    const std::string sql = "PRAGMA max_page_count=" + std::to_string(pages > 0 ? pages : 4294967294LL);
    sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, nullptr);
}

std::expected<void, QString> TraceCache::checkCheaply()
{
    // Each subquery is one min() or max(), which SQLite answers by walking one edge of a b-tree (its min/max
    // optimisation, lost when two aggregates share a SELECT): a few pages whatever the size, yet every table's and
    // index's root, which damage most often breaks for everything after it.
    static constexpr const char* kEdges = "SELECT (SELECT min(row) FROM traces), (SELECT max(row) FROM traces),"
                                          " (SELECT min(start_ns) FROM traces), (SELECT max(start_ns) FROM traces),"
                                          " (SELECT min(trace_hi) FROM traces), (SELECT max(trace_hi) FROM traces),"
                                          " (SELECT min(rowid) FROM trace_blobs), (SELECT max(rowid) FROM trace_blobs),"
                                          " (SELECT min(trace_row) FROM trace_blobs),"
                                          " (SELECT max(trace_row) FROM trace_blobs),"
                                          " (SELECT min(term) FROM postings), (SELECT max(term) FROM postings),"
                                          " (SELECT max(service) FROM operations), (SELECT max(id) FROM imports),"
                                          " (SELECT max(row) FROM retired), (SELECT max(id) FROM staged_postings),"
                                          " (SELECT max(id) FROM rollup_series),"
                                          " (SELECT max(service) FROM rollup_series),"
                                          " (SELECT min(series) FROM rollups), (SELECT max(series) FROM rollups),"
                                          " (SELECT max(id) FROM call_series), (SELECT max(caller) FROM call_series),"
                                          " (SELECT min(series) FROM call_rollups),"
                                          " (SELECT max(series) FROM call_rollups),"
                                          " (SELECT max(service) FROM service_attributes)";
    SqliteStatement edges(m_db, kEdges);
    if (!edges.isValid() || edges.step() != SQLITE_ROW)
        return std::unexpected(lastError());
    return {};
}

std::expected<void, ImportError> TraceCache::beginImport(const QString& file, const ImportProgress& progress)
{
    // Short steps, so that a cancel while another program imports a large file ends the wait soon.
    sqlite3_busy_timeout(m_db, 200);
    std::expected<void, ImportError> result;
    while (sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        ImportError e;
        e.file = file;
        if ((sqlite3_errcode(m_db) & 0xff) != SQLITE_BUSY) {
            e.message = QStringLiteral("cannot write the cache %1: %2").arg(m_path, lastError());
            result = std::unexpected(e);
            break;
        }
        if (progress && !progress(0, 0)) {
            e.message = QStringLiteral("import cancelled");
            e.cancelled = true;
            result = std::unexpected(e);
            break;
        }
    }
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    return result;
}

std::expected<QString, QString> TraceCache::moveAside(const QString& path)
{
    const QStringList companions
        = { QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal") };
    {
        const std::lock_guard lock(s_openCachesMutex);
        if (s_openCaches.contains(registryKey(path)))
            return std::unexpected(QStringLiteral("%1: the cache is still open in this program; close what uses it "
                                                  "(Live, a running import) and try again")
                                       .arg(path));
    }
    if (lockedByAnotherProcess(path + QStringLiteral("-shm"), 128, 1)
        || lockedByAnotherProcess(path, 0x40000000, 512 + 2))
        return std::unexpected(QStringLiteral("%1: another program has the cache open (tracemap serve, an import, a "
                                              "window); close it and try again")
                                   .arg(path));
    if (!QFileInfo::exists(path))
        return std::unexpected(QStringLiteral("%1: there is no cache there").arg(path));
    const QString base
        = path + QStringLiteral(".damaged-") + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString target = base;
    auto taken = [&companions](const QString& name) {
        return std::any_of(companions.begin(), companions.end(),
            [&name](const QString& suffix) { return QFileInfo::exists(name + suffix); });
    };
    for (int n = 2; taken(target); ++n)
        target = base + QStringLiteral("-%1").arg(n);
    // The files go together or not at all: a new cache must never find the old one's WAL next to it (SQLite would
    // replay it into the new file).
    QStringList moved;
    for (const QString& suffix : companions) {
        const QString from = path + suffix;
        if (!suffix.isEmpty() && !QFileInfo::exists(from))
            continue;
        if (!QFile::rename(from, target + suffix)) {
            for (const QString& back : moved)
                QFile::rename(target + back, path + back);
            return std::unexpected(QStringLiteral("%1: cannot move it to %2").arg(from, target + suffix));
        }
        moved << suffix;
    }
    return target;
}

std::expected<void, QString> TraceCache::migrate()
{
    auto exec = [this](const char* sql) -> std::expected<void, QString> {
        char* message = nullptr;
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            const QString text = QString::fromUtf8(message ? message : "unknown error");
            sqlite3_free(message);
            if (isDamageCode(sqlite3_errcode(m_db)))
                m_damage = text;
            return std::unexpected(text);
        }
        return {};
    };
    // Turning a new file to WAL needs the file to itself: another connection creating the same cache at that moment
    // makes SQLite answer "locked" at once, without its busy wait (to avoid a deadlock). Wait here instead.
    // 16 KiB pages for a new cache (an existing one keeps its size): most compressed traces then fit in a page
    // instead of a chain of overflow pages, and a large import writes a quarter as many WAL frames.
    static constexpr const char* kPragmas
        = "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
          "PRAGMA temp_store=MEMORY;";
    auto pragmas = exec(kPragmas);
    for (int attempt = 0; !pragmas && sqlite3_errcode(m_db) == SQLITE_BUSY && attempt < 200; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
        pragmas = exec(kPragmas);
    }
    if (!pragmas)
        return std::unexpected(QStringLiteral("not a usable SQLite database: %1").arg(pragmas.error()));
    auto readVersion = [this]() -> std::optional<qint64> {
        SqliteStatement version(m_db, "PRAGMA user_version");
        if (version.step() != SQLITE_ROW)
            return std::nullopt;
        return version.int64(0);
    };
    auto current = readVersion();
    if (!current)
        return std::unexpected(QStringLiteral("not a usable SQLite database: %1").arg(lastError()));
    if (*current > kSchemaVersion)
        return std::unexpected(QStringLiteral("the cache was written by a newer Tracemap (schema %1, this one reads "
                                              "up to %2); use another --cache file")
                                   .arg(*current)
                                   .arg(kSchemaVersion));
    if (*current == kSchemaVersion)
        return {}; // readers never take the write lock, so they open while an import runs
    // Re-read inside the write transaction: two processes creating a new cache at once must not both create it.
    // Another connection may create the schema and go straight on into a long import, holding the write lock: a
    // wait for that lock could outlast the busy timeout, so wait in short steps and look again at the version,
    // which WAL lets us read meanwhile.
    sqlite3_busy_timeout(m_db, 100);
    bool locked = false;
    QString lockError;
    for (int attempt = 0; attempt < 600 && !locked; ++attempt) { // a minute at most
        const auto begun = exec("BEGIN IMMEDIATE");
        locked = begun.has_value();
        if (locked)
            break;
        lockError = begun.error();
        if (const auto seen = readVersion(); seen && *seen == kSchemaVersion) {
            sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
            return {}; // created by the other connection meanwhile
        }
    }
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    if (!locked)
        return std::unexpected(QStringLiteral("cannot lock the cache: %1").arg(lockError));
    current = readVersion();
    if (!current) {
        (void)exec("ROLLBACK");
        return std::unexpected(QStringLiteral("not a usable SQLite database: %1").arg(lastError()));
    }
    // Each step takes the schema from version N to N+1; a new schema version appends a step here.
    static const char* const steps[] = {
        "CREATE TABLE traces(row INTEGER PRIMARY KEY, trace_hi INTEGER NOT NULL, trace_lo INTEGER NOT NULL,"
        " start_ns INTEGER NOT NULL, duration_ns INTEGER NOT NULL, root_service TEXT, root_operation TEXT,"
        " span_count INTEGER NOT NULL, service_count INTEGER NOT NULL, error_count INTEGER NOT NULL,"
        " UNIQUE(trace_hi, trace_lo));"
        "CREATE INDEX traces_by_start ON traces(start_ns);"
        "CREATE TABLE trace_blobs(trace_row INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,"
        " PRIMARY KEY(trace_row, seq));"
        "CREATE TABLE postings(term INTEGER NOT NULL, import_id INTEGER NOT NULL, rows BLOB NOT NULL,"
        " PRIMARY KEY(term, import_id)) WITHOUT ROWID;"
        "CREATE TABLE operations(service TEXT NOT NULL, operation TEXT NOT NULL,"
        " PRIMARY KEY(service, operation)) WITHOUT ROWID;"
        "CREATE TABLE imports(id INTEGER PRIMARY KEY, path TEXT, imported_at INTEGER, format TEXT,"
        " traces INTEGER, spans INTEGER);",
        // The highest trace row retention deleted (one row at most), so that new traces never take it again.
        "CREATE TABLE retired(row INTEGER PRIMARY KEY);",
        // Live batches' posting lists until they are folded into postings: one blob per import and slice of the
        // term space, id = import id * StagedPostings::kSlices + slice (see StagedPostings).
        "CREATE TABLE staged_postings(id INTEGER PRIMARY KEY, entries BLOB NOT NULL);",
        // Per-minute rollups of the spans by series (SpanRollups); a cache from before them is backfilled below.
        "CREATE TABLE rollup_series(id INTEGER PRIMARY KEY, service TEXT NOT NULL, operation TEXT NOT NULL,"
        " kind INTEGER NOT NULL, root INTEGER NOT NULL, UNIQUE(service, operation, kind, root));"
        "CREATE TABLE rollups(series INTEGER NOT NULL, minute INTEGER NOT NULL, spans INTEGER NOT NULL,"
        " errors INTEGER NOT NULL, durations BLOB NOT NULL, PRIMARY KEY(series, minute)) WITHOUT ROWID;",
        // Searches with a duration bound (TraceCache::durationRows): the rows of a duration range, with their
        // start times, from the index alone (its entries end with the row).
        "CREATE INDEX IF NOT EXISTS traces_by_duration ON traces(duration_ns, start_ns);",
        // The map of the whole cache (rollupqueries::topology): per-minute rollups of the calls between services
        // (TopologyRollups), like the span rollups, and each service's resource attributes; backfilled below.
        "CREATE TABLE call_series(id INTEGER PRIMARY KEY, caller TEXT NOT NULL, callee TEXT NOT NULL,"
        " hints INTEGER NOT NULL, UNIQUE(caller, callee, hints));"
        "CREATE TABLE call_rollups(series INTEGER NOT NULL, minute INTEGER NOT NULL, spans INTEGER NOT NULL,"
        " errors INTEGER NOT NULL, durations BLOB NOT NULL, PRIMARY KEY(series, minute)) WITHOUT ROWID;"
        "CREATE TABLE service_attributes(service TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY(service, key)) WITHOUT ROWID;",
    };
    constexpr qint64 kFirstWithRollups = 4;
    constexpr qint64 kFirstWithTopologyRollups = 6;
    for (qint64 v = *current; v < kSchemaVersion; ++v) {
        const std::string sql = std::string(steps[v]) + "PRAGMA user_version=" + std::to_string(v + 1) + ";";
        if (auto r = exec(sql.c_str()); !r) {
            (void)exec("ROLLBACK");
            return std::unexpected(QStringLiteral("cannot create the cache schema: %1").arg(r.error()));
        }
        // A new cache has no traces to count; one from before a kind of rollups gets them from its traces.
        const bool backfillSpans = v + 1 == kFirstWithRollups && v > 0;
        const bool backfillCalls = v + 1 == kFirstWithTopologyRollups && v > 0;
        if (backfillSpans || backfillCalls) {
            if (auto r = backfillSpans ? backfillSpanRollups() : backfillTopologyRollups(); !r) {
                (void)exec("ROLLBACK");
                return std::unexpected(
                    QStringLiteral("cannot compute the rollups of the cached traces: %1").arg(r.error()));
            }
        }
    }
    if (auto r = exec("COMMIT"); !r) {
        (void)exec("ROLLBACK");
        return std::unexpected(QStringLiteral("cannot create the cache schema: %1").arg(r.error()));
    }
    return {};
}

std::expected<Trace, QString> TraceCache::readBlobs(SqliteStatement& select, qint64 row)
{
    select.reset();
    select.bind(1, row);
    std::optional<Trace> trace;
    BlobStream stream(select);
    const std::optional<quint64> rawSize = stream.open();
    // A damaged header may declare any size: the cap keeps counts within what a vector can hold, and an allocation
    // that still fails (bad_alloc, length_error) means a damaged row, not a crash.
    if (rawSize && *rawSize <= kMaxRawTraceBytes) {
        try {
            trace = TraceCodec::decode([&stream](char* out, size_t size) { return stream.read(out, size); }, *rawSize);
            if (trace && !stream.consumedAll())
                trace.reset();
        } catch (const std::exception&) {
            trace.reset();
        }
    }
    const bool readError = stream.readError();
    select.reset();
    if (readError)
        return std::unexpected(QStringLiteral("cannot read trace row %1").arg(row));
    if (!trace)
        return std::unexpected(QStringLiteral("trace row %1 in the cache is damaged or from another version").arg(row));
    return std::move(*trace);
}

// Traces: std::vector<Trace> or std::vector<PreparedTrace> (Writer::store takes either).
template <typename Traces> std::expected<void, QString> TraceCache::storeAll(Traces& traces, const QString& source)
{
    // Another program's import holds the write lock for as long as its file takes (one transaction per file): the
    // live writer waits for it rather than fail the batch after the busy timeout; its queue pushes back on the
    // senders meanwhile. A lock held past kLiveLockWaitMs is given up on, so that stopping never hangs for good.
    QElapsedTimer waiting;
    waiting.start();
    if (auto begun = beginImport(source, [&waiting](qint64, qint64) { return waiting.elapsed() < kLiveLockWaitMs; });
        !begun) {
        if (!begun.error().cancelled)
            return std::unexpected(begun.error().message);
        return std::unexpected(QStringLiteral("cannot write the cache %1: another program held its write lock for "
                                              "%2 minutes")
                                   .arg(m_path)
                                   .arg(kLiveLockWaitMs / 60000));
    }
    auto rollback = [this](const QString& message) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        m_staged->forgetSize(); // it may have counted this batch's lists
        return std::unexpected(message);
    };
    SqliteStatement addImport(m_db, "INSERT INTO imports(path, imported_at, format) VALUES (?1, ?2, 'live')");
    const QByteArray path = source.toUtf8();
    addImport.bind(1, utf8(path));
    addImport.bind(2, QDateTime::currentMSecsSinceEpoch());
    if (addImport.step() != SQLITE_DONE)
        return rollback(lastError());
    Writer writer(m_db, sqlite3_last_insert_rowid(m_db), m_staged.get());
    if (!writer.isValid())
        return rollback(lastError());
    for (auto& trace : traces) {
        if (auto r = writer.store(trace); !r)
            return rollback(r.error());
    }
    if (auto r = writer.finish(); !r)
        return rollback(r.error());
    if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return rollback(lastError());
    return {};
}

std::expected<void, QString> TraceCache::storeTraces(std::vector<Trace>& traces, const QString& source)
{
    return storeAll(traces, source);
}

std::expected<void, QString> TraceCache::storeTraces(std::vector<PreparedTrace>& traces, const QString& source)
{
    return storeAll(traces, source);
}

std::expected<ImportSummary, ImportError> TraceCache::importFile(const QString& file, const ImportOptions& options)
{
    return importFiles({ file }, QFileInfo(file).absoluteFilePath(), options);
}

std::expected<ImportSummary, ImportError> TraceCache::importFiles(
    const QStringList& files, const QString& recordedAs, const ImportOptions& options)
{
    auto fail = [&](const QString& file, const QString& message) {
        ImportError e;
        e.file = file;
        e.message = message;
        return std::unexpected(e);
    };
    const QString first = files.value(0);
    if (auto begun = beginImport(first, options.progress); !begun)
        return std::unexpected(begun.error());
    auto rollback = [this]() { sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr); };

    SqliteStatement addImport(m_db, "INSERT INTO imports(path, imported_at) VALUES (?1, ?2)");
    const QByteArray path = recordedAs.toUtf8();
    addImport.bind(1, utf8(path));
    addImport.bind(2, QDateTime::currentMSecsSinceEpoch());
    if (addImport.step() != SQLITE_DONE) {
        const QString message = lastError();
        rollback();
        return fail(first, message);
    }
    const qint64 importId = sqlite3_last_insert_rowid(m_db);
    Writer writer(m_db, importId, nullptr);
    if (m_postingSegmentPairs > 0)
        writer.setMaxHeldPostings(m_postingSegmentPairs);
    if (!writer.isValid()) {
        const QString message = lastError();
        rollback();
        return fail(first, message);
    }
    ImportSummary total;
    total.file = recordedAs;
    for (const QString& file : files) {
        auto summary = TraceImporter::importFile(
            file,
            [&](std::vector<Trace>& traces) {
                // On the importer's second thread for a large file (TraceImporter): this connection is that
                // thread's until importFile() returns.
                for (Trace& trace : traces) {
                    if (auto r = writer.store(trace); !r) {
                        // Stop reading at the first write error (a full disk): the rest would be thrown away.
                        ImportError e;
                        e.file = file;
                        e.message = writeError(r.error());
                        throw e;
                    }
                }
                if (auto r = writer.afterBatch(); !r) {
                    ImportError e;
                    e.file = file;
                    e.message = writeError(r.error());
                    throw e;
                }
            },
            options);
        if (!summary) {
            rollback();
            return std::unexpected(summary.error());
        }
        total.format = summary->format;
        total.traces += summary->traces;
        total.spans += summary->spans;
        total.services = std::max(total.services, summary->services);
        total.warnings += summary->warnings;
        total.truncations += summary->truncations;
        total.bytes += summary->bytes;
        if (files.size() == 1)
            total.warningKinds = std::move(summary->warningKinds);
    }
    if (auto r = writer.finish(); !r) {
        rollback();
        return fail(first, writeError(r.error()));
    }
    SqliteStatement finishImport(m_db, "UPDATE imports SET format = ?2, traces = ?3, spans = ?4 WHERE id = ?1");
    total.importId = importId;
    finishImport.bind(1, importId);
    const QByteArray format = traceFormatName(total.format).toUtf8();
    finishImport.bind(2, utf8(format));
    finishImport.bind(3, total.traces);
    finishImport.bind(4, total.spans);
    if (finishImport.step() != SQLITE_DONE || sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        const QString message = lastError();
        rollback();
        return fail(first, QStringLiteral("cannot write the cache %1: %2").arg(m_path, message));
    }
    return total;
}

std::expected<std::shared_ptr<const Trace>, QString> TraceCache::loadTrace(const TraceId& id) const
{
    SqliteStatement find(m_db, "SELECT row FROM traces WHERE trace_hi = ?1 AND trace_lo = ?2");
    find.bind(1, static_cast<qint64>(id.high));
    find.bind(2, static_cast<qint64>(id.low));
    if (find.step() != SQLITE_ROW)
        return std::unexpected(QStringLiteral("trace %1 is not in the cache").arg(QString::fromStdString(id.toHex())));
    SqliteStatement select(m_db, "SELECT data FROM trace_blobs WHERE trace_row = ?1 ORDER BY seq");
    auto trace = readBlobs(select, find.int64(0));
    if (!trace)
        return std::unexpected(withCause(trace.error()));
    return std::make_shared<const Trace>(std::move(*trace));
}

std::expected<void, QString> TraceCache::forEachTraceOf(
    const std::vector<TraceId>& ids, const std::function<bool(const Trace&)>& visit) const
{
    SqliteStatement find(m_db, "SELECT row FROM traces WHERE trace_hi = ?1 AND trace_lo = ?2");
    SqliteStatement select(m_db, "SELECT data FROM trace_blobs WHERE trace_row = ?1 ORDER BY seq");
    if (!find.isValid() || !select.isValid())
        return std::unexpected(lastError());
    const SqliteReadTransaction snapshot(m_db);
    for (const TraceId& id : ids) {
        find.reset();
        find.bind(1, static_cast<qint64>(id.high));
        find.bind(2, static_cast<qint64>(id.low));
        if (find.step() != SQLITE_ROW)
            continue; // deleted meanwhile (retention)
        auto trace = readBlobs(select, find.int64(0));
        if (!trace)
            return std::unexpected(withCause(trace.error()));
        if (!visit(*trace))
            return {};
    }
    return {};
}

std::expected<void, QString> TraceCache::forEachTrace(const std::function<bool(const Trace&)>& visit) const
{
    SqliteStatement rows(m_db, "SELECT row FROM traces ORDER BY start_ns");
    SqliteStatement select(m_db, "SELECT data FROM trace_blobs WHERE trace_row = ?1 ORDER BY seq");
    if (!rows.isValid() || !select.isValid())
        return std::unexpected(lastError());
    int status;
    while ((status = rows.step()) == SQLITE_ROW) {
        auto trace = readBlobs(select, rows.int64(0));
        if (!trace)
            return std::unexpected(withCause(trace.error()));
        if (!visit(*trace))
            return {};
    }
    if (status != SQLITE_DONE)
        return std::unexpected(lastError());
    return {};
}

QStringList TraceCache::services() const
{
    QStringList out;
    SqliteStatement s(m_db, "SELECT DISTINCT service FROM operations ORDER BY service");
    int status;
    while ((status = s.step()) == SQLITE_ROW)
        out << qstring(s.text(0));
    if (status != SQLITE_DONE)
        (void)lastError(); // notes a damaged file (isDamaged())
    return out;
}

QStringList TraceCache::operations(const QString& service) const
{
    QStringList out;
    SqliteStatement s(m_db, "SELECT operation FROM operations WHERE service = ?1 ORDER BY operation");
    const QByteArray name = service.toUtf8();
    s.bind(1, utf8(name));
    while (s.step() == SQLITE_ROW)
        out << qstring(s.text(0));
    return out;
}

qint64 TraceCache::traceCount() const
{
    SqliteStatement s(m_db, "SELECT count(*) FROM traces");
    if (s.step() == SQLITE_ROW)
        return s.int64(0);
    (void)lastError(); // notes a damaged file (isDamaged())
    return 0;
}

qint64 TraceCache::spanCount() const
{
    SqliteStatement s(m_db, "SELECT coalesce(sum(span_count), 0) FROM traces");
    if (s.step() == SQLITE_ROW)
        return s.int64(0);
    (void)lastError();
    return 0;
}

std::expected<void, QString> TraceCache::clear()
{
    char* message = nullptr;
    if (sqlite3_exec(m_db,
            "BEGIN IMMEDIATE; DELETE FROM postings; DELETE FROM staged_postings; DELETE FROM trace_blobs; DELETE FROM "
            "traces; DELETE FROM operations; DELETE FROM imports; DELETE FROM retired; DELETE FROM rollups; "
            "DELETE FROM rollup_series; DELETE FROM call_rollups; DELETE FROM call_series; "
            "DELETE FROM service_attributes; COMMIT;",
            nullptr, nullptr, &message)
        != SQLITE_OK) {
        const QString text = QString::fromUtf8(message ? message : "unknown error");
        sqlite3_free(message);
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        return std::unexpected(text);
    }
    m_staged->forgetSize();
    return {};
}

std::expected<bool, QString> TraceCache::wantsFold()
{
    return m_staged->wantsFold();
}

std::expected<void, QString> TraceCache::foldStagedPostings()
{
    if (sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
        return std::unexpected(lastError());
    auto folded = m_staged->foldSlice();
    if (folded && sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        folded = std::unexpected(lastError());
    if (!folded) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        m_staged->forgetSize(); // the rollback undid what it counted
    }
    return folded;
}

void TraceCache::setStagingLimit(qint64 bytes)
{
    m_staged->setFixedLimit(bytes);
}

qint64 TraceCache::usedBytes() const
{
    SqliteStatement s(m_db,
        "SELECT (p.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() p, "
        "pragma_freelist_count() f, pragma_page_size() s");
    return s.step() == SQLITE_ROW ? s.int64(0) : 0;
}

void TraceCache::setAutoCheckpoint(bool on)
{
    sqlite3_wal_autocheckpoint(m_db, on ? 1000 : 0); // 1000: SQLite's default; it installs (or drops) its wal hook
    if (!on) {
        sqlite3_wal_hook(
            m_db,
            [](void* self, sqlite3*, const char*, int pages) {
                static_cast<TraceCache*>(self)->m_walPages = pages;
                return SQLITE_OK;
            },
            this);
    }
}

std::expected<void, QString> TraceCache::checkpoint()
{
    if (sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) != SQLITE_OK)
        return std::unexpected(lastError());
    return {};
}

std::expected<RetentionResult, QString> TraceCache::enforceRetention(
    const RetentionPolicy& policy, qint64 maxTransactions)
{
    RetentionResult result;
    if (!policy.isActive())
        return result;
    const qint64 cutoff = policy.maxAgeNs ? policy.nowNs - *policy.maxAgeNs : std::numeric_limits<qint64>::min();
    SqliteStatement oldest(m_db,
        "SELECT t.row, t.start_ns, (SELECT coalesce(sum(length(data)), 0) FROM trace_blobs WHERE trace_row = t.row) "
        "FROM traces t ORDER BY t.start_ns, t.row LIMIT ?1");
    SqliteStatement deleteBlobs(m_db, "DELETE FROM trace_blobs WHERE trace_row = ?1");
    SqliteStatement deleteTrace(m_db, "DELETE FROM traces WHERE row = ?1");
    SqliteStatement retire(m_db, "INSERT OR IGNORE INTO retired(row) VALUES (?1)");
    SqliteStatement forgetLower(m_db, "DELETE FROM retired WHERE row < (SELECT max(row) FROM retired)");
    if (!oldest.isValid() || !deleteBlobs.isValid() || !deleteTrace.isValid() || !retire.isValid()
        || !forgetLower.isValid())
        return std::unexpected(lastError());
    auto step = [this](SqliteStatement& s) {
        const int status = s.step();
        s.reset();
        return status == SQLITE_DONE;
    };
    bool finished = false;
    while (result.transactions < maxTransactions) {
        if (sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
            return std::unexpected(lastError());
        // Decided inside the transaction: the size a concurrent import left is the one to cut down.
        const qint64 excess = policy.maxBytes ? usedBytes() - *policy.maxBytes : 0;
        qint64 freed = 0;
        std::vector<qint64> rows;
        oldest.reset();
        oldest.bind(1, static_cast<qint64>(std::max(policy.batchTraces, 1)));
        while (oldest.step() == SQLITE_ROW) {
            if (oldest.int64(1) >= cutoff && freed >= excess)
                break;
            rows.push_back(oldest.int64(0));
            freed += oldest.int64(2);
        }
        oldest.reset();
        bool ok = true;
        for (qint64 row : rows) {
            deleteBlobs.bind(1, row);
            deleteTrace.bind(1, row);
            retire.bind(1, row);
            ok = ok && step(deleteBlobs) && step(deleteTrace) && step(retire);
        }
        ok = ok && step(forgetLower);
        if (!ok || sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
            const QString message = lastError();
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
            return std::unexpected(message);
        }
        if (rows.empty()) {
            finished = true;
            break;
        }
        ++result.transactions;
        result.traces += static_cast<qint64>(rows.size());
        result.blobBytes += freed;
    }
    result.done = finished;
    if (result.traces > 0) {
        // The rollups go with the traces they count: minutes before the oldest trace left are dropped (once per pass:
        // the statement reads the whole table), so that they do not outgrow a size limit, and a heatmap cell lists
        // the traces it counts. The spans' and the calls' in one transaction, so that they agree.
        if (sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
            return std::unexpected(lastError());
        for (const char* table : { "rollups", "call_rollups" }) {
            SqliteStatement prune(m_db,
                std::string("DELETE FROM ") + table
                    + " WHERE minute < coalesce((SELECT min(start_ns) FROM traces) / ?1, ?2)");
            prune.bind(1, SpanRollups::kMinuteNs);
            prune.bind(2, std::numeric_limits<qint64>::max());
            if (prune.step() != SQLITE_DONE) {
                const QString message = lastError();
                sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
                return std::unexpected(message);
            }
        }
        if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
            const QString message = lastError();
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
            return std::unexpected(message);
        }
    }
    return result;
}

} // namespace tracemap
