#include "HistoryDb.h"

#include "CoreLogging.h"
#include "HistoryFileEncryptor.h"
#include "crypto/EncryptedPageVfs.h"

#include <QAtomicInt>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

#include <sqlite3.h>

namespace hchat {

namespace {
QAtomicInt g_connectionCounter;
} // namespace

HistoryDb::HistoryDb()
    : m_connectionName(QStringLiteral("hchat-history-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1)))
{
}

HistoryDb::~HistoryDb()
{
    close();
}

bool HistoryDb::failOpen(OpenError error, const QString &message)
{
    m_openError = error;
    m_lastError = message;
    qCCritical(lcStore).noquote() << message;
    close();
    return false;
}

bool HistoryDb::openConnection(const QString &path, crypto::SecureBuffer key)
{
    using Kind = crypto::EncryptedPageVfs::FileKind;
    const Kind kind = crypto::EncryptedPageVfs::inspect(path);
    if (key.isNull() && kind == Kind::Encrypted)
        return failOpen(
            OpenError::KeyMismatch,
            tr("The history database %1 is encrypted, and its key is not available: the OS keychain "
               "that keeps it cannot be reached. It was left as it is.")
                .arg(path));
    if (!key.isNull()) {
        m_vfs = std::make_unique<crypto::EncryptedPageVfs>(std::move(key));
        if (!m_vfs->isValid())
            return failOpen(OpenError::CannotOpen,
                            tr("Cannot set up the encryption of the history database."));
        QString error;
        if (kind == Kind::Plain && !HistoryFileEncryptor::encrypt(path, *m_vfs, &error))
            return failOpen(
                OpenError::MigrationFailed,
                tr("Encrypting the history database %1 failed: %2. It was left as it is.").arg(path, error));
    }
    QString openError;
    bool opened = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        opened = crypto::EncryptedPageVfs::openConnection(m_vfs.get(), db, path, {}, &openError);
    }
    if (!opened)
        return failOpen(OpenError::CannotOpen,
                        tr("Cannot open the history database %1: %2").arg(path, openError));
    return true;
}

bool HistoryDb::open(const QString &path, crypto::SecureBuffer key)
{
    close();
    m_path = path;
    m_openError = OpenError::None;
    m_lastError.clear();
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return failOpen(OpenError::CannotOpen,
                        tr("Cannot create the folder %1 for the history database.").arg(info.absolutePath()));
    const bool existed = info.exists();
    if (existed && !info.isWritable())
        return failOpen(OpenError::CannotOpen, tr("The history database %1 is not writable.").arg(path));
    if (!openConnection(path, std::move(key)))
        return false;
    m_open = true;
    // The first read of the header tells a damaged or foreign file apart, before anything writes.
    QString headerError;
    {
        QSqlQuery q(QSqlDatabase::database(m_connectionName));
        if (!q.exec(QStringLiteral("PRAGMA schema_version")) || !q.next())
            headerError =
                q.lastError().text().isEmpty() ? QStringLiteral("unreadable header") : q.lastError().text();
    }
    if (!headerError.isEmpty() && m_vfs)
        return failOpen(OpenError::KeyMismatch,
                        tr("The history database %1 cannot be decrypted with the key kept in the OS keychain "
                           "(%2). It was left as it is; move it away to start a fresh history.")
                            .arg(path, headerError));
    if (!headerError.isEmpty())
        return failOpen(OpenError::Corrupt,
                        tr("The history database %1 is damaged or not an HChat database (%2). It was "
                           "left as it is; move it away to start a fresh history.")
                            .arg(path, headerError));
    const int version = schemaVersion();
    if (version < 0)
        return failOpen(OpenError::Corrupt,
                        tr("The history database %1 is damaged: %2").arg(path, m_lastError));
    if (version > kSchemaVersion)
        return failOpen(OpenError::NewerVersion,
                        tr("The history database %1 was written by a newer version of HChat (schema %2; "
                           "this version knows up to %3). It was left as it is; update HChat to open it.")
                            .arg(path)
                            .arg(version)
                            .arg(kSchemaVersion));
    if (!execOnce(QStringLiteral("PRAGMA journal_mode=WAL")) ||
        !execOnce(QStringLiteral("PRAGMA synchronous=NORMAL")) ||
        !execOnce(QStringLiteral("PRAGMA foreign_keys=ON")) ||
        !execOnce(QStringLiteral("PRAGMA busy_timeout=5000")) ||
        // Deleted messages are overwritten in the file, not left in its free space.
        !execOnce(QStringLiteral("PRAGMA secure_delete=ON")))
        return failOpen(OpenError::Corrupt,
                        tr("The history database %1 cannot be used: %2").arg(path, m_lastError));
    if (!migrate())
        return failOpen(OpenError::MigrationFailed,
                        tr("Upgrading the history database %1 failed: %2").arg(path, m_lastError));
    openSearch();
    qCInfo(lcStore).noquote() << "opened" << path << "schema" << schemaVersion();
    return true;
}

void HistoryDb::close()
{
    // The read-only search connection first: the last connection to leave a file checkpoints
    // its log away, which a read-only one cannot do.
    m_searchStatement.reset();
    if (QSqlDatabase::contains(searchConnectionName())) {
        QSqlDatabase::database(searchConnectionName(), false).close();
        QSqlDatabase::removeDatabase(searchConnectionName());
    }
    m_search.stop(); // its connection uses the VFS and reads this file
    m_searchReady = false;
    m_searchPending = false;
    m_statements.clear(); // before the connection goes
    m_rowStatements.clear();
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    m_open = false;
    m_vfs.reset();
}

// One transaction per write, or inside a batch a savepoint of its transaction (so that a failed
// write still undoes itself alone).
bool HistoryDb::beginWrite()
{
    return m_batchDepth > 0 ? exec(QStringLiteral("SAVEPOINT write"))
                            : transaction(&QSqlDatabase::transaction);
}

bool HistoryDb::commitWrite()
{
    if (m_batchDepth > 0)
        return exec(QStringLiteral("RELEASE write"));
    if (!transaction(&QSqlDatabase::commit))
        return false;
    committed();
    return true;
}

void HistoryDb::committed()
{
    if (std::exchange(m_searchPending, false) && m_searchReady)
        m_search.schedule();
}

void HistoryDb::rollbackWrite()
{
    if (m_batchDepth > 0) {
        const QString error = m_lastError;
        exec(QStringLiteral("ROLLBACK TO write"));
        exec(QStringLiteral("RELEASE write"));
        m_lastError = error;
        return;
    }
    QSqlDatabase::database(m_connectionName).rollback();
}

bool HistoryDb::beginBatch()
{
    if (m_batchDepth++ > 0 || transaction(&QSqlDatabase::transaction))
        return true;
    m_batchDepth = 0;
    return false;
}

bool HistoryDb::endBatch()
{
    if (m_batchDepth == 0 || --m_batchDepth > 0)
        return true;
    if (transaction(&QSqlDatabase::commit)) {
        committed();
        return true;
    }
    qCWarning(lcStore) << "batch commit failed:" << m_lastError;
    QSqlDatabase::database(m_connectionName).rollback();
    return false;
}

bool HistoryDb::transaction(bool (QSqlDatabase::*step)())
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    // Writes take the lock when they begin: the search index's thread writes to this file too
    // (briefly), and a transaction that read first could not then write (SQLITE_BUSY_SNAPSHOT).
    if (step == &QSqlDatabase::transaction)
        return execOnce(QStringLiteral("BEGIN IMMEDIATE"));
    if ((db.*step)())
        return true;
    m_lastError = db.lastError().text();
    return false;
}

// The search index is derived data: without it the history works and search finds nothing.
void HistoryDb::openSearch()
{
    const QByteArray token =
        scalar(QStringLiteral("SELECT token FROM search_link WHERE k = 0")).toByteArray();
    QString error;
    if (token.isEmpty() || !SearchIndex::prepare(m_path, m_vfs.get(), token, &error)) {
        qCWarning(lcStore).noquote() << "no search index:" << (token.isEmpty() ? m_lastError : error);
        return;
    }
    // Searches read on a connection of their own (the index, with the history attached): the
    // history's connection takes its write lock on every file it has attached.
    const QString searchPath = SearchIndex::pathFor(m_path);
    bool opened = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), searchConnectionName());
        opened = crypto::EncryptedPageVfs::openConnection(m_vfs.get(), db, searchPath,
                                                          QStringLiteral("QSQLITE_OPEN_READONLY"), &error);
        if (opened) {
            QSqlQuery attach(db);
            attach.prepare(QStringLiteral("ATTACH DATABASE ? AS history"));
            attach.addBindValue(m_vfs ? m_vfs->uriFor(m_path) : m_path);
            opened = attach.exec();
            error = attach.lastError().text();
        }
    }
    if (!opened) {
        qCWarning(lcStore).noquote() << "no search index:" << error;
        QSqlDatabase::removeDatabase(searchConnectionName());
        return;
    }
    m_search.start(m_path, m_vfs.get());
    m_searchReady = true;
}

