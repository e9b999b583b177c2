// Sender sessions, key shares and message envelopes between real identities and real stores:
// round trips, forgeries (each with its own error, never "valid"), replays, removal and rotation.
#include "TestEnv.h"
#include "crypto/BatchVerifier.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/KeyShare.h"
#include "crypto/MessageCrypto.h"
#include "crypto/SenderKeyStore.h"
#include "crypto/SenderSession.h"
#include "hchat.pb.h"

#include <QDateTime>
#include <QHash>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace hchat::crypto;
using Err = MessageCrypto::Error;

namespace {

QByteArray newMsgId()
{
    QByteArray id(16, '\0');
    for (auto &c : id)
        c = char(QRandomGenerator::global()->generate());
    return id;
}

// One member device: identity, trusted keys of others, sender-key store.
struct Party {
    QString nick;
    QString device;
    DeviceIdentity id;
    QHash<QString, QByteArray> trusted; // "nick\ndevice" → identity key
    SenderKeyStore store;

    Party(const QString &n, const QString &d, const QString &dir)
        : nick(n), device(d), id(*DeviceIdentity::generate())
    {
        const bool ok = store.open(dir + QStringLiteral("/%1-%2.sqlite").arg(n, d), id.deriveStorageKey());
        Q_ASSERT(ok);
        Q_UNUSED(ok);
    }
    void trust(const Party &other)
    {
        trusted.insert(other.nick + QLatin1Char('\n') + other.device, other.id.identityKey());
    }
    IdentityKeyLookup lookup() const
    {
        return
            [this](const QString &n, const QString &d) { return trusted.value(n + QLatin1Char('\n') + d); };
    }
    KeyShare::Recipient asRecipient() const { return {nick, device, id.identityKey()}; }
    QByteArray shareTo(const SenderSession &s, const Party &to) const
    {
        return KeyShare::seal(s, id, nick, device, to.asRecipient());
    }
    KeyShare::Error receive(const QByteArray &sealed, const QString &outerSender = {},
                            const QString &outerDevice = {})
    {
        auto opened = KeyShare::open(sealed, id, nick, device, lookup(), outerSender, outerDevice);
        if (opened.ok() && !store.addInbound(opened.sender, opened.senderDevice, *opened.session))
            return KeyShare::Error::DecryptionFailed;
        return opened.error;
    }
    QByteArray encrypt(SenderSession &s, const QByteArray &text, const QByteArray &msgId = newMsgId())
    {
        return MessageCrypto::encrypt(s, id, nick, device, msgId, text);
    }
    MessageCrypto::Result decrypt(const QByteArray &env, const QString &channel, quint64 seq,
                                  const Party *outer = nullptr)
    {
        MessageCrypto::Arrival a;
        a.channel = channel;
        a.seq = seq;
        if (outer) {
            a.sender = outer->nick;
            a.senderDevice = outer->device;
        }
        return MessageCrypto::decrypt(env, a, store.resolver(lookup()));
    }
};

hchat::v1::EncryptedEnvelope parsed(const QByteArray &env)
{
    hchat::v1::EncryptedEnvelope e;
    e.ParseFromArray(env.constData(), int(env.size()));
    return e;
}

QByteArray serialized(const hchat::v1::EncryptedEnvelope &e)
{
    const std::string s = e.SerializeAsString();
    return QByteArray(s.data(), qsizetype(s.size()));
}

} // namespace

class CryptoMessages : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void messageKeysFollowTheIndex();
    void keyShareRoundTrip();
    void theSendersTimeIsSignedAndCannotBeChangedOrStripped();
    void keyShareToTheWrongDeviceFails();
    void aForwardHandsOnTheWholeChainToTheSameAccountOnly();
    void threeMembersReadEachOther();
    void tamperedCiphertextIsBadSignature();
    void batchCheckVouchesOnlyForTheKeyItCheckedUnder();
    void swappedSenderIsBadSignature();
    void changedHeaderIsBadSignature();
    void editTargetAndKindAreSigned();
    void replayIntoAnotherChannelIsWrongChannel();
    void replayTwiceIsReplay();
    void missingSessionThenTheKeyArrives();
    void memberCannotForgeAnotherMember();
    void wrongKeyUnderAKnownSessionFailsToDecrypt();
    void removedMemberCannotReadTheRotatedSession();
    void rotationAfterAHundredMessagesOrAWeek();
    void aChainHandedOnAtIndexDerivesNoEarlierKey();
    void chainStepsAreBoundedAndRevisitable();
    void garbageAndMutationsAreNeverValid();
    void sizesAreBounded();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Party> alice, bob, carol;
    const QString ch = QStringLiteral("secret-club");
};

