#pragma once

#include "SqlStatement.h"

#include <string>
#include <vector>

struct pg_result;

namespace hchat::server {

class PostgresConnection;

// A statement prepared on a PostgreSQL connection (PQprepare, named after the SQL's address), its
// `?` placeholders numbered `$n`. Integers and text travel in text format, bytes in binary; the
// first step() executes it and fetches every row, in binary.
class PostgresStatement final : public SqlStatement {
public:
    PostgresStatement(PostgresConnection &connection, const char *sql);
    ~PostgresStatement() override;
    // SQL with `?` (the number after the highest so far, as in SQLite) and `?N` written `$N`.
    static std::string numberedPlaceholders(const char *sql);

    void bind(int index, const SqlValue &value) override;
    bool step() override;
    SqlValue column(int index) const override;
    void reset() override;

private:
    struct Parameter {
        std::string value;
        int format = 0; // 0 text, 1 binary
        bool null = true;
    };
    void execute();

    PostgresConnection &m_connection;
    std::string m_name;
    std::vector<Parameter> m_parameters;
    pg_result *m_result = nullptr;
    int m_row = -1; // -1: not executed yet
};

} // namespace hchat::server
