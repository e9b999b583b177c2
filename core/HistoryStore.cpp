#include "HistoryStore.h"

#include "AttachmentInfo.h"

#include "CoreLogging.h"
#include "HistoryFileEncryptor.h"
#include "crypto/EncryptedPageVfs.h"

#include <QAtomicInt>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <limits>

namespace hchat {

namespace {

QAtomicInt g_connectionCounter;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Column list shared by every message SELECT; rowToMessage() reads it.
const QString kMessageColumns = QStringLiteral(
    "channel, seq, sender, sender_device, client_msg_id, server_time_ms, body, encrypted, kind, subject,"
    " plain_text, crypto_state, crypto_reason, ref_seq, deleted, edit_seq, attachment_id, attachment,"
    " sender_time_ms");
// Edits and deletions change the row they refer to and are not rows of the message view; signed
// membership operations show only when refused (a warning: crypto_state 3).
const QString kVisible = QStringLiteral(" AND kind NOT IN (%1, %2) AND (kind <> %3 OR crypto_state = %4)")
                             .arg(int(MessageKind::Edit))
                             .arg(int(MessageKind::Delete))
                             .arg(int(MessageKind::Membership))
                             .arg(int(StoredMessage::CryptoState::Undecryptable));

StoredMessage rowToMessage(const QSqlQuery &q)
{
    StoredMessage m;
    m.channel = q.value(0).toString();
    m.seq = q.value(1).toULongLong();
    m.sender = q.value(2).toString();
    m.senderDevice = q.value(3).toString();
    m.clientMsgId = q.value(4).toByteArray();
    m.serverTimeMs = q.value(5).toLongLong();
    m.body = q.value(6).toByteArray();
    m.encrypted = q.value(7).toBool();
    m.kind = static_cast<MessageKind>(q.value(8).toInt());
    m.subject = q.value(9).toString();
    m.plainText = q.value(10).toString();
    m.cryptoState = static_cast<StoredMessage::CryptoState>(q.value(11).toInt());
    m.cryptoReason = q.value(12).toString();
    m.refSeq = q.value(13).toULongLong();
    m.deleted = q.value(14).toBool();
    m.editSeq = q.value(15).toULongLong();
    m.attachmentId = q.value(16).toString();
    m.attachment = q.value(17).toByteArray();
    m.senderTimeMs = q.value(18).toLongLong();
    return m;
}

const QString kOutboxColumns = QStringLiteral("id, channel, client_msg_id, body, encrypted, kind, state, "
                                              "seq, error, created_ms, updated_ms, plain_text,"
                                              " ref_seq, attachment_id");

OutboxEntry rowToOutbox(const QSqlQuery &q)
{
    OutboxEntry e;
    e.id = q.value(0).toLongLong();
    e.channel = q.value(1).toString();
    e.clientMsgId = q.value(2).toByteArray();
    e.body = q.value(3).toByteArray();
    e.encrypted = q.value(4).toBool();
    e.kind = static_cast<MessageKind>(q.value(5).toInt());
    e.state = static_cast<OutboxEntry::State>(q.value(6).toInt());
    e.seq = q.value(7).toULongLong();
    e.error = q.value(8).toString();
    e.createdMs = q.value(9).toLongLong();
    e.updatedMs = q.value(10).toLongLong();
    e.plainText = q.value(11).toString();
    e.refSeq = q.value(12).toULongLong();
    e.attachmentId = q.value(13).toString();
    return e;
}

// Turns user input into an FTS5 query where every word is a quoted prefix term.
QString ftsQuery(const QString &input)
{
    QStringList terms;
    const auto words = input.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    for (QString w : words) {
        w.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms << QLatin1Char('"') + w + QStringLiteral("\"*");
    }
    return terms.join(QLatin1Char(' '));
}

// QtSql binds a null QString as SQL NULL; the schema wants '' for "none".
QString nn(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

bool isFtsIndexed(const StoredMessage &m)
{
    return m.isChat() && !m.encrypted && !m.deleted;
}

// What search finds of a message: its text; an attachment also by its file name.
QString searchText(MessageKind kind, const QString &text, const QByteArray &attachment)
{
    if (kind != MessageKind::Attachment)
        return text;
    const auto info = AttachmentInfo::parse(attachment);
    if (!info)
        return text;
    return text.isEmpty() ? info->name : info->name + QLatin1Char(' ') + text;
}

const QString kChatKinds =
    QStringLiteral("(%1, %2)").arg(int(MessageKind::Text)).arg(int(MessageKind::Attachment));

} // namespace

HistoryStore::HistoryStore(QObject *parent)
    : QObject(parent),
      m_connectionName(QStringLiteral("hchat-history-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1)))
{
}

HistoryStore::~HistoryStore()
{
    close();
}

bool HistoryStore::fail(OpenError error, const QString &message)
{
    m_openError = error;
    m_lastError = message;
    qCCritical(lcStore).noquote() << message;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_open = false;
    m_vfs.reset();
    return false;
}

bool HistoryStore::openConnection(const QString &path, crypto::SecureBuffer key)
{
    using Kind = crypto::EncryptedPageVfs::FileKind;
    const Kind kind = crypto::EncryptedPageVfs::inspect(path);
    if (key.isNull() && kind == Kind::Encrypted)
        return fail(OpenError::KeyMismatch,
                    tr("The history database %1 is encrypted, and its key is not available: the OS keychain "
                       "that keeps it cannot be reached. It was left as it is.")
                        .arg(path));
    if (!key.isNull()) {
        m_vfs = std::make_unique<crypto::EncryptedPageVfs>(std::move(key));
        if (!m_vfs->isValid())
            return fail(OpenError::CannotOpen, tr("Cannot set up the encryption of the history database."));
        QString error;
        if (kind == Kind::Plain && !HistoryFileEncryptor::encrypt(path, *m_vfs, &error))
            return fail(
                OpenError::MigrationFailed,
                tr("Encrypting the history database %1 failed: %2. It was left as it is.").arg(path, error));
    }
    QString openError;
    bool opened = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        if (m_vfs) {
            opened = m_vfs->openConnection(db, path, {}, &openError);
        } else {
            db.setDatabaseName(path);
            opened = db.open();
            openError = db.lastError().text();
        }
    }
    if (!opened)
        return fail(OpenError::CannotOpen,
                    tr("Cannot open the history database %1: %2").arg(path, openError));
    return true;
}

bool HistoryStore::open(const QString &path, crypto::SecureBuffer key)
{
    close();
    m_path = path;
    m_openError = OpenError::None;
    m_lastError.clear();
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(OpenError::CannotOpen,
                    tr("Cannot create the folder %1 for the history database.").arg(info.absolutePath()));
    const bool existed = info.exists();
    if (existed && !info.isWritable())
        return fail(OpenError::CannotOpen, tr("The history database %1 is not writable.").arg(path));
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
        return fail(OpenError::KeyMismatch,
                    tr("The history database %1 cannot be decrypted with the key kept in the OS keychain "
                       "(%2). It was left as it is; move it away to start a fresh history.")
                        .arg(path, headerError));
    if (!headerError.isEmpty())
        return fail(OpenError::Corrupt,
                    tr("The history database %1 is damaged or not an HChat database (%2). It was "
                       "left as it is; move it away to start a fresh history.")
                        .arg(path, headerError));
    const int version = schemaVersion();
    if (version < 0)
        return fail(OpenError::Corrupt, tr("The history database %1 is damaged: %2").arg(path, m_lastError));
    if (version > kSchemaVersion)
        return fail(OpenError::NewerVersion,
                    tr("The history database %1 was written by a newer version of HChat (schema %2; "
                       "this version knows up to %3). It was left as it is; update HChat to open it.")
                        .arg(path)
                        .arg(version)
                        .arg(kSchemaVersion));
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL")) ||
        !exec(QStringLiteral("PRAGMA synchronous=NORMAL")) ||
        !exec(QStringLiteral("PRAGMA foreign_keys=ON")) ||
        !exec(QStringLiteral("PRAGMA busy_timeout=5000")) ||
        // Deleted messages are overwritten in the file, not left in its free space.
        !exec(QStringLiteral("PRAGMA secure_delete=ON")))
        return fail(OpenError::Corrupt,
                    tr("The history database %1 cannot be used: %2").arg(path, m_lastError));
    if (!migrate())
        return fail(OpenError::MigrationFailed,
                    tr("Upgrading the history database %1 failed: %2").arg(path, m_lastError));
    qCInfo(lcStore).noquote() << "opened" << path << "schema" << schemaVersion();
    return true;
}

void HistoryStore::close()
{
    m_statements.clear(); // before the connection goes
    if (!m_open)
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_open = false;
    m_vfs.reset();
}

QSqlQuery *HistoryStore::cached(const QString &sql) const
{
    return m_statements.get(sql, &m_lastError);
}

bool HistoryStore::isOpen() const
{
    return m_open;
}

// One transaction per write, or inside a batch a savepoint of its transaction (so that a failed
// write still undoes itself alone).
bool HistoryStore::beginWrite()
{
    if (m_batchDepth > 0)
        return exec(QStringLiteral("SAVEPOINT write"));
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (db.transaction())
        return true;
    m_lastError = db.lastError().text();
    return false;
}

bool HistoryStore::commitWrite()
{
    if (m_batchDepth > 0)
        return exec(QStringLiteral("RELEASE write"));
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (db.commit())
        return true;
    m_lastError = db.lastError().text();
    return false;
}

void HistoryStore::rollbackWrite()
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

bool HistoryStore::beginBatch()
{
    if (m_batchDepth++ > 0)
        return true;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (db.transaction())
        return true;
    m_batchDepth = 0;
    m_lastError = db.lastError().text();
    return false;
}

bool HistoryStore::endBatch()
{
    if (m_batchDepth == 0 || --m_batchDepth > 0)
        return true;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (db.commit())
        return true;
    m_lastError = db.lastError().text();
    qCWarning(lcStore) << "batch commit failed:" << m_lastError;
    db.rollback();
    return false;
}

bool HistoryStore::exec(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(sql)) {
        m_lastError = q.lastError().text();
        qCWarning(lcStore).noquote() << "SQL failed:" << sql.left(80) << "-" << m_lastError;
        return false;
    }
    return true;
}

bool HistoryStore::run(QSqlQuery &q) const
{
    if (q.exec())
        return true;
    m_lastError = q.lastError().text();
    qCWarning(lcStore).noquote() << "SQL failed:" << q.lastQuery().left(80) << "-" << m_lastError;
    return false;
}

int HistoryStore::schemaVersion() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return -1;
    return q.value(0).toInt();
}

