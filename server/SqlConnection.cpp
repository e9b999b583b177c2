#include "SqlConnection.h"

namespace hchat::server {

SqlStatement &SqlConnection::statement(const char *sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end())
        it = m_statements.emplace(sql, prepare(sql)).first;
    return *it->second;
}

// One savepoint at a time, named the same in both engines.
void SqlConnection::savepoint()
{
    control("SAVEPOINT job", "savepoint");
}

void SqlConnection::releaseSavepoint()
{
    control("RELEASE SAVEPOINT job", "release");
}

void SqlConnection::rollbackToSavepoint()
{
    control("ROLLBACK TO SAVEPOINT job", "rollback to savepoint");
    control("RELEASE SAVEPOINT job", "release");
}

} // namespace hchat::server