void CryptoMessages::init()
{
    m_dir =
        std::make_unique<QTemporaryDir>(hchat::test::scratchRoot() + QStringLiteral("/crypto-msg-XXXXXX"));
    QVERIFY(m_dir->isValid());
    alice = std::make_unique<Party>(QStringLiteral("alice"),
                                    QStringLiteral("a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"), m_dir->path());
    bob = std::make_unique<Party>(QStringLiteral("bob"), QStringLiteral("b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"),
                                  m_dir->path());
    carol = std::make_unique<Party>(QStringLiteral("carol"),
                                    QStringLiteral("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"), m_dir->path());
    for (Party *p : {alice.get(), bob.get(), carol.get()})
        for (Party *q : {alice.get(), bob.get(), carol.get()})
            if (p != q)
                p->trust(*q);
}

void CryptoMessages::cleanup()
{
    alice.reset();
    bob.reset();
    carol.reset();
}

void CryptoMessages::messageKeysFollowTheIndex()
{
    auto s = SenderSession::create(ch);
    QVERIFY(s);
    QCOMPARE(s->sessionId().size(), 16);
    QCOMPARE(s->key().size(), std::size_t(32));
    auto copy = s->from(5);
    QVERIFY(copy);
    QCOMPARE(copy->startIndex(), 5u);
    QVERIFY(!copy->key().equals(s->key())); // the chain key at 5, not at 0
    unsigned char k1[32], k2[32], k3[32];
    QVERIFY(s->messageKey(7, k1));
    QVERIFY(copy->messageKey(7, k2));
    QCOMPARE(QByteArray(reinterpret_cast<char *>(k1), 32), QByteArray(reinterpret_cast<char *>(k2), 32));
    QVERIFY(s->messageKey(8, k3));
    QVERIFY(QByteArray(reinterpret_cast<char *>(k1), 32) != QByteArray(reinterpret_cast<char *>(k3), 32));
    QVERIFY(!copy->messageKey(4, k2)); // before the share's start index
    QCOMPARE(s->takeIndex(), 0u);
    QCOMPARE(s->takeIndex(), 1u);
    QCOMPARE(s->nextIndex(), 2u);
    auto other = SenderSession::create(ch);
    QVERIFY(other->sessionId() != s->sessionId());
    QVERIFY(!other->key().equals(s->key()));
    QVERIFY(!SenderSession::fromKey(ch, QByteArray(15, 'x'), 0, s->key().view()));
    QVERIFY(!SenderSession::fromKey(ch, s->sessionId(), 0, QByteArray(31, 'x')));
}

void CryptoMessages::keyShareRoundTrip()
{
    auto s = SenderSession::create(ch);
    s->takeIndex();
    s->takeIndex();
    const QByteArray sealed = alice->shareTo(*s, *bob);
    QVERIFY(!sealed.isEmpty());
    QVERIFY(!sealed.contains(s->key().toByteArray())); // sealed, not in clear
    QVERIFY(!sealed.contains(s->from(2)->key().toByteArray()));
    auto opened =
        KeyShare::open(sealed, bob->id, bob->nick, bob->device, bob->lookup(), alice->nick, alice->device);
    QVERIFY2(opened.ok(), qPrintable(KeyShare::describe(opened.error)));
    QCOMPARE(opened.sender, alice->nick);
    QCOMPARE(opened.senderDevice, alice->device);
    QCOMPARE(opened.session->channel(), ch);
    QCOMPARE(opened.session->sessionId(), s->sessionId());
    QCOMPARE(opened.session->startIndex(), 2u);
    // The chain at the share's index, not the session's first key.
    QCOMPARE(opened.session->derivation(), SenderSession::Derivation::Ratchet);
    QVERIFY(opened.session->key().equals(s->from(2)->key()));
    QVERIFY(!opened.session->key().equals(s->key()));
}

