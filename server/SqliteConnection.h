#pragma once

#include "SqlConnection.h"

#include <string>

struct sqlite3;

namespace hchat::server {

// A SqlConnection to a SQLite file through its C API: WAL journal, synchronous=FULL (a commit that
// returned is durable), foreign keys on, recalled bytes overwritten (secure_delete), statements
// prepared once (SQLITE_PREPARE_PERSISTENT). A write transaction takes the write lock at once
// (BEGIN IMMEDIATE), which also keeps a second gateway process from migrating at the same time.
class SqliteConnection final : public SqlConnection {
public:
    // Opens (and creates) the file; throws StoreError with a clear message on failure.
    explicit SqliteConnection(const std::string &path);
    ~SqliteConnection() override;

    // Throws StoreError naming `what` and the connection's last error.
    [[noreturn]] void fail(const char *what) const;

    void exec(const std::string &sql) override;
    void begin(Transaction kind) override;
    void commit() override { control("COMMIT", "commit"); }
    void rollback() override;

protected:
    std::unique_ptr<SqlStatement> prepare(const char *sql) override;
    void control(const char *sql, const char *what) override;

private:
    void close();

    sqlite3 *m_db = nullptr;
};

} // namespace hchat::server
