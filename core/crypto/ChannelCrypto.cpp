#include "crypto/ChannelCrypto.h"

#include "Limits.h"
#include "crypto/BatchVerifier.h"
#include "crypto/CryptoLogging.h"
#include "crypto/DeviceList.h"
#include "crypto/KeyShare.h"
#include "hchat.pb.h"

#include <QDateTime>
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
    m_membership.clear();
    m_listCache.clear();
    m_ownListWithoutUs.reset();
    m_usedPrekeys.clear();
    const QDir dir(profileDir);
    if (!m_trust.open(dir.filePath(QStringLiteral("trust.json")))) {
        m_lastError = m_trust.lastError();
        return false;
    }
    if (!m_keys.open(dir.filePath(QStringLiteral("crypto.sqlite")), identity.deriveStorageKey())) {
        m_lastError = m_keys.lastError();
        return false;
    }
    if (!m_prekeys.open(dir.filePath(QStringLiteral("prekeys.sqlite")), identity.deriveStorageKey())) {
        m_lastError = m_prekeys.lastError();
        return false;
    }
    m_identity.emplace(std::move(identity));
    m_nick = nick;
    m_deviceId = deviceId;
    const auto legacy = m_keys.legacyMemberships();
    for (auto it = legacy.cbegin(); it != legacy.cend(); ++it)
        m_membership.insert_or_assign(it.key(),
                                      ChannelMembership(it.key(), true, it.value().first, it.value().second));
    const auto events = m_keys.membershipEvents();
    const IdentityKeyLookup lookup = [this](const QString &n, const QString &d) { return trustedKey(n, d); };
    for (auto it = events.cbegin(); it != events.cend(); ++it) {
        ChannelMembership &membership = membershipOf(it.key());
        for (const ChannelMembership::Event &e : it.value())
            membership.feed(e, lookup);
    }
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

void ChannelCrypto::applyDeviceKeys(const hchat::v1::KeysResponse &response, const QStringList &asked)
{
    // Signed device lists first: they decide which directory records stand for each account.
    QSet<QString> askedLower;
    for (const QString &n : asked)
        askedLower.insert(n.toLower());
    for (const auto &p : response.device_lists()) {
        const QString nick = q(p.nick());
        if (askedLower.contains(nick.toLower()))
            applyDeviceList(p);
    }
    QHash<QString, DeviceList> lists; // lower-case nick → the list held now
    for (const QString &nick : asked)
        if (auto held = deviceList(nick))
            lists.insert(nick.toLower(), *held);

    QHash<QString, QList<QPair<QString, QByteArray>>> byNick;
    QHash<QString, QString> spelling;
    for (const auto &rec : response.devices()) {
        QString why;
        if (!DeviceIdentity::verifyDeviceKeys(rec, &why)) {
            qCWarning(lcCrypto).noquote()
                << "ignoring key directory record of" << q(rec.nick()) << q(rec.device_id()) << ":" << why;
            continue;
        }
        const QString nick = q(rec.nick());
        const QString device = q(rec.device_id());
        if (device == m_deviceId && nick.compare(m_nick, Qt::CaseInsensitive) == 0)
            continue; // ourselves
        const QByteArray key(rec.identity_key().data(), qsizetype(rec.identity_key().size()));
        const auto list = lists.constFind(nick.toLower());
        if (list != lists.cend() && list->contains(device) && list->keyOf(device) != key) {
            qCWarning(lcCrypto).noquote() << "ignoring key directory record of" << nick << device
                                          << ": the account's signed device list names another key";
            continue;
        }
        byNick[nick.toLower()].append({device, key});
        spelling.insert(nick.toLower(), nick);
    }
    // What the account's own list says comes first: its devices trusted, the ones it left out
    // revoked. Then the directory's records: a device no list names is held until the user
    // accepts it (as for an account without a list), never trusted on first use.
    for (auto it = lists.cbegin(); it != lists.cend(); ++it) {
        const QString nick = spelling.value(it.key(), it->nick());
        applyListTrust(nick, *it);
    }
    for (auto it = byNick.cbegin(); it != byNick.cend(); ++it) {
        const QString nick = spelling.value(it.key());
        // Never on first use where a list decides, nor for this account's own other devices: those
        // come in through the account's list (an approval), or by hand.
        const bool own = nick.compare(m_nick, Qt::CaseInsensitive) == 0;
        const QList<TrustStore::State> states =
            m_trust.observeUser(nick, it.value(), !lists.contains(it.key()) && !own);
        for (int i = 0; i < states.size(); ++i) {
            if (states[i] == TrustStore::State::Changed || states[i] == TrustStore::State::NewDevice)
                emit deviceTrustChanged(nick, it.value().at(i).first, states[i]);
        }
    }
    for (const QString &nick : asked) {
        const auto listed = byNick.value(nick.toLower());
        const auto list = lists.constFind(nick.toLower());
        for (const TrustStore::Device &d : m_trust.devices(nick)) {
            const bool stillThere = std::any_of(listed.cbegin(), listed.cend(),
                                                [&](const auto &dev) { return dev.first == d.deviceId; });
            // A device on the account's signed list stays until a newer list leaves it out: the
            // directory hiding it is only the gateway's word.
            const bool onList = list != lists.cend() && list->contains(d.deviceId);
            if (stillThere || onList || d.revoked)
                continue;
            revokeDevice(nick, d.deviceId);
        }
    }
    retryMembership(); // operations that waited for these keys
    emit prekeysWanted();
}

