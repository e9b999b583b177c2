#include "SearchIndex.h"

#include "CoreLogging.h"
#include "SearchIndexWorker.h"
#include "crypto/EncryptedPageVfs.h"

#include <QAtomicInt>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace hchat {

namespace {
QAtomicInt g_prepareCounter;

// Opens path (through vfs when there is one) on a connection of its own, makes the schema of a
// search file tied to token and checks that it reads back.
bool makeSchema(const QString &path, const crypto::EncryptedPageVfs *vfs, const QByteArray &token,
                QString *error)
{
    const QString name =
        QStringLiteral("hchat-search-prepare-%1").arg(g_prepareCounter.fetchAndAddRelaxed(1));
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        ok = crypto::EncryptedPageVfs::openConnection(vfs, db, path, {}, error);
        if (ok) {
            QSqlQuery q(db);
            for (const QString &sql :
                 {QStringLiteral("PRAGMA journal_mode=WAL"),
                  QStringLiteral("CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(text,"
                                 " tokenize='unicode61 remove_diacritics 2')"),
                  QStringLiteral(
                      "CREATE TABLE IF NOT EXISTS search_state(k INTEGER PRIMARY KEY CHECK (k = 0),"
                      " token BLOB NOT NULL, indexed_through INTEGER NOT NULL)")}) {
                if (!q.exec(sql)) {
                    *error = q.lastError().text();
                    ok = false;
                    break;
                }
            }
            if (ok) {
                q.prepare(QStringLiteral(
                    "INSERT OR IGNORE INTO search_state(k, token, indexed_through) VALUES(0, ?, 0)"));
                q.addBindValue(token);
                ok = q.exec() && q.exec(QStringLiteral("SELECT token FROM search_state WHERE k = 0")) &&
                     q.next();
                if (!ok)
                    *error = q.lastError().text();
                else if (q.value(0).toByteArray() != token) {
                    *error = QStringLiteral("it indexes another history");
                    ok = false;
                }
            }
            q.finish();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}
} // namespace

SearchIndex::SearchIndex() = default;

SearchIndex::~SearchIndex()
{
    stop();
}

QString SearchIndex::pathFor(const QString &historyPath)
{
    const QFileInfo history(historyPath);
    return history.absoluteDir().filePath(history.completeBaseName() + QStringLiteral(".search.sqlite"));
}

void SearchIndex::remove(const QString &historyPath)
{
    const QString path = pathFor(historyPath);
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(suffix));
}

bool SearchIndex::prepare(const QString &historyPath, const crypto::EncryptedPageVfs *vfs,
                          const QByteArray &token, QString *error)
{
    using Kind = crypto::EncryptedPageVfs::FileKind;
    const QString path = pathFor(historyPath);
    const Kind kind = crypto::EncryptedPageVfs::inspect(path);
    if (kind == Kind::Foreign || (vfs && kind == Kind::Plain) || (!vfs && kind == Kind::Encrypted))
        remove(historyPath);
    if (makeSchema(path, vfs, token, error))
        return true;
    qCWarning(lcStore).noquote() << "the search index" << path << "cannot be used (" << *error
                                 << "); building it again";
    remove(historyPath);
    return makeSchema(path, vfs, token, error);
}

void SearchIndex::start(const QString &historyPath, const crypto::EncryptedPageVfs *vfs)
{
    stop();
    m_stopping = false;
    {
        QMutexLocker lock(&m_mutex);
        m_indexed = m_requested.load();
    }
    m_worker = new SearchIndexWorker(historyPath, pathFor(historyPath), vfs, &m_stopping, &m_requested);
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    // Runs in the worker's thread; waiters sleep on the condition.
    QObject::connect(
        m_worker, &SearchIndexWorker::indexed, m_worker,
        [this](quint64 generation) {
            QMutexLocker lock(&m_mutex);
            m_indexed = std::max(m_indexed, generation);
            m_indexedChanged.wakeAll();
        },
        Qt::DirectConnection);
    m_thread.setObjectName(QStringLiteral("search index"));
    m_thread.start(QThread::LowPriority);
    schedule();
}

void SearchIndex::stop()
{
    if (!m_worker)
        return;
    m_stopping = true;
    QMetaObject::invokeMethod(m_worker, &SearchIndexWorker::close, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker = nullptr; // deleted when its thread finished
    QMutexLocker lock(&m_mutex);
    m_indexedChanged.wakeAll();
}

void SearchIndex::schedule()
{
    if (!m_worker)
        return;
    const quint64 generation = ++m_requested;
    SearchIndexWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, generation] { worker->indexPending(generation); }, Qt::QueuedConnection);
}

bool SearchIndex::waitUntilCurrent(int timeoutMs)
{
    if (!m_worker)
        return false;
    const quint64 target = m_requested.load();
    QDeadlineTimer deadline(timeoutMs);
    QMutexLocker lock(&m_mutex);
    while (m_indexed < target) {
        if (!m_indexedChanged.wait(&m_mutex, deadline))
            return false;
    }
    return true;
}

} // namespace hchat
