// End-to-end encrypted channels through the real gateway (issue 5, "Done when"): three users
// exchange messages; zero knowledge (no phrase in the gateway's database files or output, with a
// control run in an open channel); offline member; removal; key change; a fake device in the key
// directory; forgery by editing the gateway's database.
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"

#include "crypto/MessageCrypto.h"
#include "hchat.pb.h"

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

using namespace hchat;
using namespace hchat::test;
using CS = StoredMessage::CryptoState;

class E2eeChannels : public GatewaySuite {
    Q_OBJECT
private slots:
    void threeUsersExchangeMessages();
    void offlineMemberReadsAfterCatchUp();
    void removedMemberCannotDecryptLaterMessages();
    void rolesAndBansInAnEncryptedChannelAreSignedOperations();
    void aModeratorsSignedDeletionIsHonouredByEveryMember();
    void fakeDeviceGetsNoKeyAndKeyChangeNeedsAccept();
    void zeroKnowledgeAtTheGateway();
    void forgeriesShowAsUndecryptable();
};

void E2eeChannels::threeUsersExchangeMessages()
{
    const QString ch = QStringLiteral("trio");
    auto alice = e2eeUser(*m_gw, QStringLiteral("alice"));
    auto bob = e2eeUser(*m_gw, QStringLiteral("bob"));
    auto carol = e2eeUser(*m_gw, QStringLiteral("carol"));
    QVERIFY((*alice)->isEncryptionReady() && (*bob)->isEncryptionReady() && (*carol)->isEncryptionReady());
    QVERIFY(alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly,
                                               {QStringLiteral("bob"), QStringLiteral("carol")})));
    QVERIFY(acceptInvitation(*bob, ch));
    QVERIFY(acceptInvitation(*carol, ch));
    for (auto *c : {alice.get(), bob.get(), carol.get()})
        QTRY_VERIFY_WITH_TIMEOUT(c->store()->channel(ch) && c->store()->channel(ch)->encrypted &&
                                     (*c)->crypto()->members(ch).size() == 3,
                                 20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("bob"), QStringLiteral("carol")}), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*bob, {QStringLiteral("alice"), QStringLiteral("carol")}), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*carol, {QStringLiteral("alice"), QStringLiteral("bob")}), 20000);

    struct Sent {
        TestClient *from;
        QString nick;
        QString text;
        quint64 seq;
    };
    QList<Sent> sent;
    sent.append(
        {alice.get(), QStringLiteral("alice"), QStringLiteral("alice says the owl flies at dawn"), 0});
    sent.append({bob.get(), QStringLiteral("bob"), QStringLiteral("bob answers with a quiet fox"), 0});
    sent.append({carol.get(), QStringLiteral("carol"), QStringLiteral("carol brings the lantern 灯笼"), 0});
    for (Sent &s : sent) {
        s.seq = sendAndWait(*s.from, ch, s.text);
        QVERIFY2(s.seq > 0, qPrintable(s.nick));
    }
    for (const Sent &s : sent) {
        for (auto *c : {alice.get(), bob.get(), carol.get()}) {
            QTRY_COMPARE_WITH_TIMEOUT(shownText(*c, ch, s.seq), s.text, 20000);
            QCOMPARE(c->store()->message(ch, s.seq)->sender, s.nick);
            QVERIFY(c->store()->message(ch, s.seq)->encrypted);
        }
    }
    // Local search covers the decrypted text.
    const auto hits = (*bob)->search(QStringLiteral("lantern"));
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.first().seq, sent.last().seq);
}

