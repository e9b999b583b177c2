// Client core against the real gateway: live messages, the 5,000-message catch-up with exactly
// one report, the outbox while the gateway is down, reconnecting after a gateway restart, and
// failing over to a second gateway address.
#include "CoreTestHelpers.h"
#include "Limits.h"
#include "ProtocolClient.h"
#include "RawSession.h"

#include "Outbox.h"
#include "PushChannel.h"

#include <QSet>
#include <QTcpServer>

using namespace hchat;
using namespace hchat::test;

namespace {
const QString kPassword = QStringLiteral("correct horse battery");

// B's history of channel must equal what the gateway holds: same seqs 1..n, same ids, once each.
void compareWithGateway(const HttpTestApi &api, const QString &token, const HistoryStore *store,
                        const QString &channel)
{
    const auto truth = api.allMessages(token, channel);
    QVERIFY(!truth.isEmpty());
    QCOMPARE(store->count(channel), quint64(truth.size()));
    QCOMPARE(store->maxSeq(channel), quint64(truth.size()));
    const auto mine = store->page(channel, 1, quint64(truth.size()));
    QCOMPARE(mine.size(), truth.size());
    for (int i = 0; i < truth.size(); ++i) {
        QCOMPARE(mine[i].seq, quint64(i + 1));
        QCOMPARE(truth[i].seq(), quint64(i + 1));
        QCOMPARE(mine[i].clientMsgId, QByteArray::fromStdString(truth[i].client_msg_id()));
        QCOMPARE(mine[i].body, QByteArray::fromStdString(truth[i].body()));
    }
}
} // namespace

class TestCatchUp : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<GatewayProcess> m_gw;
    QString m_aliceToken, m_bobToken;
    HttpTestApi api() const { return HttpTestApi(m_gw->httpUrl()); }

