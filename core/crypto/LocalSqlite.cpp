#include "crypto/LocalSqlite.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace hchat::crypto {

bool LocalSqlite::open(const QString &connectionName, const QString &path, int newest, int *version, QString *error)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        db.setDatabaseName(path);
        if (!db.open()) {
            *error = QStringLiteral("cannot open %1: %2").arg(path, db.lastError().text());
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(connectionName);
            return false;
        }
    }
    int found = 0;
    {
        QSqlQuery v(QSqlDatabase::database(connectionName, false));
        if (!v.exec(QStringLiteral("PRAGMA user_version")) || !v.next()) {
            *error = QStringLiteral("%1 is not a usable SQLite database: %2").arg(path, v.lastError().text());
            found = -1;
        } else {
            found = v.value(0).toInt();
        }
    }
    if (found > newest)
        *error = QStringLiteral("%1 was written by a newer HChat (schema %2)").arg(path).arg(found);
    if (found < 0 || found > newest) {
        close(connectionName);
        return false;
    }
    *version = found;
    return true;
}

void LocalSqlite::close(const QString &connectionName)
{
    if (!QSqlDatabase::contains(connectionName))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

} // namespace hchat::crypto