std::optional<DeviceList> ChannelCrypto::deviceList(const QString &nick) const
{
    const QString key = nick.toLower();
    auto it = m_listCache.find(key);
    if (it == m_listCache.end()) {
        const QByteArray bytes = m_trust.deviceList(nick);
        it = m_listCache.insert(key, bytes.isEmpty() ? std::nullopt : DeviceList::parse(bytes));
    }
    return *it;
}

// Trusted, and (for an account with a signed device list) on that list or accepted by the user
// by hand: a device the account's own list leaves out gets no key just because it was once
// trusted on first use.
bool ChannelCrypto::mayShareWith(const TrustStore::Device &d) const
{
    if (!m_trust.mayShareKeysWith(d.nick, d.deviceId))
        return false;
    const std::optional<DeviceList> list = deviceList(d.nick);
    return !list || list->contains(d.deviceId) || d.userAccepted;
}

DeviceList::Verdict ChannelCrypto::applyDeviceList(const hchat::v1::SignedDeviceList &proto)
{
    QString why;
    const std::optional<DeviceList> candidate = DeviceList::fromProto(proto, &why);
    if (!candidate) {
        qCWarning(lcCrypto).noquote() << "ignoring a device list of" << q(proto.nick()) << ":" << why;
        return DeviceList::Verdict::BadSignature;
    }
    const QString nick = candidate->nick();
    const bool own = nick.compare(m_nick, Qt::CaseInsensitive) == 0;
    // The own account's list is taken only when it names this very device with its key (an
    // approval): a list that leaves this device out only tells it that it waits. The first one
    // naming it is taken on first use, as a fresh device takes its account's other devices.
    if (own && (!m_identity || candidate->keyOf(m_deviceId) != m_identity->identityKey())) {
        if (!m_ownListWithoutUs || candidate->generation() > m_ownListWithoutUs->generation())
            m_ownListWithoutUs = candidate;
        return DeviceList::Verdict::UnknownSigner;
    }
    const DeviceList::Verdict verdict =
        DeviceList::judge(*candidate, deviceList(nick), nick, trustedKey(nick, candidate->signerDevice()),
                          own ? deviceList(nick).has_value() : m_trust.knowsUser(nick));
    if (verdict == DeviceList::Verdict::Accepted) {
        // A signed revocation: a device the account's previous list named and this one leaves out.
        const std::optional<DeviceList> previous = deviceList(nick);
        m_trust.setDeviceList(nick, candidate->serialize());
        m_listCache.remove(nick.toLower());
        if (previous)
            for (const DeviceList::Entry &e : previous->devices())
                if (!candidate->contains(e.deviceId) &&
                    !(e.deviceId == m_deviceId && nick.compare(m_nick, Qt::CaseInsensitive) == 0))
                    revokeDevice(nick, e.deviceId);
        qCInfo(lcCrypto).noquote() << "device list of" << nick << "generation" << candidate->generation()
                                   << "signed by" << candidate->signerDevice() << ":"
                                   << candidate->devices().size() << "devices";
    } else if (verdict != DeviceList::Verdict::Same) {
        qCWarning(lcCrypto).noquote()
            << "refused a device list of" << nick << ":" << DeviceList::describe(verdict);
        emit deviceListRefused(nick, DeviceList::describe(verdict));
    }
    return verdict;
}