bool HistoryStore::integrityCheck(QString *details) const
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

// Versioned migrations: step N takes user_version N-1 to N, each in its own transaction.
bool HistoryStore::migrate()
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
    };
    static_assert(kSchemaVersion == 6, "add a migration step");
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    for (int version = schemaVersion(); version < kSchemaVersion; ++version) {
        if (!db.transaction()) {
            m_lastError = db.lastError().text();
            return false;
        }
        for (const QString &sql : steps.at(version)) {
            if (!exec(sql)) {
                db.rollback();
                return false;
            }
        }
        if (!exec(QStringLiteral("PRAGMA user_version=%1").arg(version + 1)) || !db.commit()) {
            m_lastError = db.lastError().text();
            db.rollback();
            return false;
        }
        qCInfo(lcStore) << "migrated history schema to version" << version + 1;
    }
    return true;
}

// ---- kv ------------------------------------------------------------------------------------

QString HistoryStore::value(const QString &key, const QString &defaultValue) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT value FROM kv WHERE key = ?"));
    q.addBindValue(key);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return defaultValue;
}

bool HistoryStore::setValue(const QString &key, const QString &value)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral(
        "INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(nn(value));
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return false;
    }
    return true;
}

// ---- channels ------------------------------------------------------------------------------

bool HistoryStore::upsertChannel(const ChannelRecord &c)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (!beginWrite())
        return false;
    QSqlQuery q(db);
    q.prepare(
        QStringLiteral("INSERT INTO channels(name, kind, encrypted, members, joined) VALUES(?, ?, ?, ?, ?) "
                       // One way only: a channel never goes back to open or to plaintext, whatever the
                       // gateway says later; one that becomes encrypted now is so from its next message on.
                       "ON CONFLICT(name) DO UPDATE SET"
                       " kind = CASE WHEN channels.kind <> 0 THEN channels.kind ELSE excluded.kind END,"
                       " encrypted_from = CASE WHEN channels.encrypted = 0 AND excluded.encrypted <> 0 THEN"
                       "  COALESCE((SELECT max_seq + 1 FROM streams WHERE stream = channels.name), 0) ELSE "
                       "channels.encrypted_from END,"
                       " encrypted = max(channels.encrypted, excluded.encrypted),"
                       " members = excluded.members, joined = excluded.joined"));
    q.addBindValue(c.name);
    q.addBindValue(static_cast<int>(c.kind));
    q.addBindValue(c.encrypted ? 1 : 0);
    q.addBindValue(nn(c.members.join(QLatin1Char('\n'))));
    q.addBindValue(c.joined ? 1 : 0);
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        qCWarning(lcStore) << "upsertChannel failed:" << m_lastError;
        rollbackWrite();
        return false;
    }
    QSqlQuery s(db);
    s.prepare(
        QStringLiteral("INSERT INTO streams(stream, server_max_seq) VALUES(?, ?) ON CONFLICT(stream) DO "
                       "UPDATE SET server_max_seq = max(server_max_seq, excluded.server_max_seq)"));
    s.addBindValue(c.name);
    s.addBindValue(static_cast<qint64>(c.serverMaxSeq));
    if (!s.exec()) {
        m_lastError = s.lastError().text();
        rollbackWrite();
        return false;
    }
    return commitWrite();
}

