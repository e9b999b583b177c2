#pragma once

#include "SqlStatement.h"

#include <cstdint>
#include <string>

namespace hchat::server {

// One use of a prepared statement: binds its parameters in order, steps through its rows, reads
// their columns as what the schema stores there, and resets the statement when it goes out of
// scope.
class SqlQuery {
public:
    explicit SqlQuery(SqlStatement &statement) : m_statement(statement) {}
    ~SqlQuery() { m_statement.reset(); }
    SqlQuery(const SqlQuery &) = delete;
    SqlQuery &operator=(const SqlQuery &) = delete;

    SqlQuery &bind(std::int64_t value) { return bindValue({SqlValue::Type::Integer, value, {}}); }
    SqlQuery &bind(const std::string &text) { return bindValue({SqlValue::Type::Text, 0, text}); }
    SqlQuery &bindBytes(const std::string &bytes) { return bindValue({SqlValue::Type::Bytes, 0, bytes}); }
    SqlQuery &bindNull() { return bindValue({}); }
    // An empty value is stored as NULL.
    SqlQuery &bindTextOrNull(const std::string &text) { return text.empty() ? bindNull() : bind(text); }
    SqlQuery &bindBytesOrNull(const std::string &bytes)
    {
        return bytes.empty() ? bindNull() : bindBytes(bytes);
    }

    bool step() { return m_statement.step(); }
    // Runs the statement to its end, its rows unread.
    void run()
    {
        while (m_statement.step()) {
        }
    }
    // The first column of the first row (a count, a seq), 0 without a row.
    std::uint64_t scalar() { return m_statement.step() ? std::uint64_t(integer(0)) : 0; }

    bool isNull(int column) const { return m_statement.column(column).type == SqlValue::Type::Null; }
    // NULL reads as 0; a column of text or bytes throws StoreError.
    std::int64_t integer(int column) const;
    // NULL reads as empty.
    std::string text(int column) const { return std::string(m_statement.column(column).bytes); }
    std::string bytes(int column) const { return std::string(m_statement.column(column).bytes); }

private:
    SqlQuery &bindValue(const SqlValue &value)
    {
        m_statement.bind(++m_bound, value);
        return *this;
    }

    SqlStatement &m_statement;
    int m_bound = 0;
};

} // namespace hchat::server