// Issue 22: Bob's first device forwards Carol's session, as it holds it from index 0, to Bob's
// second device; the second device reads Carol's first message with it, under Carol's own signature.
// A forward is never made for, nor accepted as one from, another account.
void CryptoMessages::aForwardHandsOnTheWholeChainToTheSameAccountOnly()
{
    auto carolSession = SenderSession::create(ch);
    QCOMPARE(bob->receive(carol->shareTo(*carolSession, *bob), carol->nick, carol->device),
             KeyShare::Error::None);
    const QByteArray first = carol->encrypt(*carolSession, "before the laptop existed");
    const SenderSession *held = bob->store.inbound(ch, carol->device, carolSession->sessionId());
    QVERIFY(held && held->startIndex() == 0);

    Party laptop(bob->nick, QStringLiteral("b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"), m_dir->path());
    laptop.trust(*bob);
    laptop.trust(*carol);
    const KeyShare::Origin origin{carol->nick, carol->device};
    const QByteArray forward =
        KeyShare::seal(*held, bob->id, bob->nick, bob->device, laptop.asRecipient(), origin);
    QVERIFY(!forward.isEmpty());
    const auto opened = KeyShare::open(forward, laptop.id, laptop.nick, laptop.device, laptop.lookup(),
                                       bob->nick, bob->device);
    QVERIFY2(opened.ok(), qPrintable(KeyShare::describe(opened.error)));
    QVERIFY(opened.origin && opened.origin->nick == carol->nick && opened.origin->deviceId == carol->device);
    QCOMPARE(opened.session->startIndex(), 0u);
    QVERIFY(laptop.store.addInbound(opened.origin->nick, opened.origin->deviceId, *opened.session));
    const auto read = laptop.decrypt(first, ch, 1, carol.get());
    QVERIFY2(read.ok(), MessageCrypto::errorName(read.error));
    QCOMPARE(read.plaintext, QByteArray("before the laptop existed"));

    // Not to Alice's device: no forward is sealed across accounts.
    QVERIFY(KeyShare::seal(*held, bob->id, bob->nick, bob->device, alice->asRecipient(), origin).isEmpty());
    // Nor Carol's device "forwarding" someone's session to Bob.
    const QByteArray fromCarol =
        KeyShare::seal(*carolSession, carol->id, carol->nick, carol->device, bob->asRecipient(),
                       KeyShare::Origin{alice->nick, alice->device});
    QVERIFY(fromCarol.isEmpty());
}

void CryptoMessages::keyShareToTheWrongDeviceFails()
{
    auto s = SenderSession::create(ch);
    const QByteArray toBob = alice->shareTo(*s, *bob);
    // Delivered to Carol's inbox: addressed to someone else.
    QCOMPARE(carol->receive(toBob), KeyShare::Error::WrongRecipient);
    // Carol pretending to be Bob's device cannot open the box sealed to Bob's key.
    auto asBob = KeyShare::open(toBob, carol->id, bob->nick, bob->device, carol->lookup());
    QCOMPARE(asBob.error, KeyShare::Error::DecryptionFailed);
    QVERIFY(!asBob.session);
    // Bob's second device (same nick, other device id) is another recipient too.
    Party bob2(bob->nick, QStringLiteral("b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"), m_dir->path());
    bob2.trust(*alice);
    QCOMPARE(bob2.receive(toBob), KeyShare::Error::WrongRecipient);
    // Re-addressing the envelope to Carol breaks the signature.
    hchat::v1::SealedKeyShare e;
    QVERIFY(e.ParseFromArray(toBob.constData(), int(toBob.size())));
    e.set_recipient(carol->nick.toStdString());
    e.set_recipient_device(carol->device.toStdString());
    const std::string readdressed = e.SerializeAsString();
    QCOMPARE(carol->receive(QByteArray::fromStdString(readdressed)), KeyShare::Error::BadSignature);
    // Tampered ciphertext.
    QByteArray tampered = toBob;
    tampered[tampered.size() - 70] = char(tampered[tampered.size() - 70] ^ 1);
    const auto t = bob->receive(tampered);
    QVERIFY(t == KeyShare::Error::BadSignature || t == KeyShare::Error::Malformed);
    // The gateway says someone else sent it.
    QCOMPARE(bob->receive(toBob, carol->nick, carol->device), KeyShare::Error::BadSignature);
    // From a device Bob does not trust.
    Party stranger(QStringLiteral("mallory"), QStringLiteral("m0m0m0m0m0m0m0m0m0m0m0m0m0m0m0m0"),
                   m_dir->path());
    QCOMPARE(bob->receive(stranger.shareTo(*s, *bob)), KeyShare::Error::UnknownSender);
    // Garbage.
    QVERIFY(bob->receive(QByteArray("\x0a\x05hello", 7)) != KeyShare::Error::None);
    QCOMPARE(bob->receive(QByteArray(10000, 'x')), KeyShare::Error::Malformed);
    QCOMPARE(bob->store.inboundCount(), 0);
    // And the real one works.
    QCOMPARE(bob->receive(toBob, alice->nick, alice->device), KeyShare::Error::None);
    QCOMPARE(bob->store.inboundCount(), 1);
}

void CryptoMessages::threeMembersReadEachOther()
{
    Party *members[] = {alice.get(), bob.get(), carol.get()};
    std::vector<SenderSession> sessions;
    for (int i = 0; i < 3; ++i)
        sessions.push_back(std::move(*SenderSession::create(ch)));
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            if (i != j)
                QCOMPARE(members[j]->receive(members[i]->shareTo(sessions[size_t(i)], *members[j])),
                         KeyShare::Error::None);
    quint64 seq = 0;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 3; ++i) {
            const QByteArray text =
                QStringLiteral("round %1 from %2 ✓").arg(round).arg(members[i]->nick).toUtf8();
            const QByteArray env = members[i]->encrypt(sessions[size_t(i)], text);
            QVERIFY(!env.isEmpty());
            QVERIFY(!env.contains(text));
            ++seq;
            for (int j = 0; j < 3; ++j) {
                if (i == j)
                    continue;
                auto r = members[j]->decrypt(env, ch, seq, members[i]);
                QVERIFY2(r.ok(), MessageCrypto::errorName(r.error));
                QCOMPARE(r.plaintext, text);
                QCOMPARE(r.header.sender, members[i]->nick);
                QCOMPARE(r.header.senderDevice, members[i]->device);
                QCOMPARE(r.header.index, quint32(round));
            }
        }
    }
}