bool HistoryStore::setChannelJoined(const QString &channel, bool joined)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("UPDATE channels SET joined = ? WHERE name = ?"));
    q.addBindValue(joined ? 1 : 0);
    q.addBindValue(channel);
    return run(q) && q.numRowsAffected() > 0;
}

bool HistoryStore::setChannelMembers(const QString &channel, const QStringList &members)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("UPDATE channels SET members = ? WHERE name = ?"));
    q.addBindValue(nn(members.join(QLatin1Char('\n'))));
    q.addBindValue(channel);
    return run(q) && q.numRowsAffected() > 0;
}

bool HistoryStore::setMuted(const QString &channel, bool muted)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("UPDATE channels SET muted = ? WHERE name = ?"));
    q.addBindValue(muted ? 1 : 0);
    q.addBindValue(channel);
    return run(q) && q.numRowsAffected() > 0;
}

namespace {
const QString kChannelSelect =
    QStringLiteral("SELECT c.name, c.kind, c.encrypted, c.members, c.joined, c.muted,"
                   " coalesce(s.server_max_seq, 0), coalesce(s.max_seq, 0), coalesce(r.seq, 0),"
                   " coalesce((SELECT m.server_time_ms FROM messages m WHERE m.channel = c.name"
                   "           ORDER BY m.seq DESC LIMIT 1), 0) AS activity, c.encrypted_from"
                   " FROM channels c LEFT JOIN streams s ON s.stream = c.name"
                   " LEFT JOIN read_positions r ON r.channel = c.name");

ChannelRecord rowToChannel(const QSqlQuery &q)
{
    ChannelRecord c;
    c.name = q.value(0).toString();
    c.kind = static_cast<ChannelRecord::Kind>(q.value(1).toInt());
    c.encrypted = q.value(2).toBool();
    const QString members = q.value(3).toString();
    c.members = members.isEmpty() ? QStringList() : members.split(QLatin1Char('\n'));
    c.joined = q.value(4).toBool();
    c.muted = q.value(5).toBool();
    c.serverMaxSeq = q.value(6).toULongLong();
    c.maxSeq = q.value(7).toULongLong();
    c.readSeq = q.value(8).toULongLong();
    c.lastActivityMs = q.value(9).toLongLong();
    c.encryptedFromSeq = q.value(10).toULongLong();
    return c;
}
} // namespace

std::optional<ChannelRecord> HistoryStore::channel(const QString &name) const
{
    QSqlQuery *q = cached(kChannelSelect + QStringLiteral(" WHERE c.name = ?"));
    if (!q)
        return std::nullopt;
    q->bindValue(0, name);
    std::optional<ChannelRecord> out;
    if (q->exec() && q->next())
        out = rowToChannel(*q);
    q->finish(); // a statement left open would hold its read snapshot
    return out;
}

QList<ChannelRecord> HistoryStore::channels(bool joinedOnly) const
{
    QList<ChannelRecord> out;
    QSqlQuery *q = cached(kChannelSelect + (joinedOnly ? QStringLiteral(" WHERE c.joined = 1") : QString()) +
                          QStringLiteral(" ORDER BY activity DESC, c.name"));
    if (!q || !q->exec()) {
        qCWarning(lcStore) << "channels() failed:" << (q ? q->lastError().text() : m_lastError);
        return out;
    }
    while (q->next())
        out << rowToChannel(*q);
    q->finish();
    return out;
}

// ---- messages ------------------------------------------------------------------------------

