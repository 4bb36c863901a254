#pragma once

#include "analysis/topologyrollups.h"
#include "formats/importerror.h"
#include "formats/traceimporter.h"
#include "metrics/spanrollups.h"
#include "model/trace.h"
#include "model/tracequery.h"
#include "model/tracesummary.h"

#include <QString>
#include <QStringList>

#include <expected>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace tracemap {
class SqliteStatement;
namespace cachedetail {
class StagedPostings;
}
} // namespace tracemap

namespace tracemap {

/// What a long-running cache keeps: traces younger than maxAgeNs and, oldest deleted first, at most maxBytes.
/// The size is the cache's used pages (page_count - freelist_count) * page_size of the main file: pages freed by
/// a deletion are reused by the next writes, so the file stops growing at about maxBytes, but it does not shrink
/// (nor does the WAL file count).
struct RetentionPolicy {
    std::optional<qint64> maxAgeNs; // by trace start time
    std::optional<qint64> maxBytes;
    qint64 nowNs = 0; // "now" for maxAgeNs, in the traces' clock (Unix ns)
    int batchTraces = 200; // traces deleted per transaction, so that a writer waiting for the lock waits little

    bool isActive() const { return maxAgeNs || maxBytes; }
};

/// What one retention pass deleted.
struct RetentionResult {
    qint64 traces = 0;
    qint64 blobBytes = 0; // compressed trace data deleted (the rows' data, not the pages freed)
    qint64 transactions = 0;
    bool done = true; // false when the pass stopped after maxTransactions with more to delete
};

/// A trace with everything storing it needs besides SQL: its summary row, its compressed blob, its search terms and
/// its (service, operation) pairs. TraceCache::prepare() makes it on any thread, so that the thread holding the
/// write transaction (the live writer) only runs SQL while the receiving threads do the encoding.
struct PreparedTrace {
    Trace trace;
    TraceSummary summary;
    std::string blob; // zstd (level 1) of TraceCodec::encode(trace); empty if compression failed
    std::vector<qint64> terms; // SearchTerms::ofTrace(trace)
    std::vector<std::pair<std::string, std::string>> operations; // distinct, sorted
    SpanRollups rollups; // the trace's spans per series and minute
    TopologyRollups topology; // its calls per series and minute (the writer adds the services' attributes)

    /// What it holds in memory beyond the trace itself.
    size_t extraBytes() const;
};

/// A rollup series as the cache stores it: its id and which spans it counts.
struct RollupSeries {
    qint64 id = 0;
    SeriesKey key;
};

/// A call rollup series as the cache stores it: its id and which calls it counts.
struct CallSeries {
    qint64 id = 0;
    CallKey key;
};

/// Why a cache could not be opened. `damaged`: SQLite found that the file is not a database or is corrupt (cut
/// short, overwritten); TraceCache::moveAside() then keeps it under another name so that a new cache can start.
/// Anything else (no permission, a newer schema, a lock held too long) is not damage: moving the file would not help.
struct CacheError {
    QString message; // names the path
    bool damaged = false;
};

/// The local SQLite cache of everything imported. One file, WAL mode, schema version in user_version.
///
/// Traces are stored whole (TraceCodec blobs, in chunks) with a summary row each, because a trace is what is
/// read back; spans are keyed by (trace id, span id) inside the trace, so importing the same file twice adds
/// nothing. Search terms (service, service+operation, key=value of span and resource attributes) go to an
/// inverted index: each import appends one posting list of trace rows per term (a live batch stages its lists
/// first: StagedPostings), which keeps imports fast (one row per distinct term, not per span) and searches to a
/// few index lookups. Per-minute rollups of the spans (SpanRollups: count, errors, duration histogram per service,
/// operation and kind) and of the calls between services (TopologyRollups) are written in the same transaction,
/// so monitoring views and the map of the whole cache never scan the spans; a trace that gains spans takes its old
/// figures out first, and retention drops those of the minutes before its oldest trace.
///
/// Not thread-safe: each thread opens its own TraceCache on the same file (SQLite handles the locking).
class TraceCache {
public:
    static constexpr int kSchemaVersion = 6;
    /// A search with a duration bound reads the rows in that range from their index (duration, start) when at most
    /// this many match: then the newest `limit` of them are known without a walk through time, which a rare
    /// duration would make a walk through the whole cache. When more match, the range is no rarer than one trace
    /// in a few dozen of a million-trace cache, and the walk newest first finds its `limit` soon.
    static constexpr size_t kRangeRowsLimit = 20'000;