void E2eeChannels::offlineMemberReadsAfterCatchUp()
{
    const QString ch = QStringLiteral("later");
    auto alice = e2eeUser(*m_gw, QStringLiteral("alice2"));
    auto bob = e2eeUser(*m_gw, QStringLiteral("bob2"));
    const QString bobToken = bob->token;
    QVERIFY(alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {})));
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, QStringLiteral("alice2")), 10000);
    QVERIFY(alice->run((*alice)->invite(ch, QStringLiteral("bob2"))));
    QVERIFY(acceptInvitation(*bob, ch));
    (*bob)->disconnectFromGateway();
    QTRY_COMPARE_WITH_TIMEOUT((*bob)->connectionState(), ConnectionState::Offline, 5000);
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, QStringLiteral("bob2")), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("bob2")}), 10000);
    const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("while you were away"));
    QVERIFY(seq > 0);
    (*bob)->startSession(bobToken);
    QVERIFY(bob->waitOnline(20000));
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, seq), QStringLiteral("while you were away"), 20000);
}

void E2eeChannels::removedMemberCannotDecryptLaterMessages()
{
    const QString ch = QStringLiteral("shrinking");
    auto alice = e2eeUser(*m_gw, QStringLiteral("alice3"));
    auto carol = e2eeUser(*m_gw, QStringLiteral("carol3"));
    QVERIFY(
        alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {QStringLiteral("carol3")})));
    QVERIFY(acceptInvitation(*carol, ch));
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("carol3")}) &&
                                 (*alice)->crypto()->isMember(ch, QStringLiteral("carol3")),
                             20000);
    const quint64 before = sendAndWait(*alice, ch, QStringLiteral("still among friends"));
    QVERIFY(before > 0);
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*carol, ch, before), QStringLiteral("still among friends"), 20000);

    const QString carolInbox = QLatin1Char('~') + (*carol)->deviceId();
    const auto sharesBefore = alice->store()->outbox(carolInbox).size();
    QVERIFY(sharesBefore >= 1);
    QVERIFY(alice->run((*alice)->removeMember(ch, QStringLiteral("carol3"))));
    QTRY_VERIFY_WITH_TIMEOUT(!(*alice)->crypto()->isMember(ch, QStringLiteral("carol3")), 10000);
    const quint64 after = sendAndWait(*alice, ch, QStringLiteral("a secret after carol left"));
    QVERIFY(after > 0);
    // The gateway no longer delivers to Carol; hand her client the ciphertext directly.
    const auto m = alice->store()->message(ch, after);
    QVERIFY(m);
    const auto in = (*carol)->crypto()->decryptMessage(*m);
    QVERIFY(in.state != crypto::ChannelCrypto::DisplayState::Decrypted);
    QVERIFY(!in.text.contains(QStringLiteral("secret")));
    // No key share went to her device after the removal (the session was rotated).
    QCOMPARE(alice->store()->outbox(carolInbox).size(), sharesBefore);
}

// Issue 21: in an encrypted channel the owner's role change is a signed operation every member
// derives; a plain member cannot remove anyone; a moderator's ban removes the member with a
// signed removal first.
void E2eeChannels::rolesAndBansInAnEncryptedChannelAreSignedOperations()
{
    const QString ch = QStringLiteral("moderated-vault");
    const QString bob = QStringLiteral("bob7"), carol = QStringLiteral("carol7");
    auto alice = e2eeUser(*m_gw, QStringLiteral("alice7"));
    auto b = e2eeUser(*m_gw, bob);
    auto c = e2eeUser(*m_gw, carol);
    QVERIFY(alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {bob, carol})));
    QVERIFY(acceptInvitation(*b, ch));
    QVERIFY(acceptInvitation(*c, ch));
    using Role = crypto::MembershipOp::Role;
    auto roleSeenBy = [&](TestClient &u, const QString &nick) {
        const auto *m = u->crypto()->membership(ch);
        return m ? m->role(nick) : Role::Member;
    };
    QTRY_VERIFY_WITH_TIMEOUT((*c)->crypto()->isMember(ch, bob) && (*b)->crypto()->isMember(ch, carol), 20000);
    QCOMPARE(roleSeenBy(*c, QStringLiteral("alice7")), Role::Owner);
    // A plain member's removal is refused (by the gateway; the members would ignore it too).
    QVERIFY(!c->run((*c)->removeMember(ch, bob)));
    QVERIFY((*alice)->crypto()->isMember(ch, bob));
    QVERIFY(alice->run((*alice)->setMemberRole(ch, bob, ChannelRecord::Role::Moderator)));
    QTRY_COMPARE_WITH_TIMEOUT(roleSeenBy(*c, bob), Role::Moderator, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(roleSeenBy(*b, bob), Role::Moderator, 20000);
    QVERIFY(b->run((*b)->ban(ch, carol, QStringLiteral("rude"))));
    QTRY_VERIFY_WITH_TIMEOUT(!(*alice)->crypto()->isMember(ch, carol), 20000);
    QVERIFY(!(*b)->crypto()->isMember(ch, carol));
    // Invited again, the banned member is refused by the gateway.
    QVERIFY(!alice->run((*alice)->invite(ch, carol)));
}

