#include "cache/tracecache.h"

#include "cache/postings.h"
#include "cache/rollupstore.h"
#include "cache/sqlitestatement.h"

// The rollup side of TraceCache: reading the per-minute rollups back, and computing them for a cache from before
// them (the writer keeps them up to date in tracecache.cpp).

namespace tracemap {

using namespace cachedetail;

std::expected<void, QString> TraceCache::backfillRollups()
{
    SqliteStatement rows(m_db, "SELECT row FROM traces ORDER BY row");
    SqliteStatement select(m_db, "SELECT data FROM trace_blobs WHERE trace_row = ?1 ORDER BY seq");
    RollupStore store(m_db);
    if (!rows.isValid() || !select.isValid() || !store.isValid())
        return std::unexpected(lastError());
    constexpr int kTracesPerApply = 2000; // bounds what is held in memory for a large cache
    SpanRollups rollups;
    int pending = 0;
    int status;
    while ((status = rows.step()) == SQLITE_ROW) {
        auto trace = readBlobs(select, rows.int64(0));
        if (!trace)
            continue; // a damaged row must not make the whole cache unopenable; reading it reports it as it did
        rollups.add(*trace);
        if (++pending == kTracesPerApply) {
            if (auto r = store.apply(rollups); !r)
                return r;
            rollups.clear();
            pending = 0;
        }
    }
    if (status != SQLITE_DONE)
        return std::unexpected(lastError());
    return store.apply(rollups);
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
    // One range lookup per series on the (series, minute) key: a window of a few hours reads only its rows.
    const SqliteReadTransaction snapshot(m_db);
    SqliteStatement s(
        m_db, "SELECT minute, spans, errors, durations FROM rollups WHERE series = ?1 AND minute BETWEEN ?2 AND ?3");
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

std::optional<std::pair<qint64, qint64>> TraceCache::rollupMinutes() const
{
    SqliteStatement s(m_db, "SELECT min(minute), max(minute), count(*) FROM rollups");
    if (s.step() != SQLITE_ROW || s.int64(2) == 0)
        return std::nullopt;
    return std::pair { s.int64(0), s.int64(1) };
}

} // namespace tracemap
