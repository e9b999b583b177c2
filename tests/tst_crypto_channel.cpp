// ChannelCrypto: three members of an encrypted channel, the stream simulated message by message
// (signed membership operations, key shares through inboxes, encrypted texts) — hidden members,
// fake devices, removal with rotation, waiting for keys, own messages.
#include "crypto/ChannelCrypto.h"
#include "crypto/KeyShare.h"
#include "hchat.pb.h"
#include "TestEnv.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <sodium.h>

using namespace hchat;
using namespace hchat::crypto;
using DS = ChannelCrypto::DisplayState;

namespace {
QByteArray msgId()
{
    QByteArray id(16, Qt::Uninitialized);
    randombytes_buf(id.data(), 16);
    return id;
}

struct Member {
    QString nick;
    QString device;
    std::unique_ptr<ChannelCrypto> crypto;
};
} // namespace

class CryptoChannel : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void membersReadEachOtherAndThemselves();
    void hiddenMemberAndFakeDeviceGetNoKey();
    void removedMemberCannotReadLaterMessages();
    void waitingForKeyThenDecrypted();
    void keyShareFromANonMemberIsRefused();
    void changedKeyGetsNoShareUntilAccepted();
    void membershipSurvivesARestart();

private:
    Member *add(const QString &nick);
    void publishAll(const QList<Member *> &to);
    StoredMessage membership(MessageKind kind, const QString &sender, const QString &subject);
    // A signed membership operation of actor, as the channel's next message.
    StoredMessage op(Member *actor, MembershipOp::Action action, const QString &subject = {},
                     const QStringList &members = {});
    // The channel as HChat makes one: created by creator, genesis inviting the others, each
    // accepting; every member applies every event.
    void setUpChannel(Member *creator, const QList<Member *> &invitees);
    void applyToAll(const StoredMessage &m);
    // Sends text from m: delivers the shares to the inboxes, returns the stored channel message.
    StoredMessage send(Member *from, const QString &text, bool deliverShares = true,
                       ChannelCrypto::Outgoing *outgoing = nullptr);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::vector<std::unique_ptr<Member>> m_members;
    QList<StoredMessage> m_pendingShares; // shares not delivered yet
    quint64 m_seq = 0;
    quint64 m_inboxSeq = 0;
    const QString ch = QStringLiteral("secret");
};

