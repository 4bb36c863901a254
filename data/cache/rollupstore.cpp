#include "cache/rollupstore.h"

#include <sqlite3.h>

namespace tracemap::cachedetail {

RollupStore::RollupStore(sqlite3* db)
    : m_db(db)
    , m_findSeries(db, "SELECT id FROM rollup_series WHERE service = ?1 AND operation = ?2 AND kind = ?3 AND root = ?4")
    , m_insertSeries(db, "INSERT INTO rollup_series(service, operation, kind, root) VALUES (?1, ?2, ?3, ?4)")
    , m_selectRollup(db, "SELECT spans, errors, durations FROM rollups WHERE series = ?1 AND minute = ?2")
    , m_writeRollup(
          db, "INSERT OR REPLACE INTO rollups(series, minute, spans, errors, durations) VALUES (?1, ?2, ?3, ?4, ?5)")
    , m_deleteRollup(db, "DELETE FROM rollups WHERE series = ?1 AND minute = ?2")
{
}

bool RollupStore::isValid() const
{
    return m_findSeries.isValid() && m_insertSeries.isValid() && m_selectRollup.isValid() && m_writeRollup.isValid()
        && m_deleteRollup.isValid();
}

QString RollupStore::lastError() const
{
    return QString::fromUtf8(sqlite3_errmsg(m_db));
}

std::expected<qint64, QString> RollupStore::seriesId(const SeriesKey& key)
{
    if (const auto known = m_seriesIds.find(key); known != m_seriesIds.end())
        return known->second;
    for (SqliteStatement* s : { &m_findSeries, &m_insertSeries }) {
        s->reset();
        s->bind(1, key.service);
        s->bind(2, key.operation);
        s->bind(3, static_cast<qint64>(key.kind));
        s->bind(4, key.root ? 1 : 0);
        const int status = s->step();
        qint64 id = -1;
        if (s == &m_findSeries && status == SQLITE_ROW)
            id = s->int64(0);
        else if (s == &m_insertSeries && status == SQLITE_DONE)
            id = sqlite3_last_insert_rowid(m_db);
        else if (status != SQLITE_DONE)
            return std::unexpected(lastError());
        s->reset();
        if (id >= 0)
            return m_seriesIds[key] = id;
    }
    return std::unexpected(lastError());
}

std::expected<void, QString> RollupStore::apply(const SpanRollups& change)
{
    for (const auto& [cell, delta] : change.cells()) {
        const auto series = seriesId(cell.first);
        if (!series)
            return std::unexpected(series.error());
        RollupFigures figures;
        m_selectRollup.reset();
        m_selectRollup.bind(1, *series);
        m_selectRollup.bind(2, cell.second);
        const int status = m_selectRollup.step();
        if (status == SQLITE_ROW) {
            figures.spans = m_selectRollup.int64(0);
            figures.errors = m_selectRollup.int64(1);
            // A damaged histogram is replaced by what is added now rather than failing every later import.
            if (auto durations = LatencyHistogram::decode(m_selectRollup.blob(2)))
                figures.durations = std::move(*durations);
        } else if (status != SQLITE_DONE) {
            return std::unexpected(lastError());
        }
        m_selectRollup.reset();
        figures.merge(delta);
        SqliteStatement& write = figures.isEmpty() ? m_deleteRollup : m_writeRollup;
        write.reset();
        write.bind(1, *series);
        write.bind(2, cell.second);
        std::string encoded;
        if (!figures.isEmpty()) {
            write.bind(3, figures.spans);
            write.bind(4, figures.errors);
            encoded = figures.durations.encode();
            write.bindBlob(5, encoded);
        }
        const int written = write.step();
        write.reset();
        if (written != SQLITE_DONE)
            return std::unexpected(lastError());
    }
    return {};
}

} // namespace tracemap::cachedetail
