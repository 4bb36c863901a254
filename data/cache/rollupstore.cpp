#include "cache/rollupstore.h"

#include "analysis/topology.h"

#include <sqlite3.h>

#include <string>

namespace tracemap::cachedetail {

namespace {

// "a = ?1 AND b = ?2 …" or "a, b, …" / "?1, ?2, …" over the key's columns.
template <class Key> std::string keyColumns(const char* separator, bool withParameters, bool parametersOnly = false)
{
    std::string out;
    int i = 0;
    for (const char* column : RollupTables<Key>::kKeyColumns) {
        if (i++ > 0)
            out += separator;
        if (!parametersOnly)
            out += column;
        if (withParameters)
            out += (parametersOnly ? "?" : " = ?") + std::to_string(i);
    }
    return out;
}

template <class Key> std::string sql(const std::string& text)
{
    std::string out = text;
    auto replace = [&out](std::string_view name, std::string_view value) {
        for (size_t at; (at = out.find(name)) != std::string::npos;)
            out.replace(at, name.size(), value);
    };
    replace("{series}", RollupTables<Key>::kSeries);
    replace("{rollups}", RollupTables<Key>::kRollups);
    return out;
}

} // namespace

void RollupTables<SeriesKey>::bind(SqliteStatement& s, const SeriesKey& key)
{
    s.bind(1, key.service);
    s.bind(2, key.operation);
    s.bind(3, static_cast<qint64>(key.kind));
    s.bind(4, key.root ? 1 : 0);
}

void RollupTables<CallKey>::bind(SqliteStatement& s, const CallKey& key)
{
    s.bind(1, key.caller);
    s.bind(2, key.callee);
    s.bind(3, static_cast<qint64>(key.peerHints));
}

template <class Key>
RollupStore<Key>::RollupStore(sqlite3* db)
    : m_db(db)
    , m_findSeries(db, sql<Key>("SELECT id FROM {series} WHERE " + keyColumns<Key>(" AND ", true)).c_str())
    , m_insertSeries(db,
          sql<Key>("INSERT INTO {series}(" + keyColumns<Key>(", ", false) + ") VALUES ("
              + keyColumns<Key>(", ", true, true) + ")")
              .c_str())
    , m_selectRollup(
          db, sql<Key>("SELECT spans, errors, durations FROM {rollups} WHERE series = ?1 AND minute = ?2").c_str())
    , m_writeRollup(db,
          sql<Key>("INSERT OR REPLACE INTO {rollups}(series, minute, spans, errors, durations) VALUES (?1, ?2, ?3, ?4, "
                   "?5)")
              .c_str())
    , m_deleteRollup(db, sql<Key>("DELETE FROM {rollups} WHERE series = ?1 AND minute = ?2").c_str())
{
}

template <class Key> bool RollupStore<Key>::isValid() const
{
    return m_findSeries.isValid() && m_insertSeries.isValid() && m_selectRollup.isValid() && m_writeRollup.isValid()
        && m_deleteRollup.isValid();
}

template <class Key> QString RollupStore<Key>::lastError() const
{
    return QString::fromUtf8(sqlite3_errmsg(m_db));
}

template <class Key> std::expected<qint64, QString> RollupStore<Key>::seriesId(const Key& key)
{
    if (const auto known = m_seriesIds.find(key); known != m_seriesIds.end())
        return known->second;
    for (SqliteStatement* s : { &m_findSeries, &m_insertSeries }) {
        s->reset();
        RollupTables<Key>::bind(*s, key);
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

template <class Key> std::expected<void, QString> RollupStore<Key>::apply(const RollupCells<Key>& change)
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

std::expected<void, QString> storeServiceAttributes(sqlite3* db, const TopologyRollups::Attributes& attributes)
{
    if (attributes.empty())
        return {};
    // Capped per service across imports too, as TopologyRollups caps them within one: the first keys seen stay.
    SqliteStatement insert(db,
        ("INSERT OR IGNORE INTO service_attributes(service, key, value) SELECT ?1, ?2, ?3 WHERE (SELECT count(*) FROM "
         "service_attributes WHERE service = ?1) < "
            + std::to_string(Topology::kMaxNodeAttributes))
            .c_str());
    if (!insert.isValid())
        return std::unexpected(QString::fromUtf8(sqlite3_errmsg(db)));
    for (const auto& [service, pairs] : attributes) {
        for (const auto& [key, value] : pairs) {
            insert.reset();
            insert.bind(1, service);
            insert.bind(2, key);
            insert.bind(3, value);
            if (insert.step() != SQLITE_DONE)
                return std::unexpected(QString::fromUtf8(sqlite3_errmsg(db)));
        }
    }
    return {};
}

template class RollupStore<SeriesKey>;
template class RollupStore<CallKey>;

} // namespace tracemap::cachedetail
