#pragma once

#include <QString>

#include <map>
#include <memory>

class QSqlQuery;

namespace hchat {

// Statements of one QtSql connection's hot paths, each prepared once and kept until clear()
// (which must run before the connection is removed). Bind with bindValue(i, …) before each use.
class StatementCache {
public:
    explicit StatementCache(QString connectionName);
    ~StatementCache();
    StatementCache(const StatementCache &) = delete;
    StatementCache &operator=(const StatementCache &) = delete;

    // Null when the statement does not prepare, with *error saying why.
    QSqlQuery *get(const QString &sql, QString *error);
    void clear();

private:
    QString m_connectionName;
    std::map<QString, std::unique_ptr<QSqlQuery>> m_statements;
};

} // namespace hchat
