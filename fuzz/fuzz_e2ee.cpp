// End-to-end encryption on hostile bytes: EncryptedEnvelope and SealedKeyShare bodies through
// ChannelCrypto (MessageCrypto::decrypt, KeyShare::open, SenderKeyStore, PrekeyStore, TrustStore in
// a scratch profile), key directory records, signed device lists, claimed one-time prekeys,
// membership rows and signed membership operations. alice's device
// receives; bob (trusted; "secret" was founded by his signed genesis and alice accepted) has shared
// his session with it (E2eeFixture.h).
//
// Input: a mode byte, a flags byte, then the payload.
//   0  payload is a message body from bob in "secret"
//   1  payload parsed as an EncryptedEnvelope and signed again with bob's key (so the checks past
//      the signature run on fuzzed fields)
//   2  payload is plaintext that bob encrypts; it must decrypt, and again under another seq be a
//      replay
//   3  payload is a KEY_SHARE body in alice's inbox from bob
//   4  payload parsed as a KeySharePayload that bob seals to alice's device and signs, naming the
//      one-time prekey id `flags` (0: sealed to the device key)
//   5  payload is a KeysResponse from the key directory (records of bob and alice left out)
//   6  payload is a Message applied as a membership message
//   7  payload parsed as a MembershipOp of bob in "secret", signed again with bob's key (flags bit 0:
//      its previous replaced by the channel's head), so the membership rules past the signature
//      run on fuzzed fields (genesis, add, accept, leave, remove; direct-channel rules)
//   8  payload is the body of a MEMBERSHIP message from bob in "secret"
//   9  payload is a PrekeyClaimResponse (every device in it asked for as bob's): a prekey is kept
//      only for bob's device and only with his signature over it
//   10 payload is a SignedDeviceList of carol (flags: bit 0 forces the nick, bit 1 signs it again
//      with carol's device, bit 2 also puts that device on it): never an older one kept
// Flags bit 0: the arrival names the client_msg_id the envelope's header names (as it does for a
// genuine message); bit 1: the arrival names the sender and device of the header, not bob's.
#include "E2eeFixture.h"
#include "FuzzInput.h"

#include "StoredMessage.h"
#include "crypto/CanonicalBytes.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/DeviceList.h"
#include "crypto/KeyShare.h"
#include "crypto/MembershipOp.h"
#include "crypto/MessageCrypto.h"
#include "crypto/PrekeyStore.h"
#include "hchat.pb.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstddef>
#include <cstdint>

using namespace hchat;
using namespace hchat::crypto;
using namespace hchat::fuzz;

