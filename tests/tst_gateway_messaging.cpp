// The gateway's core path, against the real binary: register, log in, Hello/Welcome, join, send,
// SendAck, push fan-out, sync catch-up, idempotent sends, channels and membership, inboxes, read
// positions.
#include "GatewayProcess.h"
#include "ProtocolClient.h"

#include <QSet>
#include <QtTest>

#include <sodium.h>

using namespace hchat::test;
using namespace hchat::v1;

class GatewayMessaging : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void welcomeListsChannelsAndDevice();
    void framesPipelinedAfterHelloAreServedAfterWelcome();
    void thousandMessagesArriveOnceInOrder();
    void offlineMemberCatchesUpBySyncInBatches();
    void sameClientMsgIdThreeTimesStoresOnce();
    void syncAnswerIsCappedInBytes();
    void inviteOnlyChannelMembership();
    void directChannelNameIsValidated();
    void keyShareReachesDeviceInboxOnly();
    void acknowledgedInboxRowsAreDeletedAndSkipped();
    void prekeysAreSignedCountedAndClaimedOnce();
    void deviceListIsPublishedOnlyByAnApprovedDeviceAndOnlyGrows();
    void invitationsWaitApartUntilAcceptedAndCannotFloodAUser();
    void markReadIsStoredAndPushedToOtherDevices();
    void pingPong();
    void membershipChangeIsSeenByTheVeryNextSend();

private:
    std::unique_ptr<GatewayProcess> m_gw;
};

void GatewayMessaging::initTestCase()
{
    QVERIFY(sodium_init() >= 0);
    m_gw = std::make_unique<GatewayProcess>();
    m_gw->setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(m_gw->start(), m_gw->output().constData());
}

void GatewayMessaging::welcomeListsChannelsAndDevice()
{
    ProtocolClient a(*m_gw);
    QVERIFY(a.registerAndLogin(QStringLiteral("Welcomer")));
    QVERIFY(!a.deviceId.isEmpty());
    QCOMPARE(a.nick, QStringLiteral("Welcomer"));
    Welcome w;
    QVERIFY(a.connectAndHello(&w));
    QCOMPARE(QString::fromStdString(w.nick()), QStringLiteral("Welcomer"));
    QCOMPARE(QString::fromStdString(w.device_id()), a.deviceId);
    QCOMPARE(w.protocol_version(), 1u);
    QCOMPARE(w.channels_size(), 0);
    QVERIFY(a.join(QStringLiteral("lobby")));
    QVERIFY(a.send(QStringLiteral("lobby"), "hello"));
    a.disconnectWs();

    // A second login with the device id keeps the device; the channel and its seq are in Welcome.
    ProtocolClient again(*m_gw);
    QVERIFY(again.login(QStringLiteral("welcomer"), QStringLiteral("correct horse battery"), a.deviceId).ok());
    QCOMPARE(again.deviceId, a.deviceId);
    QVERIFY(again.connectAndHello(&w));
    QCOMPARE(w.channels_size(), 1);
    QCOMPARE(w.channels(0).name(), std::string("lobby"));
    QCOMPARE(w.channels(0).server_max_seq(), 2u); // MEMBER_JOINED, then the text
    QCOMPARE(w.channels(0).kind(), CHANNEL_KIND_OPEN);
}

void GatewayMessaging::framesPipelinedAfterHelloAreServedAfterWelcome()
{
    ProtocolClient a(*m_gw);
    QVERIFY(a.registerAndLogin(QStringLiteral("pipeliner")));
    QVERIFY(a.connectWs());
    Frame hello;
    hello.mutable_hello()->set_protocol_version(1);
    hello.mutable_hello()->set_token(a.token.toStdString());
    const auto helloId = a.sendFrame(hello);
    Frame join;
    join.mutable_join()->set_channel("pipelined");
    const auto joinId = a.sendFrame(join);
    const auto sendId = a.sendAsync(QStringLiteral("pipelined"), "right away", ProtocolClient::newClientMsgId());
    QVERIFY(a.waitForReply(sendId));
    QVERIFY(a.reply(helloId).has_welcome());
    QVERIFY(a.reply(joinId).has_channel_joined());
    QVERIFY(a.reply(sendId).has_send_ack());
    QCOMPARE(a.reply(sendId).send_ack().seq(), 2u);
    // The Welcome came first of all.
    QVERIFY(a.frames().first().has_welcome());
}