// The account's list: its devices are trusted (approved by the account). A device it never named
// keeps whatever this client decided for it (held until the user accepts it, as for an account
// without a list: a user who lost every device starts again that way).
void ChannelCrypto::applyListTrust(const QString &nick, const DeviceList &list)
{
    for (const DeviceList::Entry &e : list.devices()) {
        if (e.deviceId == m_deviceId && nick.compare(m_nick, Qt::CaseInsensitive) == 0)
            continue;
        if (m_trust.approve(nick, e.deviceId, e.identityKey))
            emit deviceTrustChanged(nick, e.deviceId, m_trust.state(nick, e.deviceId));
    }
}

void ChannelCrypto::revokeDevice(const QString &nick, const QString &deviceId)
{
    if (!m_trust.revoke(nick, deviceId))
        return;
    emit deviceTrustChanged(nick, deviceId, TrustStore::State::Revoked);
    // It holds our current chains: every channel it shares with us moves on.
    for (auto &[channel, membership] : m_membership) {
        if (!membership.isMember(nick))
            continue;
        if (SenderSession *s = outboundFor(channel)) {
            s->requestRotation();
            m_keys.saveOutbound(*s);
        }
    }
    m_prekeys.dropClaimed(nick, deviceId);
}

std::optional<DeviceList> ChannelCrypto::makeOwnDeviceList(const QStringList &add, const QStringList &remove,
                                                           QString *error) const
{
    auto failWith = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!m_identity)
        return failWith(tr("Encryption is not set up on this device."));
    const std::optional<DeviceList> held = deviceList(m_nick);
    QList<DeviceList::Entry> entries;
    if (held) {
        entries = held->devices();
    } else {
        // The account's first list: this device and the ones of ours it already trusts (devices
        // from before signed lists stay trusted by the peers that trusted them).
        entries.append({m_deviceId, m_identity->identityKey()});
        for (const TrustStore::Device &d : m_trust.devices(m_nick))
            if (!d.revoked && !d.fromBackup && !d.trustedKey.isEmpty() && d.pendingKey.isEmpty() &&
                d.deviceId != m_deviceId)
                entries.append({d.deviceId, d.trustedKey});
    }
    for (const QString &id : add) {
        if (std::any_of(entries.cbegin(), entries.cend(), [&](const auto &e) { return e.deviceId == id; }))
            continue;
        const QList<TrustStore::Device> mine = m_trust.devices(m_nick);
        const auto d =
            std::find_if(mine.cbegin(), mine.cend(), [&](const auto &x) { return x.deviceId == id; });
        const QByteArray key =
            d == mine.cend() ? QByteArray() : (d->trustedKey.isEmpty() ? d->pendingKey : d->trustedKey);
        if (key.isEmpty() || (d != mine.cend() && d->revoked))
            return failWith(tr("No device %1 is waiting on this account.").arg(id));
        entries.append({id, key});
    }
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [&](const auto &e) { return remove.contains(e.deviceId); }),
                  entries.end());
    if (entries.isEmpty())
        return failWith(tr("An account keeps at least one device."));
    auto list = DeviceList::make(m_nick, held ? held->generation() + 1 : 1, entries, *m_identity, m_deviceId);
    if (!list)
        return failWith(tr("Could not sign the device list."));
    return list;
}

