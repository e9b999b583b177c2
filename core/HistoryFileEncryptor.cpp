#include "HistoryFileEncryptor.h"

#include "CoreLogging.h"
#include "crypto/EncryptedPageVfs.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

namespace hchat {

namespace {

// One raw SQLite connection, closed on every path out.
struct Connection {
    sqlite3 *db = nullptr;
    ~Connection() { sqlite3_close(db); }
    bool open(const QByteArray &path, int flags, const char *vfs, QString *error)
    {
        if (sqlite3_open_v2(path.constData(), &db, flags, vfs) == SQLITE_OK)
            return true;
        *error = QString::fromUtf8(db ? sqlite3_errmsg(db) : "out of memory");
        return false;
    }
    bool exec(const QString &sql, QString *error)
    {
        char *message = nullptr;
        const int rc = sqlite3_exec(db, sql.toUtf8().constData(), nullptr, nullptr, &message);
        if (rc != SQLITE_OK)
            *error = QStringLiteral("%1 (%2)")
                         .arg(QString::fromUtf8(message ? message : sqlite3_errstr(rc)))
                         .arg(sqlite3_extended_errcode(db));
        sqlite3_free(message);
        return rc == SQLITE_OK;
    }
    bool close(QString *error)
    {
        const int rc = sqlite3_close(db);
        if (rc != SQLITE_OK) {
            *error = QString::fromUtf8(sqlite3_errstr(rc));
            return false;
        }
        db = nullptr;
        return true;
    }
};

void removeWithCompanions(const QString &path)
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(suffix));
}

bool syncDirectoryOf(const QString &path)
{
    const int fd =
        ::open(QFile::encodeName(QFileInfo(path).absolutePath()).constData(), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

// Overwrites the replaced file's blocks (still reachable through fd) with zeros.
void zeroOut(int fd)
{
    const off_t size = ::lseek(fd, 0, SEEK_END);
    static const char zeros[65536] = {};
    for (off_t at = 0; at < size;) {
        const ssize_t n = ::pwrite(fd, zeros, size_t(std::min<off_t>(sizeof zeros, size - at)), at);
        if (n <= 0)
            return;
        at += n;
    }
    ::fsync(fd);
}

} // namespace

bool HistoryFileEncryptor::encrypt(const QString &path, const crypto::EncryptedPageVfs &vfs, QString *error)
{
    QElapsedTimer timer;
    timer.start();
    const QString staging = path + QStringLiteral(".encrypting");
    removeWithCompanions(staging); // a copy left by a crash during an earlier try
    {
        Connection plain;
        if (!plain.open(QFile::encodeName(path), SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, nullptr, error))
            return false;
        QString sqlError;
        const QString target = vfs.scratchUriFor(QFileInfo(staging).absoluteFilePath());
        QString quoted = target;
        quoted.replace(QLatin1Char('\''), QStringLiteral("''"));
        if (!crypto::EncryptedPageVfs::reserveOnNextVacuum(plain.db, &sqlError) ||
            !plain.exec(QStringLiteral("PRAGMA busy_timeout=5000; PRAGMA temp_store=MEMORY; VACUUM INTO '%1'")
                            .arg(quoted),
                        &sqlError)) {
            removeWithCompanions(staging);
            *error = QStringLiteral("copying the history into an encrypted file failed: %1").arg(sqlError);
            return false;
        }
        // Closing the last connection checkpoints the plain log into the file and removes it.
        if (!plain.close(&sqlError)) {
            removeWithCompanions(staging);
            *error = QStringLiteral("closing the plain history failed: %1").arg(sqlError);
            return false;
        }
    }
    {
        Connection encrypted;
        QString sqlError;
        if (!encrypted.open(QFile::encodeName(staging), SQLITE_OPEN_READWRITE,
                            vfs.name().toLatin1().constData(), &sqlError) ||
            !crypto::EncryptedPageVfs::prepareNewDatabase(encrypted.db, &sqlError) ||
            !encrypted.exec(QStringLiteral("PRAGMA synchronous=FULL"), &sqlError) ||
            !encrypted.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"), &sqlError) ||
            !encrypted.close(&sqlError)) {
            removeWithCompanions(staging);
            *error = QStringLiteral("the encrypted copy of the history is not usable: %1").arg(sqlError);
            return false;
        }
    }
    if (QFileInfo(path + QStringLiteral("-wal")).size() > 0) { // 0 when there is none
        removeWithCompanions(staging);
        *error = QStringLiteral("the history is still in use by another program");
        return false;
    }
    const int oldFd = ::open(QFile::encodeName(path).constData(), O_WRONLY);
    if (::rename(QFile::encodeName(staging).constData(), QFile::encodeName(path).constData()) != 0) {
        if (oldFd >= 0)
            ::close(oldFd);
        removeWithCompanions(staging);
        *error = QStringLiteral("replacing the plain history failed: %1")
                     .arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    syncDirectoryOf(path);
    QFile::remove(path + QStringLiteral("-shm"));
    if (oldFd >= 0) {
        zeroOut(oldFd);
        ::close(oldFd);
    }
    qCInfo(lcStore).noquote() << "encrypted the plain history" << path << "in" << timer.elapsed() << "ms";
    return true;
}

} // namespace hchat