void GatewayMessaging::thousandMessagesArriveOnceInOrder()
{
    ProtocolClient alice(*m_gw), bob(*m_gw);
    QVERIFY(alice.registerAndLogin(QStringLiteral("alice")));
    QVERIFY(bob.registerAndLogin(QStringLiteral("bob")));
    QVERIFY(alice.connectAndHello());
    QVERIFY(bob.connectAndHello());
    const QString channel = QStringLiteral("exchange");
    QVERIFY(alice.join(channel));
    QVERIFY(bob.join(channel));
    const auto base = alice.sync(channel, 1).server_max_seq();
    QCOMPARE(base, 2u);

    // 500 each way, pipelined (no waiting for acks in between).
    QList<quint64> aliceRequests, bobRequests;
    for (int i = 0; i < 500; ++i) {
        aliceRequests << alice.sendAsync(channel, QByteArray("from alice ") + QByteArray::number(i),
                                         ProtocolClient::newClientMsgId());
        bobRequests << bob.sendAsync(channel, QByteArray("from bob ") + QByteArray::number(i),
                                     ProtocolClient::newClientMsgId());
    }
    auto texts = [&](const ProtocolClient &c) {
        QList<Message> out;
        for (const auto &m : c.pushedMessages(channel))
            if (m.seq() > base)
                out << m;
        return out;
    };
    QVERIFY(ProtocolClient::waitFor([&] { return texts(alice).size() >= 1000 && texts(bob).size() >= 1000; }, 60000));
    QVERIFY(ProtocolClient::waitFor([&] { return alice.hasReply(aliceRequests.last()) && bob.hasReply(bobRequests.last()); }, 10000));

    // Acks: each request answered, seqs increasing in send order per sender.
    for (auto *pair : {&aliceRequests, &bobRequests}) {
        ProtocolClient &c = pair == &aliceRequests ? alice : bob;
        quint64 last = 0;
        for (auto rid : *pair) {
            const Frame f = c.reply(rid);
            QVERIFY2(f.has_send_ack(), f.DebugString().c_str());
            QVERIFY(f.send_ack().seq() > last);
            QVERIFY(!f.send_ack().duplicate());
            last = f.send_ack().seq();
        }
    }
    // Pushes: both see base+1 .. base+1000 exactly once, in order, no hole; each sender's own
    // messages in the order sent.
    QTest::qWait(200);
    for (auto *c : {&alice, &bob}) {
        const auto pushed = texts(*c);
        QCOMPARE(pushed.size(), 1000);
        int fromAlice = 0, fromBob = 0;
        for (int i = 0; i < pushed.size(); ++i) {
            QCOMPARE(pushed[i].seq(), base + 1 + quint64(i));
            QCOMPARE(pushed[i].kind(), MESSAGE_KIND_TEXT);
            const QByteArray body = QByteArray::fromStdString(pushed[i].body());
            if (pushed[i].sender() == "alice")
                QCOMPARE(body, QByteArray("from alice ") + QByteArray::number(fromAlice++));
            else
                QCOMPARE(body, QByteArray("from bob ") + QByteArray::number(fromBob++));
        }
        QCOMPARE(fromAlice, 500);
        QCOMPARE(fromBob, 500);
    }
    // The store agrees: seqs 1..1002 with no hole, the 1,000 texts once each.
    bool ok = false;
    const auto stored = bob.syncAll(channel, 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    QCOMPARE(int(stored.size()), 1002);
    QSet<QByteArray> ids;
    for (int i = 0; i < int(stored.size()); ++i) {
        QCOMPARE(stored[i].seq(), quint64(i + 1));
        if (stored[i].kind() == MESSAGE_KIND_TEXT)
            ids.insert(QByteArray::fromStdString(stored[i].client_msg_id()));
    }
    QCOMPARE(ids.size(), 1000);
}

void GatewayMessaging::offlineMemberCatchesUpBySyncInBatches()
{
    ProtocolClient writer(*m_gw), sleeper(*m_gw);
    QVERIFY(writer.registerAndLogin(QStringLiteral("writer")));
    QVERIFY(sleeper.registerAndLogin(QStringLiteral("sleeper")));
    const QString channel = QStringLiteral("catchup");
    QVERIFY(sleeper.connectAndHello());
    QVERIFY(sleeper.join(channel));
    sleeper.disconnectWs(); // offline from here

    QVERIFY(writer.connectAndHello());
    QVERIFY(writer.join(channel));
    QList<quint64> rids;
    for (int i = 0; i < 1200; ++i)
        rids << writer.sendAsync(channel, "missed " + QByteArray::number(i), ProtocolClient::newClientMsgId());
    QVERIFY(ProtocolClient::waitFor([&] { return writer.hasReply(rids.last()); }, 60000));
    QVERIFY(writer.reply(rids.last()).has_send_ack());
    const quint64 maxSeq = writer.reply(rids.last()).send_ack().seq();
    QCOMPARE(maxSeq, 1202u); // sleeper joined, writer joined, 1200 texts

    // Back online: Welcome tells how far the channel got; pull in batches until has_more is false.
    Welcome w;
    QVERIFY(sleeper.connectAndHello(&w));
    QCOMPARE(w.channels_size(), 1);
    QCOMPARE(w.channels(0).server_max_seq(), maxSeq);
    int batches = 0;
    bool ok = false;
    const auto got = sleeper.syncAll(channel, 2, 250, &batches, &ok);
    QVERIFY(ok);
    QCOMPARE(int(got.size()), 1201);
    QCOMPARE(batches, 5); // 250 × 4 + 201
    for (int i = 0; i < int(got.size()); ++i)
        QCOMPARE(got[i].seq(), quint64(i + 2));
    QCOMPARE(got.back().body(), std::string("missed 1199"));

    // limit 0 means 500; from_seq 0 means 1; past the end is empty and has_more false.
    ProtocolClient::HttpResult r;
    auto res = sleeper.sync(channel, 0, 0, &r);
    QVERIFY(r.ok());
    QCOMPARE(res.messages_size(), 500);
    QCOMPARE(res.messages(0).seq(), 1u);
    QVERIFY(res.has_more());
    QCOMPARE(res.server_max_seq(), maxSeq);
    res = sleeper.sync(channel, maxSeq + 1, 10, &r);
    QVERIFY(r.ok());
    QCOMPARE(res.messages_size(), 0);
    QVERIFY(!res.has_more());
}

void GatewayMessaging::sameClientMsgIdThreeTimesStoresOnce()
{
    ProtocolClient a(*m_gw), b(*m_gw);
    QVERIFY(a.registerAndLogin(QStringLiteral("repeater")));
    QVERIFY(b.registerAndLogin(QStringLiteral("listener")));
    QVERIFY(a.connectAndHello());
    QVERIFY(b.connectAndHello());
    const QString channel = QStringLiteral("idem");
    QVERIFY(a.join(channel));
    QVERIFY(b.join(channel));
    const QByteArray id = ProtocolClient::newClientMsgId();
    QList<SendAck> acks;
    for (int i = 0; i < 3; ++i) {
        auto ack = a.send(channel, "only once", id);
        QVERIFY(ack);
        acks << *ack;
    }
    QCOMPARE(acks[0].seq(), 3u);
    QVERIFY(!acks[0].duplicate());
    for (int i = 1; i < 3; ++i) {
        QCOMPARE(acks[i].seq(), acks[0].seq());
        QCOMPARE(acks[i].server_time_ms(), acks[0].server_time_ms());
        QVERIFY(acks[i].duplicate());
    }
    // Pipelined repeats too (they may meet in one group commit).
    QList<quint64> rids;
    const QByteArray id2 = ProtocolClient::newClientMsgId();
    for (int i = 0; i < 3; ++i)
        rids << a.sendAsync(channel, "pipelined once", id2);
    QVERIFY(ProtocolClient::waitFor([&] { return a.hasReply(rids.last()); }, 10000));
    for (auto rid : rids)
        QCOMPARE(a.reply(rid).send_ack().seq(), 4u);
    // A new connection of the same user resending also gets the original seq.
    ProtocolClient a2(*m_gw);
    a2.token = a.token;
    QVERIFY(a2.connectAndHello());
    auto ack = a2.send(channel, "only once", id);
    QVERIFY(ack);
    QCOMPARE(ack->seq(), 3u);
    QVERIFY(ack->duplicate());

    bool ok = false;
    const auto stored = b.syncAll(channel, 1, 0, nullptr, &ok);
    QVERIFY(ok);
    QCOMPARE(int(stored.size()), 4);
    QTest::qWait(100);
    QCOMPARE(b.pushedMessages(channel).size(), 3); // a's MEMBER_JOINED came before b joined
}

void GatewayMessaging::syncAnswerIsCappedInBytes()
{
    ProtocolClient a(*m_gw);
    QVERIFY(a.registerAndLogin(QStringLiteral("bulky")));
    QVERIFY(a.connectAndHello());
    const QString channel = QStringLiteral("bulk");
    QVERIFY(a.join(channel));
    QList<quint64> rids;
    for (int i = 0; i < 200; ++i)
        rids << a.sendAsync(channel, QByteArray(60 * 1024, char('a' + i % 26)), ProtocolClient::newClientMsgId());
    QVERIFY(ProtocolClient::waitFor(
        [&] { return std::all_of(rids.cbegin(), rids.cend(), [&](quint64 rid) { return a.hasReply(rid); }); }, 30000));
    ProtocolClient::HttpResult r;
    const auto first = a.sync(channel, 1, 1000, &r);
    QVERIFY(r.ok());
    QVERIFY2(first.messages_size() < 201, "an answer of 12 MB: not capped");
    QVERIFY(first.messages_size() > 100);
    QVERIFY(first.has_more());
    int batches = 0;
    bool ok = false;
    const auto all = a.syncAll(channel, 1, 1000, &batches, &ok);
    QVERIFY(ok);
    QCOMPARE(int(all.size()), 201);
    QCOMPARE(batches, 2);
}

void GatewayMessaging::inviteOnlyChannelMembership()
{
    ProtocolClient owner(*m_gw), guest(*m_gw), outsider(*m_gw);
    QVERIFY(owner.registerAndLogin(QStringLiteral("owner")));
    QVERIFY(guest.registerAndLogin(QStringLiteral("guest")));
    QVERIFY(outsider.registerAndLogin(QStringLiteral("outsider")));
    QVERIFY(owner.connectAndHello());
    QVERIFY(guest.connectAndHello());
    QVERIFY(outsider.connectAndHello());
    const QString channel = QStringLiteral("secret");

    Frame create;
    create.mutable_create_channel()->set_channel(channel.toStdString());
    create.mutable_create_channel()->set_kind(CHANNEL_KIND_INVITE_ONLY);
    create.mutable_create_channel()->set_encrypted(true);
    auto reply = owner.request(create);
    QVERIFY(reply && reply->has_channel_joined());
    QCOMPARE(reply->channel_joined().channel().kind(), CHANNEL_KIND_INVITE_ONLY);
    QVERIFY(reply->channel_joined().channel().encrypted());
    QCOMPARE(reply->channel_joined().channel().server_max_seq(), 1u);
    // Creating it again fails; joining it uninvited is forbidden.
    reply = owner.request(create);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_CHANNEL_EXISTS);
    Error err;
    QVERIFY(!outsider.join(channel, &err));
    QCOMPARE(err.code(), ERROR_FORBIDDEN);
    // Non-members cannot invite; plaintext is refused in an encrypted channel.
    Frame invite;
    invite.mutable_invite()->set_channel(channel.toStdString());
    invite.mutable_invite()->set_nick("guest");
    reply = outsider.request(invite);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_NOT_MEMBER);
    QVERIFY(!owner.send(channel, "plaintext", {}, &err));
    QCOMPARE(err.code(), ERROR_INVALID_ARGUMENT);

    // The invited member's session is told at once, and sees the MEMBER_ADDED message.
    reply = owner.request(invite);
    QVERIFY(reply && reply->has_ok());
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            for (const auto &f : guest.frames())
                if (f.has_channel_joined() && f.request_id() == 0)
                    return true;
            return false;
        },
        5000));
    QVERIFY(ProtocolClient::waitFor([&] { return !guest.pushedMessages(channel).isEmpty(); }, 5000));
    QCOMPARE(guest.pushedMessages(channel).last().kind(), MESSAGE_KIND_MEMBER_ADDED);
    QCOMPARE(guest.pushedMessages(channel).last().subject(), std::string("guest"));

    Frame send;
    send.mutable_send()->set_channel(channel.toStdString());
    send.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    send.mutable_send()->set_body("ciphertext");
    send.mutable_send()->set_encrypted(true);
    reply = guest.request(send);
    QVERIFY(reply && reply->has_send_ack());
    QCOMPARE(reply->send_ack().seq(), 3u);

    // Removal: a message everyone sees, then the removed member is out.
    Frame remove;
    remove.mutable_remove_member()->set_channel(channel.toStdString());
    remove.mutable_remove_member()->set_nick("guest");
    reply = owner.request(remove);
    QVERIFY(reply && reply->has_ok());
    QVERIFY(ProtocolClient::waitFor(
        [&] { return guest.pushedMessages(channel).last().kind() == MESSAGE_KIND_MEMBER_REMOVED; }, 5000));
    ProtocolClient::HttpResult r;
    guest.sync(channel, 1, 0, &r);
    QCOMPARE(r.status, 403);
    QCOMPARE(r.error, ERROR_NOT_MEMBER);
    const auto all = owner.syncAll(channel);
    QCOMPARE(int(all.size()), 4);
    QCOMPARE(all[0].kind(), MESSAGE_KIND_CHANNEL_CREATED);
    QCOMPARE(all[1].kind(), MESSAGE_KIND_MEMBER_ADDED);
    QCOMPARE(all[2].kind(), MESSAGE_KIND_TEXT);
    QVERIFY(all[2].encrypted());
    QCOMPARE(all[3].kind(), MESSAGE_KIND_MEMBER_REMOVED);

    // Leave: MEMBER_LEFT, then the channel is gone from the member's list.
    Frame leave;
    leave.mutable_leave()->set_channel(channel.toStdString());
    reply = owner.request(leave);
    QVERIFY(reply && reply->has_ok());
    ChannelList list;
    QVERIFY(owner.post(QStringLiteral("/v1/channels"), Ok(), &list).ok());
    for (const auto &c : list.channels())
        QVERIFY(c.name() != channel.toStdString());
}