QString HistoryDb::searchConnectionName() const
{
    return m_connectionName + QStringLiteral("-search");
}

HistoryQuery HistoryDb::searchQuery(const QString &sql, Binds binds) const
{
    if (!m_searchReady)
        return {};
    m_searchStatement = std::make_unique<QSqlQuery>(QSqlDatabase::database(searchConnectionName()));
    if (!m_searchStatement->prepare(sql)) {
        m_lastError = m_searchStatement->lastError().text();
        qCWarning(lcStore).noquote() << "search failed:" << m_lastError;
        return {};
    }
    return run(m_searchStatement.get(), sql, binds);
}

SqliteStatement *HistoryDb::rowStatement(const QString &sql)
{
    auto it = m_rowStatements.find(sql);
    if (it == m_rowStatements.end()) {
        const QVariant handle = QSqlDatabase::database(m_connectionName, false).driver()->handle();
        sqlite3 *db = handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0
                          ? *static_cast<sqlite3 *const *>(handle.constData())
                          : nullptr;
        auto statement = std::make_unique<SqliteStatement>(db, sql);
        if (!statement->isValid()) {
            fail(tr("cannot prepare a statement: %1").arg(statement->lastError()));
            return nullptr;
        }
        it = m_rowStatements.emplace(sql, std::move(statement)).first;
    }
    return it->second.get();
}

