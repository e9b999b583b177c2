#pragma once

#include <QByteArray>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace hchat {

// One statement prepared straight on the SQLite handle of a QtSql connection, for the writes a
// catch-up repeats for every row (QSqlQuery's positional binding costs more than the insert).
// Binds like QSQLITE: a null QString or QByteArray is SQL NULL, integers are 64-bit.
class SqliteStatement {
public:
    SqliteStatement(sqlite3 *db, const QString &sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool isValid() const { return m_statement != nullptr; }
    QString lastError() const { return m_error; }

    // Binds values to the ?s in order and runs the statement to its end. False: lastError().
    template <typename... Values> bool run(const Values &...values)
    {
        int i = 0;
        if (!m_statement || !(bindAt(++i, values) && ...))
            return fail();
        return step();
    }
    int changes() const { return m_changes; }
    qint64 lastInsertId() const { return m_lastInsertId; }

private:
    bool bindAt(int index, qint64 value);
    bool bindAt(int index, int value) { return bindAt(index, qint64(value)); }
    bool bindAt(int index, const QString &value);
    bool bindAt(int index, const QByteArray &value);
    bool step();
    bool fail();

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    QString m_error;
    int m_changes = 0;
    qint64 m_lastInsertId = 0;
};

} // namespace hchat