QList<PrekeyStore::Prekey> ChannelCrypto::prekeysToPublish(int available)
{
    if (!m_identity)
        return {};
    if (available >= kPrekeyLowWater)
        return {};
    const int wanted = std::min<int>(kPrekeyTarget - available, int(limits::kMaxPrekeysPerUpload));
    return wanted > 0 ? m_prekeys.generate(wanted, *m_identity, m_deviceId) : QList<PrekeyStore::Prekey>();
}

QList<QPair<QString, QString>> ChannelCrypto::devicesNeedingPrekeys() const
{
    QList<QPair<QString, QString>> out;
    QSet<QString> seen;
    for (const auto &[channel, membership] : m_membership) {
        for (const QString &member : membership.members()) {
            for (const TrustStore::Device &d : m_trust.devices(member)) {
                const QString key = d.nick.toLower() + QLatin1Char('\n') + d.deviceId;
                if (d.deviceId == m_deviceId || seen.contains(key) || !mayShareWith(d) ||
                    m_prekeys.claimed(d.nick, d.deviceId))
                    continue;
                seen.insert(key);
                out.append({d.nick, d.deviceId});
            }
        }
    }
    return out;
}

int ChannelCrypto::applyClaimedPrekeys(const hchat::v1::PrekeyClaimResponse &response,
                                       const QHash<QString, QString> &asked)
{
    int kept = 0;
    for (const auto &c : response.prekeys()) {
        const QString device = q(c.device_id());
        const auto nick = asked.constFind(device);
        if (nick == asked.cend())
            continue; // not asked for: ignored
        const PrekeyStore::Prekey prekey{
            c.prekey().key_id(),
            QByteArray(c.prekey().public_key().data(), qsizetype(c.prekey().public_key().size())),
            QByteArray(c.prekey().signature().data(), qsizetype(c.prekey().signature().size()))};
        const QByteArray identityKey = trustedKey(*nick, device);
        if (identityKey.isEmpty() || !PrekeyStore::verify(prekey, device, identityKey)) {
            qCWarning(lcCrypto).noquote()
                << "ignoring a claimed prekey of" << *nick << device << ": its signature does not verify";
            continue;
        }
        if (m_prekeys.putClaimed(*nick, device, prekey))
            ++kept;
    }
    return kept;
}

// What will bring a missing key, for the user: this device's approval (then the account's other
// devices forward the keys they hold), or the sender's device (or another of the user's devices,
// for what came before this one).
QString ChannelCrypto::waitingReason(bool forMembership) const
{
    // The account has a list that leaves this device out: it waits for an approval.
    const std::optional<DeviceList> own = deviceList(m_nick);
    const auto &without = ownListWithoutThisDevice();
    if (without && (!own || without->generation() > own->generation()))
        return tr("Waiting for the key: approve this device from one of your other devices, which then "
                  "hand it the keys of your history.");
    if (forMembership)
        return tr("waiting for the channel's membership");
    return tr("Waiting for the key from the sender's device (for messages from before this device: from "
              "your other devices, once one of them is online).");
}

bool ChannelCrypto::wasModeratorAt(const QString &channel, const QString &nick, quint64 seq) const
{
    const ChannelMembership *m = membership(channel);
    return m && m->hasGenesis() && !m->isLegacy() && m->kind() == ChannelRecord::Kind::InviteOnly &&
           m->roleAt(nick, seq) != MembershipOp::Role::Member;
}

ChannelMembership &ChannelCrypto::membershipOf(const QString &channel)
{
    auto it = m_membership.find(channel);
    if (it == m_membership.end())
        it = m_membership.emplace(channel, ChannelMembership(channel, false)).first;
    return it->second;
}

void ChannelCrypto::applyMembership(const StoredMessage &m)
{
    if (!changesMembership(m.kind))
        return;
    ChannelMembership &membership = membershipOf(m.channel);
    if (m.seq <= membership.lastSeq())
        return; // applied already (push then pull, replay of the history)
    const ChannelMembership::Event e{m.seq, m.kind, m.sender, m.senderDevice, m.subject, m.body};
    m_keys.addMembershipEvent(m.channel, e); // (a failure is logged; the state here stays right)
    handleOutcomes(membership, membership.feed(e, [this](const QString &n, const QString &d) {
        return trustedKey(n, d);
    }));
}