void GatewayMessaging::directChannelNameIsValidated()
{
    ProtocolClient zed(*m_gw), amy(*m_gw);
    QVERIFY(zed.registerAndLogin(QStringLiteral("Zed")));
    QVERIFY(amy.registerAndLogin(QStringLiteral("Amy")));
    QVERIFY(zed.connectAndHello());
    QVERIFY(amy.connectAndHello());
    Frame create;
    create.mutable_create_channel()->set_kind(CHANNEL_KIND_DIRECT);
    create.mutable_create_channel()->add_members("Amy");
    create.mutable_create_channel()->set_channel("@zed+amy"); // not sorted
    auto reply = zed.request(create);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_INVALID_NAME);
    create.mutable_create_channel()->set_channel("@amy+zed");
    reply = zed.request(create);
    QVERIFY(reply && reply->has_channel_joined());
    QCOMPARE(reply->channel_joined().channel().members_size(), 2);
    // The other side creating it again just gets it.
    Frame mirror;
    mirror.mutable_create_channel()->set_kind(CHANNEL_KIND_DIRECT);
    mirror.mutable_create_channel()->add_members("zed");
    mirror.mutable_create_channel()->set_channel("@amy+zed");
    reply = amy.request(mirror);
    QVERIFY(reply && reply->has_channel_joined());
    QVERIFY(amy.send(QStringLiteral("@amy+zed"), "hi zed"));
    QVERIFY(ProtocolClient::waitFor([&] { return zed.pushedMessages(QStringLiteral("@amy+zed")).size() >= 3; }, 5000));
}

