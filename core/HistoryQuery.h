#pragma once

#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <utility>

namespace hchat {

// One run of a history statement (HistoryDb::query): its rows, read forward. False when the
// statement failed; HistoryDb::lastError() says why. The statement itself is prepared once per open
// database; a SELECT is reset when this goes, so that it holds no read snapshot afterwards (a write
// has run to its end already).
class HistoryQuery {
public:
    HistoryQuery() = default;
    explicit HistoryQuery(QSqlQuery *statement) : m_statement(statement) {}
    HistoryQuery(HistoryQuery &&other) noexcept : m_statement(std::exchange(other.m_statement, nullptr)) {}
    HistoryQuery(const HistoryQuery &) = delete;
    HistoryQuery &operator=(const HistoryQuery &) = delete;
    HistoryQuery &operator=(HistoryQuery &&) = delete;
    ~HistoryQuery()
    {
        if (m_statement && m_statement->isSelect())
            m_statement->finish();
    }

    explicit operator bool() const { return m_statement != nullptr; }
    bool next() { return m_statement && m_statement->next(); }
    QVariant value(int column) const { return m_statement->value(column); }
    int rowsAffected() const { return m_statement ? m_statement->numRowsAffected() : -1; }
    qint64 lastInsertId() const { return m_statement ? m_statement->lastInsertId().toLongLong() : 0; }

private:
    QSqlQuery *m_statement = nullptr;
};

// QtSql binds a null QString as SQL NULL; the schema wants '' for "none".
inline QString nonNull(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

} // namespace hchat