// Issue 21: a moderator of an encrypted channel deletes someone else's message with a signed
// deletion; every member's device erases it because the signed membership made its sender a
// moderator; the role shows on the moderator's own device as soon as the signed ROLE arrives; a
// plain member (or a demoted moderator) cannot.
void E2eeChannels::aModeratorsSignedDeletionIsHonouredByEveryMember()
{
    const QString ch = QStringLiteral("swept-vault");
    const QString owner = QStringLiteral("alice8"), bob = QStringLiteral("bob8"),
                  carol = QStringLiteral("carol8");
    auto a = e2eeUser(*m_gw, owner);
    auto b = e2eeUser(*m_gw, bob);
    auto c = e2eeUser(*m_gw, carol);
    QVERIFY(a->run((*a)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {bob, carol})));
    QVERIFY(acceptInvitation(*b, ch));
    QVERIFY(acceptInvitation(*c, ch));
    for (auto *u : {a.get(), b.get(), c.get()})
        QTRY_VERIFY_WITH_TIMEOUT(u->store()->channel(ch) && (*u)->crypto()->members(ch).size() == 3, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*a, {bob, carol}) && knowsKeysOf(*b, {owner, carol}) &&
                                 knowsKeysOf(*c, {owner, bob}),
                             20000);
    const quint64 spam = sendAndWait(*c, ch, QStringLiteral("buy cheap watches at evil.example"));
    const quint64 notice = sendAndWait(*a, ch, QStringLiteral("house rules: be kind"));
    QVERIFY(spam > 0 && notice > 0);
    for (auto *u : {a.get(), b.get(), c.get()})
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*u, ch, spam),
                                  QStringLiteral("buy cheap watches at evil.example"), 20000);

    // Not a moderator yet: the client refuses, and nothing is sent.
    QString error;
    QVERIFY(!b->run((*b)->deleteOthersMessage(ch, spam), &error));
    QVERIFY2(error.contains(QStringLiteral("moderators")), qPrintable(error));

    QVERIFY(a->run((*a)->setMemberRole(ch, bob, ChannelRecord::Role::Moderator)));
    // Bob's own device knows it from the signed operation, without signing in again.
    QTRY_COMPARE_WITH_TIMEOUT(b->store()->channel(ch)->role, ChannelRecord::Role::Moderator, 20000);
    QTRY_COMPARE_WITH_TIMEOUT((*c)->crypto()->membership(ch)->role(bob),
                              crypto::MembershipOp::Role::Moderator, 20000);
    QVERIFY2(b->run((*b)->deleteOthersMessage(ch, spam), &error), qPrintable(error));
    for (auto *u : {a.get(), b.get(), c.get()}) {
        QTRY_VERIFY_WITH_TIMEOUT(u->store()->message(ch, spam)->deleted, 20000);
        QVERIFY(u->store()->message(ch, spam)->plainText.isEmpty());
        QVERIFY((*u)->search(QStringLiteral("watches")).isEmpty());
    }

    // Carol, a plain member, cannot delete the owner's message.
    QVERIFY(!c->run((*c)->deleteOthersMessage(ch, notice), &error));
    // Demoted, Bob cannot either; his device knows at once.
    QVERIFY(a->run((*a)->setMemberRole(ch, bob, ChannelRecord::Role::Member)));
    QTRY_COMPARE_WITH_TIMEOUT(b->store()->channel(ch)->role, ChannelRecord::Role::Member, 20000);
    QVERIFY(!b->run((*b)->deleteOthersMessage(ch, notice), &error));
    QTest::qWait(300);
    for (auto *u : {a.get(), b.get(), c.get()})
        QCOMPARE(shownText(*u, ch, notice), QStringLiteral("house rules: be kind"));
}