void CryptoMessages::tamperedCiphertextIsBadSignature()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    const QByteArray env = alice->encrypt(*s, "attack at dawn");
    auto e = parsed(env);
    std::string ct = e.ciphertext();
    ct[2] = char(ct[2] ^ 0x20);
    e.set_ciphertext(ct);
    auto r = bob->decrypt(serialized(e), ch, 1, alice.get());
    QCOMPARE(r.error, Err::BadSignature);
    QVERIFY(r.plaintext.isEmpty());
    // A tampered nonce or signature as well.
    e = parsed(env);
    std::string nonce = e.nonce();
    nonce[0] = char(nonce[0] ^ 1);
    e.set_nonce(nonce);
    QCOMPARE(bob->decrypt(serialized(e), ch, 1, alice.get()).error, Err::BadSignature);
    e = parsed(env);
    std::string sig = e.signature();
    sig[10] = char(sig[10] ^ 1);
    e.set_signature(sig);
    QCOMPARE(bob->decrypt(serialized(e), ch, 1, alice.get()).error, Err::BadSignature);
    // The untouched message is still fine afterwards (failures record nothing).
    QVERIFY(bob->decrypt(env, ch, 1, alice.get()).ok());
}

// Signatures checked ahead for a batch (BatchVerifier, on two threads) let decryption skip the
// check only for the very envelope and key that passed: a tampered envelope, another sender's key
// or a key that changed since are checked again and refused.
void CryptoMessages::batchCheckVouchesOnlyForTheKeyItCheckedUnder()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    std::vector<QByteArray> envelopes, keys;
    for (int i = 0; i < 40; ++i) {
        envelopes.push_back(alice->encrypt(*s, QByteArray("batch message ") + QByteArray::number(i)));
        keys.push_back(alice->id.identityKey());
    }
    auto tampered = parsed(envelopes[7]);
    std::string ct = tampered.ciphertext();
    ct[0] = char(ct[0] ^ 1);
    tampered.set_ciphertext(ct);
    envelopes[7] = serialized(tampered);
    keys[9] = carol->id.identityKey(); // someone else's key
    keys[11].clear();                  // no trusted key: nothing checked
    const std::vector<QByteArray> sent = envelopes;
    BatchVerifier verifier(envelopes, keys);
    for (size_t i = 0; i < sent.size(); ++i) {
        const QByteArray key = verifier.verifiedKey(i);
        QCOMPARE(key.isEmpty(), i == 7 || i == 9 || i == 11);
        if (!key.isEmpty())
            QCOMPARE(key, alice->id.identityKey());
    }
    // Vouched for under alice's key: decrypts without checking again.
    MessageCrypto::Arrival a;
    a.channel = ch;
    a.seq = 1;
    a.sender = alice->nick;
    a.senderDevice = alice->device;
    QVERIFY(
        MessageCrypto::decrypt(sent[0], a, bob->store.resolver(bob->lookup()), verifier.verifiedKey(0)).ok());
    // Even a vouch misapplied to another, tampered envelope does not make it readable (the AEAD
    // over header and ciphertext still refuses it).
    a.seq = 8;
    QVERIFY(!MessageCrypto::decrypt(sent[7], a, bob->store.resolver(bob->lookup()), alice->id.identityKey())
                 .ok());
    // Nor to a sender key that is not the one the resolver trusts now (the key changed in between).
    a.seq = 3;
    auto forged = parsed(sent[2]);
    std::string sig = forged.signature();
    sig[5] = char(sig[5] ^ 1);
    forged.set_signature(sig);
    QCOMPARE(MessageCrypto::decrypt(serialized(forged), a, bob->store.resolver(bob->lookup()),
                                    carol->id.identityKey())
                 .error,
             Err::BadSignature);
}

void CryptoMessages::swappedSenderIsBadSignature()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    const QByteArray env = alice->encrypt(*s, "from alice");
    // The gateway claims Carol sent it.
    QCOMPARE(bob->decrypt(env, ch, 1, carol.get()).error, Err::BadSignature);
    // The gateway rewrites the header too, so that it says Carol.
    auto e = parsed(env);
    e.set_sender(carol->nick.toStdString());
    e.set_sender_device(carol->device.toStdString());
    QCOMPARE(bob->decrypt(serialized(e), ch, 1, carol.get()).error, Err::BadSignature);
    // Only the device, same nick.
    e = parsed(env);
    e.set_sender_device("ffffffffffffffffffffffffffffffff");
    QCOMPARE(bob->decrypt(serialized(e), ch, 1).error, Err::MissingSession); // no key for that device at all
}