    /// Whether open() may create a cache that is not there. Commands that only read use MustExist, so that a
    /// mistyped path is an error rather than a new, empty cache.
    enum class OpenMode { CreateIfMissing, MustExist };

    static QString defaultPath();
    /// Opens (and with CreateIfMissing creates, folders included) the cache at `path`, migrating its schema. The
    /// error names the path.
    static std::expected<std::unique_ptr<TraceCache>, QString> open(
        const QString& path, OpenMode mode = OpenMode::CreateIfMissing);
    /// open(), telling a damaged file from other failures. Opening checks only what is cheap: the header, the size
    /// it declares against the file's (SQLite's own check, which finds a file cut short), the schema and the first
    /// and last rows of each table and index, never the whole file (a cache may hold 10M spans). Damage elsewhere
    /// shows when a statement reads it: isDamaged().
    static std::expected<std::unique_ptr<TraceCache>, CacheError> openChecked(
        const QString& path, OpenMode mode = OpenMode::CreateIfMissing);
    /// Moves the cache at `path` and its -wal, -shm and -journal files aside, to PATH.damaged-YYYYMMDD-HHMMSS, so
    /// that the next open() starts a new cache; the damaged file is kept for whoever wants to look at it. Refuses
    /// while a TraceCache of this process or another program (tracemap serve, an import, a window) has it open:
    /// SQLite would go on writing to the moved file and, closing, delete the new cache's WAL. Returns the new name.
    static std::expected<QString, QString> moveAside(const QString& path);
    ~TraceCache();

    /// True once a statement of this connection found the file damaged (SQLITE_CORRUPT or SQLITE_NOTADB); the error
    /// it returned says "the cache file is damaged". The window then offers to move the file aside.
    bool isDamaged() const { return !m_damage.isEmpty(); }
    /// What to tell the user when writing failed with SQLite's message `sqliteMessage` (as Writer returns it): "cannot
    /// write the cache PATH: " and, for a full disk or a damaged file, what that means and what to do; marks the
    /// connection damaged in the second case. For importFiles' error paths.
    QString writeError(const QString& sqliteMessage);
    /// For tests only: at most `pages` pages in the file (SQLite's max_page_count on this connection), so that a
    /// write past them fails as on a full disk (SQLITE_FULL). 0 lifts the limit.
    void setPageLimitForTest(qint64 pages);
    /// For tests only: an import writes its posting lists in segments of at most this many (term, row) pairs
    /// instead of about four million, so that a small file takes the path of a million small traces.
    void setPostingSegmentForTest(size_t pairs) { m_postingSegmentPairs = pairs; }

    QString path() const { return m_path; }

    /// Imports one file in one transaction: on any error, or when progress cancels, the cache is unchanged.
    std::expected<ImportSummary, ImportError> importFile(
        const QString& file, const ImportOptions& options = ImportOptions());
    /// Imports several files in one transaction, recorded as one import named `recordedAs` (a URL for traces
    /// fetched from a back end): all of them or, on any error, none. The summary adds up the files' counts; services
    /// is the most any one file had.
    std::expected<ImportSummary, ImportError> importFiles(
        const QStringList& files, const QString& recordedAs, const ImportOptions& options = ImportOptions());

    /// Stores already assembled traces (merging with what is cached) in one transaction: the live writer's batch. Its
    /// posting lists are staged and folded into the index later, a slice at a time (see StagedPostings), because
    /// many small transactions writing the index directly would rewrite pages all over it.
    std::expected<void, QString> storeTraces(std::vector<Trace>& traces, const QString& source);
    /// The same for prepared traces (a trace merged with a cached one is prepared again, in the transaction).
    std::expected<void, QString> storeTraces(std::vector<PreparedTrace>& traces, const QString& source);
    /// Encodes, compresses and indexes a trace for storeTraces; thread-safe (no database access).
    static PreparedTrace prepare(Trace trace);