void E2eeChannels::fakeDeviceGetsNoKeyAndKeyChangeNeedsAccept()
{
    const QString ch = QStringLiteral("guarded");
    auto alice = e2eeUser(*m_gw, QStringLiteral("alice4"));
    auto bob = e2eeUser(*m_gw, QStringLiteral("bob4"));
    QVERIFY(
        alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {QStringLiteral("bob4")})));
    QVERIFY(acceptInvitation(*bob, ch));
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("bob4")}) &&
                                 (*alice)->crypto()->isMember(ch, QStringLiteral("bob4")),
                             20000);
    QVERIFY(sendAndWait(*alice, ch, QStringLiteral("first contact")) > 0);

    // A device for bob4 appears in the key directory (the gateway could do that, or Bob
    // re-installed): a new profile and a new identity, logged in as bob4.
    QSignalSpy trust(alice->client.get(), &Client::deviceTrustChanged);
    auto bobAgain = e2eeUser(*m_gw, QStringLiteral("bob4"));
    const QString newDevice = (*bobAgain)->deviceId();
    QVERIFY(newDevice != (*bob)->deviceId());
    QVERIFY(alice->run((*alice)->fetchKeys({QStringLiteral("bob4")})));
    QTRY_VERIFY_WITH_TIMEOUT(!trust.isEmpty(), 10000);
    QCOMPARE(trust.last().at(1).toString(), newDevice);
    QCOMPARE(trust.last().at(2).value<crypto::TrustStore::State>(), crypto::TrustStore::State::NewDevice);

    QSignalSpy warning(alice->client.get(), &Client::encryptionWarning);
    QVERIFY(sendAndWait(*alice, ch, QStringLiteral("not for the new device")) > 0);
    QVERIFY(!warning.isEmpty());
    QVERIFY(warning.last().at(1).toString().contains(newDevice));
    const QString inbox = QLatin1Char('~') + newDevice;
    QVERIFY(alice->store()->outbox(inbox).isEmpty()); // no key share to it

    // Alice accepts it: the next message is shared with it and it reads that one.
    QVERIFY((*alice)->acceptDevice(QStringLiteral("bob4"), newDevice));
    const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("welcome back, bob"));
    QVERIFY(seq > 0);
    QCOMPARE(alice->store()->outbox(inbox).size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*bobAgain, ch, seq), QStringLiteral("welcome back, bob"), 20000);
}