void GatewayMessaging::keyShareReachesDeviceInboxOnly()
{
    ProtocolClient sender(*m_gw), receiver(*m_gw), other(*m_gw);
    QVERIFY(sender.registerAndLogin(QStringLiteral("keysender")));
    QVERIFY(receiver.registerAndLogin(QStringLiteral("keyreceiver")));
    other.token = sender.token;
    QVERIFY(sender.connectAndHello());
    QVERIFY(receiver.connectAndHello());
    // Key shares go only to people one shares a channel with.
    QVERIFY(sender.join(QStringLiteral("keyroom")));
    QVERIFY(receiver.join(QStringLiteral("keyroom")));
    const QString inbox = QStringLiteral("~") + receiver.deviceId;

    Frame share;
    share.mutable_send()->set_channel(inbox.toStdString());
    share.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    share.mutable_send()->set_body("sealed key");
    share.mutable_send()->set_encrypted(true);
    share.mutable_send()->set_kind(MESSAGE_KIND_KEY_SHARE);
    auto reply = sender.request(share);
    QVERIFY(reply && reply->has_send_ack());
    QCOMPARE(reply->send_ack().seq(), 1u);
    QVERIFY(ProtocolClient::waitFor([&] { return receiver.pushedMessages(inbox).size() == 1; }, 5000));
    QCOMPARE(receiver.pushedMessages(inbox)[0].kind(), MESSAGE_KIND_KEY_SHARE);
    QCOMPARE(receiver.pushedMessages(inbox)[0].sender(), std::string("keysender"));

    // Text to an inbox is refused; only the inbox's device may sync it.
    Error err;
    QVERIFY(!sender.send(inbox, "text", {}, &err));
    QCOMPARE(err.code(), ERROR_INVALID_ARGUMENT);
    ProtocolClient::HttpResult r;
    auto res = receiver.sync(inbox, 1, 0, &r);
    QVERIFY(r.ok());
    QCOMPARE(res.messages_size(), 1);
    sender.sync(inbox, 1, 0, &r);
    QCOMPARE(r.status, 403);
    QCOMPARE(r.error, ERROR_FORBIDDEN);
    Welcome w;
    ProtocolClient again(*m_gw);
    again.token = receiver.token;
    QVERIFY(again.connectAndHello(&w));
    QCOMPARE(w.inbox_max_seq(), 1u);
}

// A key share lives at the gateway only until its device has stored it: the device acknowledges
// its inbox (MarkRead of "~device") and the rows are gone; a pull from below says so.
void GatewayMessaging::acknowledgedInboxRowsAreDeletedAndSkipped()
{
    ProtocolClient sender(*m_gw), receiver(*m_gw);
    QVERIFY(sender.registerAndLogin(QStringLiteral("acksender")));
    QVERIFY(receiver.registerAndLogin(QStringLiteral("ackreceiver")));
    QVERIFY(sender.connectAndHello());
    QVERIFY(receiver.connectAndHello());
    QVERIFY(sender.join(QStringLiteral("ackroom")));
    QVERIFY(receiver.join(QStringLiteral("ackroom")));
    const QString inbox = QStringLiteral("~") + receiver.deviceId;
    for (int i = 0; i < 3; ++i) {
        Frame share;
        share.mutable_send()->set_channel(inbox.toStdString());
        share.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
        share.mutable_send()->set_body("sealed key " + std::to_string(i));
        share.mutable_send()->set_encrypted(true);
        share.mutable_send()->set_kind(MESSAGE_KIND_KEY_SHARE);
        auto reply = sender.request(share);
        QVERIFY(reply && reply->has_send_ack());
    }
    // Only the inbox's own device may acknowledge it.
    Frame foreign;
    foreign.mutable_mark_read()->set_channel(inbox.toStdString());
    foreign.mutable_mark_read()->set_seq(3);
    auto reply = sender.request(foreign);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_FORBIDDEN);
    QCOMPARE(receiver.sync(inbox, 1).messages_size(), 3);

    Frame ack;
    ack.mutable_mark_read()->set_channel(inbox.toStdString());
    ack.mutable_mark_read()->set_seq(2);
    reply = receiver.request(ack);
    QVERIFY(reply && reply->has_ok());
    const SyncResponse after = receiver.sync(inbox, 1);
    QCOMPARE(after.acknowledged_seq(), 2u);
    QCOMPARE(after.server_max_seq(), 3u);
    QCOMPARE(after.messages_size(), 1);
    QCOMPARE(after.messages(0).seq(), 3u);
    QCOMPARE(after.messages(0).body(), std::string("sealed key 2"));
    // Acknowledging less changes nothing; beyond the end stops at the end; seqs are not reused.
    ack.mutable_mark_read()->set_seq(1);
    QVERIFY(receiver.request(ack)->has_ok());
    QCOMPARE(receiver.sync(inbox, 1).acknowledged_seq(), 2u);
    ack.mutable_mark_read()->set_seq(1000);
    QVERIFY(receiver.request(ack)->has_ok());
    const SyncResponse empty = receiver.sync(inbox, 1);
    QCOMPARE(empty.acknowledged_seq(), 3u);
    QCOMPARE(empty.messages_size(), 0);
    QVERIFY(!empty.has_more());
    Frame share;
    share.mutable_send()->set_channel(inbox.toStdString());
    share.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    share.mutable_send()->set_body("later");
    share.mutable_send()->set_encrypted(true);
    share.mutable_send()->set_kind(MESSAGE_KIND_KEY_SHARE);
    reply = sender.request(share);
    QVERIFY(reply && reply->has_send_ack());
    QCOMPARE(reply->send_ack().seq(), 4u);
    Welcome w;
    ProtocolClient again(*m_gw);
    again.token = receiver.token;
    QVERIFY(again.connectAndHello(&w));
    QCOMPARE(w.inbox_max_seq(), 4u);
}

