#pragma once

// Internal to the cache: the per-minute rollups (metrics/spanrollups.h, analysis/topologyrollups.h) in SQLite,
// written in the transaction that stores the traces they count.

#include "analysis/topologyrollups.h"
#include "cache/sqlitestatement.h"
#include "metrics/spanrollups.h"

#include <QString>

#include <expected>
#include <map>

struct sqlite3;

namespace tracemap::cachedetail {

/// Where the rollups of one key type live: a series table (id and the key's columns) and a rollup table (series,
/// minute, count, errors, histogram), and how a key binds to the series table's columns ?1…?4.
template <class Key> struct RollupTables;

template <> struct RollupTables<SeriesKey> {
    static constexpr const char* kSeries = "rollup_series";
    static constexpr const char* kRollups = "rollups";
    static constexpr const char* kKeyColumns[] = { "service", "operation", "kind", "root" };
    static void bind(SqliteStatement& s, const SeriesKey& key);
};

template <> struct RollupTables<CallKey> {
    static constexpr const char* kSeries = "call_series";
    static constexpr const char* kRollups = "call_rollups";
    static constexpr const char* kKeyColumns[] = { "caller", "callee", "hints" };
    static void bind(SqliteStatement& s, const CallKey& key);
};

/// Applies rollup changes to a series table and its rollup table (RollupTables): a series gets an id the first
/// time it is seen; a (series, minute) row is read, changed and written back, and deleted when the change empties
/// it. Used inside a write transaction the caller owns.
template <class Key> class RollupStore {
public:
    explicit RollupStore(sqlite3* db);
    bool isValid() const;

    std::expected<void, QString> apply(const RollupCells<Key>& change);

private:
    std::expected<qint64, QString> seriesId(const Key& key);
    QString lastError() const;

    sqlite3* m_db;
    SqliteStatement m_findSeries;
    SqliteStatement m_insertSeries;
    SqliteStatement m_selectRollup;
    SqliteStatement m_writeRollup;
    SqliteStatement m_deleteRollup;
    std::map<Key, qint64> m_seriesIds;
};

/// The resource attributes of the services (TopologyRollups::attributes) in the table service_attributes: the
/// first value of a (service, key) stays (until clear(): retention keeps them), and a service keeps at most
/// Topology::kMaxNodeAttributes keys, the first seen.
std::expected<void, QString> storeServiceAttributes(sqlite3* db, const TopologyRollups::Attributes& attributes);

extern template class RollupStore<SeriesKey>;
extern template class RollupStore<CallKey>;

} // namespace tracemap::cachedetail