void E2eeChannels::zeroKnowledgeAtTheGateway()
{
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--log-level"), QStringLiteral("debug")});
    QVERIFY(gw.start());
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
    const QStringList secret = {QStringLiteral("zebra-crossing-at-midnight"),
                                QStringLiteral("purple-umbrella-treaty"),
                                QStringLiteral("nine-silent-harbours")};
    const QStringList open = {QStringLiteral("open-mango-parade"), QStringLiteral("open-velvet-compass")};
    {
        auto alice = e2eeUser(gw, QStringLiteral("zalice"));
        auto bob = e2eeUser(gw, QStringLiteral("zbob"));
        QVERIFY(alice->run((*alice)->createChannel(QStringLiteral("vault"), ChannelRecord::Kind::InviteOnly,
                                                   {QStringLiteral("zbob")})));
        QVERIFY(acceptInvitation(*bob, QStringLiteral("vault")));
        QTRY_VERIFY_WITH_TIMEOUT(
            (*alice)->crypto()->isMember(QStringLiteral("vault"), QStringLiteral("zbob")), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("zbob")}), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*bob, {QStringLiteral("zalice")}), 20000);
        quint64 last = 0;
        for (int i = 0; i < secret.size(); ++i) {
            auto &from = i % 2 ? bob : alice;
            last = sendAndWait(*from, QStringLiteral("vault"), secret.at(i));
            QVERIFY(last > 0);
        }
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*alice, QStringLiteral("vault"), last), secret.last(), 20000);
        // Control: the same grep finds what was said in an open channel.
        QVERIFY(alice->run((*alice)->joinChannel(QStringLiteral("square"))));
        for (const QString &p : open)
            QVERIFY(sendAndWait(*alice, QStringLiteral("square"), p) > 0);
    }
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
    QTest::qWait(200);
    // Debug logging was really on: the gateway described each commit and request.
    QVERIFY(gw.output().contains("debug hchat-gateway: committed vault seq"));
    QVERIFY(gw.output().contains("debug hchat-gateway: frame send"));
    QVERIFY(gw.output().contains("debug hchat-gateway: http POST /v1/keys/fetch"));
    for (const QString &p : secret)
        QVERIFY2(
            whereFound(gw, p.toUtf8()).isEmpty(),
            qPrintable(p + QStringLiteral(" found in ") + whereFound(gw, p.toUtf8()).join(QLatin1Char(','))));
    for (const QString &p : open)
        QVERIFY2(!whereFound(gw, p.toUtf8()).isEmpty(),
                 qPrintable(p + QStringLiteral(": control not found")));
    // And after a clean stop (WAL checkpointed into the main file).
    QCOMPARE(gw.terminate(), 0);
    for (const QString &p : secret)
        QVERIFY(whereFound(gw, p.toUtf8()).isEmpty());
    for (const QString &p : open)
        QVERIFY(!whereFound(gw, p.toUtf8()).isEmpty());
}

