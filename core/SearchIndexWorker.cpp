#include "SearchIndexWorker.h"

#include "AttachmentInfo.h"
#include "CoreLogging.h"
#include "SqliteStatement.h"
#include "StoredMessage.h"
#include "crypto/EncryptedPageVfs.h"

#include <QAtomicInt>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <sqlite3.h>

namespace hchat {

namespace {
QAtomicInt g_workerCounter;
constexpr int kRowsPerRun = 2000;
constexpr int kDirtyPerRun = 500;
const QString kRowColumns =
    QStringLiteral("m.kind, m.encrypted, m.crypto_state, m.deleted, m.body, m.plain_text, m.attachment");

// The search text of the row whose kRowColumns start at column first of q.
QString searchTextAt(const QSqlQuery &q, int first)
{
    return SearchIndexWorker::searchTextOf(q.value(first).toInt(), q.value(first + 1).toBool(),
                                           q.value(first + 2).toInt(), q.value(first + 3).toBool(),
                                           q.value(first + 4).toByteArray(), q.value(first + 5).toString(),
                                           q.value(first + 6).toByteArray());
}
} // namespace

SearchIndexWorker::SearchIndexWorker(QString historyPath, QString searchPath,
                                     const crypto::EncryptedPageVfs *vfs, const std::atomic<bool> *stopping,
                                     const std::atomic<quint64> *requested)
    : m_historyPath(std::move(historyPath)), m_searchPath(std::move(searchPath)), m_vfs(vfs),
      m_stopping(stopping), m_requested(requested),
      m_connectionName(QStringLiteral("hchat-search-%1").arg(g_workerCounter.fetchAndAddRelaxed(1)))
{
}

SearchIndexWorker::~SearchIndexWorker()
{
    close();
}

QString SearchIndexWorker::searchTextOf(int kind, bool encrypted, int cryptoState, bool deleted,
                                        const QByteArray &body, const QString &plainText,
                                        const QByteArray &attachment)
{
    using State = StoredMessage::CryptoState;
    const auto k = static_cast<MessageKind>(kind);
    if ((k != MessageKind::Text && k != MessageKind::Attachment) || deleted ||
        (encrypted ? cryptoState != int(State::Decrypted) : cryptoState == int(State::Undecryptable)))
        return {};
    const QString text = encrypted || k == MessageKind::Attachment ? plainText : QString::fromUtf8(body);
    if (k != MessageKind::Attachment)
        return text;
    // An attachment is also found by its file name.
    const auto info = AttachmentInfo::parse(attachment);
    if (!info)
        return text;
    return text.isEmpty() ? info->name : info->name + QLatin1Char(' ') + text;
}

bool SearchIndexWorker::openConnection()
{
    if (m_open)
        return true;
    if (m_broken)
        return false;
    QString error;
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        ok = crypto::EncryptedPageVfs::openConnection(m_vfs, db, m_searchPath, {}, &error);
        if (ok) {
            QSqlQuery q(db);
            ok = q.exec(QStringLiteral("PRAGMA busy_timeout=5000")) &&
                 q.exec(QStringLiteral("PRAGMA secure_delete=ON")) &&
                 q.exec(QStringLiteral("PRAGMA synchronous=NORMAL")) &&
                 q.prepare(QStringLiteral("ATTACH DATABASE ? AS history"));
            if (ok) {
                q.addBindValue(m_vfs ? m_vfs->uriFor(m_historyPath) : m_historyPath);
                ok = q.exec();
            }
            if (!ok)
                error = q.lastError().text();
        }
    }
    if (ok) {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        sqlite3 *raw = *static_cast<sqlite3 *const *>(db.driver()->handle().constData());
        m_insert = std::make_unique<SqliteStatement>(
            raw, QStringLiteral("INSERT INTO main.messages_fts(rowid, text) VALUES(?, ?)"));
        m_remove = std::make_unique<SqliteStatement>(
            raw, QStringLiteral("DELETE FROM main.messages_fts WHERE rowid = ?"));
        ok = m_insert->isValid() && m_remove->isValid();
        error = m_insert->lastError() + m_remove->lastError();
        if (!ok) {
            m_insert.reset();
            m_remove.reset();
        }
    }
    if (!ok) {
        qCWarning(lcStore).noquote() << "the search index cannot be opened:" << error;
        QSqlDatabase::removeDatabase(m_connectionName);
        m_broken = true;
        return false;
    }
    m_open = true;
    return true;
}

