#include "SqliteStatement.h"

#include "SqliteConnection.h"

#include <sqlite3.h>

namespace hchat::server {

SqliteStatement::SqliteStatement(const SqliteConnection &connection, sqlite3_stmt *statement)
    : m_connection(connection), m_statement(statement)
{
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

void SqliteStatement::bind(int index, const SqlValue &value)
{
    // Bytes never go as a null pointer, so that an empty value is an empty blob rather than NULL.
    const char *data = value.bytes.empty() ? "" : value.bytes.data();
    const int size = int(value.bytes.size());
    int rc = SQLITE_OK;
    switch (value.type) {
    case SqlValue::Type::Null:
        rc = sqlite3_bind_null(m_statement, index);
        break;
    case SqlValue::Type::Integer:
        rc = sqlite3_bind_int64(m_statement, index, value.integer);
        break;
    case SqlValue::Type::Text:
        rc = sqlite3_bind_text(m_statement, index, data, size, SQLITE_TRANSIENT);
        break;
    case SqlValue::Type::Bytes:
        rc = sqlite3_bind_blob(m_statement, index, data, size, SQLITE_TRANSIENT);
        break;
    }
    if (rc != SQLITE_OK)
        m_connection.fail("bind");
}

bool SqliteStatement::step()
{
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    m_connection.fail("step");
}

SqlValue SqliteStatement::column(int index) const
{
    switch (sqlite3_column_type(m_statement, index)) {
    case SQLITE_NULL:
        return {};
    case SQLITE_TEXT: {
        const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, index));
        return {SqlValue::Type::Text, 0, {text, std::size_t(sqlite3_column_bytes(m_statement, index))}};
    }
    case SQLITE_BLOB: {
        const auto *blob = static_cast<const char *>(sqlite3_column_blob(m_statement, index));
        return {SqlValue::Type::Bytes, 0, {blob, std::size_t(sqlite3_column_bytes(m_statement, index))}};
    }
    default: // INTEGER (and REAL, which the schema never stores)
        return {SqlValue::Type::Integer, sqlite3_column_int64(m_statement, index), {}};
    }
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
}

} // namespace hchat::server