namespace {
// What a prekey's signature covers, spelled out independently of the client's CanonicalBytes:
// {"hchat-prekey-v1", device id, key id, public key}, each as a 32-bit big-endian length (or
// value) and bytes.
std::string prekeySignedBytes(const std::string &deviceId, std::uint32_t keyId, const std::string &publicKey)
{
    std::string out;
    auto u32 = [&out](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(char((v >> shift) & 0xff));
    };
    auto field = [&](const std::string &f) {
        u32(std::uint32_t(f.size()));
        out += f;
    };
    field("hchat-prekey-v1");
    field(deviceId);
    u32(keyId);
    field(publicKey);
    return out;
}

struct SigningDevice {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];

    SigningDevice() { crypto_sign_keypair(pk, sk); }
    DeviceKeys keys() const
    {
        unsigned char xpk[crypto_scalarmult_BYTES];
        if (crypto_sign_ed25519_pk_to_curve25519(xpk, pk) != 0)
            return {};
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, nullptr, xpk, sizeof xpk, sk);
        DeviceKeys k;
        k.set_identity_key(pk, sizeof pk);
        k.set_exchange_key(xpk, sizeof xpk);
        k.set_signature(sig, sizeof sig);
        return k;
    }
    OneTimePrekey prekey(const QString &deviceId, std::uint32_t keyId) const
    {
        unsigned char pub[crypto_box_PUBLICKEYBYTES], sec[crypto_box_SECRETKEYBYTES];
        crypto_box_keypair(pub, sec);
        OneTimePrekey k;
        k.set_key_id(keyId);
        k.set_public_key(pub, sizeof pub);
        const std::string bytes = prekeySignedBytes(deviceId.toStdString(), keyId, k.public_key());
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(), sk);
        k.set_signature(sig, sizeof sig);
        return k;
    }
    // A device list signed by this device: {"hchat-devicelist-v1", version, nick, generation,
    // count, (device id, key)…, signer}, spelled out independently of the client's code.
    SignedDeviceList list(const std::string &nick, std::uint64_t generation,
                          std::vector<std::pair<std::string, std::string>> devices, const std::string &signer) const
    {
        std::sort(devices.begin(), devices.end());
        SignedDeviceList l;
        l.set_version(1);
        l.set_nick(nick);
        l.set_generation(generation);
        l.set_signer_device(signer);
        std::string bytes;
        auto be = [&bytes](std::uint64_t v, int n) {
            for (int shift = (n - 1) * 8; shift >= 0; shift -= 8)
                bytes.push_back(char((v >> shift) & 0xff));
        };
        auto field = [&](const std::string &f) {
            be(f.size(), 4);
            bytes += f;
        };
        field("hchat-devicelist-v1");
        be(1, 4);
        field(nick);
        be(generation, 8);
        be(devices.size(), 4);
        for (const auto &[id, key] : devices) {
            auto *d = l.add_devices();
            d->set_device_id(id);
            d->set_identity_key(key);
            field(id);
            field(key);
        }
        field(signer);
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(), sk);
        l.set_signature(sig, sizeof sig);
        return l;
    }
    std::string identityKey() const { return std::string(reinterpret_cast<const char *>(pk), sizeof pk); }
};
} // namespace