    /// Traces matching every field of the query, newest first, at most query.limit of them.
    /// Without root names (rootService and rootOperation left empty), a search listing many traces by their times
    /// runs about twice as fast (the comparison's sampling lists a whole scope).
    enum class RootNames { With, Without };
    std::expected<std::vector<TraceSummary>, QString> search(
        const TraceQuery& query, RootNames names = RootNames::With) const;
    /// How the last search found its rows, for tests and benchmarks: the candidates of its terms looked up one by
    /// one (at most 4,096 of them, or none found), a duration range read from its index (kRangeRowsLimit), or the
    /// traces walked newest first through the time index.
    enum class SearchPath { Candidates, DurationIndex, TimeWalk };
    SearchPath lastSearchPath() const { return m_lastSearchPath; }
    std::expected<std::shared_ptr<const Trace>, QString> loadTrace(const TraceId& id) const;
    /// Calls visit for each of these traces that is cached, in the order given (decoded one at a time, with the
    /// statements prepared once); stops when visit returns false.
    std::expected<void, QString> forEachTraceOf(
        const std::vector<TraceId>& ids, const std::function<bool(const Trace&)>& visit) const;
    /// Calls visit for every cached trace (decoded one at a time); stops when visit returns false.
    std::expected<void, QString> forEachTrace(const std::function<bool(const Trace&)>& visit) const;

    /// Every rollup series, in id order.
    std::expected<std::vector<RollupSeries>, QString> rollupSeries() const;
    /// Calls visit for each rollup of the given series (of every series when `series` is empty) whose minute lies in
    /// [fromMinute, toMinute]: series by series, minutes ascending. Damaged rows are skipped.
    std::expected<void, QString> forEachRollup(const std::vector<qint64>& series, qint64 fromMinute, qint64 toMinute,
        const std::function<void(qint64 series, qint64 minute, const RollupFigures& figures)>& visit) const;
    /// The first and the last minute that has rollups; nullopt when there are none.
    std::optional<std::pair<qint64, qint64>> rollupMinutes() const;
    /// While the returned object lives, every read of this connection sees the cache as it was when it was made
    /// (one read transaction; none when a transaction is open already): figures read in several queries agree
    /// although a live writer commits meanwhile.
    [[nodiscard]] std::shared_ptr<const void> readSnapshot() const;
    /// Every call rollup series (TopologyRollups), in id order.
    std::expected<std::vector<CallSeries>, QString> callSeries() const;
    /// Calls visit for every call rollup (figures.spans holds the calls), series by series, minutes ascending.
    std::expected<void, QString> forEachCallRollup(
        const std::function<void(qint64 series, qint64 minute, const RollupFigures& figures)>& visit) const;
    /// The services' resource attributes (the first value of each key), by service and key.
    std::expected<TopologyRollups::Attributes, QString> serviceAttributes() const;
    /// The earliest start and the latest end of the cached traces (the end of those that start in the last ten
    /// minutes: a longer trace that ends later is missed); nullopt when the cache is empty.
    std::optional<std::pair<qint64, qint64>> traceTimeRange() const;

    QStringList services() const;
    QStringList operations(const QString& service) const;
    qint64 traceCount() const;
    qint64 spanCount() const;
    std::expected<void, QString> clear();

    /// Deletes whole traces, oldest start first, until the policy holds, in transactions of at most
    /// policy.batchTraces traces, and at most maxTransactions of them (then done is false: call again later).
    /// Their posting lists are left as they are: search looks each candidate row up in traces, so a deleted row
    /// simply does not match, and rows are never reused (the highest deleted row is kept in `retired`).
    std::expected<RetentionResult, QString> enforceRetention(
        const RetentionPolicy& policy, qint64 maxTransactions = std::numeric_limits<qint64>::max());
    /// The size retention limits: used pages times the page size (see RetentionPolicy).
    qint64 usedBytes() const;