private slots:
    void initTestCase()
    {
        m_gw = std::make_unique<GatewayProcess>();
        // Many accounts from one address: no registration throttle here (tst_gateway_abuse tests it).
        m_gw->setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0"),
                                 QStringLiteral("--auth-rate"), QStringLiteral("0")});
        QVERIFY(m_gw->start());
        m_aliceToken = api().account(QStringLiteral("alice"), kPassword);
        m_bobToken = api().account(QStringLiteral("bob"), kPassword);
        QVERIFY(!m_aliceToken.isEmpty() && !m_bobToken.isEmpty());
    }

    void liveMessagesArrive()
    {
        TestClient b;
        b.connectTo({m_gw->wsUrl()}, m_bobToken);
        QVERIFY(b.waitOnline());
        QCOMPARE(b->nick(), QStringLiteral("bob"));
        QVERIFY(b.run(b->joinChannel(QStringLiteral("live"))));
        QVERIFY(b.store()->channel(QStringLiteral("live")));

        RawSession a(m_gw->wsUrl(), m_aliceToken);
        QVERIFY(a.open());
        QVERIFY(a.join(QStringLiteral("live")));
        QSignalSpy live(b.client.get(), &Client::messageReceived);
        const auto seqs = a.sendMany(QStringLiteral("live"), 20, 8);
        QCOMPARE(a.acked(), 20);
        QTRY_VERIFY_WITH_TIMEOUT(b.store()->maxSeq(QStringLiteral("live")) >= seqs.last(), 10000);
        QCOMPARE(b.store()->message(QStringLiteral("live"), seqs.first())->text(), QStringLiteral("msg 0"));
        QCOMPARE(b.store()->message(QStringLiteral("live"), seqs.last())->sender, QStringLiteral("alice"));
        QVERIFY(live.count() >= 20);
        QCOMPARE(b->unreadCount(QStringLiteral("live")), quint64(20));
        // Own message through the outbox: pending → sent with the seq the gateway gave.
        QSignalSpy sent(b->outbox(), &Outbox::sent);
        const qint64 id = b->sendMessage(QStringLiteral("live"), QStringLiteral("hello from bob"));
        QVERIFY(id > 0);
        QTRY_COMPARE_WITH_TIMEOUT(sent.count(), 1, 10000);
        const auto entry = b.store()->outboxEntry(id);
        QCOMPARE(entry->state, OutboxEntry::State::Sent);
        QTRY_VERIFY_WITH_TIMEOUT(b.store()->maxSeq(QStringLiteral("live")) >= entry->seq, 5000);
        QCOMPARE(b.store()->message(QStringLiteral("live"), entry->seq)->text(),
                 QStringLiteral("hello from bob"));
        QCOMPARE(b->unreadCount(QStringLiteral("live")), quint64(20)); // own message is not unread
        // Search finds it.
        const auto hits = b->search(QStringLiteral("hello bob"));
        QCOMPARE(hits.size(), 1);
        QCOMPARE(hits.first().seq, entry->seq);
        compareWithGateway(api(), m_bobToken, b.store(), QStringLiteral("live"));
    }

    void offlineCatchUpOf5000()
    {
        const QString ch = QStringLiteral("catchup");
        TestClient b;
        b.connectTo({m_gw->wsUrl()}, m_bobToken);
        QVERIFY(b.waitOnline());
        QVERIFY(b.run(b->joinChannel(ch)));
        RawSession a(m_gw->wsUrl(), m_aliceToken);
        QVERIFY(a.open());
        QVERIFY(a.join(ch));
        QTRY_VERIFY_WITH_TIMEOUT(b.store()->maxSeq(ch) >= 2, 5000); // both joins stored
        const quint64 before = b.store()->maxSeq(ch);

        b->disconnectFromGateway();
        QCOMPARE(b->connectionState(), ConnectionState::Offline);
        QElapsedTimer t;
        t.start();
        a.sendMany(ch, 5000, 256);
        QCOMPARE(a.acked(), 5000);
        qInfo() << "alice sent 5000 in" << t.elapsed() << "ms";
        QCOMPARE(b.store()->maxSeq(ch), before); // really offline

        QList<CatchUpReport> reports;
        connect(b.client.get(), &Client::catchUpFinished, this,
                [&](const CatchUpReport &r) { reports << r; });
        QList<ConnectionState> states;
        connect(b.client.get(), &Client::connectionStateChanged, this,
                [&](ConnectionState s) { states << s; });
        QSignalSpy progress(b.client.get(), &Client::catchUpProgress);
        t.restart();
        b->startSession(m_bobToken);
        QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 1, 60000);
        qInfo() << "caught up 5000 in" << t.elapsed() << "ms";
        QTest::qWait(300); // nothing else trickles in as a second report
        QCOMPARE(reports.size(), 1);
        QCOMPARE(reports[0].total(), quint64(5000));
        QCOMPARE(reports[0].channels.size(), 1);
        QCOMPARE(reports[0].channels[0].channel, ch);
        QCOMPARE(reports[0].channels[0].count, quint64(5000));
        QCOMPARE(reports[0].channels[0].senders, QStringList{QStringLiteral("alice")});
        QCOMPARE(reports[0].channels[0].newest.text(), QStringLiteral("msg 4999"));
        QVERIFY(states.contains(ConnectionState::CatchingUp));
        QCOMPARE(states.last(), ConnectionState::Online);
        QVERIFY(progress.count() >= 5);
        QCOMPARE(progress.last().at(0).toULongLong(), quint64(5000));

        // 1..max once each, every one of alice's 5000 texts exactly once.
        QCOMPARE(b.store()->maxSeq(ch), before + 5000);
        QCOMPARE(b.store()->count(ch), before + 5000);
        QSet<QString> texts;
        for (const auto &m : b.store()->page(ch, before + 1, before + 5000))
            texts.insert(m.text());
        QCOMPARE(texts.size(), 5000);
        QVERIFY(texts.contains(QStringLiteral("msg 0")) && texts.contains(QStringLiteral("msg 4999")));
        compareWithGateway(api(), m_bobToken, b.store(), ch);
        QCOMPARE(b->unreadCount(ch), quint64(5000));
    }

    void outboxWhileGatewayStopped()
    {
        const QString ch = QStringLiteral("outbox");
        auto gw = std::make_unique<GatewayProcess>();
        QVERIFY(gw->start());
        const quint16 port = gw->port();
        const QString dir = gw->dataDir();
        HttpTestApi local(gw->httpUrl());
        const QString token = local.account(QStringLiteral("carol"), kPassword);
        QVERIFY(!token.isEmpty());
        TestClient b;
        b.connectTo({gw->wsUrl()}, token);
        QVERIFY(b.waitOnline());
        QVERIFY(b.run(b->joinChannel(ch)));
        const quint64 before = b.store()->maxSeq(ch);

        QCOMPARE(gw->terminate(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(b->connectionState() != ConnectionState::Online, 10000);
        QList<qint64> ids;
        for (int i = 0; i < 20; ++i)
            ids << b->sendMessage(ch, QStringLiteral("offline %1").arg(i));
        QVERIFY(!ids.contains(0));
        QCOMPARE(b.store()->outbox(ch, {OutboxEntry::State::Pending}).size(), 20);
        QTest::qWait(500);
        QCOMPARE(b.store()->outbox(ch, {OutboxEntry::State::Pending}).size(), 20); // nowhere to go

        // The gateway comes back on the same address and database.
        GatewayProcess again(dir);
        again.setPort(port);
        QVERIFY(again.start());
        QTRY_COMPARE_WITH_TIMEOUT(b.store()->outbox(ch, {OutboxEntry::State::Sent}).size(), 20, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(b.store()->maxSeq(ch) >= before + 20, 10000);
        // Delivered once each, in the order written.
        const auto sentEntries = b.store()->outbox(ch, {OutboxEntry::State::Sent});
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(sentEntries[i].id, ids[i]);
            QCOMPARE(sentEntries[i].seq, before + quint64(i) + 1);
        }
        const auto truth = HttpTestApi(again.httpUrl()).allMessages(token, ch);
        QCOMPARE(quint64(truth.size()), before + 20);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(QString::fromStdString(truth[int(before) + i].body()),
                     QStringLiteral("offline %1").arg(i));
        compareWithGateway(HttpTestApi(again.httpUrl()), token, b.store(), ch);
    }

    void gatewayRestartWhileConnected()
    {
        const QString ch = QStringLiteral("restart");
        auto gw = std::make_unique<GatewayProcess>();
        gw->setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
        QVERIFY(gw->start());
        const quint16 port = gw->port();
        HttpTestApi local(gw->httpUrl());
        const QString bt = local.account(QStringLiteral("dave"), kPassword);
        const QString at = local.account(QStringLiteral("erin"), kPassword);
        TestClient b;
        b.connectTo({gw->wsUrl()}, bt);
        QVERIFY(b.waitOnline());
        QVERIFY(b.run(b->joinChannel(ch)));
        QSignalSpy reports(b.client.get(), &Client::catchUpFinished);
        QSignalSpy disconnected(b->pushChannel(), &PushChannel::disconnected);

        gw->kill(); // crash, not a polite stop
        QTRY_VERIFY_WITH_TIMEOUT(disconnected.count() >= 1, 10000);
        GatewayProcess again(gw->dataDir());
        again.setPort(port);
        QVERIFY(again.start());
        // While B reconnects, erin writes 300 messages.
        RawSession a(again.wsUrl(), at);
        QVERIFY(a.open());
        QVERIFY(a.join(ch));
        a.sendMany(ch, 300, 64);
        QCOMPARE(a.acked(), 300);
        QTRY_VERIFY_WITH_TIMEOUT(b->connectionState() == ConnectionState::Online, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(reports.count() >= 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(b.store()->maxSeq(ch),
                                  quint64(HttpTestApi(again.httpUrl()).allMessages(bt, ch).size()), 15000);
        compareWithGateway(HttpTestApi(again.httpUrl()), bt, b.store(), ch);
    }

    void secondAddressWhenFirstIsDown()
    {
        // A port that refuses connections: listen, note the port, close.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const QUrl dead(QStringLiteral("ws://127.0.0.1:%1/ws").arg(probe.serverPort()));
        probe.close();
        TestClient b;
        b.connectTo({dead, m_gw->wsUrl()}, m_bobToken);
        QVERIFY(b.waitOnline(10000));
        QCOMPARE(b->pushChannel()->currentUrl(), m_gw->wsUrl());
        QVERIFY(b.run(b->joinChannel(QStringLiteral("failover"))));
        QTRY_VERIFY_WITH_TIMEOUT(b.store()->maxSeq(QStringLiteral("failover")) >= 1, 5000);
    }

    // A user in more channels than one frame can list (here 260 channels of 41 members with long
    // names, about 400 KB of channel list against the 256 KiB frame limit): the Welcome holds the
    // first page and says where to go on, the client pulls the rest over HTTP, and catches up on
    // every channel (before: the Welcome was too large, and the client dropped the link and tried
    // again for ever).
    void aChannelListLargerThanAFrameIsPaged()
    {
        const HttpTestApi http = api();
        QStringList fillers;
        for (int i = 0; i < 40; ++i) {
            fillers << QStringLiteral("filler-with-a-long-nick-%1").arg(i, 8, 10, QLatin1Char('0'));
            QVERIFY(http.registerUser(fillers.last(), kPassword));
        }
        const QString victimToken = http.account(QStringLiteral("crowded"), kPassword);
        RawSession victim(m_gw->wsUrl(), victimToken);
        QVERIFY(victim.open());
        int made = 0;
        // At most 20 invitations of one inviter may wait for one invitee: 13 creators of 20 each.
        for (int creator = 0; creator < 13; ++creator) {
            RawSession c(m_gw->wsUrl(), http.account(QStringLiteral("creator%1").arg(creator), kPassword));
            QVERIFY(c.open());
            for (int i = 0; i < 20; ++i, ++made) {
                const QString name =
                    QStringLiteral("a-rather-long-channel-name-so-that-lists-grow-quickly-%1")
                        .arg(made, 8, 10, QLatin1Char('0'));
                QVERIFY(c.create(name, hchat::v1::CHANNEL_KIND_INVITE_ONLY,
                                 fillers + QStringList{QStringLiteral("crowded")}));
                QVERIFY(victim.join(name)); // accepts the invitation
            }
        }
        // The gateway's side: the Welcome fits in a frame and says there is more.
        ProtocolClient probe(*m_gw);
        probe.token = victimToken;
        hchat::v1::Welcome welcome;
        QVERIFY(probe.connectAndHello(&welcome));
        QVERIFY(welcome.ByteSizeLong() < hchat::limits::kMaxFrameBytes);
        QVERIFY(!welcome.channels_continue_after().empty());
        QVERIFY(welcome.channels_size() < made);

        TestClient client;
        client.connectTo({m_gw->wsUrl()}, victimToken);
        QSignalSpy finished(client.client.get(), &Client::catchUpFinished);
        QVERIFY(client.waitOnline(30000));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1, 60000);
        const auto channels = client.store()->channels(true);
        QCOMPARE(int(channels.size()), made);
        for (const auto &c : channels)
            QCOMPARE(client.store()->maxSeq(c.name), quint64(42)); // created, 40 fillers and the victim added
    }
};

QTEST_GUILESS_MAIN(TestCatchUp)
#include "tst_core_catchup.moc"