void CryptoMessages::changedHeaderIsBadSignature()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    alice->encrypt(*s, "zero");
    const QByteArray env = alice->encrypt(*s, "one");
    auto e = parsed(env);
    e.set_index(0);
    QCOMPARE(bob->decrypt(serialized(e), ch, 1, alice.get()).error, Err::BadSignature);
    e = parsed(env);
    e.set_client_msg_id(newMsgId().toStdString());
    QCOMPARE(bob->decrypt(serialized(e), ch, 1, alice.get()).error, Err::BadSignature);
    e = parsed(env);
    e.set_version(2);
    QCOMPARE(bob->decrypt(serialized(e), ch, 1, alice.get()).error, Err::UnsupportedVersion);
    // The gateway's client_msg_id differs from the signed one.
    MessageCrypto::Arrival a{ch, 1, alice->nick, alice->device, newMsgId()};
    QCOMPARE(MessageCrypto::decrypt(env, a, bob->store.resolver(bob->lookup())).error, Err::BadSignature);
    QVERIFY(bob->decrypt(env, ch, 1, alice.get()).ok());
}

void CryptoMessages::editTargetAndKindAreSigned()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    const QByteArray msgId = newMsgId();
    const QByteArray env =
        MessageCrypto::encrypt(*s, alice->id, alice->nick, alice->device, msgId, "new text", nullptr,
                               quint32(hchat::v1::MESSAGE_KIND_EDIT), 5);
    QVERIFY(!env.isEmpty());
    auto arrival = [&](quint32 kind, quint64 ref) {
        MessageCrypto::Arrival a{ch, 9, alice->nick, alice->device, msgId};
        a.kind = kind;
        a.refSeq = ref;
        return MessageCrypto::decrypt(env, a, bob->store.resolver(bob->lookup()));
    };
    // The gateway delivers it pointed at another message, or as a plain message: not valid.
    QCOMPARE(arrival(quint32(hchat::v1::MESSAGE_KIND_EDIT), 6).error, Err::BadSignature);
    QCOMPARE(arrival(quint32(hchat::v1::MESSAGE_KIND_TEXT), 5).error, Err::BadSignature);
    QCOMPARE(arrival(quint32(hchat::v1::MESSAGE_KIND_DELETE), 5).error, Err::BadSignature);
    // Rewriting the envelope's own fields breaks the signature.
    auto e = parsed(env);
    e.set_ref_seq(6);
    MessageCrypto::Arrival moved{ch, 9, alice->nick, alice->device, msgId};
    moved.kind = quint32(hchat::v1::MESSAGE_KIND_EDIT);
    moved.refSeq = 6;
    QCOMPARE(MessageCrypto::decrypt(serialized(e), moved, bob->store.resolver(bob->lookup())).error,
             Err::BadSignature);
    const auto ok = arrival(quint32(hchat::v1::MESSAGE_KIND_EDIT), 5);
    QVERIFY(ok.ok());
    QCOMPARE(ok.plaintext, QByteArray("new text"));
    QCOMPARE(ok.header.refSeq, quint64(5));
}

void CryptoMessages::replayIntoAnotherChannelIsWrongChannel()
{
    auto s = SenderSession::create(ch);
    auto s2 = SenderSession::create(QStringLiteral("other"));
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    QCOMPARE(bob->receive(alice->shareTo(*s2, *bob)), KeyShare::Error::None);
    const QByteArray env = alice->encrypt(*s, "only for secret-club");
    QCOMPARE(bob->decrypt(env, QStringLiteral("other"), 1, alice.get()).error, Err::WrongChannel);
    auto e = parsed(env);
    e.set_channel("other");
    QCOMPARE(bob->decrypt(serialized(e), QStringLiteral("other"), 1, alice.get()).error, Err::BadSignature);
    QVERIFY(bob->decrypt(env, ch, 7, alice.get()).ok());
}

void CryptoMessages::theSendersTimeIsSignedAndCannotBeChangedOrStripped()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const QByteArray env = alice->encrypt(*s, "written now");
    const auto r = bob->decrypt(env, ch, 1, alice.get());
    QVERIFY(r.ok());
    QVERIFY(r.header.senderTimeMs >= before && r.header.senderTimeMs <= QDateTime::currentMSecsSinceEpoch());
    auto e = parsed(env);
    e.set_sender_time_ms(e.sender_time_ms() - 3600 * 1000);
    QCOMPARE(bob->decrypt(serialized(e), ch, 1, alice.get()).error, Err::BadSignature);
    e = parsed(env);
    e.clear_sender_time_ms(); // as if written by an HChat without the field
    QCOMPARE(bob->decrypt(serialized(e), ch, 1, alice.get()).error, Err::BadSignature);
}