    /// Whether live batches staged enough posting lists that folding a slice of them into the index pays; a live
    /// writer calls foldStagedPostings() while it waits for requests, so that batches seldom fold (StagedPostings).
    std::expected<bool, QString> wantsFold();
    /// Folds one slice of the staged posting lists into the index, in a transaction of its own.
    std::expected<void, QString> foldStagedPostings();
    /// For tests: a fixed size of staged posting lists above which folding starts, instead of one that grows with
    /// the cache (StagedPostings::setFixedLimit).
    void setStagingLimit(qint64 bytes);

    /// Whether this connection's commits copy the WAL back into the file once it holds 1000 pages (SQLite's default,
    /// on). A writer that turns it off leaves the copying to checkpoint() on another connection and thread, and
    /// walPages() tells it when.
    void setAutoCheckpoint(bool on);
    /// The pages the WAL held after this connection's last commit (kept while auto-checkpoint is off).
    int walPages() const { return m_walPages; }
    /// Copies what it can of the WAL into the file without waiting for (or blocking) readers and the writer
    /// (SQLite's PASSIVE checkpoint).
    std::expected<void, QString> checkpoint();

private:
    class Writer;
    TraceCache() = default;
    template <typename Traces> std::expected<void, QString> storeAll(Traces& traces, const QString& source);
    static std::expected<Trace, QString> readBlobs(SqliteStatement& select, qint64 row);
    std::expected<void, QString> migrate();
    /// Computes rollups of every cached trace (migrating a cache from before them), in the caller's transaction: add
    /// counts a trace, and flush, called every few thousand traces and at the end, stores what was counted.
    std::expected<void, QString> backfill(
        const std::function<void(const Trace&)>& add, const std::function<std::expected<void, QString>()>& flush);
    std::expected<void, QString> backfillSpanRollups();
    std::expected<void, QString> backfillTopologyRollups();
    /// Reads one rollup table's rows of the given series (all when empty) in [fromMinute, toMinute].
    std::expected<void, QString> forEachRollupIn(const char* table, const std::vector<qint64>& series,
        qint64 fromMinute, qint64 toMinute,
        const std::function<void(qint64 series, qint64 minute, const RollupFigures& figures)>& visit) const;
    /// The rows of the traces matching these ids (TraceQuery::traceIds), ascending.
    std::expected<std::vector<qint64>, QString> rowsOf(const std::vector<TraceId>& ids) const;
    /// (start, row) of every trace within the query's duration and time bounds, through traces_by_duration, when at
    /// most kRangeRowsLimit traces lie in the duration range (whatever their times); nullopt when more do, or when
    /// the query has no duration bound.
    std::expected<std::optional<std::vector<std::pair<qint64, qint64>>>, QString> durationRows(
        const TraceQuery& query) const;
    /// SQLite's message for the connection's last error, made clear for a full disk or a damaged file (which it
    /// also records: isDamaged()).
    QString lastError() const;
    /// `message`, and when the connection's last error is damage, SQLite's words for it (readBlobs() is static: the
    /// members that call it add the cause).
    QString withCause(const QString& message) const;
    /// The cheap checks of openChecked() (header, schema, the edges of each table and index).
    std::expected<void, QString> checkCheaply();
    /// BEGIN IMMEDIATE for an import: while another connection (another program's import, a live writer) holds the
    /// write lock, waits for it in 200 ms steps, calling `progress` (0 of 0 done) between them, so that a cancel ends
    /// the wait. Fails at once on any other error: an import never fails with "database is locked".
    std::expected<void, ImportError> beginImport(const QString& file, const ImportProgress& progress);

    sqlite3* m_db = nullptr;
    mutable SearchPath m_lastSearchPath = SearchPath::Candidates;
    QString m_path;
    mutable QString m_damage; // SQLite's words, once a statement found the file damaged
    QString m_registeredAs; // this connection's entry in the open caches moveAside() refuses to move
    int m_walPages = 0;
    size_t m_postingSegmentPairs = 0; // 0: the writer's own (setPostingSegmentForTest)
    std::unique_ptr<cachedetail::StagedPostings> m_staged;
};

} // namespace tracemap
