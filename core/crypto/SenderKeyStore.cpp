#include "crypto/SenderKeyStore.h"

#include "crypto/CanonicalBytes.h"
#include "crypto/CryptoLogging.h"
#include "crypto/Sodium.h"

#include <QAtomicInt>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sodium.h>

namespace hchat::crypto {

namespace {
QString cacheKey(const QString &channel, const QString &device, const QByteArray &sid)
{
    return channel + QLatin1Char('\n') + device + QLatin1Char('\n') + QString::fromLatin1(sid.toHex());
}

QByteArray inboundAd(const QString &channel, const QString &device, const QByteArray &sid)
{
    return CanonicalBytes("hchat-store-inbound-v1").add(channel).add(device).add(sid).bytes();
}

QByteArray outboundAd(const QString &channel, const QByteArray &sid)
{
    return CanonicalBytes("hchat-store-outbound-v1").add(channel).add(sid).bytes();
}
} // namespace

SenderKeyStore::SenderKeyStore() : SealedStore("sender key store") {}

SenderKeyStore::~SenderKeyStore()
{
    close();
}

bool SenderKeyStore::open(const QString &path, const SecureBuffer &storageKey)
{
    close();
    int version = 0;
    if (!openFile(path, storageKey, kSchemaVersion, &version))
        return false;
    const bool ok =
        exec(QStringLiteral("PRAGMA journal_mode=WAL")) &&
        exec(QStringLiteral("PRAGMA synchronous=NORMAL")) &&
        exec(QStringLiteral("CREATE TABLE IF NOT EXISTS inbound_session ("
                            " channel TEXT NOT NULL, sender TEXT NOT NULL, sender_device TEXT NOT NULL,"
                            " session_id BLOB NOT NULL, start_index INTEGER NOT NULL,"
                            " sealed_key BLOB NOT NULL, received_ms INTEGER NOT NULL,"
                            " PRIMARY KEY (channel, sender_device, session_id))")) &&
        exec(QStringLiteral("CREATE TABLE IF NOT EXISTS seen_index ("
                            " sender_device TEXT NOT NULL, session_id BLOB NOT NULL, idx INTEGER NOT NULL,"
                            " channel TEXT NOT NULL, seq INTEGER NOT NULL,"
                            " PRIMARY KEY (sender_device, session_id, idx)) WITHOUT ROWID")) &&
        exec(QStringLiteral("CREATE TABLE IF NOT EXISTS outbound_session ("
                            " channel TEXT PRIMARY KEY, session_id BLOB NOT NULL,"
                            " start_index INTEGER NOT NULL, next_index INTEGER NOT NULL,"
                            " rotation_requested INTEGER NOT NULL, sealed_key BLOB NOT NULL,"
                            " created_ms INTEGER NOT NULL)")) &&
        exec(QStringLiteral("CREATE TABLE IF NOT EXISTS outbound_share ("
                            " channel TEXT NOT NULL, session_id BLOB NOT NULL, recipient TEXT NOT NULL,"
                            " recipient_device TEXT NOT NULL,"
                            " PRIMARY KEY (channel, session_id, recipient_device)) WITHOUT ROWID")) &&
        exec(QStringLiteral("CREATE TABLE IF NOT EXISTS waiting ("
                            " channel TEXT NOT NULL, seq INTEGER NOT NULL, sender_device TEXT NOT NULL,"
                            " session_id BLOB NOT NULL, PRIMARY KEY (channel, seq))")) &&
        exec(QStringLiteral("CREATE INDEX IF NOT EXISTS waiting_by_session ON waiting"
                            " (channel, sender_device, session_id)")) &&
        exec(
            QStringLiteral("CREATE TABLE IF NOT EXISTS membership ("
                           " channel TEXT PRIMARY KEY, members TEXT NOT NULL, last_seq INTEGER NOT NULL)")) &&
        // 2: the ratchet. Sessions stored before it keep their indexed derivation (1).
        (version >= 2 ||
         (exec(QStringLiteral(
              "ALTER TABLE inbound_session ADD COLUMN derivation INTEGER NOT NULL DEFAULT 1")) &&
          exec(QStringLiteral(
              "ALTER TABLE outbound_session ADD COLUMN derivation INTEGER NOT NULL DEFAULT 1")))) &&
        // 3: signed membership. What was derived before stays the legacy membership of
        // those channels; every channel met from now on keeps its events instead.
        (version >= 3 ||
         (exec(QStringLiteral("ALTER TABLE membership ADD COLUMN legacy INTEGER NOT NULL DEFAULT 1")) &&
          exec(QStringLiteral("CREATE TABLE IF NOT EXISTS membership_event ("
                              " channel TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL,"
                              " sender TEXT NOT NULL, sender_device TEXT NOT NULL, subject TEXT NOT NULL,"
                              " body BLOB NOT NULL, PRIMARY KEY (channel, seq)) WITHOUT ROWID")))) &&
        exec(QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion));
    if (!ok) {
        close(); // lastError() keeps why
        return false;
    }
    return true;
}