HistoryStore::AppendResult HistoryStore::appendMessages(const QString &stream,
                                                        const QList<StoredMessage> &messages,
                                                        quint64 serverMaxSeq)
{
    AppendResult result;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (!beginWrite()) {
        result.error = tr("cannot begin a transaction: %1").arg(m_lastError);
        return result;
    }
    auto abort = [&](const QString &why) {
        rollbackWrite();
        result.ok = false;
        result.error = why;
        result.inserted.clear();
        result.maxSeq = maxSeq(stream);
        return result;
    };
    // Prepared once for the life of the store (catch-up calls this once per batch).
    QSqlQuery *cur = cached(QStringLiteral("SELECT max_seq, server_max_seq FROM streams WHERE stream = ?"));
    QSqlQuery *insert = cached(QStringLiteral(
        "INSERT INTO messages(channel, seq, sender, sender_device, client_msg_id,"
        " server_time_ms, body, encrypted, kind, subject, ref_seq, deleted, plain_text,"
        " attachment_id, attachment)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(channel, seq) DO NOTHING"));
    QSqlQuery *index = cached(QStringLiteral("INSERT INTO messages_fts(rowid, text) VALUES(?, ?)"));
    QSqlQuery *cursor =
        cached(QStringLiteral("INSERT INTO streams(stream, max_seq, server_max_seq) VALUES(?, ?, ?)"
                              " ON CONFLICT(stream) DO UPDATE SET max_seq = excluded.max_seq,"
                              " server_max_seq = excluded.server_max_seq"));
    if (!cur || !insert || !index || !cursor)
        return abort(m_lastError);
    cur->bindValue(0, stream);
    if (!cur->exec())
        return abort(cur->lastError().text());
    quint64 max = 0;
    quint64 serverMax = 0;
    if (cur->next()) {
        max = cur->value(0).toULongLong();
        serverMax = cur->value(1).toULongLong();
    }
    cur->finish();
    QSqlQuery &ins = *insert;
    QSqlQuery &fts = *index;
    for (const StoredMessage &m : messages) {
        if (!m.channel.isEmpty() && m.channel != stream)
            return abort(tr("a message of stream \"%1\" in a batch for \"%2\"").arg(m.channel, stream));
        if (m.seq == 0)
            return abort(tr("a message without seq in \"%1\"").arg(stream));
        if (m.seq <= max)
            continue; // already stored: idempotent
        if (m.seq != max + 1)
            return abort(tr("hole in \"%1\": expected seq %2, got %3").arg(stream).arg(max + 1).arg(m.seq));
        ins.bindValue(0, stream);
        ins.bindValue(1, static_cast<qint64>(m.seq));
        ins.bindValue(2, nn(m.sender));
        ins.bindValue(3, nn(m.senderDevice));
        ins.bindValue(4, m.clientMsgId);
        ins.bindValue(5, m.serverTimeMs);
        ins.bindValue(6, m.body);
        ins.bindValue(7, m.encrypted ? 1 : 0);
        ins.bindValue(8, static_cast<int>(m.kind));
        ins.bindValue(9, nn(m.subject));
        ins.bindValue(10, static_cast<qint64>(m.refSeq));
        ins.bindValue(11, m.deleted ? 1 : 0);
        // A plain attachment's caption (StoredMessage::fromProto); encrypted rows get theirs
        // from setDecryption().
        const bool plainAttachment = m.kind == MessageKind::Attachment && !m.encrypted;
        ins.bindValue(12, plainAttachment ? nn(m.plainText) : QStringLiteral(""));
        ins.bindValue(13, nn(m.attachmentId));
        ins.bindValue(14, plainAttachment && !m.attachment.isEmpty()
                              ? QVariant(m.attachment)
                              : QVariant(QMetaType::fromType<QByteArray>()));
        if (!ins.exec())
            return abort(ins.lastError().text());
        if (ins.numRowsAffected() == 1) {
            if (isFtsIndexed(m)) {
                fts.bindValue(0, ins.lastInsertId());
                fts.bindValue(1, nn(searchText(m.kind, m.text(), m.attachment)));
                if (!fts.exec())
                    return abort(fts.lastError().text());
            }
            StoredMessage stored = m;
            stored.channel = stream;
            // Encrypted edits and deletions count once decrypted and verified (setDecryption).
            if (stored.isAmendment() && !stored.encrypted) {
                quint64 target = 0;
                if (!applyAmendment(stored, stored.text(), &target))
                    return abort(m_lastError);
                if (target && !result.amended.contains(target))
                    result.amended << target;
            }
            result.inserted << stored;
        }
        max = m.seq;
    }
    serverMax = std::max({serverMax, serverMaxSeq, max});
    cursor->bindValue(0, stream);
    cursor->bindValue(1, static_cast<qint64>(max));
    cursor->bindValue(2, static_cast<qint64>(serverMax));
    if (!cursor->exec())
        return abort(cursor->lastError().text());
    if (!commitWrite())
        return abort(tr("commit failed: %1").arg(m_lastError));
    result.ok = true;
    result.maxSeq = max;
    return result;
}

quint64 HistoryStore::maxSeq(const QString &stream) const
{
    QSqlQuery *q = cached(QStringLiteral("SELECT max_seq FROM streams WHERE stream = ?"));
    if (!q)
        return 0;
    q->bindValue(0, stream);
    const quint64 max = q->exec() && q->next() ? q->value(0).toULongLong() : 0;
    q->finish();
    return max;
}

quint64 HistoryStore::serverMaxSeq(const QString &stream) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT server_max_seq FROM streams WHERE stream = ?"));
    q.addBindValue(stream);
    if (q.exec() && q.next())
        return q.value(0).toULongLong();
    return 0;
}

bool HistoryStore::setServerMaxSeq(const QString &stream, quint64 seq)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(
        QStringLiteral("INSERT INTO streams(stream, server_max_seq) VALUES(?, ?) ON CONFLICT(stream) DO "
                       "UPDATE SET server_max_seq = max(server_max_seq, excluded.server_max_seq)"));
    q.addBindValue(stream);
    q.addBindValue(static_cast<qint64>(seq));
    return run(q);
}

bool HistoryStore::skipInboxTo(const QString &stream, quint64 seq)
{
    if (!stream.startsWith(QLatin1Char('~')))
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral(
        "INSERT INTO streams(stream, max_seq, server_max_seq) VALUES(?, ?, ?) ON CONFLICT(stream)"
        " DO UPDATE SET max_seq = max(max_seq, excluded.max_seq),"
        " server_max_seq = max(server_max_seq, excluded.server_max_seq)"));
    q.addBindValue(stream);
    q.addBindValue(static_cast<qint64>(seq));
    q.addBindValue(static_cast<qint64>(seq));
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return false;
    }
    return true;
}