void CryptoMessages::replayTwiceIsReplay()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    const QByteArray env = alice->encrypt(*s, "pay bob 10");
    // A local preview (seq 0) is neither checked nor recorded.
    QVERIFY(bob->decrypt(env, ch, 0, alice.get()).ok());
    QVERIFY(bob->decrypt(env, ch, 5, alice.get()).ok());
    QVERIFY(bob->decrypt(env, ch, 0, alice.get()).ok());
    // The same stored message decrypted again (push then pull, or redisplay) is not a replay.
    QVERIFY(bob->decrypt(env, ch, 5, alice.get()).ok());
    // The gateway stores it a second time under a new seq.
    auto r = bob->decrypt(env, ch, 6, alice.get());
    QCOMPARE(r.error, Err::Replay);
    QVERIFY(r.plaintext.isEmpty());
    // Still a replay after a restart (the seen set is persisted).
    bob->store.close();
    QVERIFY(bob->store.open(m_dir->path() + QStringLiteral("/bob-%1.sqlite").arg(bob->device),
                            bob->id.deriveStorageKey()));
    QCOMPARE(bob->decrypt(env, ch, 6, alice.get()).error, Err::Replay);
    QVERIFY(bob->decrypt(env, ch, 5, alice.get()).ok());
}

void CryptoMessages::missingSessionThenTheKeyArrives()
{
    auto s = SenderSession::create(ch);
    const QByteArray env = alice->encrypt(*s, "early");
    auto r = bob->decrypt(env, ch, 1, alice.get());
    QCOMPARE(r.error, Err::MissingSession);
    QCOMPARE(r.header.sessionId, s->sessionId()); // which key to wait for
    MessageCrypto::Header h;
    QVERIFY(MessageCrypto::peekHeader(env, &h));
    QCOMPARE(h.senderDevice, alice->device);
    QVERIFY(bob->store.addWaiting(ch, 1, h.senderDevice, h.sessionId));
    // The share arrives (it starts at the session's next index, so share the original position).
    auto original = SenderSession::fromKey(ch, s->sessionId(), 0, s->key().view());
    QCOMPARE(bob->receive(alice->shareTo(*original, *bob)), KeyShare::Error::None);
    QCOMPARE(bob->store.waitingFor(ch, alice->device, s->sessionId()), QList<quint64>{1});
    auto again = bob->decrypt(env, ch, 1, alice.get());
    QVERIFY(again.ok());
    QCOMPARE(again.plaintext, QByteArray("early"));
    QVERIFY(bob->store.removeWaiting(ch, 1));
    // An unknown sender device is also "waiting" (no trusted key yet), not "valid".
    Party stranger(QStringLiteral("mallory"), QStringLiteral("m0m0m0m0m0m0m0m0m0m0m0m0m0m0m0m0"),
                   m_dir->path());
    auto ms = SenderSession::create(ch);
    QCOMPARE(bob->decrypt(stranger.encrypt(*ms, "hi"), ch, 2, &stranger).error, Err::MissingSession);
}

void CryptoMessages::memberCannotForgeAnotherMember()
{
    // Bob holds Alice's sender key; he encrypts in Alice's session and name, signing with his key.
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    QCOMPARE(carol->receive(alice->shareTo(*s, *carol)), KeyShare::Error::None);
    auto stolen = SenderSession::fromKey(ch, s->sessionId(), 0, s->key().view(), 50);
    const QByteArray forged =
        MessageCrypto::encrypt(*stolen, bob->id, alice->nick, alice->device, newMsgId(), "I, alice, resign");
    QCOMPARE(carol->decrypt(forged, ch, 1, alice.get()).error, Err::BadSignature);
}

void CryptoMessages::wrongKeyUnderAKnownSessionFailsToDecrypt()
{
    // A buggy or malicious sender shares one key and encrypts with another under the same id.
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    SecureBuffer otherKey = SecureBuffer::random(32);
    auto wrong = SenderSession::fromKey(ch, s->sessionId(), 0, otherKey.view());
    const QByteArray env = alice->encrypt(*wrong, "garbled");
    QCOMPARE(bob->decrypt(env, ch, 1, alice.get()).error, Err::DecryptionFailed);
    // A conflicting key share for the same session id is refused.
    QCOMPARE(bob->receive(alice->shareTo(*wrong, *bob)), KeyShare::Error::DecryptionFailed);
}