void SenderKeyStore::close()
{
    writeSeen();
    m_pendingSeen.clear();
    m_inboundCache.clear();
    m_seen.clear();
    m_seenEntries = 0;
    closeFile();
}

bool SenderKeyStore::addInbound(const QString &sender, const QString &senderDevice,
                                const SenderSession &session)
{
    if (!m_open)
        return fail(QStringLiteral("not open"));
    const QString channel = session.channel();
    const QByteArray sid = session.sessionId();
    if (const SenderSession *existing = inbound(channel, senderDevice, sid)) {
        if (!existing->sameChain(session)) {
            qCWarning(lcCrypto).noquote() << "conflicting key share for session" << sid.toHex().left(8)
                                          << "from" << sender << senderDevice << "refused";
            return fail(QStringLiteral("a different key for a known session was refused"));
        }
        if (session.startIndex() >= existing->startIndex())
            return true; // nothing new
    }
    // The chain from the earlier index replaces the later one (it reads everything that one does).
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(
        QStringLiteral("INSERT INTO inbound_session (channel, sender, sender_device, session_id, start_index,"
                       " sealed_key, received_ms, derivation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (channel, sender_device, session_id) DO UPDATE SET"
                       " start_index = excluded.start_index, sealed_key = excluded.sealed_key"));
    q.addBindValue(channel);
    q.addBindValue(sender);
    q.addBindValue(senderDevice);
    q.addBindValue(sid);
    q.addBindValue(qint64(session.startIndex()));
    q.addBindValue(seal(session.key(), inboundAd(channel, senderDevice, sid)));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(int(session.derivation()));
    if (!q.exec())
        return fail(q.lastError().text());
    m_inboundCache.erase(cacheKey(channel, senderDevice, sid));
    return true;
}

const SenderSession *SenderKeyStore::inbound(const QString &channel, const QString &senderDevice,
                                             const QByteArray &sessionId)
{
    if (!m_open)
        return nullptr;
    const QString ck = cacheKey(channel, senderDevice, sessionId);
    auto it = m_inboundCache.find(ck);
    if (it != m_inboundCache.end())
        return &it->second;
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("SELECT start_index, sealed_key, derivation FROM inbound_session"
                             " WHERE channel = ? AND sender_device = ? AND session_id = ?"));
    q.addBindValue(channel);
    q.addBindValue(senderDevice);
    q.addBindValue(sessionId);
    if (!q.exec() || !q.next())
        return nullptr;
    const SecureBuffer key = unseal(q.value(1).toByteArray(), inboundAd(channel, senderDevice, sessionId),
                                    SenderSession::kKeyBytes);
    if (key.isNull()) {
        qCWarning(lcCrypto) << "a stored sender key does not unseal (other device key, or damaged)";
        return nullptr;
    }
    auto session = SenderSession::fromKey(channel, sessionId, quint32(q.value(0).toLongLong()), key.view(), 0,
                                          SenderSession::Derivation(q.value(2).toInt()));
    if (!session)
        return nullptr;
    // Each cached key sits in guarded memory (two mappings of its own): a cache that only grew
    // would, after some tens of thousands of sessions, run the process out of mappings.
    constexpr std::size_t kMaxCachedSessions = 256;
    if (m_inboundCache.size() >= kMaxCachedSessions)
        m_inboundCache.clear();
    return &m_inboundCache.emplace(ck, std::move(*session)).first->second;
}