void CryptoChannel::init()
{
    m_dir = std::make_unique<QTemporaryDir>(hchat::test::scratchRoot() + QStringLiteral("/crypto-ch-XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_seq = 0;
}

void CryptoChannel::cleanup()
{
    m_members.clear();
    m_pendingShares.clear();
}

Member *CryptoChannel::add(const QString &nick)
{
    auto m = std::make_unique<Member>();
    m->nick = nick;
    QByteArray dev(16, Qt::Uninitialized);
    randombytes_buf(dev.data(), 16);
    m->device = QString::fromLatin1(dev.toHex());
    m->crypto = std::make_unique<ChannelCrypto>();
    const QString profile = m_dir->filePath(nick + QLatin1Char('-') + m->device);
    QDir().mkpath(profile);
    if (!m->crypto->open(profile, *DeviceIdentity::generate(), nick, m->device))
        qFatal("open: %s", qPrintable(m->crypto->lastError()));
    m_members.push_back(std::move(m));
    return m_members.back().get();
}

void CryptoChannel::publishAll(const QList<Member *> &to)
{
    v1::KeysResponse all;
    for (const auto &m : m_members)
        m->crypto->fillPublishRecord(all.add_devices());
    for (Member *m : to)
        m->crypto->applyDeviceKeys(all);
}

StoredMessage CryptoChannel::membership(MessageKind kind, const QString &sender, const QString &subject)
{
    StoredMessage m;
    m.channel = ch;
    m.seq = ++m_seq;
    m.sender = sender;
    m.kind = kind;
    m.subject = subject;
    return m;
}

StoredMessage CryptoChannel::op(Member *actor, MembershipOp::Action action, const QString &subject,
                                const QStringList &members)
{
    StoredMessage m;
    m.channel = ch;
    m.seq = ++m_seq;
    m.sender = actor->nick;
    m.senderDevice = actor->device;
    m.kind = MessageKind::Membership;
    QString error;
    m.body = actor->crypto->makeMembershipOp(ch, action, subject, members, &error);
    if (m.body.isEmpty())
        qWarning("makeMembershipOp: %s", qPrintable(error));
    return m;
}

void CryptoChannel::setUpChannel(Member *creator, const QList<Member *> &invitees)
{
    applyToAll(membership(MessageKind::ChannelCreated, creator->nick, creator->nick));
    QStringList nicks;
    for (Member *m : invitees)
        nicks << m->nick;
    applyToAll(op(creator, MembershipOp::Action::Genesis, {}, nicks));
    for (Member *m : invitees)
        applyToAll(op(m, MembershipOp::Action::Accept));
}

void CryptoChannel::applyToAll(const StoredMessage &m)
{
    for (const auto &mem : m_members)
        mem->crypto->applyMembership(m);
}

StoredMessage CryptoChannel::send(Member *from, const QString &text, bool deliverShares, ChannelCrypto::Outgoing *outgoing)
{
    const QByteArray id = msgId();
    ChannelCrypto::Outgoing out = from->crypto->encryptForSend(ch, id, text);
    if (!out.ok)
        qWarning("encryptForSend: %s", qPrintable(out.error));
    for (const auto &share : out.shares) {
        StoredMessage s;
        s.channel = share.stream;
        s.seq = ++m_inboxSeq;
        s.sender = from->nick;
        s.senderDevice = from->device;
        s.clientMsgId = share.clientMsgId;
        s.body = share.body;
        s.kind = MessageKind::KeyShare;
        if (deliverShares) {
            for (const auto &mem : m_members)
                if (QStringLiteral("~") + mem->device == share.stream)
                    mem->crypto->acceptKeyShare(s);
        } else {
            m_pendingShares.append(s);
        }
    }
    StoredMessage m;
    m.channel = ch;
    m.seq = ++m_seq;
    m.sender = from->nick;
    m.senderDevice = from->device;
    m.clientMsgId = id;
    m.body = out.body;
    m.encrypted = true;
    if (outgoing)
        *outgoing = out;
    return m;
}

void CryptoChannel::membersReadEachOtherAndThemselves()
{
    Member *alice = add(QStringLiteral("alice"));
    Member *bob = add(QStringLiteral("bob"));
    Member *carol = add(QStringLiteral("carol"));
    publishAll({alice, bob, carol});
    setUpChannel(alice, {bob, carol});
    QCOMPARE(alice->crypto->members(ch), (QStringList{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")}));
    QCOMPARE(carol->crypto->members(ch), alice->crypto->members(ch));

    for (Member *from : {alice, bob, carol}) {
        const QString text = QStringLiteral("hello from %1 🔒").arg(from->nick);
        ChannelCrypto::Outgoing out;
        const StoredMessage m = send(from, text, true, &out);
        QVERIFY2(out.ok, qPrintable(out.error));
        QCOMPARE(out.shares.size(), 2);
        QVERIFY(!m.body.contains(text.toUtf8()));
        for (Member *to : {alice, bob, carol}) { // including the sender itself
            const auto in = to->crypto->decryptMessage(m);
            QCOMPARE(in.state, DS::Decrypted);
            QCOMPARE(in.text, text);
        }
        // The second message needs no new shares.
        ChannelCrypto::Outgoing again;
        send(from, QStringLiteral("again"), true, &again);
        QVERIFY(again.ok);
        QVERIFY(again.shares.isEmpty());
    }
    // Plain messages pass through.
    StoredMessage plain;
    plain.channel = QStringLiteral("open");
    plain.seq = 1;
    plain.body = "hi";
    QCOMPARE(bob->crypto->decryptMessage(plain).state, DS::Plain);
}

void CryptoChannel::hiddenMemberAndFakeDeviceGetNoKey()
{
    Member *alice = add(QStringLiteral("alice"));
    Member *bob = add(QStringLiteral("bob"));
    Member *mallory = add(QStringLiteral("mallory")); // in the key directory, never added
    publishAll({alice, bob});
    setUpChannel(alice, {bob});
    // The gateway slips a second "bob" device in (its keys are Mallory's).
    v1::KeysResponse fake;
    mallory->crypto->fillPublishRecord(fake.add_devices());
    fake.mutable_devices(0)->set_nick("bob");
    fake.mutable_devices(0)->set_device_id("ffffffffffffffffffffffffffffffff");
    QSignalSpy trustSpy(alice->crypto.get(), &ChannelCrypto::deviceTrustChanged);
    alice->crypto->applyDeviceKeys(fake);
    QCOMPARE(trustSpy.size(), 1);
    QCOMPARE(trustSpy.at(0).at(2).value<TrustStore::State>(), TrustStore::State::NewDevice);

    ChannelCrypto::Outgoing out;
    const StoredMessage m = send(alice, QStringLiteral("for bob only"), true, &out);
    QVERIFY(out.ok);
    QCOMPARE(out.shares.size(), 1);
    QCOMPARE(out.shares.at(0).recipientDevice, bob->device);
    QCOMPARE(out.blockedDevices, QStringList{QStringLiteral("bob/ffffffffffffffffffffffffffffffff")});
    QCOMPARE(bob->crypto->decryptMessage(m).state, DS::Decrypted);
    QVERIFY(mallory->crypto->decryptMessage(m).state != DS::Decrypted);
}

void CryptoChannel::removedMemberCannotReadLaterMessages()
{
    Member *alice = add(QStringLiteral("alice"));
    Member *bob = add(QStringLiteral("bob"));
    Member *carol = add(QStringLiteral("carol"));
    publishAll({alice, bob, carol});
    setUpChannel(alice, {bob, carol});
    const StoredMessage before = send(alice, QStringLiteral("before"));
    QCOMPARE(carol->crypto->decryptMessage(before).state, DS::Decrypted);

    applyToAll(op(alice, MembershipOp::Action::Remove, QStringLiteral("carol")));
    QCOMPARE(bob->crypto->members(ch), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    ChannelCrypto::Outgoing out;
    const StoredMessage after = send(alice, QStringLiteral("after carol left"), true, &out);
    QVERIFY(out.ok);
    QCOMPARE(out.shares.size(), 1); // a new session, for Bob only
    QCOMPARE(bob->crypto->decryptMessage(after).state, DS::Decrypted);
    const auto in = carol->crypto->decryptMessage(after);
    QVERIFY(in.state != DS::Decrypted);
    QVERIFY(in.text.isEmpty());
}

void CryptoChannel::waitingForKeyThenDecrypted()
{
    Member *alice = add(QStringLiteral("alice"));
    Member *bob = add(QStringLiteral("bob"));
    publishAll({alice, bob});
    setUpChannel(alice, {bob});
    const StoredMessage m = send(alice, QStringLiteral("read me later"), false);
    const auto waiting = bob->crypto->decryptMessage(m);
    QCOMPARE(waiting.state, DS::WaitingForKey);
    QCOMPARE(waiting.error, MessageCrypto::Error::MissingSession);
    QSignalSpy unblocked(bob->crypto.get(), &ChannelCrypto::messagesUnblocked);
    QCOMPARE(m_pendingShares.size(), 1);
    QString channel, error;
    QVERIFY2(bob->crypto->acceptKeyShare(m_pendingShares.at(0), &channel, &error), qPrintable(error));
    QCOMPARE(channel, ch);
    QCOMPARE(unblocked.size(), 1);
    QCOMPARE(unblocked.at(0).at(1).value<QList<quint64>>(), QList<quint64>{m.seq});
    const auto now = bob->crypto->decryptMessage(m);
    QCOMPARE(now.state, DS::Decrypted);
    QCOMPARE(now.text, QStringLiteral("read me later"));
}

void CryptoChannel::keyShareFromANonMemberIsRefused()
{
    Member *alice = add(QStringLiteral("alice"));
    Member *bob = add(QStringLiteral("bob"));
    Member *eve = add(QStringLiteral("eve"));
    publishAll({alice, bob, eve});
    // Bob's view (the real stream): alice and bob. Eve, known and trusted as a device but never a
    // member, hands bob a session for the channel, properly sealed and signed.
    setUpChannel(alice, {bob});
    auto session = SenderSession::create(ch);
    QVERIFY(session);
    StoredMessage share;
    share.channel = QStringLiteral("~") + bob->device;
    share.seq = ++m_inboxSeq;
    share.sender = eve->nick;
    share.senderDevice = eve->device;
    share.kind = MessageKind::KeyShare;
    share.body = KeyShare::seal(*session, *eve->crypto->identity(), eve->nick, eve->device,
                                {bob->nick, bob->device, bob->crypto->identity()->identityKey()});
    QVERIFY(!share.body.isEmpty());
    QString error;
    QVERIFY(!bob->crypto->acceptKeyShare(share, nullptr, &error));
    QVERIFY2(error.contains(QLatin1String("not a member")), qPrintable(error));
    // Nor does a message of hers decrypt, even with a session bob somehow held.
    const StoredMessage forged = [&] {
        StoredMessage m;
        m.channel = ch;
        m.seq = ++m_seq;
        m.sender = eve->nick;
        m.senderDevice = eve->device;
        m.clientMsgId = msgId();
        m.encrypted = true;
        m.body = MessageCrypto::encrypt(*session, *eve->crypto->identity(), eve->nick, eve->device, m.clientMsgId,
                                        "trust me");
        return m;
    }();
    QVERIFY(bob->crypto->senderKeys().addInbound(eve->nick, eve->device, *session));
    const auto in = bob->crypto->decryptMessage(forged);
    QCOMPARE(in.state, DS::Undecryptable);
    QCOMPARE(in.error, MessageCrypto::Error::NotAMember);
}

void CryptoChannel::changedKeyGetsNoShareUntilAccepted()
{
    Member *alice = add(QStringLiteral("alice"));
    Member *bob = add(QStringLiteral("bob"));
    publishAll({alice, bob});
    QList<StoredMessage> events;
    events << membership(MessageKind::ChannelCreated, QStringLiteral("alice"), QStringLiteral("alice"));
    applyToAll(events.last());
    events << op(alice, MembershipOp::Action::Genesis, {}, {QStringLiteral("bob")});
    applyToAll(events.last());
    applyToAll(op(bob, MembershipOp::Action::Accept));
    // Bob re-installs and keeps his device id: the directory now shows another key for it.
    auto bobAgain = std::make_unique<ChannelCrypto>();
    const QString profile = m_dir->filePath(QStringLiteral("bob-reinstalled"));
    QDir().mkpath(profile);
    QVERIFY(bobAgain->open(profile, *DeviceIdentity::generate(), bob->nick, bob->device));
    v1::KeysResponse changed;
    bobAgain->fillPublishRecord(changed.add_devices());
    QSignalSpy trustSpy(alice->crypto.get(), &ChannelCrypto::deviceTrustChanged);
    alice->crypto->applyDeviceKeys(changed);
    QCOMPARE(trustSpy.size(), 1);
    QCOMPARE(trustSpy.at(0).at(2).value<TrustStore::State>(), TrustStore::State::Changed);

    ChannelCrypto::Outgoing out;
    send(alice, QStringLiteral("not for the new key"), false, &out);
    QVERIFY(out.ok);
    QVERIFY(out.shares.isEmpty());
    QCOMPARE(out.blockedDevices, QStringList{QStringLiteral("bob/") + bob->device});

    QVERIFY(alice->crypto->trust().accept(bob->nick, bob->device));
    send(alice, QStringLiteral("now shared"), false, &out);
    QCOMPARE(out.shares.size(), 1);
    QVERIFY(out.blockedDevices.isEmpty());
    QString error;
    v1::KeysResponse aliceKeys;
    alice->crypto->fillPublishRecord(aliceKeys.add_devices());
    bobAgain->applyDeviceKeys(aliceKeys);
    for (const StoredMessage &e : events)
        bobAgain->applyMembership(e);
    StoredMessage share = m_pendingShares.last();
    QVERIFY2(bobAgain->acceptKeyShare(share, nullptr, &error), qPrintable(error));
}

void CryptoChannel::membershipSurvivesARestart()
{
    Member *alice = add(QStringLiteral("alice"));
    Member *bob = add(QStringLiteral("bob"));
    publishAll({alice, bob});
    setUpChannel(alice, {bob});
    const StoredMessage first = send(alice, QStringLiteral("one"));
    const QString profile = m_dir->filePath(QStringLiteral("alice-") + alice->device);
    const SecureBuffer secret = alice->crypto->identity()->exportSecret();
    alice->crypto = std::make_unique<ChannelCrypto>();
    QVERIFY(alice->crypto->open(profile, *DeviceIdentity::fromSecret(secret.view()), alice->nick, alice->device));
    QCOMPARE(alice->crypto->members(ch), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    QCOMPARE(alice->crypto->decryptMessage(first).state, DS::Decrypted);
    // A membership message at or below the applied seq (history replayed) changes nothing…
    StoredMessage old = op(alice, MembershipOp::Action::Remove, QStringLiteral("bob"));
    old.seq = 2;
    alice->crypto->applyMembership(old);
    QCOMPARE(alice->crypto->members(ch), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    // …a new one applies (it chains to what was applied before the restart), and rotates the
    // restored outbound session.
    alice->crypto->applyMembership(op(alice, MembershipOp::Action::Remove, QStringLiteral("bob")));
    QCOMPARE(alice->crypto->members(ch), QStringList{QStringLiteral("alice")});
    ChannelCrypto::Outgoing out;
    const StoredMessage next = send(alice, QStringLiteral("two"), true, &out);
    QVERIFY(out.ok);
    MessageCrypto::Header h1, h2;
    QVERIFY(MessageCrypto::peekHeader(first.body, &h1) && MessageCrypto::peekHeader(next.body, &h2));
    QVERIFY(h1.sessionId != h2.sessionId);
    QCOMPARE(bob->crypto->decryptMessage(next).state, DS::WaitingForKey);
}

QTEST_GUILESS_MAIN(CryptoChannel)
#include "tst_crypto_channel.moc"
