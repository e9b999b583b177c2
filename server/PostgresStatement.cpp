#include "PostgresStatement.h"

#include "PostgresConnection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace hchat::server {

namespace {

// Type OIDs of the result columns read as integers (binary format).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

std::uint64_t bigEndian(const char *p, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

} // namespace

std::string PostgresStatement::numberedPlaceholders(const char *sql)
{
    std::string out;
    int highest = 0;
    bool quoted = false;
    for (const char *p = sql; *p; ++p) {
        if (*p == '\'')
            quoted = !quoted;
        if (quoted || *p != '?') {
            out += *p;
            continue;
        }
        int number = 0;
        while (std::isdigit(static_cast<unsigned char>(p[1])))
            number = number * 10 + (*++p - '0');
        if (number == 0)
            number = highest + 1; // a bare ? takes the number after the highest so far, as in SQLite
        highest = std::max(highest, number);
        out += '$' + std::to_string(number);
    }
    return out;
}

PostgresStatement::PostgresStatement(PostgresConnection &connection, const char *sql)
    : m_connection(connection), m_name("h" + std::to_string(reinterpret_cast<std::uintptr_t>(sql)))
{
    PGresult *prep =
        PQprepare(connection.handle(), m_name.c_str(), numberedPlaceholders(sql).c_str(), 0, nullptr);
    if (PQresultStatus(prep) != PGRES_COMMAND_OK)
        connection.fail("prepare", prep);
    PQclear(prep);
}

PostgresStatement::~PostgresStatement()
{
    PQclear(m_result);
}

void PostgresStatement::bind(int index, const SqlValue &value)
{
    if (std::size_t(index) > m_parameters.size())
        m_parameters.resize(std::size_t(index));
    Parameter &p = m_parameters[std::size_t(index) - 1];
    p.null = value.type == SqlValue::Type::Null;
    p.format = value.type == SqlValue::Type::Bytes ? 1 : 0;
    if (value.type == SqlValue::Type::Integer)
        p.value = std::to_string(value.integer);
    else
        p.value.assign(value.bytes.data(), value.bytes.size());
}

void PostgresStatement::execute()
{
    const std::size_t n = m_parameters.size();
    std::vector<const char *> values(n);
    std::vector<int> lengths(n);
    std::vector<int> formats(n);
    for (std::size_t i = 0; i < n; ++i) {
        values[i] = m_parameters[i].null ? nullptr : m_parameters[i].value.data();
        lengths[i] = int(m_parameters[i].value.size());
        formats[i] = m_parameters[i].format;
    }
    m_result = PQexecPrepared(m_connection.handle(), m_name.c_str(), int(n), values.data(), lengths.data(),
                              formats.data(), 1);
    const auto status = PQresultStatus(m_result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        PGresult *failed = m_result;
        m_result = nullptr;
        m_connection.fail("statement", failed);
    }
}

bool PostgresStatement::step()
{
    if (m_row < 0)
        execute();
    ++m_row;
    return m_row < PQntuples(m_result);
}

SqlValue PostgresStatement::column(int index) const
{
    if (PQgetisnull(m_result, m_row, index))
        return {};
    const char *p = PQgetvalue(m_result, m_row, index);
    switch (PQftype(m_result, index)) {
    case kInt8Oid:
        return {SqlValue::Type::Integer, std::int64_t(bigEndian(p, 8)), {}};
    case kInt4Oid:
        return {SqlValue::Type::Integer, std::int32_t(std::uint32_t(bigEndian(p, 4))), {}};
    case kInt2Oid:
        return {SqlValue::Type::Integer, std::int16_t(std::uint16_t(bigEndian(p, 2))), {}};
    case kBoolOid:
        return {SqlValue::Type::Integer, p[0] != 0, {}};
    default: // text and bytea alike: their bytes
        return {SqlValue::Type::Bytes, 0, {p, std::size_t(PQgetlength(m_result, m_row, index))}};
    }
}

void PostgresStatement::reset()
{
    PQclear(m_result);
    m_result = nullptr;
    m_row = -1;
    m_parameters.clear();
}

} // namespace hchat::server