int SenderKeyStore::inboundCount(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(channel.isEmpty() ? QStringLiteral("SELECT COUNT(*) FROM inbound_session")
                                : QStringLiteral("SELECT COUNT(*) FROM inbound_session WHERE channel = ?"));
    if (!channel.isEmpty())
        q.addBindValue(channel);
    return q.exec() && q.next() ? q.value(0).toInt() : 0;
}

SenderKeyStore::SeenIndices &SenderKeyStore::seenOf(const QString &senderDevice,
                                                    const QByteArray &sessionId) const
{
    const QByteArray key = senderDevice.toUtf8() + '\0' + sessionId;
    auto it = m_seen.find(key);
    if (it != m_seen.end())
        return *it;
    // A bound on memory: past it, the records are read again as sessions are asked about.
    constexpr qsizetype kMaxSeenEntries = 250000;
    if (m_seenEntries > kMaxSeenEntries) {
        m_seen.clear();
        m_seenEntries = 0;
    }
    SeenIndices &indices = m_seen[key];
    QSqlQuery *q = cached(QStringLiteral(
        "SELECT idx, channel, seq FROM seen_index WHERE sender_device = ? AND session_id = ?"));
    if (!q)
        return indices;
    q->bindValue(0, senderDevice);
    q->bindValue(1, sessionId);
    if (q->exec()) {
        QString channel;
        while (q->next()) {
            const QString c = q->value(1).toString();
            if (c != channel)
                channel = c;
            indices.insert(quint32(q->value(0).toLongLong()),
                           Seen{channel, quint64(q->value(2).toLongLong())});
        }
    }
    q->finish();
    m_seenEntries += indices.size();
    return indices;
}

std::vector<SenderKeyStore::HeldSession> SenderKeyStore::heldSessions() const
{
    std::vector<HeldSession> held;
    if (!m_open)
        return held;
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("SELECT channel, sender, sender_device, session_id, start_index, sealed_key"
                             " FROM inbound_session WHERE derivation = ? ORDER BY received_ms, rowid"));
    q.addBindValue(int(SenderSession::Derivation::Ratchet));
    if (!q.exec()) {
        fail(q.lastError().text());
        return held;
    }
    while (q.next()) {
        const QString channel = q.value(0).toString();
        const QString device = q.value(2).toString();
        const QByteArray sid = q.value(3).toByteArray();
        const SecureBuffer key =
            unseal(q.value(5).toByteArray(), inboundAd(channel, device, sid), SenderSession::kKeyBytes);
        if (key.isNull())
            continue;
        auto session = SenderSession::fromKey(channel, sid, quint32(q.value(4).toLongLong()), key.view(), 0,
                                              SenderSession::Derivation::Ratchet);
        if (session)
            held.push_back(HeldSession{q.value(1).toString(), device, std::move(*session)});
    }
    return held;
}

bool SenderKeyStore::isReplay(const QString &senderDevice, const QByteArray &sessionId, quint32 index,
                              const QString &channel, quint64 seq) const
{
    if (!m_open)
        return false;
    const SeenIndices &indices = seenOf(senderDevice, sessionId);
    const auto it = indices.constFind(index);
    return it != indices.cend() && (it->channel != channel || it->seq != seq);
}