bool HistoryStore::makeDurable()
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

quint64 HistoryStore::count(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT count(*) FROM messages WHERE channel = ?"));
    q.addBindValue(channel);
    if (q.exec() && q.next())
        return q.value(0).toULongLong();
    return 0;
}

quint64 HistoryStore::maxVisibleSeq(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT max(seq) FROM messages WHERE channel = ?%1").arg(kVisible));
    q.addBindValue(channel);
    if (q.exec() && q.next())
        return q.value(0).toULongLong();
    return 0;
}

quint64 HistoryStore::minSeq(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT min(seq) FROM messages WHERE channel = ?"));
    q.addBindValue(channel);
    if (q.exec() && q.next())
        return q.value(0).toULongLong();
    return 0;
}

std::optional<StoredMessage> HistoryStore::message(const QString &channel, quint64 seq) const
{
    const auto rows = page(channel, seq, seq);
    if (rows.isEmpty())
        return std::nullopt;
    return rows.first();
}

std::optional<StoredMessage> HistoryStore::latestMessage(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE channel = ?%2 ORDER BY seq DESC LIMIT 1")
                  .arg(kMessageColumns, kVisible));
    q.addBindValue(channel);
    if (q.exec() && q.next())
        return rowToMessage(q);
    return std::nullopt;
}

QList<StoredMessage> HistoryStore::page(const QString &channel, quint64 fromSeq, quint64 toSeq) const
{
    QList<StoredMessage> out;
    if (toSeq < fromSeq)
        return out;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE channel = ? AND seq BETWEEN ? AND ? ORDER BY seq")
                  .arg(kMessageColumns));
    q.addBindValue(channel);
    q.addBindValue(static_cast<qint64>(fromSeq));
    q.addBindValue(static_cast<qint64>(std::min<quint64>(toSeq, std::numeric_limits<qint64>::max())));
    if (!q.exec()) {
        qCWarning(lcStore) << "page() failed:" << q.lastError().text();
        return out;
    }
    while (q.next())
        out << rowToMessage(q);
    return out;
}

QList<StoredMessage> HistoryStore::rowsBefore(const QString &channel, quint64 beforeSeq, int limit) const
{
    QList<StoredMessage> out;
    if (limit <= 0)
        return out;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    q.prepare(
        QStringLiteral("SELECT %1 FROM messages WHERE channel = ? AND seq < ?%2 ORDER BY seq DESC LIMIT ?")
            .arg(kMessageColumns, kVisible));
    q.addBindValue(channel);
    q.addBindValue(static_cast<qint64>(std::min<quint64>(beforeSeq, std::numeric_limits<qint64>::max())));
    q.addBindValue(limit);
    if (!q.exec())
        return out;
    while (q.next())
        out.prepend(rowToMessage(q));
    return out;
}

QList<StoredMessage> HistoryStore::rowsAfter(const QString &channel, quint64 afterSeq, int limit) const
{
    QList<StoredMessage> out;
    if (limit <= 0)
        return out;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE channel = ? AND seq > ?%2 ORDER BY seq LIMIT ?")
                  .arg(kMessageColumns, kVisible));
    q.addBindValue(channel);
    q.addBindValue(static_cast<qint64>(afterSeq));
    q.addBindValue(limit);
    if (!q.exec())
        return out;
    while (q.next())
        out << rowToMessage(q);
    return out;
}

quint64 HistoryStore::countBefore(const QString &channel, quint64 seq) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT count(*) FROM messages WHERE channel = ? AND seq < ?%1").arg(kVisible));
    q.addBindValue(channel);
    q.addBindValue(static_cast<qint64>(std::min<quint64>(seq, std::numeric_limits<qint64>::max())));
    if (q.exec() && q.next())
        return q.value(0).toULongLong();
    return 0;
}

QStringList HistoryStore::recentSenders(const QString &channel, int limit) const
{
    QStringList out;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT sender FROM messages WHERE channel = ? AND kind IN %1 AND sender <> ''"
                             " GROUP BY lower(sender) ORDER BY max(seq) DESC LIMIT ?")
                  .arg(kChatKinds));
    q.addBindValue(channel);
    q.addBindValue(limit);
    if (q.exec())
        while (q.next())
            out << q.value(0).toString();
    return out;
}

// ---- local decryption results -------------------------------------------------------------

