#include "cache/tracecache.h"

#include "cache/postings.h"
#include "cache/rollupstore.h"
#include "cache/sqlitestatement.h"

#include <limits>

// The rollup side of TraceCache: reading the per-minute rollups of spans and calls back, and computing them for a
// cache from before them (the writer keeps them up to date in tracecache.cpp).

namespace tracemap {

using namespace cachedetail;

std::expected<void, QString> TraceCache::backfill(
    const std::function<void(const Trace&)>& add, const std::function<std::expected<void, QString>()>& flush)
{
    SqliteStatement rows(m_db, "SELECT row FROM traces ORDER BY row");
    SqliteStatement select(m_db, "SELECT data FROM trace_blobs WHERE trace_row = ?1 ORDER BY seq");
    if (!rows.isValid() || !select.isValid())
        return std::unexpected(lastError());
    constexpr int kTracesPerFlush = 2000; // bounds what is held in memory for a large cache
    int pending = 0;
    int status;
    while ((status = rows.step()) == SQLITE_ROW) {
        auto trace = readBlobs(select, rows.int64(0));
        if (!trace)
            continue; // a damaged row must not make the whole cache unopenable; reading it reports it as it did
        add(*trace);
        if (++pending == kTracesPerFlush) {
            if (auto r = flush(); !r)
                return r;
            pending = 0;
        }
    }
    if (status != SQLITE_DONE)
        return std::unexpected(lastError());
    return flush();
}

std::expected<void, QString> TraceCache::backfillSpanRollups()
{
    RollupStore<SeriesKey> store(m_db);
    if (!store.isValid())
        return std::unexpected(lastError());
    SpanRollups rollups;
    return backfill([&](const Trace& trace) { rollups.add(trace); },
        [&]() -> std::expected<void, QString> {
            auto r = store.apply(rollups);
            rollups.clear();
            return r;
        });
}

std::expected<void, QString> TraceCache::backfillTopologyRollups()
{
    RollupStore<CallKey> store(m_db);
    if (!store.isValid())
        return std::unexpected(lastError());
    TopologyRollups rollups;
    return backfill(
        [&](const Trace& trace) {
            rollups.add(trace);
            rollups.addAttributes(trace);
        },
        [&]() -> std::expected<void, QString> {
            auto r = store.apply(rollups);
            if (r)
                r = storeServiceAttributes(m_db, rollups.attributes());
            rollups.clear();
            return r;
        });
}

std::expected<std::vector<RollupSeries>, QString> TraceCache::rollupSeries() const
{
    SqliteStatement s(m_db, "SELECT id, service, operation, kind, root FROM rollup_series ORDER BY id");
    if (!s.isValid())
        return std::unexpected(lastError());
    std::vector<RollupSeries> out;
    int status;
    while ((status = s.step()) == SQLITE_ROW) {
        const qint64 kind = s.int64(3);
        out.push_back({ s.int64(0),
            SeriesKey { std::string(s.text(1)), std::string(s.text(2)),
                kind >= 0 && kind <= static_cast<qint64>(SpanKind::Consumer) ? static_cast<SpanKind>(kind)
                                                                             : SpanKind::Unspecified,
                s.int64(4) != 0 } });
    }
    if (status != SQLITE_DONE)
        return std::unexpected(lastError());
    return out;
}

std::expected<void, QString> TraceCache::forEachRollup(const std::vector<qint64>& series, qint64 fromMinute,
    qint64 toMinute, const std::function<void(qint64, qint64, const RollupFigures&)>& visit) const
{
    std::vector<qint64> ids = series;
    if (ids.empty()) {
        const auto all = rollupSeries();
        if (!all)
            return std::unexpected(all.error());
        for (const RollupSeries& s : *all)
            ids.push_back(s.id);
    }
    return forEachRollupIn(RollupTables<SeriesKey>::kRollups, ids, fromMinute, toMinute, visit);
}

std::expected<void, QString> TraceCache::forEachRollupIn(const char* table, const std::vector<qint64>& ids,
    qint64 fromMinute, qint64 toMinute, const std::function<void(qint64, qint64, const RollupFigures&)>& visit) const
{
    // One range lookup per series on the (series, minute) key: a window of a few hours reads only its rows.
    const SqliteReadTransaction snapshot(m_db);
    SqliteStatement s(m_db,
        std::string("SELECT minute, spans, errors, durations FROM ") + table
            + " WHERE series = ?1 AND minute BETWEEN ?2 AND ?3");
    if (!s.isValid())
        return std::unexpected(lastError());
    RollupFigures figures;
    for (qint64 id : ids) {
        s.reset();
        s.bind(1, id);
        s.bind(2, fromMinute);
        s.bind(3, toMinute);
        int status;
        while ((status = s.step()) == SQLITE_ROW) {
            auto durations = LatencyHistogram::decode(s.blob(3));
            if (!durations)
                continue;
            figures.spans = s.int64(1);
            figures.errors = s.int64(2);
            figures.durations = std::move(*durations);
            visit(id, s.int64(0), figures);
        }
        if (status != SQLITE_DONE)
            return std::unexpected(lastError());
    }
    return {};
}

std::shared_ptr<const void> TraceCache::readSnapshot() const
{
    return std::make_shared<const SqliteReadTransaction>(m_db);
}

std::expected<std::vector<CallSeries>, QString> TraceCache::callSeries() const
{
    SqliteStatement s(m_db, "SELECT id, caller, callee, hints FROM call_series ORDER BY id");
    if (!s.isValid())
        return std::unexpected(lastError());
    std::vector<CallSeries> out;
    int status;
    while ((status = s.step()) == SQLITE_ROW)
        out.push_back({ s.int64(0),
            CallKey { std::string(s.text(1)), std::string(s.text(2)), static_cast<quint8>(s.int64(3) & 0xff) } });
    if (status != SQLITE_DONE)
        return std::unexpected(lastError());
    return out;
}

std::expected<void, QString> TraceCache::forEachCallRollup(
    const std::function<void(qint64, qint64, const RollupFigures&)>& visit) const
{
    const auto all = callSeries();
    if (!all)
        return std::unexpected(all.error());
    std::vector<qint64> ids;
    for (const CallSeries& s : *all)
        ids.push_back(s.id);
    return forEachRollupIn(RollupTables<CallKey>::kRollups, ids, std::numeric_limits<qint64>::min(),
        std::numeric_limits<qint64>::max(), visit);
}

std::expected<TopologyRollups::Attributes, QString> TraceCache::serviceAttributes() const
{
    SqliteStatement s(m_db, "SELECT service, key, value FROM service_attributes");
    if (!s.isValid())
        return std::unexpected(lastError());
    TopologyRollups collected;
    int status;
    while ((status = s.step()) == SQLITE_ROW)
        collected.addAttribute(s.text(0), s.text(1), s.text(2));
    if (status != SQLITE_DONE)
        return std::unexpected(lastError());
    return collected.attributes();
}

std::optional<std::pair<qint64, qint64>> TraceCache::traceTimeRange() const
{
    // Both from the start index: the first entry, and the traces of the last ten minutes.
    SqliteStatement s(m_db,
        "SELECT (SELECT min(start_ns) FROM traces), (SELECT max(start_ns + duration_ns) FROM traces WHERE start_ns >= "
        "(SELECT max(start_ns) FROM traces) - 600000000000), (SELECT count(*) FROM (SELECT 1 FROM traces LIMIT 1))");
    if (s.step() != SQLITE_ROW || s.int64(2) == 0)
        return std::nullopt;
    return std::pair { s.int64(0), s.int64(1) };
}

std::optional<std::pair<qint64, qint64>> TraceCache::rollupMinutes() const
{
    SqliteStatement s(m_db, "SELECT min(minute), max(minute), count(*) FROM rollups");
    if (s.step() != SQLITE_ROW || s.int64(2) == 0)
        return std::nullopt;
    return std::pair { s.int64(0), s.int64(1) };
}

} // namespace tracemap