// One-time prekeys: only signed ones of a device with published keys are kept, a claim hands each
// one out once (then it is gone), and a device without any is simply absent from the answer.
void GatewayMessaging::prekeysAreSignedCountedAndClaimedOnce()
{
    ProtocolClient owner(*m_gw), claimer(*m_gw);
    QVERIFY(owner.registerAndLogin(QStringLiteral("prekeyowner")));
    QVERIFY(claimer.registerAndLogin(QStringLiteral("prekeyclaimer")));
    const SigningDevice device;
    PrekeyUpload upload;
    *upload.add_prekeys() = device.prekey(owner.deviceId, 1);
    // Before the device's keys are published there is nothing to check a signature against.
    auto r = owner.post(QStringLiteral("/v1/keys/prekeys"), upload);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    QVERIFY(owner.post(QStringLiteral("/v1/keys/publish"), device.keys()).ok());

    // Bad input changes nothing: a bad signature, a prekey signed for another device, a wrong size,
    // key id 0, too many in one request.
    PrekeyUpload bad;
    *bad.add_prekeys() = device.prekey(owner.deviceId, 2);
    (*bad.mutable_prekeys(0)->mutable_signature())[0] ^= 1;
    r = owner.post(QStringLiteral("/v1/keys/prekeys"), bad);
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    bad.Clear();
    *bad.add_prekeys() = device.prekey(claimer.deviceId, 2);
    QCOMPARE(owner.post(QStringLiteral("/v1/keys/prekeys"), bad).error, ERROR_INVALID_ARGUMENT);
    bad.Clear();
    *bad.add_prekeys() = device.prekey(owner.deviceId, 2);
    bad.mutable_prekeys(0)->mutable_public_key()->pop_back();
    QCOMPARE(owner.post(QStringLiteral("/v1/keys/prekeys"), bad).error, ERROR_INVALID_ARGUMENT);
    bad.Clear();
    *bad.add_prekeys() = device.prekey(owner.deviceId, 0);
    QCOMPARE(owner.post(QStringLiteral("/v1/keys/prekeys"), bad).error, ERROR_INVALID_ARGUMENT);
    bad.Clear();
    for (std::uint32_t i = 0; i < 101; ++i)
        *bad.add_prekeys() = device.prekey(owner.deviceId, 1000 + i);
    QCOMPARE(owner.post(QStringLiteral("/v1/keys/prekeys"), bad).error, ERROR_LIMIT_ABOVE_CAP);
    PrekeyCount count;
    QVERIFY(owner.post(QStringLiteral("/v1/keys/prekeys"), PrekeyUpload(), &count).ok());
    QCOMPARE(count.available(), 0u);

    PrekeyUpload good;
    for (std::uint32_t i = 1; i <= 3; ++i)
        *good.add_prekeys() = device.prekey(owner.deviceId, i);
    QVERIFY(owner.post(QStringLiteral("/v1/keys/prekeys"), good, &count).ok());
    QCOMPARE(count.available(), 3u);
    // The same key ids again add nothing.
    QVERIFY(owner.post(QStringLiteral("/v1/keys/prekeys"), good, &count).ok());
    QCOMPARE(count.available(), 3u);

    // One per device and claim (a device named twice still gets one); unknown devices are absent.
    PrekeyClaim claim;
    claim.add_device_ids(owner.deviceId.toStdString());
    claim.add_device_ids(owner.deviceId.toStdString());
    claim.add_device_ids("no-such-device");
    QSet<std::uint32_t> handedOut;
    for (int round = 0; round < 4; ++round) {
        PrekeyClaimResponse res;
        QVERIFY(claimer.post(QStringLiteral("/v1/keys/claim"), claim, &res).ok());
        if (round == 3) {
            QCOMPARE(res.prekeys_size(), 0); // all three are gone
            break;
        }
        QCOMPARE(res.prekeys_size(), 1);
        QCOMPARE(QString::fromStdString(res.prekeys(0).device_id()), owner.deviceId);
        const OneTimePrekey &k = res.prekeys(0).prekey();
        const std::string bytes = prekeySignedBytes(owner.deviceId.toStdString(), k.key_id(), k.public_key());
        QCOMPARE(crypto_sign_verify_detached(reinterpret_cast<const unsigned char *>(k.signature().data()),
                                             reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(),
                                             device.pk),
                 0);
        QVERIFY(!handedOut.contains(k.key_id()));
        handedOut.insert(k.key_id());
    }
    QVERIFY(owner.post(QStringLiteral("/v1/keys/prekeys"), PrekeyUpload(), &count).ok());
    QCOMPARE(count.available(), 0u);
    PrekeyClaim tooMany;
    for (int i = 0; i < 257; ++i)
        tooMany.add_device_ids("d" + std::to_string(i));
    QCOMPARE(claimer.post(QStringLiteral("/v1/keys/claim"), tooMany).error, ERROR_LIMIT_ABOVE_CAP);
}

// The account's signed device list: its first device starts it, only a device on the stored list
// publishes the next one, the generation only grows, the signature must verify; the account's
// sessions are told (DevicesChanged), and anyone fetching the account's keys gets the newest list.
void GatewayMessaging::deviceListIsPublishedOnlyByAnApprovedDeviceAndOnlyGrows()
{
    const QString nick = QStringLiteral("listowner");
    ProtocolClient phone(*m_gw), laptop(*m_gw), peer(*m_gw);
    QVERIFY(phone.registerAndLogin(nick));
    QVERIFY(laptop.login(nick, QStringLiteral("correct horse battery")).ok());
    QVERIFY(peer.registerAndLogin(QStringLiteral("listpeer")));
    const SigningDevice phoneKeys, laptopKeys;
    QVERIFY(phone.post(QStringLiteral("/v1/keys/publish"), phoneKeys.keys()).ok());
    QVERIFY(laptop.connectAndHello());
    QVERIFY(laptop.post(QStringLiteral("/v1/keys/publish"), laptopKeys.keys()).ok());
    const std::string owner = nick.toStdString(), p = phone.deviceId.toStdString(), l = laptop.deviceId.toStdString();
    const std::pair<std::string, std::string> phoneEntry{p, phoneKeys.identityKey()}, laptopEntry{l, laptopKeys.identityKey()};

    // The first list names the device that signs it.
    QCOMPARE(laptop.post(QStringLiteral("/v1/keys/devicelist"), laptopKeys.list(owner, 1, {phoneEntry}, l)).error,
             ERROR_FORBIDDEN);
    laptop.clearReceived();
    QVERIFY(phone.post(QStringLiteral("/v1/keys/devicelist"), phoneKeys.list(owner, 1, {phoneEntry}, p)).ok());
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            for (const auto &f : laptop.frames())
                if (f.request_id() == 0 && f.has_devices_changed())
                    return true;
            return false;
        },
        5000));
    // Not newer; signed by a device that is not on the stored list; bad signature; someone else's
    // account; signed in another device's name; unsorted.
    auto r = phone.post(QStringLiteral("/v1/keys/devicelist"), phoneKeys.list(owner, 1, {phoneEntry, laptopEntry}, p));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.error, ERROR_STALE);
    QCOMPARE(laptop.post(QStringLiteral("/v1/keys/devicelist"), laptopKeys.list(owner, 2, {phoneEntry, laptopEntry}, l)).error,
             ERROR_FORBIDDEN);
    SignedDeviceList bad = phoneKeys.list(owner, 2, {phoneEntry, laptopEntry}, p);
    (*bad.mutable_signature())[0] ^= 1;
    QCOMPARE(phone.post(QStringLiteral("/v1/keys/devicelist"), bad).error, ERROR_INVALID_ARGUMENT);
    QCOMPARE(phone.post(QStringLiteral("/v1/keys/devicelist"), phoneKeys.list("listpeer", 2, {phoneEntry}, p)).error,
             ERROR_FORBIDDEN);
    QCOMPARE(phone.post(QStringLiteral("/v1/keys/devicelist"), phoneKeys.list(owner, 2, {phoneEntry, laptopEntry}, l)).error,
             ERROR_FORBIDDEN);
    SignedDeviceList unsorted = phoneKeys.list(owner, 2, {phoneEntry, laptopEntry}, p);
    unsorted.mutable_devices()->SwapElements(0, 1);
    QCOMPARE(phone.post(QStringLiteral("/v1/keys/devicelist"), unsorted).error, ERROR_INVALID_ARGUMENT);
    SignedDeviceList empty = phoneKeys.list(owner, 2, {}, p);
    QCOMPARE(phone.post(QStringLiteral("/v1/keys/devicelist"), empty).error, ERROR_LIMIT_ABOVE_CAP);

    // The phone approves the laptop; now the laptop may change the list too.
    QVERIFY(phone.post(QStringLiteral("/v1/keys/devicelist"), phoneKeys.list(owner, 2, {phoneEntry, laptopEntry}, p)).ok());
    QVERIFY(laptop.post(QStringLiteral("/v1/keys/devicelist"), laptopKeys.list(owner, 5, {phoneEntry, laptopEntry}, l)).ok());
    KeysRequest req;
    req.add_nicks("ListOwner");
    KeysResponse keys;
    QVERIFY(peer.post(QStringLiteral("/v1/keys/fetch"), req, &keys).ok());
    QCOMPARE(keys.devices_size(), 2);
    QCOMPARE(keys.device_lists_size(), 1);
    QCOMPARE(keys.device_lists(0).generation(), 5u);
    QCOMPARE(keys.device_lists(0).signer_device(), l);
    QCOMPARE(keys.device_lists(0).devices_size(), 2);
}

