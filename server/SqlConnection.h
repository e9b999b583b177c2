#pragma once

#include "SqlQuery.h"
#include "SqlStatement.h"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hchat::server {

// One connection to the gateway's SQL database, for SqlMessageStore, which writes each statement
// once with `?` placeholders (`?N` where one value is used twice). An implementation carries what
// differs between engines: how statements are prepared and values travel, how transactions are
// opened and ended, the spelling of column types, and how failures read (always StoreError).
// Not thread-safe, like the store that owns it.
class SqlConnection {
public:
    enum class Dialect { Sqlite, Postgres };
    enum class Transaction { Read, Write, Migration };
    // How the engine spells the words of SchemaMigrations' DDL.
    struct SchemaWords {
        std::string_view integer;      // a 64-bit integer column
        std::string_view serial;       // an integer key the database numbers
        std::string_view bytes;        // a byte string column
        std::string_view withoutRowid; // after a table's ")": a table clustered on its key
    };

    virtual ~SqlConnection() = default;
    SqlConnection(const SqlConnection &) = delete;
    SqlConnection &operator=(const SqlConnection &) = delete;

    Dialect dialect() const { return m_dialect; }
    // The database as messages name it: a file path, or a URL without its password.
    const std::string &name() const { return m_name; }
    const SchemaWords &schemaWords() const { return m_schemaWords; }

    // The statement for `sql`, prepared the first time and kept: `sql` is a string literal (the
    // cache knows it by its address). One use of a statement at a time.
    SqlQuery query(const char *sql) { return SqlQuery(statement(sql)); }
    // Runs statements that take no parameters and return nothing (a migration's script).
    virtual void exec(const std::string &sql) = 0;

    // Transactions, as MessageStore describes them. A migration's transaction is taken so that no
    // other gateway migrates at the same time. rollback() never throws.
    virtual void begin(Transaction kind) = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
    void savepoint();
    void releaseSavepoint();
    void rollbackToSavepoint();

protected:
    SqlConnection(Dialect dialect, std::string name, SchemaWords schemaWords)
        : m_dialect(dialect), m_name(std::move(name)), m_schemaWords(schemaWords)
    {
    }
    virtual std::unique_ptr<SqlStatement> prepare(const char *sql) = 0;
    // Runs a statement that controls the transaction; a failure names `what`.
    virtual void control(const char *sql, const char *what) = 0;
    // Drops every prepared statement (before the engine's handle closes, or after a reconnection
    // lost them).
    void forgetStatements() { m_statements.clear(); }

private:
    SqlStatement &statement(const char *sql);

    Dialect m_dialect;
    std::string m_name;
    SchemaWords m_schemaWords;
    std::unordered_map<const char *, std::unique_ptr<SqlStatement>> m_statements;
};

} // namespace hchat::server
