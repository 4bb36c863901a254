#pragma once

#include <sqlite3.h>

#include <QtGlobal>

#include <string_view>

namespace tracemap {

/// RAII over a prepared statement, with the few bind/column helpers the cache needs.
class SqliteStatement {
public:
    SqliteStatement(sqlite3* db, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    bool isValid() const { return m_statement != nullptr; }
    void reset();
    void bind(int index, qint64 value);
    void bind(int index, std::string_view text);
    void bindBlob(int index, std::string_view bytes);
    /// SQLITE_ROW, SQLITE_DONE or an error code.
    int step();
    qint64 int64(int column) const;
    std::string_view text(int column) const;
    std::string_view blob(int column) const;

private:
    sqlite3_stmt* m_statement = nullptr;
};

/// A read transaction for the scope, so that several statements see one snapshot (WAL readers never wait), unless
/// the connection is in a transaction already.
class SqliteReadTransaction {
public:
    explicit SqliteReadTransaction(sqlite3* db);
    ~SqliteReadTransaction();
    SqliteReadTransaction(const SqliteReadTransaction&) = delete;
    SqliteReadTransaction& operator=(const SqliteReadTransaction&) = delete;

private:
    sqlite3* m_db;
    bool m_began = false;
};

} // namespace tracemap