// An invitation is not a membership the invitee chose: it is listed apart in the Welcome (newest
// first, at most 100), until the invitee posts its signed acceptance or joins; one user can keep
// at most 20 invitations waiting for the same person, so nobody can stuff someone's Welcome with
// thousands of channels (the victim's list stays small, the flood is refused and stores nothing).
void GatewayMessaging::invitationsWaitApartUntilAcceptedAndCannotFloodAUser()
{
    ProtocolClient victim(*m_gw);
    QVERIFY(victim.registerAndLogin(QStringLiteral("invitee")));
    QVERIFY(victim.connectAndHello());
    std::vector<std::unique_ptr<ProtocolClient>> inviters;
    for (int u = 0; u < 6; ++u) {
        inviters.push_back(std::make_unique<ProtocolClient>(*m_gw));
        QVERIFY(inviters.back()->registerAndLogin(QStringLiteral("flooder%1").arg(u)));
        QVERIFY(inviters.back()->connectAndHello());
    }
    auto create = [](ProtocolClient &c, const QString &channel) {
        Frame f;
        f.mutable_create_channel()->set_channel(channel.toStdString());
        f.mutable_create_channel()->set_kind(CHANNEL_KIND_INVITE_ONLY);
        f.mutable_create_channel()->add_members("invitee");
        return c.request(f);
    };
    ProtocolClient &first = *inviters.front();
    for (int i = 0; i < 20; ++i) {
        auto reply = create(first, QStringLiteral("flood-0-%1").arg(i));
        QVERIFY(reply && reply->has_channel_joined());
    }
    // The 21st from the same user is refused and leaves nothing behind.
    auto refused = create(first, QStringLiteral("flood-0-20"));
    QVERIFY(refused && refused->has_error());
    QCOMPARE(refused->error().code(), ERROR_RATE_LIMITED);
    ProtocolClient::HttpResult none;
    first.sync(QStringLiteral("flood-0-20"), 1, 0, &none);
    QCOMPARE(none.status, 404);
    QCOMPARE(none.error, ERROR_NO_SUCH_CHANNEL);
    Frame invite;
    invite.mutable_invite()->set_channel("flood-0-0");
    invite.mutable_invite()->set_nick("invitee");
    QVERIFY(first.request(invite)->has_ok()); // already invited there: nothing new

    // The victim's Welcome: no channel, 20 invitations, the newest first.
    Welcome w;
    ProtocolClient again(*m_gw);
    again.token = victim.token;
    QVERIFY(again.connectAndHello(&w));
    QCOMPARE(w.channels_size(), 0);
    QCOMPARE(w.invitations_size(), 20);
    QCOMPARE(w.invitations(0).name(), std::string("flood-0-19"));
    QCOMPARE(w.invitations(0).kind(), CHANNEL_KIND_INVITE_ONLY);
    // An invitee reads the channel (it needs the signed invitation to accept it).
    QVERIFY(!victim.syncAll(QStringLiteral("flood-0-3")).empty());

    // Accepting (the signed acceptance, a MEMBERSHIP message in its own name) makes it a channel.
    MembershipOp accept;
    accept.set_version(1);
    accept.set_channel("flood-0-3");
    accept.set_action(MEMBERSHIP_ACTION_ACCEPT);
    accept.set_actor("invitee");
    accept.set_actor_device(victim.deviceId.toStdString());
    Frame send;
    send.mutable_send()->set_channel("flood-0-3");
    send.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    send.mutable_send()->set_kind(MESSAGE_KIND_MEMBERSHIP);
    send.mutable_send()->set_body(accept.SerializeAsString());
    auto ack = victim.request(send);
    QVERIFY(ack && ack->has_send_ack());
    // …and so does joining one.
    QVERIFY(victim.join(QStringLiteral("flood-0-4")));
    ChannelList list;
    QVERIFY(victim.post(QStringLiteral("/v1/channels"), Ok(), &list).ok());
    QCOMPARE(list.channels_size(), 2);
    QCOMPARE(list.invitations_size(), 18);
    // Answered invitations no longer count against the inviter.
    QVERIFY(create(first, QStringLiteral("flood-0-20"))->has_channel_joined());

    // Many inviters: the Welcome lists the newest 100 invitations only.
    for (int u = 1; u < 6; ++u)
        for (int i = 0; i < 20; ++i)
            QVERIFY(create(*inviters[u], QStringLiteral("flood-%1-%2").arg(u).arg(i))->has_channel_joined());
    ProtocolClient third(*m_gw);
    third.token = victim.token;
    QVERIFY(third.connectAndHello(&w));
    QCOMPARE(w.channels_size(), 2);
    QCOMPARE(w.invitations_size(), 100);
    QCOMPARE(w.invitations(0).name(), std::string("flood-5-19"));
}