void ChannelCrypto::handleOutcomes(ChannelMembership &membership,
                                   const QList<ChannelMembership::Outcome> &outcomes)
{
    const QString channel = membership.channel();
    bool changed = false;
    for (const ChannelMembership::Outcome &o : outcomes) {
        if (o.verdict == ChannelMembership::Verdict::Applied)
            changed = true;
        else if (o.verdict == ChannelMembership::Verdict::Rejected) {
            qCWarning(lcCrypto).noquote() << "membership" << channel << o.seq << "refused:" << o.reason;
            emit membershipRejected(channel, o.seq, o.reason);
        }
    }
    if (!membership.blockedOn().isEmpty())
        emit membershipNeedsKeys(membership.blockedOn());
    if (!changed)
        return;
    // A leaver knows our current chain, a newcomer must not read what it carried before: either
    // way the next message uses a new session.
    if (SenderSession *s = outboundFor(channel)) {
        s->requestRotation();
        m_keys.saveOutbound(*s);
    }
    qCInfo(lcCrypto).noquote() << "members of" << channel << "now"
                               << membership.members().join(QLatin1Char(' '))
                               << "- sender session will rotate";
    // Messages that waited for the membership may be decided now (those waiting for a key go on
    // waiting for it).
    const QList<quint64> waiting = m_keys.waitingForMembership(channel);
    if (!waiting.isEmpty()) {
        for (quint64 seq : waiting)
            m_keys.removeWaiting(channel, seq);
        emit messagesUnblocked(channel, waiting);
    }
    emit membershipChanged(channel);
}

void ChannelCrypto::retryMembership()
{
    const IdentityKeyLookup lookup = [this](const QString &n, const QString &d) { return trustedKey(n, d); };
    for (auto &[channel, membership] : m_membership)
        if (!membership.blockedOn().isEmpty())
            handleOutcomes(membership, membership.retry(lookup));
}

QStringList ChannelCrypto::members(const QString &channel) const
{
    const auto it = m_membership.find(channel);
    return it == m_membership.end() ? QStringList() : it->second.members();
}

bool ChannelCrypto::isMember(const QString &channel, const QString &nick) const
{
    const auto it = m_membership.find(channel);
    return it != m_membership.end() && it->second.isMember(nick);
}

const ChannelMembership *ChannelCrypto::membership(const QString &channel) const
{
    const auto it = m_membership.find(channel);
    return it == m_membership.end() ? nullptr : &it->second;
}

QByteArray ChannelCrypto::makeMembershipOp(const QString &channel, MembershipOp::Action action,
                                           const QString &subject, const QStringList &members, QString *error,
                                           MembershipOp::Role role) const
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return QByteArray();
    };
    if (!m_identity)
        return fail(tr("Encryption is not set up on this device."));
    const ChannelMembership *current = membership(channel);
    MembershipOp op;
    op.channel = channel;
    op.action = action;
    op.actor = m_nick;
    op.actorDevice = m_deviceId;
    op.subject = subject;
    op.role = role;
    op.timeMs = QDateTime::currentMSecsSinceEpoch();
    if (action == MembershipOp::Action::Genesis) {
        if (current && current->hasGenesis())
            return fail(tr("%1 has its genesis already.").arg(channel));
        op.kind = channel.startsWith(QLatin1Char('@')) ? ChannelRecord::Kind::Direct
                                                       : ChannelRecord::Kind::InviteOnly;
        op.encrypted = true;
        op.members = members;
    } else if (!current || !current->hasGenesis()) {
        return fail(tr("The membership of %1 is not signed.").arg(channel));
    } else if (action == MembershipOp::Action::Accept) {
        op.previous = current->invitationOf(m_nick);
        if (op.previous.isEmpty())
            return fail(tr("There is no invitation to %1 to accept.").arg(channel));
    } else {
        op.previous = current->head();
    }
    const QByteArray body = op.signAndSerialize(*m_identity);
    return body.isEmpty() ? fail(tr("The membership change could not be signed.")) : body;
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

