#pragma once

#include "SqlConnection.h"

#include <string>

struct pg_conn;
struct pg_result;

namespace hchat::server {

// A SqlConnection to PostgreSQL through libpq, for several gateways sharing one database. Each
// connection prepares a statement the first time it runs it; a connection lost to a database
// restart is opened again at the next transaction. Migrations are serialised across gateways by
// an advisory lock.
class PostgresConnection final : public SqlConnection {
public:
    static bool isUrl(const std::string &db);
    // The URL with any password replaced by "***", for logs.
    static std::string redact(const std::string &url);

    // Connects; throws StoreError with a clear message on failure.
    explicit PostgresConnection(const std::string &url);
    ~PostgresConnection() override;

    void exec(const std::string &sql) override;
    // A connection lost to a database restart is opened again here (the statements it had
    // prepared are gone with it); a migration also takes an advisory lock.
    void begin(Transaction kind) override;
    void commit() override;
    void rollback() override;

    pg_conn *handle() const { return m_conn; }
    // Throws StoreError naming `what` and the error of `res` (cleared) or of the connection.
    [[noreturn]] void fail(const char *what, pg_result *res = nullptr) const;

protected:
    std::unique_ptr<SqlStatement> prepare(const char *sql) override;
    void control(const char *sql, const char *what) override;

private:
    pg_conn *m_conn = nullptr;
};

} // namespace hchat::server