void E2eeChannels::forgeriesShowAsUndecryptable()
{
    // A gateway of our own, whose database the test edits between runs on the same port.
    QTemporaryDir dbDir(scratchRoot() + QStringLiteral("/forge-XXXXXX"));
    auto gw = std::make_unique<GatewayProcess>(dbDir.path());
    QVERIFY(gw->start());
    const quint16 port = gw->port();
    const QString a = QStringLiteral("falice"), b = QStringLiteral("fbob");
    auto alice = e2eeUser(*gw, a);
    auto bob = e2eeUser(*gw, b);
    QVERIFY(alice->run((*alice)->createChannel(QStringLiteral("one"), ChannelRecord::Kind::InviteOnly, {b})));
    QVERIFY(alice->run((*alice)->createChannel(QStringLiteral("two"), ChannelRecord::Kind::InviteOnly, {b})));
    QVERIFY(acceptInvitation(*bob, QStringLiteral("one")));
    QVERIFY(acceptInvitation(*bob, QStringLiteral("two")));
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(QStringLiteral("one"), b) &&
                                 (*alice)->crypto()->isMember(QStringLiteral("two"), b),
                             20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {b}), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*bob, {a}), 20000);
    const quint64 s1 = sendAndWait(*alice, QStringLiteral("one"), QStringLiteral("the original words"));
    QVERIFY(s1 > 0);
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, QStringLiteral("one"), s1),
                              QStringLiteral("the original words"), 20000);
    // Bob's view of "one" stops here; he comes back to find what the "gateway" did.
    (*bob)->disconnectFromGateway();
    const quint64 s2 = sendAndWait(*alice, QStringLiteral("one"), QStringLiteral("to be tampered with"));
    const quint64 s3 =
        sendAndWait(*alice, QStringLiteral("one"), QStringLiteral("to be signed by someone else"));
    QVERIFY(s2 > 0 && s3 > 0);
    const quint64 twoMax = alice->store()->maxSeq(QStringLiteral("two"));
    // Mallory has an account and published device keys, but nobody ever added her.
    HttpTestApi api(gw->httpUrl());
    QString malloryDevice;
    const QString malloryToken =
        api.account(QStringLiteral("fmallory"), QStringLiteral("correct horse battery"), &malloryDevice);
    QVERIFY(!malloryToken.isEmpty() && !malloryDevice.isEmpty());
    {
        auto mallory = crypto::DeviceIdentity::generate();
        QVERIFY(mallory);
        hchat::v1::DeviceKeys keys;
        mallory->fillDeviceKeys(&keys, QStringLiteral("fmallory"), malloryDevice);
        QVERIFY(api.post(QStringLiteral("/v1/keys/publish"),
                         QByteArray::fromStdString(keys.SerializeAsString()), malloryToken)
                    .ok());
    }
    (*alice)->disconnectFromGateway();
    QCOMPARE(gw->terminate(), 0);

    {
        const QString conn = QStringLiteral("forge");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), conn);
            db.setDatabaseName(gw->databasePath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            auto streamId = [&](const QString &name) {
                QSqlQuery s(db);
                s.prepare(QStringLiteral("SELECT id, max_seq FROM streams WHERE name = ?"));
                s.addBindValue(name);
                return s.exec() && s.next()
                           ? QPair<qint64, qint64>(s.value(0).toLongLong(), s.value(1).toLongLong())
                           : QPair<qint64, qint64>(-1, -1);
            };
            const auto one = streamId(QStringLiteral("one"));
            const auto two = streamId(QStringLiteral("two"));
            QVERIFY(one.first >= 0 && two.first >= 0);
            QCOMPARE(quint64(two.second), twoMax);
            // 1. A ciphertext altered (one byte of s2's envelope flipped near its end).
            QSqlQuery r(db);
            r.prepare(QStringLiteral("SELECT body FROM messages WHERE stream_id = ? AND seq = ?"));
            r.addBindValue(one.first);
            r.addBindValue(qint64(s2));
            QVERIFY(r.exec() && r.next());
            QByteArray body = r.value(0).toByteArray();
            r.finish();
            body[body.size() - 80] = char(body.at(body.size() - 80) ^ 0x01);
            QSqlQuery u(db);
            u.prepare(QStringLiteral("UPDATE messages SET body = ? WHERE stream_id = ? AND seq = ?"));
            u.addBindValue(body);
            u.addBindValue(one.first);
            u.addBindValue(qint64(s2));
            QVERIFY2(u.exec(), qPrintable(u.lastError().text()));
            // 2. The sender swapped: s3 is said to come from bob.
            QSqlQuery w(db);
            w.prepare(QStringLiteral(
                "UPDATE messages SET sender_nick = ?, sender_device = ? WHERE stream_id = ? AND seq = ?"));
            w.addBindValue(b);
            w.addBindValue((*bob)->deviceId());
            w.addBindValue(one.first);
            w.addBindValue(qint64(s3));
            QVERIFY2(w.exec(), qPrintable(w.lastError().text()));
            // 3. s1 replayed into channel "two" and 4. replayed twice into "one".
            auto replay = [&](qint64 stream, qint64 seq) {
                QSqlQuery c(db);
                c.prepare(QStringLiteral(
                    "INSERT INTO messages(stream_id, seq, sender_id, sender_nick, sender_device,"
                    " client_msg_id, time_ms, body, encrypted, kind, subject)"
                    " SELECT ?, ?, sender_id, sender_nick, sender_device, NULL, time_ms, body,"
                    " encrypted, kind, subject FROM messages WHERE stream_id = ? AND seq = ?"));
                c.addBindValue(stream);
                c.addBindValue(seq);
                c.addBindValue(one.first);
                c.addBindValue(qint64(s1));
                if (!c.exec())
                    return false;
                QSqlQuery m(db);
                m.prepare(QStringLiteral("UPDATE streams SET max_seq = ? WHERE id = ?"));
                m.addBindValue(seq);
                m.addBindValue(stream);
                return m.exec();
            };
            QVERIFY(replay(two.first, two.second + 1));
            QVERIFY(replay(one.first, one.second + 1));
            // 5. A hidden member: Mallory in the gateway's member table of "one", never added by a
            // membership message.
            QSqlQuery h(db);
            h.prepare(QStringLiteral(
                "INSERT INTO members(stream_id, user_id) SELECT ?, id FROM users WHERE nick_lower = ?"));
            h.addBindValue(one.first);
            h.addBindValue(QStringLiteral("fmallory"));
            QVERIFY2(h.exec() && h.numRowsAffected() == 1, qPrintable(h.lastError().text()));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(conn);
    }
    gw = std::make_unique<GatewayProcess>(dbDir.path());
    gw->setPort(port);
    QVERIFY(gw->start());
    (*bob)->startSession(bob->token);
    QVERIFY(bob->waitOnline(20000));
    const quint64 replayTwo = twoMax + 1;
    const quint64 replayOne = s3 + 1;
    auto stateOf = [&](const QString &ch, quint64 seq) {
        const auto m = bob->store()->message(ch, seq);
        return m ? m->cryptoState : CS::Plain;
    };
    auto reasonOf = [&](const QString &ch, quint64 seq) {
        const auto m = bob->store()->message(ch, seq);
        return m ? m->cryptoReason : QString();
    };
    using E = crypto::MessageCrypto::Error;
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("one"), s2), CS::Undecryptable, 20000);
    // The signature covers the ciphertext and is checked first: an altered ciphertext is a bad
    // signature (DecryptionFailed would need the sender's signing key).
    QCOMPARE(reasonOf(QStringLiteral("one"), s2), crypto::MessageCrypto::describe(E::BadSignature));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("one"), s3), CS::Undecryptable, 20000);
    QCOMPARE(reasonOf(QStringLiteral("one"), s3), crypto::MessageCrypto::describe(E::BadSignature));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("two"), replayTwo), CS::Undecryptable, 20000);
    QCOMPARE(reasonOf(QStringLiteral("two"), replayTwo), crypto::MessageCrypto::describe(E::WrongChannel));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("one"), replayOne), CS::Undecryptable, 20000);
    QCOMPARE(reasonOf(QStringLiteral("one"), replayOne), crypto::MessageCrypto::describe(E::Replay));
    // The original stays readable; nothing forged reads as valid.
    QCOMPARE(shownText(*bob, QStringLiteral("one"), s1), QStringLiteral("the original words"));

    // Hidden member: Alice sends again (a new key share round after fetching Mallory's keys
    // too); nothing ever goes to Mallory's inbox.
    (*alice)->startSession(alice->token);
    QVERIFY(alice->waitOnline(20000));
    QVERIFY(alice->run((*alice)->fetchKeys({QStringLiteral("fmallory"), b})));
    QVERIFY(!(*alice)->crypto()->isMember(QStringLiteral("one"), QStringLiteral("fmallory")));
    const quint64 s4 = sendAndWait(*alice, QStringLiteral("one"), QStringLiteral("only for real members"));
    QVERIFY(s4 > 0);
    QVERIFY(alice->store()->outbox(QLatin1Char('~') + malloryDevice).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, QStringLiteral("one"), s4),
                              QStringLiteral("only for real members"), 20000);
}

QTEST_GUILESS_MAIN(E2eeChannels)
#include "tst_e2ee_channels.moc"