bool HistoryDb::execOnce(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(sql)) {
        m_lastError = q.lastError().text();
        qCWarning(lcStore).noquote() << "SQL failed:" << sql.left(80) << "-" << m_lastError;
        return false;
    }
    return true;
}

HistoryQuery HistoryDb::run(QSqlQuery *q, const QString &sql, Binds binds) const
{
    if (q) {
        q->setForwardOnly(true); // rows are read once, in order: none kept for going back
        int i = 0;
        for (const QVariant &value : binds)
            q->bindValue(i++, value);
        if (q->exec())
            return HistoryQuery(q);
        m_lastError = q->lastError().text();
        q->finish();
    }
    qCWarning(lcStore).noquote() << "SQL failed:" << sql.left(80) << "-" << m_lastError;
    return {};
}

QVariant HistoryDb::scalar(const QString &sql, Binds binds) const
{
    HistoryQuery q = query(sql, binds);
    return q.next() ? q.value(0) : QVariant();
}

bool HistoryDb::fail(const QString &error) const
{
    m_lastError = error;
    qCWarning(lcStore).noquote() << error;
    return false;
}

int HistoryDb::schemaVersion() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return -1;
    return q.value(0).toInt();
}

bool HistoryDb::integrityCheck(QString *details) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(QStringLiteral("PRAGMA integrity_check"))) {
        if (details)
            *details = q.lastError().text();
        return false;
    }
    QStringList lines;
    while (q.next())
        lines << q.value(0).toString();
    if (details)
        *details = lines.join(QLatin1Char('\n'));
    return lines == QStringList{QStringLiteral("ok")};
}

bool HistoryDb::makeDurable()
{
    // (busy, frames in the WAL, frames checkpointed): only a complete checkpoint synced them all.
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(FULL)")) || !q.next()) {
        m_lastError = q.lastError().text();
        return false;
    }
    const bool complete = q.value(0).toInt() == 0 && q.value(1).toLongLong() == q.value(2).toLongLong();
    if (!complete)
        m_lastError = tr("the history's write-ahead log could not be checkpointed completely");
    return complete;
}

