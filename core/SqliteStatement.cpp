#include "SqliteStatement.h"

#include <sqlite3.h>

namespace hchat {

SqliteStatement::SqliteStatement(sqlite3 *db, const QString &sql) : m_db(db)
{
    if (!m_db) {
        m_error = QStringLiteral("no SQLite connection");
        return;
    }
    const QByteArray utf8 = sql.toUtf8();
    if (sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &m_statement,
                           nullptr) != SQLITE_OK) {
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_finalize(m_statement);
        m_statement = nullptr;
    }
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

bool SqliteStatement::bindAt(int index, qint64 value)
{
    return sqlite3_bind_int64(m_statement, index, value) == SQLITE_OK;
}

// SQLITE_STATIC: the values outlive the statement's run (bound and stepped in one run()).
bool SqliteStatement::bindAt(int index, const QString &value)
{
    if (value.isNull())
        return sqlite3_bind_null(m_statement, index) == SQLITE_OK;
    return sqlite3_bind_text16(m_statement, index, value.utf16(), int(value.size() * sizeof(char16_t)),
                               SQLITE_STATIC) == SQLITE_OK;
}

bool SqliteStatement::bindAt(int index, const QByteArray &value)
{
    if (value.isNull())
        return sqlite3_bind_null(m_statement, index) == SQLITE_OK;
    return sqlite3_bind_blob64(m_statement, index, value.constData(), sqlite3_uint64(value.size()),
                               SQLITE_STATIC) == SQLITE_OK;
}

bool SqliteStatement::step()
{
    const int rc = sqlite3_step(m_statement);
    const bool done = rc == SQLITE_DONE || rc == SQLITE_ROW;
    if (done) {
        m_changes = sqlite3_changes(m_db);
        m_lastInsertId = sqlite3_last_insert_rowid(m_db);
    } else {
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    }
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    return done;
}

bool SqliteStatement::fail()
{
    m_error = m_statement ? QString::fromUtf8(sqlite3_errmsg(m_db)) : m_error;
    if (m_statement) {
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
    }
    return false;
}

} // namespace hchat
