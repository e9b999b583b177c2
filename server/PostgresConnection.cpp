#include "PostgresConnection.h"

#include "MessageStore.h"
#include "PostgresStatement.h"

#include <libpq-fe.h>

namespace hchat::server {

namespace {

void trimEnd(std::string &text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
}

} // namespace

bool PostgresConnection::isUrl(const std::string &db)
{
    return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

std::string PostgresConnection::redact(const std::string &url)
{
    std::string out = url;
    const auto scheme = out.find("://");
    const auto at = out.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme != std::string::npos && at != std::string::npos) {
        const auto colon = out.find(':', scheme + 3);
        if (colon != std::string::npos && colon < at)
            out.replace(colon + 1, at - colon - 1, "***");
    }
    const auto pw = out.find("password=");
    if (pw != std::string::npos) {
        auto end = out.find_first_of("& ", pw);
        out.replace(pw + 9, (end == std::string::npos ? out.size() : end) - pw - 9, "***");
    }
    return out;
}

PostgresConnection::PostgresConnection(const std::string &url)
    : SqlConnection(Dialect::Postgres, redact(url), {"BIGINT", "BIGSERIAL", "BYTEA", ""})
{
    m_conn = PQconnectdb(url.c_str());
    if (!m_conn || PQstatus(m_conn) != CONNECTION_OK) {
        std::string msg = "cannot connect to PostgreSQL at '" + name() +
                          "': " + (m_conn ? PQerrorMessage(m_conn) : "out of memory");
        trimEnd(msg);
        PQfinish(m_conn);
        m_conn = nullptr;
        throw StoreError(msg);
    }
    try {
        exec("SET client_min_messages = warning");
    } catch (...) {
        PQfinish(m_conn);
        m_conn = nullptr;
        throw;
    }
}

PostgresConnection::~PostgresConnection()
{
    forgetStatements();
    if (m_conn)
        PQfinish(m_conn);
}

void PostgresConnection::fail(const char *what, PGresult *res) const
{
    std::string detail = res ? PQresultErrorMessage(res) : PQerrorMessage(m_conn);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    PQclear(res);
    trimEnd(detail);
    throw StoreError(std::string("database ") + what + " failed: " + detail +
                     (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"));
}

void PostgresConnection::exec(const std::string &sql)
{
    PGresult *res = PQexec(m_conn, sql.c_str());
    const auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        fail("command", res);
    PQclear(res);
}

std::unique_ptr<SqlStatement> PostgresConnection::prepare(const char *sql)
{
    return std::make_unique<PostgresStatement>(*this, sql);
}

void PostgresConnection::begin(Transaction kind)
{
    if (kind == Transaction::Migration) {
        exec("BEGIN");
        // Serialises the migrations of several gateways starting at once.
        query("SELECT pg_advisory_xact_lock(7215010)").run();
        return;
    }
    if (PQstatus(m_conn) != CONNECTION_OK) {
        PQreset(m_conn);
        forgetStatements();
        if (PQstatus(m_conn) != CONNECTION_OK)
            fail("reconnect");
    }
    exec("BEGIN");
}

void PostgresConnection::commit()
{
    // COMMIT of a failed transaction answers "ROLLBACK" without an error: check what we are in.
    if (PQtransactionStatus(m_conn) == PQTRANS_INERROR) {
        rollback();
        throw StoreError("database commit failed: the transaction was aborted");
    }
    exec("COMMIT");
}

void PostgresConnection::rollback()
{
    if (PQstatus(m_conn) == CONNECTION_OK && PQtransactionStatus(m_conn) != PQTRANS_IDLE)
        PQclear(PQexec(m_conn, "ROLLBACK"));
}

// Transaction statements go as simple queries (nothing to prepare); failures read "command".
void PostgresConnection::control(const char *sql, const char *)
{
    exec(sql);
}

} // namespace hchat::server
