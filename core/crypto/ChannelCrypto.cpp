#include "crypto/ChannelCrypto.h"

#include "crypto/CryptoLogging.h"
#include "crypto/KeyShare.h"
#include "hchat.pb.h"

#include <QDir>

#include <sodium.h>

namespace hchat::crypto {

namespace {
QByteArray randomMsgId()
{
    QByteArray id(16, Qt::Uninitialized);
    randombytes_buf(id.data(), std::size_t(id.size()));
    return id;
}

QString q(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}
} // namespace

ChannelCrypto::ChannelCrypto(QObject *parent) : QObject(parent) {}

ChannelCrypto::~ChannelCrypto() = default;

bool ChannelCrypto::open(const QString &profileDir, DeviceIdentity identity, const QString &nick,
                         const QString &deviceId)
{
    m_outbound.clear();
    m_members.clear();
    m_membershipSeq.clear();
    const QDir dir(profileDir);
    if (!m_trust.open(dir.filePath(QStringLiteral("trust.json")))) {
        m_lastError = m_trust.lastError();
        return false;
    }
    if (!m_keys.open(dir.filePath(QStringLiteral("crypto.sqlite")), identity.deriveStorageKey())) {
        m_lastError = m_keys.lastError();
        return false;
    }
    const auto memberships = m_keys.memberships();
    for (auto it = memberships.cbegin(); it != memberships.cend(); ++it) {
        m_members.insert(it.key(), QSet<QString>(it.value().first.cbegin(), it.value().first.cend()));
        m_membershipSeq.insert(it.key(), it.value().second);
    }
    m_identity.emplace(std::move(identity));
    m_nick = nick;
    m_deviceId = deviceId;
    return true;
}

QByteArray ChannelCrypto::trustedKey(const QString &nick, const QString &deviceId) const
{
    if (m_identity && deviceId == m_deviceId && nick.compare(m_nick, Qt::CaseInsensitive) == 0)
        return m_identity->identityKey();
    return m_trust.trustedKey(nick, deviceId);
}

void ChannelCrypto::fillPublishRecord(hchat::v1::DeviceKeys *keys) const
{
    if (m_identity)
        m_identity->fillDeviceKeys(keys, m_nick, m_deviceId);
}

void ChannelCrypto::applyDeviceKeys(const hchat::v1::KeysResponse &response)
{
    QHash<QString, QList<QPair<QString, QByteArray>>> byNick;
    QHash<QString, QString> spelling;
    for (const auto &rec : response.devices()) {
        QString why;
        if (!DeviceIdentity::verifyDeviceKeys(rec, &why)) {
            qCWarning(lcCrypto).noquote() << "ignoring key directory record of" << q(rec.nick()) << q(rec.device_id())
                                          << ":" << why;
            continue;
        }
        const QString nick = q(rec.nick());
        const QString device = q(rec.device_id());
        if (device == m_deviceId && nick.compare(m_nick, Qt::CaseInsensitive) == 0)
            continue; // ourselves
        byNick[nick.toLower()].append({device, QByteArray(rec.identity_key().data(), qsizetype(rec.identity_key().size()))});
        spelling.insert(nick.toLower(), nick);
    }
    for (auto it = byNick.cbegin(); it != byNick.cend(); ++it) {
        const QString nick = spelling.value(it.key());
        const QList<TrustStore::State> states = m_trust.observeUser(nick, it.value());
        for (int i = 0; i < states.size(); ++i) {
            if (states[i] == TrustStore::State::Changed || states[i] == TrustStore::State::NewDevice)
                emit deviceTrustChanged(nick, it.value().at(i).first, states[i]);
        }
    }
}

void ChannelCrypto::applyMembership(const StoredMessage &m)
{
    switch (m.kind) {
    case MessageKind::ChannelCreated:
    case MessageKind::MemberAdded:
    case MessageKind::MemberJoined:
    case MessageKind::MemberRemoved:
    case MessageKind::MemberLeft:
    case MessageKind::UserDeleted:
        break;
    default:
        return;
    }
    if (m.seq <= m_membershipSeq.value(m.channel))
        return; // applied already (push then pull, replay of the history)
    m_membershipSeq.insert(m.channel, m.seq);
    const QString subject = (m.subject.isEmpty() ? m.sender : m.subject).toLower();
    QSet<QString> &members = m_members[m.channel];
    const bool leaving = m.kind == MessageKind::MemberRemoved || m.kind == MessageKind::MemberLeft ||
                         m.kind == MessageKind::UserDeleted;
    if (leaving)
        members.remove(subject);
    else
        members.insert(subject);
    // A leaver knows our current chain, a newcomer must not read what it carried before: either
    // way the next message uses a new session.
    if (SenderSession *s = outboundFor(m.channel)) {
        s->requestRotation();
        m_keys.saveOutbound(*s);
    }
    qCInfo(lcCrypto).noquote() << subject << (leaving ? "left" : "joined") << m.channel
                               << "- sender session will rotate";
    m_keys.saveMembership(m.channel, this->members(m.channel), m.seq);
}

QStringList ChannelCrypto::members(const QString &channel) const
{
    QStringList out = m_members.value(channel).values();
    out.sort();
    return out;
}

bool ChannelCrypto::isMember(const QString &channel, const QString &nick) const
{
    return m_members.value(channel).contains(nick.toLower());
}

SenderSession *ChannelCrypto::outboundFor(const QString &channel)
{
    auto it = m_outbound.find(channel);
    if (it != m_outbound.end())
        return &it->second;
    if (auto stored = m_keys.outbound(channel))
        return &m_outbound.emplace(channel, std::move(*stored)).first->second;
    return nullptr;
}

ChannelCrypto::Outgoing ChannelCrypto::encryptForSend(const QString &channel, const QByteArray &clientMsgId,
                                                      const QString &text, MessageKind kind, quint64 refSeq)
{
    return encryptBytesForSend(channel, clientMsgId, text.toUtf8(), kind, refSeq, {});
}

ChannelCrypto::Outgoing ChannelCrypto::encryptBytesForSend(const QString &channel, const QByteArray &clientMsgId,
                                                           const QByteArray &plaintext, MessageKind kind,
                                                           quint64 refSeq, const QString &attachmentId)
{
    Outgoing out;
    if (!m_identity) {
        out.error = tr("Encryption is not set up on this device.");
        return out;
    }
    if (!isMember(channel, m_nick)) {
        out.error = tr("You are not a member of %1 (as far as its membership messages show).").arg(channel);
        return out;
    }
    SenderSession *session = outboundFor(channel);
    if (!session || session->needsRotation()) {
        auto fresh = SenderSession::create(channel);
        if (!fresh) {
            out.error = tr("Could not create a sender key.");
            return out;
        }
        m_outbound.erase(channel);
        session = &m_outbound.emplace(channel, std::move(*fresh)).first->second;
        // Our own device reads its own messages through the same path as everyone else's.
        m_keys.addInbound(m_nick, m_deviceId, *session);
        qCInfo(lcCrypto).noquote() << "new sender session" << session->sessionId().toHex().left(8) << "for" << channel;
    }

    // Key shares: every Trusted/Verified device of every derived member (ours included), once.
    for (const QString &member : members(channel)) {
        const QList<TrustStore::Device> devices = m_trust.devices(member);
        bool any = false;
        for (const TrustStore::Device &d : devices) {
            if (d.deviceId == m_deviceId && member.compare(m_nick, Qt::CaseInsensitive) == 0)
                continue;
            any = true;
            if (!m_trust.mayShareKeysWith(d.nick, d.deviceId)) {
                out.blockedDevices.append(d.nick + QLatin1Char('/') + d.deviceId);
                continue;
            }
            if (m_keys.wasShared(channel, session->sessionId(), d.deviceId))
                continue;
            const QByteArray body = KeyShare::seal(*session, *m_identity, m_nick, m_deviceId,
                                                   {d.nick, d.deviceId, d.trustedKey});
            if (body.isEmpty())
                continue;
            out.shares.append({QStringLiteral("~") + d.deviceId, d.nick, d.deviceId, randomMsgId(), body});
            m_keys.recordShare(channel, session->sessionId(), d.nick, d.deviceId);
        }
        if (!any && member.compare(m_nick, Qt::CaseInsensitive) != 0)
            out.missingKeys.append(member);
    }

    QString error;
    out.body = MessageCrypto::encrypt(*session, *m_identity, m_nick, m_deviceId, clientMsgId, plaintext, &error,
                                      quint32(kind), refSeq, attachmentId);
    if (out.body.isEmpty()) {
        out.error = error;
        return out;
    }
    // The chain moves past the message (nothing already sent can be derived from what we keep),
    // and the index is persisted before the message leaves, so it is never used twice.
    if (!session->advanceTo(session->nextIndex()) || !m_keys.saveOutbound(*session)) {
        out.error = m_keys.lastError();
        out.body.clear();
        return out;
    }
    out.ok = true;
    return out;
}

ChannelCrypto::Incoming ChannelCrypto::decryptMessage(const StoredMessage &m)
{
    Incoming in;
    if (!m.encrypted) {
        in.state = DisplayState::Plain;
        in.text = m.text();
        return in;
    }
    if (!m_identity) {
        in.state = DisplayState::WaitingForKey;
        in.error = MessageCrypto::Error::MissingSession;
        in.reason = tr("Encryption is not set up on this device.");
        return in;
    }
    MessageCrypto::Resolver resolver = m_keys.resolver(
        [this](const QString &nick, const QString &device) { return trustedKey(nick, device); });
    const MessageCrypto::Arrival arrival{m.channel,      m.seq,           m.sender, m.senderDevice,
                                         m.clientMsgId, quint32(m.kind), m.refSeq, m.attachmentId};
    const MessageCrypto::Result r = MessageCrypto::decrypt(m.body, arrival, resolver);
    in.error = r.error;
    if (r.ok()) {
        in.state = DisplayState::Decrypted;
        in.plaintext = r.plaintext;
        if (m.kind != MessageKind::Attachment)
            in.text = QString::fromUtf8(r.plaintext);
        return in;
    }
    in.reason = MessageCrypto::describe(r.error);
    if (r.error == MessageCrypto::Error::MissingSession) {
        in.state = DisplayState::WaitingForKey;
        m_keys.addWaiting(m.channel, m.seq, r.header.senderDevice, r.header.sessionId);
    } else {
        in.state = DisplayState::Undecryptable;
        qCWarning(lcCrypto).noquote() << "message" << m.channel << m.seq << "from" << m.sender
                                      << "undecryptable:" << MessageCrypto::errorName(r.error);
    }
    return in;
}

bool ChannelCrypto::acceptKeyShare(const StoredMessage &m, QString *channel, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        qCWarning(lcCrypto).noquote() << "key share refused:" << why;
        return false;
    };
    if (!m_identity)
        return fail(tr("Encryption is not set up on this device."));
    if (m.kind != MessageKind::KeyShare)
        return fail(QStringLiteral("not a key share"));
    const KeyShare::Opened opened =
        KeyShare::open(m.body, *m_identity, m_nick, m_deviceId,
                       [this](const QString &nick, const QString &device) { return trustedKey(nick, device); },
                       m.sender, m.senderDevice);
    if (!opened.ok())
        return fail(KeyShare::describe(opened.error));
    const QString ch = opened.session->channel();
    // Only a member (as the channel's own membership messages show) may hand out keys for it.
    if (!isMember(ch, opened.sender))
        return fail(tr("%1 is not a member of %2").arg(opened.sender, ch));
    if (!m_keys.addInbound(opened.sender, opened.senderDevice, *opened.session))
        return fail(m_keys.lastError());
    if (channel)
        *channel = ch;
    const QList<quint64> waiting = m_keys.waitingFor(ch, opened.senderDevice, opened.session->sessionId());
    if (!waiting.isEmpty()) {
        for (quint64 seq : waiting)
            m_keys.removeWaiting(ch, seq);
        emit messagesUnblocked(ch, waiting);
    }
    return true;
}

} // namespace hchat::crypto