void GatewayMessaging::markReadIsStoredAndPushedToOtherDevices()
{
    ProtocolClient phone(*m_gw), laptop(*m_gw);
    QVERIFY(phone.registerAndLogin(QStringLiteral("reader")));
    QVERIFY(laptop.login(QStringLiteral("reader"), QStringLiteral("correct horse battery")).ok());
    QVERIFY(phone.deviceId != laptop.deviceId);
    QVERIFY(phone.connectAndHello());
    QVERIFY(laptop.connectAndHello());
    const QString channel = QStringLiteral("reading");
    QVERIFY(phone.join(channel));
    for (int i = 0; i < 5; ++i)
        QVERIFY(phone.send(channel, "m"));
    Frame mark;
    mark.mutable_mark_read()->set_channel(channel.toStdString());
    mark.mutable_mark_read()->set_seq(4);
    auto reply = phone.request(mark);
    QVERIFY(reply && reply->has_ok());
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            for (const auto &f : laptop.frames())
                if (f.has_read_position() && f.read_position().seq() == 4)
                    return true;
            return false;
        },
        5000));
    for (const auto &f : phone.frames())
        QVERIFY(!f.has_read_position());
    Welcome w;
    ProtocolClient third(*m_gw);
    third.token = laptop.token;
    QVERIFY(third.connectAndHello(&w));
    QCOMPARE(w.channels_size(), 1);
    QCOMPARE(w.channels(0).read_seq(), 4u);
    QCOMPARE(w.channels(0).server_max_seq(), 6u);
}

void GatewayMessaging::pingPong()
{
    ProtocolClient a(*m_gw);
    QVERIFY(a.registerAndLogin(QStringLiteral("pinger")));
    QVERIFY(a.connectAndHello());
    Frame ping;
    ping.mutable_ping()->set_client_time_ms(12345);
    auto reply = a.request(ping);
    QVERIFY(reply && reply->has_pong());
    QCOMPARE(reply->pong().client_time_ms(), 12345);
    QVERIFY(reply->pong().server_time_ms() > 0);
}

// The commit writer keeps each channel's record and members in memory between sends (issue 19):
// a join, a leave, an invitation and a removal must all be seen by the very next send and push.
void GatewayMessaging::membershipChangeIsSeenByTheVeryNextSend()
{
    ProtocolClient owner(*m_gw), guest(*m_gw);
    QVERIFY(owner.registerAndLogin(QStringLiteral("cacheowner")));
    QVERIFY(guest.registerAndLogin(QStringLiteral("cacheguest")));
    QVERIFY(owner.connectAndHello());
    QVERIFY(guest.connectAndHello());
    Error err;

    // An open channel: the writer has cached it (several sends) before each change.
    const QString open = QStringLiteral("cache-open");
    QVERIFY(owner.join(open));
    for (int i = 0; i < 3; ++i)
        QVERIFY(owner.send(open, "warm"));
    QVERIFY(!guest.send(open, "not yet", {}, &err));
    QCOMPARE(err.code(), ERROR_NOT_MEMBER);
    for (int round = 0; round < 3; ++round) {
        QVERIFY(guest.join(open));
        QVERIFY2(guest.send(open, "joined"), "a new member's first send was refused");
        QVERIFY(owner.send(open, "warm"));
        Frame leave;
        leave.mutable_leave()->set_channel(open.toStdString());
        auto reply = guest.request(leave);
        QVERIFY(reply && reply->has_ok());
        QVERIFY(!guest.send(open, "left", {}, &err));
        QCOMPARE(err.code(), ERROR_NOT_MEMBER);
    }

    // An invite-only channel: an invitee may send at once; a removed member may not, and no longer
    // gets the channel's pushes.
    const QString closed = QStringLiteral("cache-closed");
    Frame create;
    create.mutable_create_channel()->set_channel(closed.toStdString());
    create.mutable_create_channel()->set_kind(CHANNEL_KIND_INVITE_ONLY);
    auto reply = owner.request(create);
    QVERIFY(reply && reply->has_channel_joined());
    for (int i = 0; i < 3; ++i)
        QVERIFY(owner.send(closed, "warm"));
    Frame invite;
    invite.mutable_invite()->set_channel(closed.toStdString());
    invite.mutable_invite()->set_nick("cacheguest");
    reply = owner.request(invite);
    QVERIFY(reply && reply->has_ok());
    QVERIFY2(guest.send(closed, "invited"), "an invitee's first send was refused");
    const auto seen = owner.send(closed, "to both");
    QVERIFY(seen);
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            for (const auto &m : guest.pushedMessages(closed))
                if (m.seq() == seen->seq())
                    return true;
            return false;
        },
        5000));
    Frame remove;
    remove.mutable_remove_member()->set_channel(closed.toStdString());
    remove.mutable_remove_member()->set_nick("cacheguest");
    reply = owner.request(remove);
    QVERIFY(reply && reply->has_ok());
    QVERIFY(!guest.send(closed, "removed", {}, &err));
    QCOMPARE(err.code(), ERROR_NOT_MEMBER);
    const auto unseen = owner.send(closed, "to the owner only");
    QVERIFY(unseen);
    // The owner's own push of it and a later message of another channel arrive; the removed
    // member gets neither of the channel's.
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            for (const auto &m : owner.pushedMessages(closed))
                if (m.seq() == unseen->seq())
                    return true;
            return false;
        },
        5000));
    QVERIFY(guest.join(open));
    const auto later = owner.send(open, "later");
    QVERIFY(later);
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            for (const auto &m : guest.pushedMessages(open))
                if (m.seq() == later->seq())
                    return true;
            return false;
        },
        5000));
    for (const auto &m : guest.pushedMessages(closed))
        QVERIFY(m.seq() < unseen->seq());
}

QTEST_GUILESS_MAIN(GatewayMessaging)
#include "tst_gateway_messaging.moc"