bool HistoryStore::setDecryption(const QString &channel, quint64 seq, StoredMessage::CryptoState state,
                                 const QString &plainText, const QString &reason, quint64 *amendedSeq,
                                 const QByteArray &attachment, qint64 senderTimeMs)
{
    if (!beginWrite())
        return false;
    auto abort = [&](const QString &error) {
        m_lastError = error;
        qCWarning(lcStore) << "setDecryption failed:" << m_lastError;
        rollbackWrite();
        return false;
    };
    QSqlQuery *row =
        cached(QStringLiteral("SELECT id, kind, deleted, edit_seq, plain_text, attachment_id FROM messages"
                              " WHERE channel = ? AND seq = ?"));
    if (!row)
        return abort(m_lastError);
    row->bindValue(0, channel);
    row->bindValue(1, static_cast<qint64>(seq));
    if (!row->exec())
        return abort(row->lastError().text());
    if (!row->next()) {
        row->finish();
        return abort(tr("no message %1 in \"%2\"").arg(seq).arg(channel));
    }
    const qint64 rowId = row->value(0).toLongLong();
    const auto kind = static_cast<MessageKind>(row->value(1).toInt());
    const bool deleted = row->value(2).toBool();
    const bool edited = row->value(3).toULongLong() != 0;
    const QString shownBefore = row->value(4).toString();
    const QString attachmentId = row->value(5).toString();
    row->finish();
    const bool decrypted = state == StoredMessage::CryptoState::Decrypted;
    // A message edited or deleted before its own key arrived keeps the text of that edit (none
    // when deleted): the original text must not come back.
    QString shown = decrypted ? plainText : QString();
    if (deleted)
        shown.clear();
    else if (edited)
        shown = shownBefore;
    // An attachment keeps its content only when it names the upload the gateway delivered.
    QByteArray content;
    if (kind == MessageKind::Attachment && decrypted && !deleted) {
        const auto info = AttachmentInfo::parse(attachment);
        if (info && info->id == attachmentId)
            content = attachment;
    }
    QSqlQuery *up =
        cached(QStringLiteral("UPDATE messages SET plain_text = ?, crypto_state = ?, crypto_reason = ?,"
                              " attachment = ?, sender_time_ms = ? WHERE id = ?"));
    if (!up)
        return abort(m_lastError);
    up->bindValue(0, nn(shown));
    up->bindValue(1, static_cast<int>(state));
    up->bindValue(2, nn(reason));
    up->bindValue(3, content.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(content));
    up->bindValue(4, decrypted ? senderTimeMs : qint64(0));
    up->bindValue(5, rowId);
    if (!up->exec())
        return abort(up->lastError().text());
    if ((kind == MessageKind::Text || kind == MessageKind::Attachment) &&
        !reindex(rowId, decrypted && !deleted ? searchText(kind, shown, content) : QString()))
        return abort(m_lastError);
    if (decrypted && (kind == MessageKind::Edit || kind == MessageKind::Delete)) {
        auto amendment = message(channel, seq);
        if (!amendment)
            return abort(tr("no message %1 in \"%2\"").arg(seq).arg(channel));
        quint64 target = 0;
        if (!applyAmendment(*amendment, plainText, &target))
            return abort(m_lastError);
        if (amendedSeq)
            *amendedSeq = target;
    }
    if (!commitWrite())
        return abort(m_lastError);
    return true;
}

bool HistoryStore::reindex(qint64 rowId, const QString &text)
{
    QSqlQuery *del = cached(QStringLiteral("DELETE FROM messages_fts WHERE rowid = ?"));
    if (!del)
        return false;
    del->bindValue(0, rowId);
    if (!del->exec()) {
        m_lastError = del->lastError().text();
        return false;
    }
    if (text.isEmpty())
        return true;
    QSqlQuery *fts = cached(QStringLiteral("INSERT INTO messages_fts(rowid, text) VALUES(?, ?)"));
    if (!fts)
        return false;
    fts->bindValue(0, rowId);
    fts->bindValue(1, text);
    if (!fts->exec()) {
        m_lastError = fts->lastError().text();
        return false;
    }
    return true;
}

// Inside the caller's transaction. An edit replaces the shown text of its target, a deletion
// erases the target's body and text (and those of its edits) and takes it out of the search
// index. Only the target's own sender may do either; anything else is ignored (not an error: a
// gateway that relays such a message is not trusted for it, and the history stays storable).
bool HistoryStore::applyAmendment(const StoredMessage &a, const QString &text, quint64 *targetSeq)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    auto failed = [this](const QSqlQuery &q) {
        m_lastError = q.lastError().text();
        return false;
    };
    QSqlQuery t(db);
    t.prepare(QStringLiteral("SELECT id, sender, kind, deleted, edit_seq, encrypted, attachment FROM messages"
                             " WHERE channel = ? AND seq = ?"));
    t.addBindValue(a.channel);
    t.addBindValue(static_cast<qint64>(a.refSeq));
    if (!t.exec())
        return failed(t);
    const auto targetKind = t.next() ? static_cast<MessageKind>(t.value(2).toInt()) : MessageKind::KeyShare;
    if (a.refSeq >= a.seq || (targetKind != MessageKind::Text && targetKind != MessageKind::Attachment) ||
        t.value(1).toString().compare(a.sender, Qt::CaseInsensitive) != 0 || t.value(3).toBool() ||
        t.value(5).toBool() != a.encrypted) {
        qCInfo(lcStore) << "ignored" << (a.kind == MessageKind::Edit ? "edit" : "deletion") << a.seq << "of"
                        << a.refSeq << "in" << a.channel;
        return true;
    }
    const qint64 rowId = t.value(0).toLongLong();
    const quint64 editSeq = t.value(4).toULongLong();
    const QByteArray attachment = t.value(6).toByteArray();
    t.finish();
    if (a.kind == MessageKind::Edit) {
        if (a.seq <= editSeq || text.isEmpty())
            return true; // an older edit decrypted late, or an edit whose text was erased
        QSqlQuery up(db);
        // An attachment's caption is its plainText, also in a plain channel (the body is its content).
        const bool inPlainText = a.encrypted || targetKind == MessageKind::Attachment;
        up.prepare(inPlainText
                       ? QStringLiteral("UPDATE messages SET plain_text = ?, edit_seq = ? WHERE id = ?")
                       : QStringLiteral("UPDATE messages SET body = ?, edit_seq = ? WHERE id = ?"));
        if (inPlainText)
            up.addBindValue(text);
        else
            up.addBindValue(text.toUtf8());
        up.addBindValue(static_cast<qint64>(a.seq));
        up.addBindValue(rowId);
        if (!up.exec())
            return failed(up);
        if (!reindex(rowId, searchText(targetKind, text, attachment)))
            return false;
    } else {
        QSqlQuery up(db);
        up.prepare(
            QStringLiteral("UPDATE messages SET body = x'', plain_text = '', attachment = NULL, deleted = 1,"
                           " edit_seq = ? WHERE id = ?"));
        up.addBindValue(static_cast<qint64>(a.seq));
        up.addBindValue(rowId);
        if (!up.exec())
            return failed(up);
        QSqlQuery edits(db);
        edits.prepare(
            QStringLiteral("UPDATE messages SET body = x'', plain_text = '' WHERE channel = ? AND ref_seq = ?"
                           " AND kind = ?"));
        edits.addBindValue(a.channel);
        edits.addBindValue(static_cast<qint64>(a.refSeq));
        edits.addBindValue(static_cast<int>(MessageKind::Edit));
        if (!edits.exec())
            return failed(edits);
        if (!reindex(rowId, {}))
            return false;
    }
    *targetSeq = a.refSeq;
    return true;
}

