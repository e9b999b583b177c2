#include "StatementCache.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace hchat {

StatementCache::StatementCache(QString connectionName) : m_connectionName(std::move(connectionName)) {}

StatementCache::~StatementCache() = default;

QSqlQuery *StatementCache::get(const QString &sql, QString *error)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        auto q = std::make_unique<QSqlQuery>(QSqlDatabase::database(m_connectionName, false));
        if (!q->prepare(sql)) {
            *error = q->lastError().text();
            return nullptr;
        }
        it = m_statements.emplace(sql, std::move(q)).first;
    }
    return it->second.get();
}

void StatementCache::clear()
{
    m_statements.clear();
}

} // namespace hchat