namespace {

ChannelCrypto *g_crypto = nullptr;
DeviceIdentity *g_sender = nullptr;
quint64 g_seq = 0; // seqs of received messages only grow, as the gateway's do

QByteArray b(const std::string &s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

QString q(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

StoredMessage fromSender(const QString &channel, const QByteArray &body, MessageKind kind)
{
    StoredMessage m;
    m.channel = channel;
    m.seq = ++g_seq;
    m.sender = kSender;
    m.senderDevice = kSenderDevice;
    m.clientMsgId = QByteArray(16, '\x01');
    m.body = body;
    m.encrypted = kind == MessageKind::Text;
    m.kind = kind;
    return m;
}

void membership(MessageKind kind, const QString &subject)
{
    StoredMessage m = fromSender(kE2eeChannel, {}, kind);
    m.subject = subject;
    g_crypto->applyMembership(m);
}

// An operation of bob's (signed with his key) or of alice's (this device) applied in "secret".
void applyOp(MembershipOp op, bool byMe)
{
    op.channel = kE2eeChannel;
    op.actor = byMe ? kMe : kSender;
    op.actorDevice = byMe ? kMyDevice : kSenderDevice;
    const DeviceIdentity me = myIdentity();
    StoredMessage m =
        fromSender(kE2eeChannel, op.signAndSerialize(byMe ? me : *g_sender), MessageKind::Membership);
    m.encrypted = false;
    m.sender = op.actor;
    m.senderDevice = op.actorDevice;
    g_crypto->applyMembership(m);
}

QByteArray head()
{
    const ChannelMembership *members = g_crypto->membership(kE2eeChannel);
    return members ? members->head() : QByteArray();
}

// Keeps the fixture usable whatever an earlier input did: bob and alice are members of "secret"
// (one re-invites the other, who accepts, as their clients would).
void restoreMembership()
{
    for (const bool bobMissing : {true, false}) {
        const QString missing = bobMissing ? kSender : kMe;
        if (g_crypto->isMember(kE2eeChannel, missing))
            continue;
        MembershipOp add;
        add.action = MembershipOp::Action::Add;
        add.subject = missing;
        add.previous = head();
        applyOp(add, bobMissing);
        MembershipOp accept;
        accept.action = MembershipOp::Action::Accept;
        accept.previous = head();
        applyOp(accept, !bobMissing);
    }
}

void fuzzedOp(const QByteArray &bytes, std::uint8_t flags)
{
    hchat::v1::MembershipOp in;
    if (!in.ParseFromArray(bytes.constData(), int(bytes.size())))
        return;
    in.set_signature(std::string(64, '\0'));
    auto op = MembershipOp::parse(QByteArray::fromStdString(in.SerializeAsString()));
    if (!op)
        return;
    if (flags & 1)
        op->previous = head();
    applyOp(*op, false);
}

// The signature MessageCrypto makes and checks (header ‖ nonce ‖ ciphertext, canonical bytes).
// Signs the envelope's header as a sender would (MessageCrypto::headerBytes: v2 with the sender's
// time, v1 without), so the checks past the signature run on the fuzzed fields.
void signEnvelope(hchat::v1::EncryptedEnvelope &env)
{
    MessageCrypto::Header h;
    const std::string bytes = env.SerializeAsString();
    if (!MessageCrypto::peekHeader(QByteArrayView(bytes.data(), qsizetype(bytes.size())), &h))
        return;
    QByteArray signedBytes =
        CanonicalBytes("hchat-message-sig-v1").add(MessageCrypto::headerBytes(h)).bytes();
    signedBytes += CanonicalBytes("n").add(b(env.nonce())).bytes();
    signedBytes += CanonicalBytes("c").add(b(env.ciphertext())).bytes();
    env.set_signature(g_sender->sign(signedBytes).toStdString());
}

void decrypt(const QByteArray &body, std::uint8_t flags)
{
    StoredMessage m = fromSender(kE2eeChannel, body, MessageKind::Text);
    MessageCrypto::Header h;
    if (MessageCrypto::peekHeader(body, &h)) {
        if (flags & 1)
            m.clientMsgId = h.clientMsgId;
        if (flags & 2) {
            m.sender = h.sender;
            m.senderDevice = h.senderDevice;
        }
    }
    g_crypto->decryptMessage(m);
}

void encryptDecrypt(const QByteArray &plaintext)
{
    // A fresh session of bob's for each input, shared with alice first (a ratchet chain reaches
    // only so far past its start).
    auto fresh = SenderSession::create(kE2eeChannel);
    const DeviceIdentity me = myIdentity();
    g_crypto->acceptKeyShare(fromSender(QLatin1Char('~') + kMyDevice,
                                        KeyShare::seal(*fresh, *g_sender, kSender, kSenderDevice,
                                                       KeyShare::Recipient{kMe, kMyDevice, me.identityKey()}),
                                        MessageKind::KeyShare));
    SenderSession session = std::move(*fresh);
    const QByteArray msgId(16, '\x02');
    const QByteArray body =
        MessageCrypto::encrypt(session, *g_sender, kSender, kSenderDevice, msgId, plaintext);
    if (body.isEmpty())
        return; // too large
    StoredMessage m = fromSender(kE2eeChannel, body, MessageKind::Text);
    m.clientMsgId = msgId;
    const auto first = g_crypto->decryptMessage(m);
    if (first.state != ChannelCrypto::DisplayState::Decrypted || first.text != QString::fromUtf8(plaintext))
        invariantBroken("a genuine message from a trusted member does not decrypt to its plaintext");
    m.seq = ++g_seq;
    if (g_crypto->decryptMessage(m).error != MessageCrypto::Error::Replay)
        invariantBroken("the same message under another seq is not rejected as a replay");
}

void acceptShare(const QByteArray &body)
{
    g_crypto->acceptKeyShare(fromSender(QLatin1Char('~') + kMyDevice, body, MessageKind::KeyShare));
}

// flags: the prekey id the share names (0: sealed to the device key), signed as the sender would.
void sealAndAccept(const QByteArray &bytes, std::uint8_t flags)
{
    hchat::v1::KeySharePayload payload;
    if (!payload.ParseFromArray(bytes.constData(), int(bytes.size())))
        return;
    const DeviceIdentity me = myIdentity();
    const std::string plain = payload.SerializeAsString();
    hchat::v1::SealedKeyShare sealed;
    sealed.set_version(KeyShare::kVersion);
    sealed.set_sender(payload.sender());
    sealed.set_sender_device(payload.sender_device());
    sealed.set_recipient(payload.recipient());
    sealed.set_recipient_device(payload.recipient_device());
    sealed.set_prekey_id(flags);
    std::string nonce(crypto_box_NONCEBYTES, '\x07');
    std::string box(plain.size() + crypto_box_MACBYTES, '\0');
    if (crypto_box_easy(reinterpret_cast<unsigned char *>(box.data()),
                        reinterpret_cast<const unsigned char *>(plain.data()), plain.size(),
                        reinterpret_cast<const unsigned char *>(nonce.data()),
                        reinterpret_cast<const unsigned char *>(me.exchangeKey().constData()),
                        g_sender->exchangeSecret().data()) != 0)
        return;
    sealed.set_nonce(nonce);
    sealed.set_ciphertext(box);
    const QByteArray signedBytes = CanonicalBytes("hchat-keyshare-v1")
                                       .addU32(sealed.version())
                                       .add(b(sealed.sender()))
                                       .add(b(sealed.sender_device()))
                                       .add(b(sealed.recipient()))
                                       .add(b(sealed.recipient_device()))
                                       .add(b(sealed.nonce()))
                                       .add(b(sealed.ciphertext()))
                                       .addU32(sealed.prekey_id())
                                       .bytes();
    sealed.set_signature(g_sender->sign(signedBytes).toStdString());
    acceptShare(b(sealed.SerializeAsString()));
}

void applyKeys(const QByteArray &bytes)
{
    hchat::v1::KeysResponse in;
    if (!in.ParseFromArray(bytes.constData(), int(bytes.size())))
        return;
    hchat::v1::KeysResponse kept;
    for (const auto &rec : in.devices()) {
        const QString nick = q(rec.nick());
        if (nick.compare(kSender, Qt::CaseInsensitive) != 0 && nick.compare(kMe, Qt::CaseInsensitive) != 0)
            *kept.add_devices() = rec;
    }
    g_crypto->applyDeviceKeys(kept);
}

// A claim answer from the gateway, every device in it taken as the sender's: only a prekey signed
// by the sender's device key for that very device may be kept.
void applyClaims(const QByteArray &bytes)
{
    hchat::v1::PrekeyClaimResponse in;
    if (!in.ParseFromArray(bytes.constData(), int(bytes.size())))
        return;
    QHash<QString, QString> asked;
    for (const auto &c : in.prekeys())
        asked.insert(q(c.device_id()), kSender);
    g_crypto->prekeys().dropClaimed(kSender, kSenderDevice);
    g_crypto->applyClaimedPrekeys(in, asked);
    for (auto it = asked.cbegin(); it != asked.cend(); ++it) {
        const auto kept = g_crypto->prekeys().claimed(it.value(), it.key());
        if (!kept)
            continue;
        if (it.key() != kSenderDevice || !PrekeyStore::verify(*kept, kSenderDevice, g_sender->identityKey()))
            invariantBroken("a claimed prekey without the device's signature was kept");
        g_crypto->prekeys().dropClaimed(it.value(), it.key());
    }
}

// A signed device list of carol (flags bit 0: its nick forced to carol's; bit 1: signed again by
// carol's first device, so the rules past the signature run on fuzzed generations, entries and
// signers). Whatever comes, the list held for carol never goes back to an older generation, and
// only devices some accepted list named are trusted through a list.
void applyDeviceList(const QByteArray &bytes, std::uint8_t flags)
{
    static const DeviceIdentity carol = fixedIdentity('C');
    static const QString kCarol = QStringLiteral("carol");
    static const QString kCarolDevice = QStringLiteral("ca000000000000000000000000000003");
    hchat::v1::SignedDeviceList list;
    if (!list.ParseFromArray(bytes.constData(), int(bytes.size())))
        return;
    if (flags & 1)
        list.set_nick(kCarol.toStdString());
    if (flags & 2) {
        if (const auto parsed = DeviceList::fromProto(list)) {
            QList<DeviceList::Entry> entries = parsed->devices();
            if (flags & 4)
                entries.append({kCarolDevice, carol.identityKey()});
            if (const auto resigned =
                    DeviceList::make(parsed->nick(), parsed->generation(), entries, carol, kCarolDevice))
                resigned->toProto(&list);
        }
    }
    const auto before = g_crypto->deviceList(kCarol);
    hchat::v1::KeysResponse answer;
    *answer.add_device_lists() = list;
    g_crypto->applyDeviceKeys(answer, {kCarol});
    const auto after = g_crypto->deviceList(kCarol);
    if (before && (!after || after->generation() < before->generation()))
        invariantBroken("an older device list replaced a newer one");
    if (after && !before && !after->verify(after->keyOf(after->signerDevice())) &&
        !after->verify(g_crypto->trust().trustedKey(kCarol, after->signerDevice())))
        invariantBroken("a first device list was accepted without its signer's signature");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    QLoggingCategory::setFilterRules(QStringLiteral("*=false"));
    new QCoreApplication(*argc, *argv);
    g_sender = new DeviceIdentity(senderIdentity());
    g_crypto = new ChannelCrypto;
    if (!g_crypto->open(QString::fromStdString(scratchDir("e2ee")), myIdentity(), kMe, kMyDevice))
        invariantBroken("the crypto profile does not open");
    hchat::v1::KeysResponse keys;
    g_sender->fillDeviceKeys(keys.add_devices(), kSender, kSenderDevice);
    g_crypto->applyDeviceKeys(keys);
    membership(MessageKind::ChannelCreated, kSender);
    membership(MessageKind::MemberAdded, kMe);
    MembershipOp genesis;
    genesis.action = MembershipOp::Action::Genesis;
    genesis.members = {kMe};
    applyOp(genesis, false);
    MembershipOp accept;
    accept.action = MembershipOp::Action::Accept;
    accept.previous = head();
    applyOp(accept, true);
    if (!g_crypto->isMember(kE2eeChannel, kMe) || !g_crypto->isMember(kE2eeChannel, kSender))
        invariantBroken("the fixture's signed membership is refused");
    const DeviceIdentity me = myIdentity();
    const QByteArray share = KeyShare::seal(senderSession(), *g_sender, kSender, kSenderDevice,
                                            KeyShare::Recipient{kMe, kMyDevice, me.identityKey()});
    QString channel, error;
    if (!g_crypto->acceptKeyShare(fromSender(QLatin1Char('~') + kMyDevice, share, MessageKind::KeyShare),
                                  &channel, &error))
        invariantBroken("the fixture's key share is refused");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    restoreMembership();
    const std::uint8_t mode = data[0] % 11;
    const std::uint8_t flags = data[1];
    const QByteArray payload(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    switch (mode) {
    case 0:
        decrypt(payload, flags);
        break;
    case 1: {
        hchat::v1::EncryptedEnvelope env;
        if (!env.ParseFromArray(payload.constData(), int(payload.size())))
            return 0;
        signEnvelope(env);
        decrypt(b(env.SerializeAsString()), flags);
        break;
    }
    case 2:
        encryptDecrypt(payload);
        break;
    case 3:
        acceptShare(payload);
        break;
    case 4:
        sealAndAccept(payload, flags);
        break;
    case 5:
        applyKeys(payload);
        break;
    case 6: {
        hchat::v1::Message m;
        if (!m.ParseFromArray(payload.constData(), int(payload.size())))
            return 0;
        StoredMessage s = StoredMessage::fromProto(m);
        s.seq = ++g_seq;
        g_crypto->applyMembership(s);
        break;
    }
    case 7:
        fuzzedOp(payload, flags);
        break;
    case 8:
        g_crypto->applyMembership(fromSender(kE2eeChannel, payload, MessageKind::Membership));
        break;
    case 9:
        applyClaims(payload);
        break;
    case 10:
        applyDeviceList(payload, flags);
        break;
    }
    return 0;
}