// ---- read positions ------------------------------------------------------------------------

quint64 HistoryStore::readSeq(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT seq FROM read_positions WHERE channel = ?"));
    q.addBindValue(channel);
    if (q.exec() && q.next())
        return q.value(0).toULongLong();
    return 0;
}

bool HistoryStore::setReadSeq(const QString &channel, quint64 seq, bool synced)
{
    if (seq <= readSeq(channel))
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(
        QStringLiteral("INSERT INTO read_positions(channel, seq, synced) VALUES(?, ?, ?)"
                       " ON CONFLICT(channel) DO UPDATE SET seq = excluded.seq, synced = excluded.synced"
                       " WHERE excluded.seq > read_positions.seq"));
    q.addBindValue(channel);
    q.addBindValue(static_cast<qint64>(seq));
    q.addBindValue(synced ? 1 : 0);
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return false;
    }
    return q.numRowsAffected() > 0;
}

QList<QPair<QString, quint64>> HistoryStore::unsyncedReadPositions() const
{
    QList<QPair<QString, quint64>> out;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (q.exec(QStringLiteral("SELECT channel, seq FROM read_positions WHERE synced = 0 ORDER BY channel")))
        while (q.next())
            out.append({q.value(0).toString(), q.value(1).toULongLong()});
    return out;
}

bool HistoryStore::markReadPositionSynced(const QString &channel, quint64 seq)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("UPDATE read_positions SET synced = 1 WHERE channel = ? AND seq <= ?"));
    q.addBindValue(channel);
    q.addBindValue(static_cast<qint64>(seq));
    return run(q);
}

quint64 HistoryStore::unreadCount(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(
        QStringLiteral(
            "SELECT count(*) FROM messages WHERE channel = ? AND seq > ? AND kind IN %1 AND sender <> ?")
            .arg(kChatKinds));
    q.addBindValue(channel);
    q.addBindValue(static_cast<qint64>(readSeq(channel)));
    q.addBindValue(m_ownNick);
    if (q.exec() && q.next())
        return q.value(0).toULongLong();
    return 0;
}

quint64 HistoryStore::firstUnreadSeq(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(
        QStringLiteral(
            "SELECT min(seq) FROM messages WHERE channel = ? AND seq > ? AND kind IN %1 AND sender <> ?")
            .arg(kChatKinds));
    q.addBindValue(channel);
    q.addBindValue(static_cast<qint64>(readSeq(channel)));
    q.addBindValue(m_ownNick);
    if (q.exec() && q.next())
        return q.value(0).toULongLong();
    return 0;
}

// ---- search --------------------------------------------------------------------------------

QList<SearchHit> HistoryStore::search(const QString &query, int limit, const QString &channel) const
{
    QList<SearchHit> out;
    const QString match = ftsQuery(query);
    if (match.isEmpty() || limit <= 0)
        return out;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    q.prepare(
        QStringLiteral("SELECT m.channel, m.seq, m.sender, m.server_time_ms,"
                       " snippet(messages_fts, 0, char(2), char(3), '…', 16)"
                       " FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
                       " WHERE messages_fts MATCH ? %1 ORDER BY m.server_time_ms DESC, m.id DESC LIMIT ?")
            .arg(channel.isEmpty() ? QString() : QStringLiteral("AND m.channel = ?")));
    q.addBindValue(match);
    if (!channel.isEmpty())
        q.addBindValue(channel);
    q.addBindValue(limit);
    if (!q.exec()) {
        qCWarning(lcStore) << "search failed:" << q.lastError().text();
        return out;
    }
    while (q.next()) {
        SearchHit h;
        h.channel = q.value(0).toString();
        h.seq = q.value(1).toULongLong();
        h.sender = q.value(2).toString();
        h.serverTimeMs = q.value(3).toLongLong();
        h.snippet = q.value(4).toString();
        out << h;
    }
    return out;
}

// ---- drafts --------------------------------------------------------------------------------

QString HistoryStore::draft(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT text FROM drafts WHERE channel = ?"));
    q.addBindValue(channel);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return {};
}

bool HistoryStore::setDraft(const QString &channel, const QString &text)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (text.isEmpty()) {
        q.prepare(QStringLiteral("DELETE FROM drafts WHERE channel = ?"));
        q.addBindValue(channel);
    } else {
        q.prepare(QStringLiteral("INSERT INTO drafts(channel, text) VALUES(?, ?)"
                                 " ON CONFLICT(channel) DO UPDATE SET text = excluded.text"));
        q.addBindValue(channel);
        q.addBindValue(text);
    }
    return run(q);
}

// ---- outbox --------------------------------------------------------------------------------

qint64 HistoryStore::addOutbox(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body,
                               MessageKind kind, bool encrypted, const QString &plainText, quint64 refSeq,
                               const QString &attachmentId)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral(
        "INSERT INTO outbox(channel, client_msg_id, body, encrypted, kind, state, created_ms,"
        " updated_ms, plain_text, ref_seq, attachment_id) VALUES(?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)"));
    const qint64 now = nowMs();
    q.addBindValue(channel);
    q.addBindValue(clientMsgId);
    q.addBindValue(body.isNull() ? QByteArray("", 0) : body); // a plain deletion: empty, not NULL
    q.addBindValue(encrypted ? 1 : 0);
    q.addBindValue(static_cast<int>(kind));
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(nn(plainText));
    q.addBindValue(static_cast<qint64>(refSeq));
    q.addBindValue(nn(attachmentId));
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        qCWarning(lcStore) << "addOutbox failed:" << m_lastError;
        return 0;
    }
    return q.lastInsertId().toLongLong();
}

std::optional<OutboxEntry> HistoryStore::outboxEntry(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT %1 FROM outbox WHERE id = ?").arg(kOutboxColumns));
    q.addBindValue(id);
    if (q.exec() && q.next())
        return rowToOutbox(q);
    return std::nullopt;
}