bool SenderKeyStore::markSeen(const QString &senderDevice, const QByteArray &sessionId, quint32 index,
                              const QString &channel, quint64 seq)
{
    if (!m_open)
        return fail(QStringLiteral("not open"));
    SeenIndices &indices = seenOf(senderDevice, sessionId);
    if (indices.contains(index))
        return true; // the first record stays (INSERT OR IGNORE)
    indices.insert(index, Seen{channel, seq});
    ++m_seenEntries;
    m_pendingSeen.append(PendingSeen{senderDevice, sessionId, index, Seen{channel, seq}});
    return m_batchDepth > 0 || writeSeen();
}

bool SenderKeyStore::writeSeen()
{
    if (m_pendingSeen.isEmpty() || !m_open)
        return true;
    const QList<PendingSeen> pending = std::exchange(m_pendingSeen, {});
    QSqlQuery *q = cached(
        QStringLiteral("INSERT OR IGNORE INTO seen_index (sender_device, session_id, idx, channel, seq)"
                       " VALUES (?, ?, ?, ?, ?)"));
    bool ok = q != nullptr;
    for (const PendingSeen &p : pending) {
        if (!ok)
            break;
        q->bindValue(0, p.senderDevice);
        q->bindValue(1, p.sessionId);
        q->bindValue(2, qint64(p.index));
        q->bindValue(3, p.seen.channel);
        q->bindValue(4, qint64(p.seen.seq));
        ok = q->exec() || fail(q->lastError().text());
    }
    if (!ok) {
        // What memory holds must not outlive what the file lost: read it again when next asked.
        m_seen.clear();
        m_seenEntries = 0;
    }
    return ok;
}

bool SenderKeyStore::saveOutbound(const SenderSession &session)
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO outbound_session (channel, session_id, start_index, next_index,"
        " rotation_requested, sealed_key, derivation, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?,"
        " COALESCE((SELECT created_ms FROM outbound_session WHERE channel = ? AND session_id = ?), ?))"));
    q.addBindValue(session.channel());
    q.addBindValue(session.sessionId());
    q.addBindValue(qint64(session.startIndex()));
    q.addBindValue(qint64(session.nextIndex()));
    q.addBindValue(session.rotationRequested() ? 1 : 0);
    q.addBindValue(seal(session.key(), outboundAd(session.channel(), session.sessionId())));
    q.addBindValue(int(session.derivation()));
    q.addBindValue(session.channel());
    q.addBindValue(session.sessionId());
    q.addBindValue(session.createdMs());
    return q.exec() || fail(q.lastError().text());
}

std::optional<SenderSession> SenderKeyStore::outbound(const QString &channel) const
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral(
        "SELECT session_id, start_index, next_index, rotation_requested, sealed_key, derivation,"
        " created_ms FROM outbound_session WHERE channel = ?"));
    q.addBindValue(channel);
    if (!q.exec() || !q.next())
        return std::nullopt;
    const QByteArray sid = q.value(0).toByteArray();
    const SecureBuffer key =
        unseal(q.value(4).toByteArray(), outboundAd(channel, sid), SenderSession::kKeyBytes);
    if (key.isNull())
        return std::nullopt;
    auto s = SenderSession::fromKey(channel, sid, quint32(q.value(1).toLongLong()), key.view(),
                                    quint32(q.value(2).toLongLong()),
                                    SenderSession::Derivation(q.value(5).toInt()), q.value(6).toLongLong());
    if (s && q.value(3).toInt())
        s->requestRotation();
    return s;
}

bool SenderKeyStore::removeOutbound(const QString &channel)
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("DELETE FROM outbound_session WHERE channel = ?"));
    q.addBindValue(channel);
    return q.exec() || fail(q.lastError().text());
}

bool SenderKeyStore::recordShare(const QString &channel, const QByteArray &sessionId,
                                 const QString &recipient, const QString &recipientDevice)
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral(
        "INSERT OR IGNORE INTO outbound_share (channel, session_id, recipient, recipient_device)"
        " VALUES (?, ?, ?, ?)"));
    q.addBindValue(channel);
    q.addBindValue(sessionId);
    q.addBindValue(recipient);
    q.addBindValue(recipientDevice);
    return q.exec() || fail(q.lastError().text());
}