ChannelCrypto::Outgoing ChannelCrypto::encryptBytesForSend(const QString &channel,
                                                           const QByteArray &clientMsgId,
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
        if (m_keys.addInbound(m_nick, m_deviceId, *session))
            emit sessionKept();
        qCInfo(lcCrypto).noquote() << "new sender session" << session->sessionId().toHex().left(8) << "for"
                                   << channel;
    }

    // Key shares: every Trusted/Verified device of every derived member (ours included), once.
    bool claimAgain = false;
    for (const QString &member : members(channel)) {
        const QList<TrustStore::Device> devices = m_trust.devices(member);
        bool any = false;
        for (const TrustStore::Device &d : devices) {
            if (d.deviceId == m_deviceId && member.compare(m_nick, Qt::CaseInsensitive) == 0)
                continue;
            any = true;
            if (!mayShareWith(d)) {
                out.blockedDevices.append(d.nick + QLatin1Char('/') + d.deviceId);
                continue;
            }
            if (m_keys.wasShared(channel, session->sessionId(), d.deviceId))
                continue;
            KeyShare::Recipient recipient(d.nick, d.deviceId, d.trustedKey);
            std::optional<PrekeyStore::Prekey> prekey = m_prekeys.claimed(d.nick, d.deviceId);
            if (prekey && !PrekeyStore::verify(*prekey, d.deviceId, d.trustedKey)) {
                m_prekeys.dropClaimed(d.nick, d.deviceId); // claimed under a key it no longer has
                prekey.reset();
            }
            if (prekey) {
                recipient.prekeyId = prekey->keyId;
                recipient.prekey = prekey->publicKey;
            } else {
                qCInfo(lcCrypto).noquote() << "no one-time prekey claimed for" << d.nick << d.deviceId
                                           << "; sealing to its exchange key";
            }
            const QByteArray body = KeyShare::seal(*session, *m_identity, m_nick, m_deviceId, recipient);
            if (body.isEmpty())
                continue;
            // A prekey seals one share only: its secret is gone once that share is opened.
            if (prekey)
                m_prekeys.dropClaimed(d.nick, d.deviceId);
            claimAgain = true;
            out.shares.append({QStringLiteral("~") + d.deviceId, d.nick, d.deviceId, randomMsgId(), body});
            m_keys.recordShare(channel, session->sessionId(), d.nick, d.deviceId);
        }
        if (!any && member.compare(m_nick, Qt::CaseInsensitive) != 0)
            out.missingKeys.append(member);
    }
    if (claimAgain)
        emit prekeysWanted();

    QString error;
    out.body = MessageCrypto::encrypt(*session, *m_identity, m_nick, m_deviceId, clientMsgId, plaintext,
                                      &error, quint32(kind), refSeq, attachmentId);
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

std::unique_ptr<BatchVerifier> ChannelCrypto::verifier(const QList<StoredMessage> &rows) const
{
    std::vector<QByteArray> envelopes(size_t(rows.size())), keys(size_t(rows.size()));
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const StoredMessage &m = rows[i];
        if (!m.encrypted || !(m.isChat() || m.isAmendment()))
            continue;
        keys[size_t(i)] = trustedKey(m.sender, m.senderDevice);
        envelopes[size_t(i)] = m.body;
    }
    return std::make_unique<BatchVerifier>(std::move(envelopes), std::move(keys));
}