void CryptoMessages::removedMemberCannotReadTheRotatedSession()
{
    auto s1 = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s1, *bob)), KeyShare::Error::None);
    QCOMPARE(carol->receive(alice->shareTo(*s1, *carol)), KeyShare::Error::None);
    const QByteArray before = alice->encrypt(*s1, "before removal");
    QVERIFY(carol->decrypt(before, ch, 1, alice.get()).ok());

    // Carol is removed: the session must rotate, and the new one goes only to Bob.
    s1->requestRotation();
    QVERIFY(s1->needsRotation());
    auto s2 = s1->rotate();
    QVERIFY(s2);
    QVERIFY(s2->sessionId() != s1->sessionId());
    QVERIFY(!s2->needsRotation());
    QCOMPARE(bob->receive(alice->shareTo(*s2, *bob)), KeyShare::Error::None);
    const QByteArray after = alice->encrypt(*s2, "after removal");
    QVERIFY(bob->decrypt(after, ch, 2, alice.get()).ok());
    // Carol's client is handed the ciphertext directly.
    auto r = carol->decrypt(after, ch, 2, alice.get());
    QCOMPARE(r.error, Err::MissingSession);
    QVERIFY(r.plaintext.isEmpty());
    // Even re-labelled as the old session (which Carol has), it does not open.
    auto e = parsed(after);
    e.set_session_id(s1->sessionId().toStdString());
    QVERIFY(!carol->decrypt(serialized(e), ch, 2, alice.get()).ok());
}

void CryptoMessages::rotationAfterAHundredMessagesOrAWeek()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(SenderSession::kMessagesPerSession, 100u);
    for (quint32 i = 0; i < SenderSession::kMessagesPerSession - 1; ++i) {
        s->takeIndex();
        QVERIFY(s->advanceTo(s->nextIndex())); // as ChannelCrypto does after each message
    }
    QVERIFY(!s->needsRotation());
    s->takeIndex();
    QVERIFY(s->needsRotation());
    QVERIFY(!s->rotationRequested());
    // A week old with few messages: rotates too.
    const qint64 weekAgo = QDateTime::currentMSecsSinceEpoch() - SenderSession::kMaxAgeMs;
    auto old = SenderSession::fromKey(ch, s->sessionId(), 0, s->key().view(), 3,
                                      SenderSession::Derivation::Ratchet, weekAgo);
    QVERIFY(old->needsRotation());
    QVERIFY(!old->needsRotation(weekAgo + SenderSession::kMaxAgeMs - 1));
    // A session of HChat before the ratchet is never used to send again.
    auto indexed =
        SenderSession::fromKey(ch, s->sessionId(), 0, s->key().view(), 0, SenderSession::Derivation::Indexed);
    QVERIFY(indexed->needsRotation());
}

// A device that receives a session at index i (a member added, a new device) holds CK_i: no key
// of a message before i comes out of it, however far it is stepped. The indexed derivation of old
// HChat sessions, shown for contrast, gave every earlier key away.
void CryptoMessages::aChainHandedOnAtIndexDerivesNoEarlierKey()
{
    auto s = SenderSession::create(ch);
    constexpr quint32 kJoinedAt = 7;
    QList<QByteArray> earlier;
    for (quint32 i = 0; i < kJoinedAt; ++i) {
        unsigned char k[32];
        QVERIFY(s->messageKey(i, k));
        earlier << QByteArray(reinterpret_cast<char *>(k), 32);
    }
    // What the newcomer gets, through a real key share.
    for (quint32 i = 0; i < kJoinedAt; ++i)
        s->takeIndex();
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    const SenderSession *received = bob->store.inbound(ch, alice->device, s->sessionId());
    QVERIFY(received);
    QCOMPARE(received->startIndex(), kJoinedAt);
    unsigned char k[32];
    for (quint32 i = 0; i < kJoinedAt; ++i)
        QVERIFY(!received->messageKey(i, k));
    // Every key the received chain can give, and its chain key itself, differ from the earlier ones.
    const QByteArray chainKey(reinterpret_cast<const char *>(received->key().data()), 32);
    for (quint32 i = kJoinedAt; i <= kJoinedAt + SenderSession::kMaxChainSteps; ++i) {
        QVERIFY(received->messageKey(i, k));
        const QByteArray key(reinterpret_cast<char *>(k), 32);
        QVERIFY(!earlier.contains(key));
    }
    QVERIFY(!earlier.contains(chainKey));
    // The earlier messages themselves do not open for the newcomer.
    auto early = SenderSession::create(ch);
    QCOMPARE(carol->receive(alice->shareTo(*early, *carol)), KeyShare::Error::None);
    const QByteArray first = alice->encrypt(*early, "before bob came");
    QCOMPARE(bob->receive(alice->shareTo(*early, *bob)), KeyShare::Error::None); // at index 1
    QVERIFY(carol->decrypt(first, ch, 1, alice.get()).ok());
    QVERIFY(!bob->decrypt(first, ch, 1, alice.get()).ok());
    const QByteArray second = alice->encrypt(*early, "after bob came");
    QCOMPARE(bob->decrypt(second, ch, 2, alice.get()).plaintext, QByteArray("after bob came"));

    // Contrast: an indexed root key handed on "from 7" still yields key 0.
    auto legacy =
        SenderSession::fromKey(ch, s->sessionId(), 0, s->key().view(), 0, SenderSession::Derivation::Indexed);
    auto legacyFrom7 = SenderSession::fromKey(ch, s->sessionId(), 0, legacy->key().view(), 7,
                                              SenderSession::Derivation::Indexed);
    QVERIFY(legacyFrom7->messageKey(0, k));
}