bool SenderKeyStore::wasShared(const QString &channel, const QByteArray &sessionId,
                               const QString &recipientDevice) const
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral(
        "SELECT 1 FROM outbound_share WHERE channel = ? AND session_id = ? AND recipient_device = ?"));
    q.addBindValue(channel);
    q.addBindValue(sessionId);
    q.addBindValue(recipientDevice);
    return q.exec() && q.next();
}

bool SenderKeyStore::addWaiting(const QString &channel, quint64 seq, const QString &senderDevice,
                                const QByteArray &sessionId)
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO waiting (channel, seq, sender_device, session_id) VALUES (?, ?, ?, ?)"));
    q.addBindValue(channel);
    q.addBindValue(qint64(seq));
    q.addBindValue(senderDevice);
    q.addBindValue(sessionId);
    return q.exec() || fail(q.lastError().text());
}

QList<quint64> SenderKeyStore::waitingFor(const QString &channel, const QString &senderDevice,
                                          const QByteArray &sessionId) const
{
    QList<quint64> out;
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(
        QStringLiteral("SELECT seq FROM waiting WHERE channel = ? AND sender_device = ? AND session_id = ?"
                       " ORDER BY seq"));
    q.addBindValue(channel);
    q.addBindValue(senderDevice);
    q.addBindValue(sessionId);
    if (q.exec()) {
        while (q.next())
            out.append(quint64(q.value(0).toLongLong()));
    }
    return out;
}

bool SenderKeyStore::removeWaiting(const QString &channel, quint64 seq)
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("DELETE FROM waiting WHERE channel = ? AND seq = ?"));
    q.addBindValue(channel);
    q.addBindValue(qint64(seq));
    return q.exec() || fail(q.lastError().text());
}

bool SenderKeyStore::saveLegacyMembership(const QString &channel, const QStringList &members, quint64 lastSeq)
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO membership (channel, members, last_seq, legacy) VALUES (?, ?, ?, 1)"));
    q.addBindValue(channel);
    q.addBindValue(members.join(QLatin1Char('\n'))); // nicks never contain a newline
    q.addBindValue(qint64(lastSeq));
    return q.exec() || fail(q.lastError().text());
}

QHash<QString, QPair<QStringList, quint64>> SenderKeyStore::legacyMemberships() const
{
    QHash<QString, QPair<QStringList, quint64>> out;
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("SELECT channel, members, last_seq FROM membership WHERE legacy = 1"));
    if (q.exec()) {
        while (q.next()) {
            const QString members = q.value(1).toString();
            out.insert(q.value(0).toString(),
                       {members.isEmpty() ? QStringList() : members.split(QLatin1Char('\n')),
                        quint64(q.value(2).toLongLong())});
        }
    }
    return out;
}

bool SenderKeyStore::addMembershipEvent(const QString &channel, const ChannelMembership::Event &e)
{
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    // Only a row already recorded is skipped (a replay); any other failure is an error.
    q.prepare(QStringLiteral(
        "INSERT INTO membership_event (channel, seq, kind, sender, sender_device, subject, body)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, seq) DO NOTHING"));
    auto text = [](const QString &s) { return s.isNull() ? QStringLiteral("") : s; };
    q.addBindValue(channel);
    q.addBindValue(qint64(e.seq));
    q.addBindValue(int(e.kind));
    q.addBindValue(text(e.sender));
    q.addBindValue(text(e.senderDevice));
    q.addBindValue(text(e.subject));
    q.addBindValue(e.body.isNull() ? QByteArray("") : e.body);
    return q.exec() || fail(q.lastError().text());
}

