// Scale-out with the real client core: a Client given both gateways' addresses
// (Client::setGatewayUrls) receives a conversation by push across gateways without pulling, and,
// when its gateway is kill -9ed, moves to the other one and catches up: nothing lost, no hole.
// PostgreSQL from the scale_services fixture; a redis-server of its own.
#include "Client.h"
#include "GatewayProcess.h"
#include "HistoryStore.h"
#include "MemoryTokenVault.h"
#include "ProtocolClient.h"
#include "SyncPuller.h"
#include "TestEnv.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace hchat;
using namespace hchat::test;

namespace {

QString createDatabase(const QString &prefix)
{
    const QString name = prefix + QStringLiteral("_%1").arg(QCoreApplication::applicationPid());
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(HCHAT_SOURCE_DIR "/scripts/local-services"),
            {QStringLiteral("createdb"), qEnvironmentVariable("HCHAT_SCALE_SERVICES"), name,
             QStringLiteral("--if-missing")});
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        qWarning().noquote() << "createdb failed:" << p.readAll();
        return {};
    }
    return QString::fromUtf8(p.readAll()).trimmed().split(QLatin1Char('\n')).last();
}

} // namespace

class ScaleFailover : public QObject {
    Q_OBJECT
private slots:
    void clientCoreGetsPushesAcrossGatewaysAndFailsOver();
};

void ScaleFailover::clientCoreGetsPushesAcrossGatewaysAndFailsOver()
{
    QVERIFY2(!qEnvironmentVariable("HCHAT_SCALE_SERVICES").isEmpty(), "HCHAT_SCALE_SERVICES is not set");
    const QString db = createDatabase(QStringLiteral("core_failover"));
    QVERIFY(!db.isEmpty());
    quint16 redisPort = 0;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        redisPort = s.serverPort();
    }
    QTemporaryDir redisDir(scratchRoot() + QStringLiteral("/redis-XXXXXX"));
    QProcess redis;
    redis.setProcessChannelMode(QProcess::MergedChannels);
    redis.start(QStringLiteral("redis-server"),
                {QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--port"),
                 QString::number(redisPort), QStringLiteral("--dir"), redisDir.path(),
                 QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"), QStringLiteral("no")});
    QVERIFY2(redis.waitForStarted(10000), "redis-server did not start (scripts/install-deps installs it)");
    QByteArray redisOut;
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            redisOut += redis.readAll();
            return redisOut.contains("Ready to accept connections");
        },
        15000));
    const QString redisUrl = QStringLiteral("redis://127.0.0.1:%1").arg(redisPort);

    std::unique_ptr<GatewayProcess> gws[2];
    for (auto &gw : gws) {
        gw = std::make_unique<GatewayProcess>();
        gw->setExtraArguments({QStringLiteral("--db"), db, QStringLiteral("--redis"), redisUrl,
                               QStringLiteral("--rate-limit"), QStringLiteral("0")});
        QVERIFY2(gw->start(30000), gw->output().constData());
        ProtocolClient probe(*gw);
        QVERIFY(ProtocolClient::waitFor(
            [&] { return probe.metric(QStringLiteral("hchat_fanout_subscribed")) == 1; }, 20000));
    }
    const QString channel = QStringLiteral("failover");
    // Bob writes on the second gateway; Alice's account and membership are made on the first.
    ProtocolClient bob(*gws[1]);
    QVERIFY(bob.registerAndLogin(QStringLiteral("bob")));
    QVERIFY(bob.connectAndHello());
    QVERIFY(bob.join(channel));
    ProtocolClient aliceSetup(*gws[0]);
    QVERIFY(aliceSetup.registerAndLogin(QStringLiteral("alice")));
    QVERIFY(aliceSetup.connectAndHello());
    QVERIFY(aliceSetup.join(channel));
    aliceSetup.disconnectWs();

    QTemporaryDir profile(scratchRoot() + QStringLiteral("/profile-XXXXXX"));
    Client alice(std::make_unique<MemoryTokenVault>());
    QVERIFY(alice.openProfile(profile.path()));
    alice.setGatewayUrls({gws[0]->wsUrl(), gws[1]->wsUrl()});
    int pulls = 0;
    connect(alice.puller(), &SyncPuller::requestStarted, this, [&](const QString &, quint64) { ++pulls; });
    alice.startSession(aliceSetup.token);
    QVERIFY(
        ProtocolClient::waitFor([&] { return alice.connectionState() == ConnectionState::Online; }, 30000));
    QVERIFY(ProtocolClient::waitFor([&] { return alice.store()->maxSeq(channel) >= 2; }, 20000));
    const int pullsAfterCatchUp = pulls;

    // Live, across gateways: 500 messages from Bob reach Alice by push; she pulls nothing.
    QList<quint64> rids;
    for (int i = 0; i < 500; ++i)
        rids << bob.sendAsync(channel, "live " + QByteArray::number(i), ProtocolClient::newClientMsgId());
    QVERIFY(ProtocolClient::waitFor([&] { return bob.hasReply(rids.last()); }, 60000));
    const quint64 live = bob.reply(rids.last()).send_ack().seq();
    QVERIFY(ProtocolClient::waitFor([&] { return alice.store()->maxSeq(channel) == live; }, 60000));
    QCOMPARE(alice.store()->count(channel), live);
    QCOMPARE(pulls, pullsAfterCatchUp);

    // Her gateway dies. Bob goes on; Alice moves to the other address and catches up.
    ::kill(pid_t(gws[0]->pid()), SIGKILL);
    gws[0]->kill();
    for (int i = 0; i < 300; ++i)
        rids << bob.sendAsync(channel, "while she moves " + QByteArray::number(i),
                              ProtocolClient::newClientMsgId());
    QVERIFY(ProtocolClient::waitFor([&] { return bob.hasReply(rids.last()); }, 60000));
    const quint64 last = bob.reply(rids.last()).send_ack().seq();
    QVERIFY2(ProtocolClient::waitFor([&] { return alice.store()->maxSeq(channel) == last; }, 90000),
             qPrintable(QStringLiteral("alice has %1 of %2").arg(alice.store()->maxSeq(channel)).arg(last)));
    QCOMPARE(alice.store()->count(channel), last); // gap-free and no duplicate
    QVERIFY(
        ProtocolClient::waitFor([&] { return alice.connectionState() == ConnectionState::Online; }, 30000));
    // And she is live on the survivor.
    const auto ack = bob.send(channel, "welcome back");
    QVERIFY(ack);
    QVERIFY(ProtocolClient::waitFor([&] { return alice.store()->maxSeq(channel) == ack->seq(); }, 20000));
    redis.kill();
    redis.waitForFinished(10000);
}

QTEST_GUILESS_MAIN(ScaleFailover)
#include "tst_scale_failover.moc"
