// The history encrypted at rest (EncryptedPageVfs under HistoryStore): no message text, search
// term or draft reaches the database or its log in the clear; the same key reopens it, another key
// or none is refused without touching the file; a changed page is an error, never different data;
// a plain history from before is converted on open; the VFS never writes a rollback journal.
#include "HistoryStore.h"
#include "TestEnv.h"
#include "crypto/EncryptedPageVfs.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

using namespace hchat;
using hchat::crypto::EncryptedPageVfs;
using hchat::crypto::SecureBuffer;

namespace {

const QByteArray kMarker = "zebracrossing";

QList<StoredMessage> messages(const QString &channel, quint64 from, quint64 to)
{
    QList<StoredMessage> out;
    for (quint64 s = from; s <= to; ++s) {
        StoredMessage m;
        m.channel = channel;
        m.seq = s;
        m.sender = QStringLiteral("alice");
        m.senderDevice = QStringLiteral("dev1");
        m.clientMsgId = QByteArray::number(s).leftJustified(16, '.');
        m.serverTimeMs = 1700000000000LL + qint64(s);
        m.body = kMarker + " number " + QByteArray::number(s) + " " + QByteArray(200, 'q');
        out << m;
    }
    return out;
}

QByteArray bytesOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The database, its log and anything else SQLite left beside it.
// Every file in the history's folder: the database, its log, and the search index beside it.
QByteArray everythingOnDisk(const QString &path)
{
    QByteArray all;
    const QDir dir = QFileInfo(path).absoluteDir();
    for (const QString &name : dir.entryList(QDir::Files))
        all += bytesOf(dir.filePath(name));
    return all;
}

SecureBuffer keyOf(char fill)
{
    return SecureBuffer::copyOf(QByteArray(32, fill));
}

// A history under keyOf('k') holding messages 1..count of channel "c".
bool writeEncrypted(const QString &path, quint64 count)
{
    HistoryStore store;
    return store.open(path, keyOf('k')) &&
           store.appendMessages(QStringLiteral("c"), messages(QStringLiteral("c"), 1, count)).ok;
}

} // namespace

class TestEncryptedPages : public QObject {
    Q_OBJECT
private slots:
    void noPlaintextReachesTheDatabaseOrItsLog()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/pages-XXXXXX"));
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        HistoryStore store;
        QVERIFY2(store.open(path, keyOf('k')), qPrintable(store.lastError()));
        QVERIFY(store.isEncrypted());
        QVERIFY(
            store.appendMessages(QStringLiteral("general"), messages(QStringLiteral("general"), 1, 2000)).ok);
        QVERIFY(store.setDraft(QStringLiteral("general"), QString::fromLatin1(kMarker + " draft")));
        QVERIFY(store.setValue(QStringLiteral("nick"), QString::fromLatin1(kMarker)));
        // While open: the pages sit in the log.
        QVERIFY(QFileInfo(path + QStringLiteral("-wal")).size() > 0);
        QVERIFY(!everythingOnDisk(path).contains(kMarker));
        QCOMPARE(store.search(QString::fromLatin1(kMarker), 5).size(), 5);
        QCOMPARE(store.count(QStringLiteral("general")), quint64(2000));
        QVERIFY(store.integrityCheck());
        store.close(); // checkpoints the log into the file
        QCOMPARE(EncryptedPageVfs::inspect(path), EncryptedPageVfs::FileKind::Encrypted);
        const QByteArray disk = everythingOnDisk(path);
        QVERIFY(disk.size() > 2000 * 200);
        QVERIFY(!disk.contains(kMarker));
        QVERIFY(!disk.contains("SQLite format 3"));