QHash<QString, QList<ChannelMembership::Event>> SenderKeyStore::membershipEvents() const
{
    QHash<QString, QList<ChannelMembership::Event>> out;
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(
        QStringLiteral("SELECT channel, seq, kind, sender, sender_device, subject, body FROM membership_event"
                       " ORDER BY channel, seq"));
    if (!q.exec())
        return out;
    while (q.next()) {
        ChannelMembership::Event e;
        e.seq = quint64(q.value(1).toLongLong());
        e.kind = MessageKind(q.value(2).toInt());
        e.sender = q.value(3).toString();
        e.senderDevice = q.value(4).toString();
        e.subject = q.value(5).toString();
        e.body = q.value(6).toByteArray();
        out[q.value(0).toString()].append(e);
    }
    return out;
}

QList<quint64> SenderKeyStore::waitingForMembership(const QString &channel) const
{
    QList<quint64> out;
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("SELECT seq FROM waiting WHERE channel = ? AND session_id = ? ORDER BY seq"));
    q.addBindValue(channel);
    q.addBindValue(kWaitingForMembership);
    if (q.exec())
        while (q.next())
            out << quint64(q.value(0).toLongLong());
    return out;
}

bool SenderKeyStore::beginBatch()
{
    if (m_batchDepth++ > 0)
        return true;
    QSqlDatabase db = QSqlDatabase::database(connectionName(), false);
    if (db.isOpen() && db.transaction())
        return true;
    m_batchDepth = 0;
    return fail(db.lastError().text());
}

bool SenderKeyStore::endBatch()
{
    if (m_batchDepth == 0 || --m_batchDepth > 0)
        return true;
    QSqlDatabase db = QSqlDatabase::database(connectionName(), false);
    const bool written = writeSeen();
    if (written && db.commit())
        return true;
    const QString err = written ? db.lastError().text() : lastError();
    db.rollback();
    m_seen.clear();
    m_seenEntries = 0;
    return fail(err);
}

bool SenderKeyStore::forgetChannel(const QString &channel)
{
    QSqlDatabase db = QSqlDatabase::database(connectionName(), false);
    // Inside a batch the deletions are a savepoint of its transaction.
    auto run = [&db](const QString &sql) { return QSqlQuery(db).exec(sql); };
    const bool nested = m_batchDepth > 0;
    if (nested ? !run(QStringLiteral("SAVEPOINT forget")) : !db.transaction())
        return fail(db.lastError().text());
    auto undo = [&] {
        if (nested) {
            run(QStringLiteral("ROLLBACK TO forget"));
            run(QStringLiteral("RELEASE forget"));
        } else {
            db.rollback();
        }
    };
    for (const char *table : {"inbound_session", "outbound_session", "outbound_share", "waiting",
                              "membership", "membership_event"}) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("DELETE FROM %1 WHERE channel = ?").arg(QLatin1String(table)));
        q.addBindValue(channel);
        if (!q.exec()) {
            const QString err = q.lastError().text();
            undo();
            return fail(err);
        }
    }
    if (nested ? !run(QStringLiteral("RELEASE forget")) : !db.commit())
        return fail(db.lastError().text());
    for (auto it = m_inboundCache.begin(); it != m_inboundCache.end();) {
        if (it->second.channel() == channel)
            it = m_inboundCache.erase(it);
        else
            ++it;
    }
    return true;
}

MessageCrypto::Resolver SenderKeyStore::resolver(IdentityKeyLookup identityKey)
{
    MessageCrypto::Resolver r;
    r.identityKey = std::move(identityKey);
    r.session = [this](const QString &channel, const QString &device, const QByteArray &sid) {
        return inbound(channel, device, sid);
    };
    r.isReplay = [this](const QString &device, const QByteArray &sid, quint32 index, const QString &channel,
                        quint64 seq) { return isReplay(device, sid, index, channel, seq); };
    r.markSeen = [this](const QString &device, const QByteArray &sid, quint32 index, const QString &channel,
                        quint64 seq) { markSeen(device, sid, index, channel, seq); };
    return r;
}

} // namespace hchat::crypto
