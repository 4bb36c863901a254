#pragma once

// Internal to the cache: the per-minute rollups (metrics/spanrollups.h) in SQLite, written in the transaction
// that stores the traces they count.

#include "cache/sqlitestatement.h"
#include "metrics/spanrollups.h"

#include <QString>

#include <expected>
#include <map>

struct sqlite3;

namespace tracemap::cachedetail {

/// Applies rollup changes to the tables rollup_series and rollups: a series gets an id the first time it is seen;
/// a (series, minute) row is read, changed and written back, and deleted when the change empties it. Used inside
/// a write transaction the caller owns.
class RollupStore {
public:
    explicit RollupStore(sqlite3* db);
    bool isValid() const;

    std::expected<void, QString> apply(const SpanRollups& change);

private:
    std::expected<qint64, QString> seriesId(const SeriesKey& key);
    QString lastError() const;

    sqlite3* m_db;
    SqliteStatement m_findSeries;
    SqliteStatement m_insertSeries;
    SqliteStatement m_selectRollup;
    SqliteStatement m_writeRollup;
    SqliteStatement m_deleteRollup;
    std::map<SeriesKey, qint64> m_seriesIds;
};

} // namespace tracemap::cachedetail
