#include "SqliteConnection.h"

#include "MessageStore.h"
#include "SqliteStatement.h"

#include <sqlite3.h>

namespace hchat::server {

SqliteConnection::SqliteConnection(const std::string &path)
    : SqlConnection(Dialect::Sqlite, path, {"INTEGER", "INTEGER", "BLOB", " WITHOUT ROWID"})
{
    const int rc = sqlite3_open_v2(path.c_str(), &m_db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg =
            "cannot open database '" + path + "': " + (m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc));
        close();
        throw StoreError(msg);
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 10000);
    try {
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec("PRAGMA foreign_keys=ON");
        // A recalled message's bytes are overwritten, not left in free space of the file.
        exec("PRAGMA secure_delete=ON");
    } catch (...) {
        close();
        throw;
    }
}

SqliteConnection::~SqliteConnection()
{
    close();
}

void SqliteConnection::close()
{
    forgetStatements(); // finalised before the handle closes
    if (m_db)
        sqlite3_close(m_db);
    m_db = nullptr;
}

void SqliteConnection::fail(const char *what) const
{
    throw StoreError(std::string("database ") + what + " failed: " + sqlite3_errmsg(m_db) + " (" +
                     std::to_string(sqlite3_extended_errcode(m_db)) + ")");
}

void SqliteConnection::exec(const std::string &sql)
{
    char *err = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = std::string("database error: ") + (err ? err : "unknown");
        sqlite3_free(err);
        throw StoreError(msg);
    }
}

std::unique_ptr<SqlStatement> SqliteConnection::prepare(const char *sql)
{
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
        fail("prepare");
    return std::make_unique<SqliteStatement>(*this, stmt);
}

void SqliteConnection::control(const char *sql, const char *what)
{
    try {
        query(sql).run();
    } catch (const StoreError &) {
        fail(what); // the statement's error is still the connection's last one
    }
}

void SqliteConnection::begin(Transaction kind)
{
    control(kind == Transaction::Read ? "BEGIN" : "BEGIN IMMEDIATE", "begin");
}

void SqliteConnection::rollback()
{
    if (!sqlite3_get_autocommit(m_db))
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

} // namespace hchat::server