        QVERIFY2(store.open(path, keyOf('k')), qPrintable(store.lastError()));
        QCOMPARE(store.count(QStringLiteral("general")), quint64(2000));
        QCOMPARE(store.page(QStringLiteral("general"), 1500, 1500).first().body,
                 messages(QStringLiteral("general"), 1500, 1500).first().body);
        QCOMPARE(store.draft(QStringLiteral("general")), QString::fromLatin1(kMarker + " draft"));
        QVERIFY(store.integrityCheck());
    }

    void anotherKeyOrNoKeyIsRefusedAndTheFileKept()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/pages-XXXXXX"));
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        QVERIFY(writeEncrypted(path, 50));
        const QByteArray before = everythingOnDisk(path);
        HistoryStore other;
        QVERIFY(!other.open(path, keyOf('x')));
        QCOMPARE(other.openError(), HistoryStore::OpenError::KeyMismatch);
        QVERIFY2(other.lastError().contains(QStringLiteral("cannot be decrypted")),
                 qPrintable(other.lastError()));
        QVERIFY(!other.open(path));
        QCOMPARE(other.openError(), HistoryStore::OpenError::KeyMismatch);
        QVERIFY2(other.lastError().contains(QStringLiteral("key is not available")),
                 qPrintable(other.lastError()));
        QCOMPARE(everythingOnDisk(path), before);
        QVERIFY(other.open(path, keyOf('k')));
        QCOMPARE(other.count(QStringLiteral("c")), quint64(50));
    }

    void aChangedPageReadsAsAnErrorNeverAsOtherData()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/pages-XXXXXX"));
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        QVERIFY(writeEncrypted(path, 3000));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 pages = f.size() / 4096;
        QVERIFY(pages > 20);
        // One bit in the middle of one page deep in the file.
        const qint64 at = (pages / 2) * 4096 + 2000;
        f.seek(at);
        char c = 0;
        f.getChar(&c);
        f.seek(at);
        f.putChar(char(c ^ 0x01));
        f.close();
        HistoryStore store;
        if (!store.open(path, keyOf('k'))) { // the page is needed to open: refused outright
            QVERIFY(store.openError() != HistoryStore::OpenError::None);
            return;
        }
        QString details;
        QVERIFY(!store.integrityCheck(&details));
        const QList<StoredMessage> truth = messages(QStringLiteral("c"), 1, 3000);
        int read = 0;
        for (quint64 from = 1; from <= 3000; from += 100) {
            for (const StoredMessage &m : store.page(QStringLiteral("c"), from, from + 99)) {
                QCOMPARE(m.body, truth[int(m.seq - 1)].body); // what is read is what was written
                ++read;
            }
        }
        QVERIFY2(read < 3000 || !details.isEmpty(), qPrintable(details));
    }

    void aPlainHistoryIsEncryptedWhenOpenedWithAKey()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/pages-XXXXXX"));
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            HistoryStore plain;
            QVERIFY(plain.open(path));
            QVERIFY(!plain.isEncrypted());
            QVERIFY(plain.appendMessages(QStringLiteral("c"), messages(QStringLiteral("c"), 1, 500)).ok);
            QVERIFY(plain.setValue(QStringLiteral("nick"), QStringLiteral("alice")));
        }
        QCOMPARE(EncryptedPageVfs::inspect(path), EncryptedPageVfs::FileKind::Plain);
        QVERIFY(bytesOf(path).contains(kMarker));
        // A half-written copy from an interrupted earlier try is replaced, not trusted.
        {
            QFile stale(path + QStringLiteral(".encrypting"));
            QVERIFY(stale.open(QIODevice::WriteOnly));
            stale.write("half a copy");
        }
        HistoryStore store;
        QVERIFY2(store.open(path, keyOf('k')), qPrintable(store.lastError()));
        QVERIFY(store.isEncrypted());
        QCOMPARE(store.count(QStringLiteral("c")), quint64(500));
        QCOMPARE(store.value(QStringLiteral("nick")), QStringLiteral("alice"));
        QCOMPARE(store.search(QString::fromLatin1(kMarker), 1000).size(), 500);
        QVERIFY(store.appendMessages(QStringLiteral("c"), messages(QStringLiteral("c"), 501, 600)).ok);
        QVERIFY(store.integrityCheck());
        store.close();
        QCOMPARE(EncryptedPageVfs::inspect(path), EncryptedPageVfs::FileKind::Encrypted);
        QVERIFY(!QFile::exists(path + QStringLiteral(".encrypting")));
        QVERIFY(!everythingOnDisk(path).contains(kMarker));
        QVERIFY(store.open(path, keyOf('k')));
        QCOMPARE(store.count(QStringLiteral("c")), quint64(600));
    }

    // A history larger than SQLite's page cache: the copy spills pages to the new file before its
    // first page exists (as a long-used profile's history of hundreds of megabytes does).
    void aPlainHistoryLargerThanThePageCacheIsEncrypted()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/pages-XXXXXX"));
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        constexpr quint64 kCount = 40000;
        {
            HistoryStore plain;
            QVERIFY(plain.open(path));
            QVERIFY(plain.appendMessages(QStringLiteral("c"), messages(QStringLiteral("c"), 1, kCount)).ok);
        }
        QVERIFY2(QFileInfo(path).size() > 4 * 2048 * 1024, "must outgrow the default 2 MiB page cache");
        HistoryStore store;
        QVERIFY2(store.open(path, keyOf('k')), qPrintable(store.lastError()));
        QVERIFY(store.isEncrypted());
        QCOMPARE(store.count(QStringLiteral("c")), kCount);
        QCOMPARE(store.page(QStringLiteral("c"), kCount, kCount).first().body,
                 messages(QStringLiteral("c"), kCount, kCount).first().body);
        QVERIFY(store.integrityCheck());
        store.close();
        QCOMPARE(EncryptedPageVfs::inspect(path), EncryptedPageVfs::FileKind::Encrypted);
        QVERIFY(!everythingOnDisk(path).contains(kMarker));
    }

    void theVfsNeverWritesARollbackJournalOrAnUnreservedPage()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/pages-XXXXXX"));
        const QByteArray path = QFile::encodeName(dir.filePath(QStringLiteral("raw.sqlite")));
        EncryptedPageVfs vfs(keyOf('k'));
        QVERIFY(vfs.isValid());
        const QByteArray vfsName = vfs.name().toLatin1();

        // Not prepared: no reserved bytes, rollback journal. The first write fails; nothing in the clear.
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 vfsName.constData()),
                 SQLITE_OK);
        const QByteArray insert = "CREATE TABLE t(x); INSERT INTO t VALUES('" + kMarker + "');";
        QVERIFY(sqlite3_exec(db, insert.constData(), nullptr, nullptr, nullptr) != SQLITE_OK);
        sqlite3_close(db);
        QVERIFY(!everythingOnDisk(QString::fromLocal8Bit(path)).contains(kMarker));
        QFile::remove(QString::fromLocal8Bit(path));

        // Prepared, then forced back to a rollback journal: refused too.
        db = nullptr;
        QCOMPARE(sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 vfsName.constData()),
                 SQLITE_OK);
        QString error;
        QVERIFY2(EncryptedPageVfs::prepareNewDatabase(db, &error), qPrintable(error));
        QCOMPARE(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
        if (sqlite3_exec(db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) == SQLITE_OK)
            QVERIFY(sqlite3_exec(db, insert.constData(), nullptr, nullptr, nullptr) != SQLITE_OK);
        // Sorting more than fits in the page cache spills to temporary files: those stay in memory.
        QCOMPARE(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA cache_size=10; PRAGMA temp_store=FILE;",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        QCOMPARE(sqlite3_exec(db,
                              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<20000) "
                              "INSERT INTO t SELECT 'zebracrossing' || i || hex(randomblob(100)) FROM n",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "CREATE INDEX tx ON t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_stmt *q = nullptr;
        QCOMPARE(sqlite3_prepare_v2(db, "SELECT count(*) FROM (SELECT x FROM t ORDER BY substr(x, 20))", -1,
                                    &q, nullptr),
                 SQLITE_OK);
        QCOMPARE(sqlite3_step(q), SQLITE_ROW);
        QCOMPARE(sqlite3_column_int(q, 0), 20000);
        sqlite3_finalize(q);
        QVERIFY(!everythingOnDisk(QString::fromLocal8Bit(path)).contains(kMarker));
        QCOMPARE(sqlite3_close(db), SQLITE_OK);
        QVERIFY(!everythingOnDisk(QString::fromLocal8Bit(path)).contains(kMarker));
    }
};

QTEST_GUILESS_MAIN(TestEncryptedPages)
#include "tst_crypto_encryptedpages.moc"