std::optional<OutboxEntry> HistoryStore::nextPending() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(
        QStringLiteral("SELECT %1 FROM outbox WHERE state = 0 ORDER BY id LIMIT 1").arg(kOutboxColumns));
    if (q.exec() && q.next())
        return rowToOutbox(q);
    return std::nullopt;
}

QList<OutboxEntry> HistoryStore::outbox(const QString &channel, QList<OutboxEntry::State> states) const
{
    QStringList where;
    if (!channel.isEmpty())
        where << QStringLiteral("channel = ?");
    if (!states.isEmpty()) {
        QStringList in;
        for (auto s : states)
            in << QString::number(static_cast<int>(s));
        where << QStringLiteral("state IN (%1)").arg(in.join(QLatin1Char(',')));
    }
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT %1 FROM outbox %2 ORDER BY id")
                  .arg(kOutboxColumns, where.isEmpty()
                                           ? QString()
                                           : QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND "))));
    if (!channel.isEmpty())
        q.addBindValue(channel);
    QList<OutboxEntry> out;
    if (q.exec())
        while (q.next())
            out << rowToOutbox(q);
    return out;
}

bool HistoryStore::markOutboxSent(qint64 id, quint64 seq)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(
        QStringLiteral("UPDATE outbox SET state = 1, seq = ?, error = '', updated_ms = ? WHERE id = ?"));
    q.addBindValue(static_cast<qint64>(seq));
    q.addBindValue(nowMs());
    q.addBindValue(id);
    return run(q) && q.numRowsAffected() == 1;
}

bool HistoryStore::markOutboxFailed(qint64 id, const QString &reason)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("UPDATE outbox SET state = 2, error = ?, updated_ms = ? WHERE id = ?"));
    q.addBindValue(nn(reason));
    q.addBindValue(nowMs());
    q.addBindValue(id);
    return run(q) && q.numRowsAffected() == 1;
}

bool HistoryStore::markOutboxPending(qint64 id)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral(
        "UPDATE outbox SET state = 0, error = '', updated_ms = ? WHERE id = ? AND state <> 1"));
    q.addBindValue(nowMs());
    q.addBindValue(id);
    return run(q) && q.numRowsAffected() == 1;
}

// ---- attachments on their way out ------------------------------------------------------------

namespace {
const QString kUploadColumns = QStringLiteral(
    "id, channel, client_msg_id, file_path, staged_path, upload_id, content, encrypted, ref_seq, created_ms");

HistoryStore::PendingUpload rowToUpload(const QSqlQuery &q)
{
    HistoryStore::PendingUpload u;
    u.id = q.value(0).toLongLong();
    u.channel = q.value(1).toString();
    u.clientMsgId = q.value(2).toByteArray();
    u.filePath = q.value(3).toString();
    u.stagedPath = q.value(4).toString();
    u.uploadId = q.value(5).toString();
    u.content = q.value(6).toByteArray();
    u.encrypted = q.value(7).toBool();
    u.refSeq = q.value(8).toULongLong();
    u.createdMs = q.value(9).toLongLong();
    return u;
}
} // namespace

qint64 HistoryStore::addUpload(const PendingUpload &upload)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(
        QStringLiteral("INSERT INTO uploads(channel, client_msg_id, file_path, content, encrypted, ref_seq,"
                       " created_ms) VALUES(?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(upload.channel);
    q.addBindValue(upload.clientMsgId);
    q.addBindValue(nn(upload.filePath));
    q.addBindValue(upload.content);
    q.addBindValue(upload.encrypted ? 1 : 0);
    q.addBindValue(static_cast<qint64>(upload.refSeq));
    q.addBindValue(nowMs());
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        qCWarning(lcStore) << "addUpload failed:" << m_lastError;
        return 0;
    }
    return q.lastInsertId().toLongLong();
}

bool HistoryStore::setUploadStaged(qint64 id, const QString &stagedPath, const QByteArray &content)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("UPDATE uploads SET staged_path = ?, content = ? WHERE id = ?"));
    q.addBindValue(nn(stagedPath));
    q.addBindValue(content);
    q.addBindValue(id);
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return false;
    }
    return q.numRowsAffected() == 1;
}

bool HistoryStore::setUploadId(qint64 id, const QString &uploadId)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("UPDATE uploads SET upload_id = ? WHERE id = ?"));
    q.addBindValue(nn(uploadId));
    q.addBindValue(id);
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return false;
    }
    return q.numRowsAffected() == 1;
}

bool HistoryStore::removeUpload(qint64 id)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("DELETE FROM uploads WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return false;
    }
    return true;
}

std::optional<HistoryStore::PendingUpload> HistoryStore::upload(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT %1 FROM uploads WHERE id = ?").arg(kUploadColumns));
    q.addBindValue(id);
    if (q.exec() && q.next())
        return rowToUpload(q);
    return std::nullopt;
}

QList<HistoryStore::PendingUpload> HistoryStore::uploads() const
{
    QList<PendingUpload> out;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT %1 FROM uploads ORDER BY id").arg(kUploadColumns));
    if (q.exec())
        while (q.next())
            out << rowToUpload(q);
    return out;
}

QString HistoryStore::attachmentFile(const QString &attachmentId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("SELECT path FROM attachment_files WHERE attachment_id = ?"));
    q.addBindValue(attachmentId);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return {};
}

bool HistoryStore::setAttachmentFile(const QString &attachmentId, const QString &path)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("INSERT INTO attachment_files(attachment_id, path) VALUES(?, ?)"
                             " ON CONFLICT(attachment_id) DO UPDATE SET path = excluded.path"));
    q.addBindValue(attachmentId);
    q.addBindValue(path);
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return false;
    }
    return true;
}

bool HistoryStore::removeAttachmentFile(const QString &attachmentId)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(QStringLiteral("DELETE FROM attachment_files WHERE attachment_id = ?"));
    q.addBindValue(attachmentId);
    return run(q);
}

} // namespace hchat
