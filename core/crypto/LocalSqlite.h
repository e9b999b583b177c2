#pragma once

#include <QString>

namespace hchat::crypto {

// Opens one of the device's own SQLite files under its own QtSql connection name (the parent
// folder made if missing), and reads its schema version (PRAGMA user_version). A file written by a
// newer HChat (version above newest) or one that is not SQLite is refused and left untouched.
// SenderKeyStore and PrekeyStore each keep their tables in such a file.
class LocalSqlite {
public:
    // False with *error (and no connection left behind) when it cannot be used; else *version.
    static bool open(const QString &connectionName, const QString &path, int newest, int *version, QString *error);
    static void close(const QString &connectionName);
};

} // namespace hchat::crypto