void CryptoMessages::chainStepsAreBoundedAndRevisitable()
{
    auto s = SenderSession::create(ch);
    auto fresh = s->clone();
    unsigned char a[32], b[32];
    // Out of order: ahead, then back behind the remembered position: same keys as a fresh copy.
    QVERIFY(s->messageKey(9, a));
    QVERIFY(s->messageKey(3, a));
    QVERIFY(fresh.messageKey(3, b));
    QCOMPARE(QByteArray(reinterpret_cast<char *>(a), 32), QByteArray(reinterpret_cast<char *>(b), 32));
    // A hostile index far ahead is refused instead of stepped four billion times.
    QVERIFY(s->messageKey(SenderSession::kMaxChainSteps, a));
    QVERIFY(!s->messageKey(SenderSession::kMaxChainSteps + 1, a));
    QVERIFY(!s->messageKey(0xffffffffu, a));
    // Advancing forgets: the outbound session keeps nothing that opens what it already sent.
    QVERIFY(fresh.messageKey(5, b));
    QVERIFY(s->advanceTo(5));
    QVERIFY(!s->messageKey(4, a));
    QVERIFY(s->messageKey(5, a));
    QCOMPARE(QByteArray(reinterpret_cast<char *>(a), 32), QByteArray(reinterpret_cast<char *>(b), 32));
    QVERIFY(!s->advanceTo(4));
    QVERIFY(s->sameChain(fresh) && fresh.sameChain(*s));
}

void CryptoMessages::garbageAndMutationsAreNeverValid()
{
    auto s = SenderSession::create(ch);
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    const QByteArray env = alice->encrypt(*s, "mutate me");
    auto *rng = QRandomGenerator::global();
    // Every single-byte change of a valid envelope.
    for (int i = 0; i < env.size(); ++i) {
        QByteArray m = env;
        m[i] = char(m[i] ^ (1 << (i % 8)));
        auto r = bob->decrypt(m, ch, quint64(100 + i), alice.get());
        QVERIFY2(!r.ok(), qPrintable(QStringLiteral("byte %1 flipped still valid").arg(i)));
    }
    // Truncations.
    for (int n = 0; n < env.size(); ++n)
        QVERIFY(!bob->decrypt(env.left(n), ch, 1000, alice.get()).ok());
    // Random bytes.
    for (int i = 0; i < 2000; ++i) {
        QByteArray junk(int(rng->bounded(400)), '\0');
        for (auto &c : junk)
            c = char(rng->generate());
        QVERIFY(!bob->decrypt(junk, ch, 2000, alice.get()).ok());
        QVERIFY(!KeyShare::open(junk, bob->id, bob->nick, bob->device, bob->lookup()).ok());
    }
    QVERIFY(bob->decrypt(env, ch, 1, alice.get()).ok());
}

void CryptoMessages::sizesAreBounded()
{
    auto s = SenderSession::create(ch);
    QString error;
    const QByteArray big(MessageCrypto::kMaxPlaintextBytes + 1, 'x');
    QVERIFY(
        MessageCrypto::encrypt(*s, alice->id, alice->nick, alice->device, newMsgId(), big, &error).isEmpty());
    QVERIFY(error.contains(QLatin1String("too large")));
    const QByteArray max(MessageCrypto::kMaxPlaintextBytes, 'x');
    const QByteArray env = MessageCrypto::encrypt(*s, alice->id, alice->nick, alice->device, newMsgId(), max);
    QVERIFY(!env.isEmpty());
    QVERIFY(env.size() <= 64 * 1024); // fits the gateway's body limit
    QVERIFY(MessageCrypto::encrypt(*s, alice->id, alice->nick, alice->device, QByteArray(15, 'x'), "hi")
                .isEmpty());
    QCOMPARE(bob->decrypt(QByteArray(70000, '\x0a'), ch, 1).error, Err::Malformed);
    // Empty plaintext is fine.
    QCOMPARE(bob->receive(alice->shareTo(*s, *bob)), KeyShare::Error::None);
    auto r = bob->decrypt(alice->encrypt(*s, QByteArray()), ch, 1, alice.get());
    QVERIFY(r.ok());
    QVERIFY(r.plaintext.isEmpty());
}

QTEST_GUILESS_MAIN(CryptoMessages)
#include "tst_crypto_messages.moc"