// Versioned migrations: step N takes user_version N-1 to N, each in its own transaction.
bool HistoryDb::migrate()
{
    static const QList<QStringList> steps = {
        // 1: the first schema.
        {
            QStringLiteral("CREATE TABLE kv(key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE channels("
                           " name TEXT PRIMARY KEY, kind INTEGER NOT NULL DEFAULT 0,"
                           " encrypted INTEGER NOT NULL DEFAULT 0, members TEXT NOT NULL DEFAULT '',"
                           " joined INTEGER NOT NULL DEFAULT 1, muted INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE TABLE streams(" // sync state per stream (channel or device inbox)
                           " stream TEXT PRIMARY KEY, max_seq INTEGER NOT NULL DEFAULT 0,"
                           " server_max_seq INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE TABLE messages("
                           " id INTEGER PRIMARY KEY, channel TEXT NOT NULL, seq INTEGER NOT NULL,"
                           " sender TEXT NOT NULL DEFAULT '', sender_device TEXT NOT NULL DEFAULT '',"
                           " client_msg_id BLOB, server_time_ms INTEGER NOT NULL DEFAULT 0, body BLOB,"
                           " encrypted INTEGER NOT NULL DEFAULT 0, kind INTEGER NOT NULL DEFAULT 0,"
                           " subject TEXT NOT NULL DEFAULT '', UNIQUE(channel, seq))"),
            QStringLiteral("CREATE VIRTUAL TABLE messages_fts USING fts5(text, tokenize='unicode61 "
                           "remove_diacritics 2')"),
            QStringLiteral("CREATE TABLE read_positions(channel TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
                           " synced INTEGER NOT NULL DEFAULT 1)"),
            QStringLiteral("CREATE TABLE outbox("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL,"
                           " client_msg_id BLOB NOT NULL UNIQUE, body BLOB NOT NULL,"
                           " encrypted INTEGER NOT NULL DEFAULT 0, kind INTEGER NOT NULL DEFAULT 0,"
                           " state INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL DEFAULT 0,"
                           " error TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL,"
                           " updated_ms INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX outbox_state ON outbox(state, id)"),
            QStringLiteral("CREATE TABLE drafts(channel TEXT PRIMARY KEY, text TEXT NOT NULL)"),
        },
        // 2: local-only results of end-to-end decryption (never sent; the FTS index covers the
        // decrypted text), and the text of encrypted outbox entries as written.
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN plain_text TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN crypto_state INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN crypto_reason TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE outbox ADD COLUMN plain_text TEXT NOT NULL DEFAULT ''"),
        },
        // 3: replies, edits and deletions (ref_seq names the message concerned); edit_seq is the
        // edit whose text a message shows.
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN ref_seq INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN edit_seq INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("CREATE INDEX messages_by_ref ON messages(channel, ref_seq) WHERE ref_seq <> 0"),
            QStringLiteral("ALTER TABLE outbox ADD COLUMN ref_seq INTEGER NOT NULL DEFAULT 0"),
        },
        // 4: attachments. `attachment` is the AttachmentContent as this device knows it (decrypted
        // in encrypted channels); uploads are the files still on their way to the gateway;
        // attachment_files remembers where a received or sent file is on this device.
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN attachment_id TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN attachment BLOB"),
            QStringLiteral("ALTER TABLE outbox ADD COLUMN attachment_id TEXT NOT NULL DEFAULT ''"),
            QStringLiteral(
                "CREATE TABLE uploads("
                " id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL,"
                " client_msg_id BLOB NOT NULL UNIQUE, file_path TEXT NOT NULL,"
                " staged_path TEXT NOT NULL DEFAULT '', upload_id TEXT NOT NULL DEFAULT '',"
                " content BLOB, encrypted INTEGER NOT NULL DEFAULT 0, ref_seq INTEGER NOT NULL DEFAULT 0,"
                " created_ms INTEGER NOT NULL)"),
            QStringLiteral(
                "CREATE TABLE attachment_files(attachment_id TEXT PRIMARY KEY, path TEXT NOT NULL)"),
        },
        // 5: encryption only ever switches on. Private and direct channels are encrypted; one that
        // was not (made by an older HChat) is from its next message on, and encrypted_from keeps
        // where that began: the plain rows before it are its history, any plain row after it is
        // not from a member.
        {
            QStringLiteral("ALTER TABLE channels ADD COLUMN encrypted_from INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("UPDATE channels SET encrypted = 1, encrypted_from = COALESCE("
                           "(SELECT max_seq + 1 FROM streams WHERE stream = channels.name), 0)"
                           " WHERE encrypted = 0 AND (kind <> 0 OR name LIKE '@%')"),
        },
        // 6: the signed time an encrypted message was written at (local, from its envelope).
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN sender_time_ms INTEGER NOT NULL DEFAULT 0"),
        },
        // 7: cursors kept as text in kv become columns: how far InboundCrypto has processed a stream
        // (kv "crypto_seq:<stream>") and how far the other side of a channel has read it (kv
        // "peer_read:<channel>", from its read receipts). The latter joins the channel's own read
        // position: a receipt may come before its channel is stored, and a read_positions row has
        // no other effect, where a channels row would make a channel appear.
        {
            QStringLiteral("ALTER TABLE streams ADD COLUMN crypto_seq INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral(
                "INSERT INTO streams(stream, crypto_seq) SELECT substr(key, 12), CAST(value AS INTEGER)"
                " FROM kv WHERE substr(key, 1, 11) = 'crypto_seq:'"
                " ON CONFLICT(stream) DO UPDATE SET crypto_seq = excluded.crypto_seq"),
            QStringLiteral("ALTER TABLE read_positions ADD COLUMN peer_read_seq INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral(
                "INSERT INTO read_positions(channel, seq, peer_read_seq) SELECT substr(key, 11), 0,"
                " CAST(value AS INTEGER) FROM kv WHERE substr(key, 1, 10) = 'peer_read:'"
                " ON CONFLICT(channel) DO UPDATE SET peer_read_seq = excluded.peer_read_seq"),
            QStringLiteral("DELETE FROM kv WHERE substr(key, 1, 11) = 'crypto_seq:' OR substr(key, 1, 10) = "
                           "'peer_read:'"),
        },
        // 7 -> 8: the search index moves to a file of its own, built on a thread of its own
        // (SearchIndex), which indexes every row again; the history lists the rows whose text
        // changes, and ties the index to itself with a token.
        {
            QStringLiteral("DROP TABLE IF EXISTS messages_fts"),
            QStringLiteral(
                "CREATE TABLE IF NOT EXISTS search_dirty(id INTEGER PRIMARY KEY, row_id INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE IF NOT EXISTS search_link(k INTEGER PRIMARY KEY CHECK (k = 0), "
                           "token BLOB NOT NULL)"),
            QStringLiteral("INSERT OR IGNORE INTO search_link(k, token) VALUES(0, randomblob(16))"),
        },
        // 9: communities: a channel's topic, whether it is read-only for members, and this user's
        // role in it (0 member, 1 moderator, 2 owner), as the gateway and the moderation messages say.
        {
            QStringLiteral("ALTER TABLE channels ADD COLUMN topic TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE channels ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE channels ADD COLUMN role INTEGER NOT NULL DEFAULT 0"),
        },
    };
    static_assert(kSchemaVersion == 9, "add a migration step");
    for (int version = schemaVersion(); version < kSchemaVersion; ++version) {
        if (!transaction(&QSqlDatabase::transaction))
            return false;
        const QStringList &step = steps.at(version);
        if (!std::all_of(step.begin(), step.end(), [this](const QString &sql) { return execOnce(sql); }) ||
            !execOnce(QStringLiteral("PRAGMA user_version=%1").arg(version + 1)) ||
            !transaction(&QSqlDatabase::commit)) {
            QSqlDatabase::database(m_connectionName).rollback();
            return false;
        }
        qCInfo(lcStore) << "migrated history schema to version" << version + 1;
    }
    return true;
}

} // namespace hchat