void SearchIndexWorker::close()
{
    if (!m_open)
        return;
    m_insert.reset(); // before their connection
    m_remove.reset();
    QSqlDatabase::database(m_connectionName, false).close();
    QSqlDatabase::removeDatabase(m_connectionName);
    m_open = false;
}

void SearchIndexWorker::indexPending(quint64 generation)
{
    if (generation <= m_doneThrough)
        return; // a run that started after it was asked for is done
    const quint64 target = m_requested->load();
    // A run can fail when another connection to the same files wrote first (another HChat on the
    // profile, or the history writing search_dirty): tried again a few times, else left for the
    // next commit.
    int failures = 0;
    while (openConnection() && !m_stopping->load()) {
        const Outcome outcome = indexSome();
        if (outcome == Outcome::Done)
            break;
        if (outcome == Outcome::Failed) {
            if (++failures == 3)
                break;
            QThread::msleep(20);
        }
    }
    m_doneThrough = target;
    emit indexed(target);
}

SearchIndexWorker::Outcome SearchIndexWorker::indexSome()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    SqliteStatement &insert = *m_insert;
    SqliteStatement &remove = *m_remove;
    auto failed = [&](const QString &what, const QString &error) {
        qCWarning(lcStore).noquote() << "search index:" << what << "failed:" << error;
        db.rollback();
        return Outcome::Failed;
    };
    if (!db.transaction())
        return failed(QStringLiteral("begin"), db.lastError().text());
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT indexed_through FROM main.search_state WHERE k = 0")) || !q.next())
        return failed(QStringLiteral("reading the state"), q.lastError().text());
    const qint64 through = q.value(0).toLongLong();
    qint64 newThrough = through;
    int rows = 0;
    q.prepare(QStringLiteral("SELECT m.id, %1 FROM history.messages m WHERE m.id > ? ORDER BY m.id LIMIT ?")
                  .arg(kRowColumns));
    q.addBindValue(through);
    q.addBindValue(kRowsPerRun);
    if (!q.exec())
        return failed(QStringLiteral("reading new rows"), q.lastError().text());
    while (q.next()) {
        ++rows;
        newThrough = q.value(0).toLongLong();
        const QString text = searchTextAt(q, 1);
        if (!text.isEmpty() && !insert.run(newThrough, text))
            return failed(QStringLiteral("indexing"), insert.lastError());
    }
    // Rows whose text changed after they were indexed; those above newThrough are read as they
    // are now when their turn comes.
    int dirty = 0;
    qint64 lastDirty = 0;
    q.prepare(QStringLiteral("SELECT d.id, d.row_id, m.id IS NOT NULL, %1 FROM history.search_dirty d"
                             " LEFT JOIN history.messages m ON m.id = d.row_id ORDER BY d.id LIMIT ?")
                  .arg(kRowColumns));
    q.addBindValue(kDirtyPerRun);
    if (!q.exec())
        return failed(QStringLiteral("reading changed rows"), q.lastError().text());
    while (q.next()) {
        ++dirty;
        lastDirty = q.value(0).toLongLong();
        const qint64 rowId = q.value(1).toLongLong();
        if (rowId > newThrough)
            continue;
        if (!remove.run(rowId))
            return failed(QStringLiteral("removing"), remove.lastError());
        const QString text = q.value(2).toBool() ? searchTextAt(q, 3) : QString(); // gone: not found
        if (!text.isEmpty() && !insert.run(rowId, text))
            return failed(QStringLiteral("indexing"), insert.lastError());
    }
    q.finish();
    if (newThrough != through) {
        q.prepare(QStringLiteral("UPDATE main.search_state SET indexed_through = ? WHERE k = 0"));
        q.addBindValue(newThrough);
        if (!q.exec())
            return failed(QStringLiteral("saving the state"), q.lastError().text());
    }
    if (!db.commit())
        return failed(QStringLiteral("commit"), db.lastError().text());
    if (dirty > 0) {
        // Its own transaction on the history (short; waits while a catch-up batch commits). Left
        // for the next run if it fails: indexing a row again changes nothing.
        q.prepare(QStringLiteral("DELETE FROM history.search_dirty WHERE id <= ?"));
        q.addBindValue(lastDirty);
        if (!q.exec())
            qCWarning(lcStore).noquote()
                << "search index: clearing changed rows failed:" << q.lastError().text();
    }
    return rows == kRowsPerRun || dirty == kDirtyPerRun ? Outcome::More : Outcome::Done;
}

} // namespace hchat