ChannelCrypto::Incoming ChannelCrypto::decryptMessage(const StoredMessage &m, const QByteArray &verifiedKey)
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
    // Only a member at that point of the channel may write there (an ex-member's old session
    // relayed later, or someone the gateway let in, is refused).
    const ChannelMembership *members = membership(m.channel);
    if (!members || (!members->isLegacy() && !members->wasMemberAt(m.sender, m.seq))) {
        MessageCrypto::Header header;
        const bool undecided = !members || !members->hasGenesis() || !members->blockedOn().isEmpty();
        if (undecided && MessageCrypto::peekHeader(m.body, &header)) {
            in.state = DisplayState::WaitingForKey;
            in.error = MessageCrypto::Error::MissingSession;
            in.reason = waitingReason(true);
            m_keys.addWaiting(m.channel, m.seq, header.senderDevice, SenderKeyStore::kWaitingForMembership);
            return in;
        }
        in.state = DisplayState::Undecryptable;
        in.error = MessageCrypto::Error::NotAMember;
        in.reason = MessageCrypto::describe(in.error);
        qCWarning(lcCrypto).noquote()
            << "message" << m.channel << m.seq << "from" << m.sender << "who was no member";
        return in;
    }
    MessageCrypto::Resolver resolver = m_keys.resolver(
        [this](const QString &nick, const QString &device) { return trustedKey(nick, device); });
    const MessageCrypto::Arrival arrival{m.channel,     m.seq,           m.sender, m.senderDevice,
                                         m.clientMsgId, quint32(m.kind), m.refSeq, m.attachmentId};
    const MessageCrypto::Result r = MessageCrypto::decrypt(m.body, arrival, resolver, verifiedKey);
    in.error = r.error;
    if (r.ok()) {
        in.state = DisplayState::Decrypted;
        in.plaintext = r.plaintext;
        in.senderTimeMs = r.header.senderTimeMs;
        if (m.kind != MessageKind::Attachment)
            in.text = QString::fromUtf8(r.plaintext);
        return in;
    }
    in.reason = MessageCrypto::describe(r.error);
    if (r.error == MessageCrypto::Error::MissingSession) {
        in.state = DisplayState::WaitingForKey;
        in.reason = waitingReason(false);
        m_keys.addWaiting(m.channel, m.seq, r.header.senderDevice, r.header.sessionId);
    } else {
        in.state = DisplayState::Undecryptable;
        qCWarning(lcCrypto).noquote() << "message" << m.channel << m.seq << "from" << m.sender
                                      << "undecryptable:" << MessageCrypto::errorName(r.error);
    }
    return in;
}

QList<ChannelCrypto::OutgoingShare> ChannelCrypto::forwardHeldSessions(const QString &deviceId)
{
    QList<OutgoingShare> out;
    if (!m_identity || deviceId == m_deviceId)
        return out;
    const std::optional<DeviceList> list = deviceList(m_nick);
    std::optional<TrustStore::Device> device;
    for (const TrustStore::Device &d : m_trust.devices(m_nick))
        if (d.deviceId == deviceId)
            device = d;
    if (!list || !list->contains(deviceId) || !device || !mayShareWith(*device))
        return out;
    KeyShare::Recipient recipient(m_nick, deviceId, device->trustedKey);
    std::optional<PrekeyStore::Prekey> prekey = m_prekeys.claimed(m_nick, deviceId);
    if (prekey && PrekeyStore::verify(*prekey, deviceId, device->trustedKey)) {
        recipient.prekeyId = prekey->keyId;
        recipient.prekey = prekey->publicKey;
    }
    for (const SenderKeyStore::HeldSession &held : m_keys.heldSessions()) {
        const QByteArray body = KeyShare::seal(held.session, *m_identity, m_nick, m_deviceId, recipient,
                                               KeyShare::Origin{held.sender, held.senderDevice});
        if (body.isEmpty())
            continue;
        if (recipient.prekeyId != 0) {
            m_prekeys.dropClaimed(m_nick, deviceId);
            recipient.prekeyId = 0;
            recipient.prekey.clear();
            emit prekeysWanted();
        }
        out.append({QStringLiteral("~") + deviceId, m_nick, deviceId, randomMsgId(), body});
    }
    qCInfo(lcCrypto).noquote() << "forwarding" << out.size() << "sessions to our device" << deviceId;
    return out;
}

