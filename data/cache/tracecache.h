#pragma once

#include "formats/importerror.h"
#include "formats/traceimporter.h"
#include "model/trace.h"
#include "model/tracequery.h"
#include "model/tracesummary.h"

#include <QString>
#include <QStringList>

#include <expected>
#include <functional>
#include <memory>
#include <vector>

struct sqlite3;

namespace tracemap {
class SqliteStatement;
}

namespace tracemap {

/// The local SQLite cache of everything imported. One file, WAL mode, schema version in user_version.
///
/// Traces are stored whole (TraceCodec blobs, in chunks) with a summary row each, because a trace is what is
/// read back; spans are keyed by (trace id, span id) inside the trace, so importing the same file twice adds
/// nothing. Search terms (service, service+operation, key=value of span and resource attributes) go to an
/// inverted index: each import appends one posting list of trace rows per term, which keeps imports fast
/// (one row per distinct term, not per span) and searches to a few index lookups.
///
/// Not thread-safe: each thread opens its own TraceCache on the same file (SQLite handles the locking).
class TraceCache {
public:
    static constexpr int kSchemaVersion = 1;

    /// Whether open() may create a cache that is not there. Commands that only read use MustExist, so that a
    /// mistyped path is an error rather than a new, empty cache.
    enum class OpenMode { CreateIfMissing, MustExist };

    static QString defaultPath();
    /// Opens (and with CreateIfMissing creates, folders included) the cache at `path`, migrating its schema. The
    /// error names the path.
    static std::expected<std::unique_ptr<TraceCache>, QString> open(
        const QString& path, OpenMode mode = OpenMode::CreateIfMissing);
    ~TraceCache();

    QString path() const { return m_path; }

    /// Imports one file in one transaction: on any error, or when progress cancels, the cache is unchanged.
    std::expected<ImportSummary, ImportError> importFile(
        const QString& file, const ImportOptions& options = ImportOptions());

    /// Stores already assembled traces (merging with what is cached) in one transaction.
    std::expected<void, QString> storeTraces(std::vector<Trace>& traces, const QString& source);

    /// Traces matching every field of the query, newest first, at most query.limit of them.
    std::expected<std::vector<TraceSummary>, QString> search(const TraceQuery& query) const;
    std::expected<std::shared_ptr<const Trace>, QString> loadTrace(const TraceId& id) const;
    /// Calls visit for every cached trace (decoded one at a time); stops when visit returns false.
    std::expected<void, QString> forEachTrace(const std::function<bool(const Trace&)>& visit) const;

    QStringList services() const;
    QStringList operations(const QString& service) const;
    qint64 traceCount() const;
    qint64 spanCount() const;
    std::expected<void, QString> clear();

private:
    class Writer;
    TraceCache() = default;
    static std::expected<Trace, QString> readBlobs(SqliteStatement& select, qint64 row);
    std::expected<void, QString> migrate();
    /// The rows of the traces matching these ids (TraceQuery::traceIds), ascending.
    std::expected<std::vector<qint64>, QString> rowsOf(const std::vector<TraceId>& ids) const;
    QString lastError() const;

    sqlite3* m_db = nullptr;
    QString m_path;
};

} // namespace tracemap
