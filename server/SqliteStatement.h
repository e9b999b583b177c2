#pragma once

#include "SqlStatement.h"

struct sqlite3_stmt;

namespace hchat::server {

class SqliteConnection;

// A statement prepared on a SQLite connection (a sqlite3_stmt, finalised with this object). Text
// and bytes are bound as TEXT and BLOB values, copied by SQLite.
class SqliteStatement final : public SqlStatement {
public:
    SqliteStatement(const SqliteConnection &connection, sqlite3_stmt *statement);
    ~SqliteStatement() override;

    void bind(int index, const SqlValue &value) override;
    bool step() override;
    SqlValue column(int index) const override;
    void reset() override;

private:
    const SqliteConnection &m_connection;
    sqlite3_stmt *m_statement;
};

} // namespace hchat::server