int ChannelCrypto::restoreSessions(const std::vector<RestoredSession> &sessions)
{
    if (!m_identity)
        return 0;
    bool keysAdded = false;
    for (const RestoredSession &r : sessions)
        if (!r.senderIdentityKey.isEmpty() && trustedKey(r.sender, r.senderDevice).isEmpty() &&
            m_trust.trustFromBackup(r.sender, r.senderDevice, r.senderIdentityKey))
            keysAdded = true;
    if (keysAdded)
        retryMembership();
    int kept = 0;
    QHash<QString, QList<quint64>> unblocked;
    m_keys.beginBatch();
    for (const RestoredSession &r : sessions) {
        if (!m_keys.addInbound(r.sender, r.senderDevice, r.session))
            continue;
        ++kept;
        const QString ch = r.session.channel();
        for (quint64 seq : m_keys.waitingFor(ch, r.senderDevice, r.session.sessionId())) {
            m_keys.removeWaiting(ch, seq);
            unblocked[ch] << seq;
        }
    }
    m_keys.endBatch();
    qCInfo(lcCrypto).noquote() << "restored" << kept << "sessions from the recovery key backup";
    for (auto it = unblocked.cbegin(); it != unblocked.cend(); ++it)
        emit messagesUnblocked(it.key(), it.value());
    return kept;
}

void ChannelCrypto::settleUsedPrekeys()
{
    if (m_usedPrekeys.isEmpty() || m_keys.inBatch())
        return;
    for (quint32 id : std::exchange(m_usedPrekeys, {}))
        m_prekeys.consume(id);
    emit prekeyUsed();
}

bool ChannelCrypto::acceptKeyShare(const StoredMessage &m, QString *channel, QString *error, bool *retryable)
{
    if (retryable)
        *retryable = true;
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
    const KeyShare::Opened opened = KeyShare::open(
        m.body, *m_identity, m_nick, m_deviceId,
        [this](const QString &nick, const QString &device) { return trustedKey(nick, device); }, m.sender,
        m.senderDevice, [this](quint32 keyId) { return m_prekeys.secret(keyId); });
    if (!opened.ok()) {
        // Sealed to a prekey this device no longer has: it never opens, trying again is useless.
        if (retryable)
            *retryable = opened.error != KeyShare::Error::PrekeyUnknown;
        return fail(KeyShare::describe(opened.error));
    }
    const QString ch = opened.session->channel();
    // A forward comes from another device of this account (its signature checked against the key
    // this device trusts for it), handing on a session it holds: the member's device it names is
    // whose messages the session reads, and each of them is still verified under that device's key.
    // Any other share: only a member (as the channel's own membership messages show) may hand out
    // keys for it.
    QString sessionSender = opened.sender, sessionDevice = opened.senderDevice;
    if (opened.origin) {
        if (opened.sender.compare(m_nick, Qt::CaseInsensitive) != 0 || opened.senderDevice == m_deviceId) {
            if (retryable)
                *retryable = false;
            return fail(tr("a forwarded key from %1, not another device of this account").arg(opened.sender));
        }
        sessionSender = opened.origin->nick;
        sessionDevice = opened.origin->deviceId;
    } else if (!isMember(ch, opened.sender)) {
        return fail(tr("%1 is not a member of %2").arg(opened.sender, ch));
    }
    if (!m_keys.addInbound(sessionSender, sessionDevice, *opened.session))
        return fail(m_keys.lastError());
    emit sessionKept();
    // Kept: the one-time prekey has done its work and its secret goes (a share refused above
    // keeps it, so that it can be opened again once its sender is a member) — once the session
    // is on disk: inside a batch, when the batch commits (settleUsedPrekeys).
    if (opened.prekeyId != 0) {
        m_usedPrekeys.append(opened.prekeyId);
        if (!m_keys.inBatch())
            settleUsedPrekeys();
    }
    if (channel)
        *channel = ch;
    const QList<quint64> waiting = m_keys.waitingFor(ch, sessionDevice, opened.session->sessionId());
    if (!waiting.isEmpty()) {
        for (quint64 seq : waiting)
            m_keys.removeWaiting(ch, seq);
        emit messagesUnblocked(ch, waiting);
    }
    return true;
}

} // namespace hchat::crypto
