// Scale-out: several hchat-gateway processes sharing one PostgreSQL database (started by the
// scale_services fixture: scripts/local-services) and fanning out through Redis (each test runs
// its own redis-server, so that it can kill it, and so that parallel tests never share a channel).
#include "GatewayProcess.h"
#include "ProtocolClient.h"
#include "TestEnv.h"

#include <QCoreApplication>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTest>

#include <csignal>
#include <memory>

using namespace hchat::test;
using namespace hchat::v1;

namespace {

QString servicesDir()
{
    return qEnvironmentVariable("HCHAT_SCALE_SERVICES");
}

quint16 freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

// A PostgreSQL database of its own for one test.
QString createDatabase(const QString &prefix)
{
    const QString name = prefix + QStringLiteral("_%1").arg(QCoreApplication::applicationPid());
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(HCHAT_SOURCE_DIR "/scripts/local-services"),
            {QStringLiteral("createdb"), servicesDir(), name, QStringLiteral("--if-missing")});
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        qWarning().noquote() << "createdb failed:" << p.readAll();
        return {};
    }
    return QString::fromUtf8(p.readAll()).trimmed().split(QLatin1Char('\n')).last();
}

// A redis-server on a loopback port, stoppable (kill -9) and restartable on the same port.
class RedisProcess {
public:
    RedisProcess() : m_dir(scratchRoot() + QStringLiteral("/redis-XXXXXX")), m_port(freePort()) {}
    void setExtraArguments(const QStringList &args) { m_extraArgs = args; }
    quint16 port() const { return m_port; }
    ~RedisProcess() { kill(); }
    bool start()
    {
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->start(QStringLiteral("redis-server"),
                         QStringList{QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                                     QStringLiteral("--port"), QString::number(m_port),
                                     QStringLiteral("--dir"), m_dir.path(), QStringLiteral("--save"),
                                     QString(), QStringLiteral("--appendonly"), QStringLiteral("no")} +
                             m_extraArgs);
        if (!m_process->waitForStarted(10000))
            return false;
        QByteArray out;
        return ProtocolClient::waitFor(
            [&] {
                out += m_process->readAll();
                return out.contains("Ready to accept connections");
            },
            15000);
    }
    void kill()
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(10000);
        }
    }
    QString url() const { return QStringLiteral("redis://127.0.0.1:%1").arg(m_port); }

private:
    QTemporaryDir m_dir;
    quint16 m_port;
    QStringList m_extraArgs;
    std::unique_ptr<QProcess> m_process;
};

std::unique_ptr<GatewayProcess> startGateway(const QString &db, const QString &redis,
                                             const QStringList &extra = {})
{
    auto gw = std::make_unique<GatewayProcess>();
    gw->setExtraArguments(QStringList{QStringLiteral("--db"), db, QStringLiteral("--redis"), redis,
                                      QStringLiteral("--rate-limit"), QStringLiteral("0"),
                                      QStringLiteral("--threads"), QStringLiteral("2")} +
                          extra);
    if (!gw->start(30000)) {
        qWarning().noquote() << gw->output();
        return nullptr;
    }
    return gw;
}

bool subscribed(GatewayProcess &gw)
{
    ProtocolClient probe(gw);
    return ProtocolClient::waitFor(
        [&] { return probe.metric(QStringLiteral("hchat_fanout_subscribed")) == 1; }, 20000);
}

std::unique_ptr<ProtocolClient> member(GatewayProcess &gw, const QString &nick, const QString &channel)
{
    auto c = std::make_unique<ProtocolClient>(gw);
    if (!c->registerAndLogin(nick) || !c->connectAndHello() || !c->join(channel))
        return nullptr;
    return c;
}

// Pushed seqs of a channel above `base`: strictly consecutive from base + 1, each once?
QString checkConsecutive(const QList<Message> &pushed, quint64 base, int expected)
{
    quint64 want = base + 1;
    int count = 0;
    for (const auto &m : pushed) {
        if (m.seq() <= base)
            continue;
        if (m.seq() != want)
            return QStringLiteral("expected seq %1, got %2").arg(want).arg(m.seq());
        ++want;
        ++count;
    }
    if (count != expected)
        return QStringLiteral("%1 pushes, expected %2").arg(count).arg(expected);
    return {};
}

int textsAbove(const ProtocolClient &c, const QString &channel, quint64 base)
{
    int n = 0;
    for (const auto &m : c.pushedMessages(channel))
        n += m.seq() > base && m.kind() == MESSAGE_KIND_TEXT;
    return n;
}

} // namespace

class ScaleCluster : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void twoGatewaysDeliverEverythingByPushInOrder();
    void concurrentWritersOnBothGatewaysGetGapFreeSeqs();
    void redisRestartLosesNothingAndGatewaysResubscribe();
    void killedGatewaysClientsMoveToTheOtherAndCatchUp();
    void redisWantsItsPasswordAndForgedEnvelopesAreDropped();
};

// Redis with a password (AUTH on every connection), and envelopes with a MAC under a key the
// gateways share: a gateway without the password never subscribes, and an envelope written into
// the channel by someone without the key (a forged push) reaches nobody (before: any client of
// Redis could push to every session).
void ScaleCluster::redisWantsItsPasswordAndForgedEnvelopesAreDropped()
{
    const QString db = createDatabase(QStringLiteral("cluster_auth"));
    QVERIFY(!db.isEmpty());
    RedisProcess redis;
    redis.setExtraArguments({QStringLiteral("--requirepass"), QStringLiteral("fanout-secret")});
    QVERIFY(redis.start());
    QTemporaryDir keys(scratchRoot() + QStringLiteral("/fanout-key-XXXXXX"));
    QFile keyFile(keys.filePath(QStringLiteral("fanout.key")));
    QVERIFY(keyFile.open(QIODevice::WriteOnly));
    keyFile.write(QByteArray(32, '\x5a').toHex() + '\n');
    keyFile.close();
    const QString url = QStringLiteral("redis://:fanout-secret@127.0.0.1:%1").arg(redis.port());
    const QStringList keyed{QStringLiteral("--fanout-key-file"), keyFile.fileName()};
    auto g1 = startGateway(db, url, keyed);
    auto g2 = startGateway(db, url, keyed);
    auto stranger = startGateway(db, redis.url(), keyed); // no password
    QVERIFY(g1 && g2 && stranger);
    QVERIFY(subscribed(*g1) && subscribed(*g2));
    QVERIFY(!g1->output().contains("fanout-secret")); // the password is not logged
    QTest::qWait(1500);
    ProtocolClient probe(*stranger);
    QCOMPARE(probe.metric(QStringLiteral("hchat_fanout_subscribed")), 0.0);
    QVERIFY(stranger->output().contains("authentication refused") || stranger->output().contains("NOAUTH"));

    const QString channel = QStringLiteral("guarded");
    auto alice = member(*g1, QStringLiteral("alice"), channel);
    auto bob = member(*g2, QStringLiteral("bob"), channel);
    QVERIFY(alice && bob);
    QVERIFY(alice->send(channel, "genuine"));
    QVERIFY(ProtocolClient::waitFor([&] { return textsAbove(*bob, channel, 0) == 1; }, 10000));

    // A forged push, written into the channel by a Redis client that has the password but not
    // the key: an unkeyed envelope for users 1..50, as a gateway without a key would write it.
    Frame push;
    Message *m = push.mutable_push()->mutable_message();
    m->set_channel(channel.toStdString());
    m->set_seq(bob->pushedMessages(channel).last().seq() + 1);
    m->set_sender("alice");
    m->set_kind(MESSAGE_KIND_TEXT);
    m->set_body("forged");
    QByteArray envelope("HF1");
    envelope += QByteArray(16, '\x01'); // origin
    envelope += 'U';
    envelope += char(1);
    const auto be = [](quint64 v, int bytes) {
        QByteArray out;
        for (int i = bytes - 1; i >= 0; --i)
            out += char((v >> (8 * i)) & 0xff);
        return out;
    };
    envelope += be(50, 4);
    for (int id = 1; id <= 50; ++id)
        envelope += be(quint64(id), 8);
    envelope += QByteArray::fromStdString(push.SerializeAsString());
    for (const QByteArray &forged : {envelope, QByteArray("HF2") + QByteArray(40, '\0') + envelope.mid(3)}) {
        QProcess cli;
        cli.start(QStringLiteral("redis-cli"),
                  {QStringLiteral("-p"), QString::number(redis.port()), QStringLiteral("-a"),
                   QStringLiteral("fanout-secret"), QStringLiteral("--no-auth-warning"), QStringLiteral("-x"),
                   QStringLiteral("PUBLISH"), QStringLiteral("hchat:fanout")});
        QVERIFY(cli.waitForStarted(5000));
        cli.write(forged);
        cli.closeWriteChannel();
        QVERIFY(cli.waitForFinished(10000));
        QCOMPARE(cli.exitCode(), 0);
    }
    ProtocolClient g2probe(*g2);
    QVERIFY(ProtocolClient::waitFor(
        [&] { return g2probe.metric(QStringLiteral("hchat_fanout_rejected_total")) >= 2; }, 5000));
    QTest::qWait(300);
    for (const auto &pushed : bob->pushedMessages(channel))
        QVERIFY(pushed.body() != "forged");
    // Genuine traffic still flows.
    QVERIFY(alice->send(channel, "still genuine"));
    QVERIFY(ProtocolClient::waitFor([&] { return textsAbove(*bob, channel, 0) == 2; }, 10000));
}

void ScaleCluster::initTestCase()
{
    QVERIFY2(!servicesDir().isEmpty() && QFile::exists(servicesDir() + QStringLiteral("/pg.env")),
             "HCHAT_SCALE_SERVICES must name a running scripts/local-services folder (the scale_services "
             "fixture)");
}

void ScaleCluster::twoGatewaysDeliverEverythingByPushInOrder()
{
    const QString db = createDatabase(QStringLiteral("cluster_push"));
    QVERIFY(!db.isEmpty());
    RedisProcess redis;
    QVERIFY(redis.start());
    auto g1 = startGateway(db, redis.url());
    auto g2 = startGateway(db, redis.url());
    QVERIFY(g1 && g2);
    QVERIFY(subscribed(*g1) && subscribed(*g2));

    const QString channel = QStringLiteral("cross");
    auto alice = member(*g1, QStringLiteral("alice"), channel);
    auto bob = member(*g2, QStringLiteral("bob"), channel);
    QVERIFY(alice && bob);
    // Bob's join reaches Alice through Redis.
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            return !alice->pushedMessages(channel).isEmpty() &&
                   alice->pushedMessages(channel).last().seq() == 2;
        },
        10000));
    const quint64 base = 2;

    const int perSide = 2000;
    QList<quint64> ra, rb;
    for (int i = 0; i < perSide; ++i) {
        ra << alice->sendAsync(channel, "from alice " + QByteArray::number(i),
                               ProtocolClient::newClientMsgId());
        rb << bob->sendAsync(channel, "from bob " + QByteArray::number(i), ProtocolClient::newClientMsgId());
    }
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            return textsAbove(*alice, channel, base) >= 2 * perSide &&
                   textsAbove(*bob, channel, base) >= 2 * perSide;
        },
        120000));
    QVERIFY(ProtocolClient::waitFor([&] { return alice->hasReply(ra.last()) && bob->hasReply(rb.last()); },
                                    20000));
    QTest::qWait(300); // anything extra (a duplicate) would show up now
    for (auto *c : {alice.get(), bob.get()}) {
        const QString problem = checkConsecutive(c->pushedMessages(channel), base, 2 * perSide);
        QVERIFY2(problem.isEmpty(), qPrintable(c->nick + QStringLiteral(": ") + problem));
    }
    // Every ack carries a seq, and both sides saw the same message at each seq.
    QHash<quint64, std::string> idsAtSeq;
    for (const auto &m : alice->pushedMessages(channel))
        idsAtSeq.insert(m.seq(), m.client_msg_id());
    for (const auto &m : bob->pushedMessages(channel))
        if (m.seq() > base)
            QVERIFY(idsAtSeq.value(m.seq()) == m.client_msg_id());
    // Delivered by push: nobody pulled.
    QCOMPARE(alice->metric(QStringLiteral("hchat_sync_requests_total")), 0.0);
    QCOMPARE(bob->metric(QStringLiteral("hchat_sync_requests_total")), 0.0);
    qInfo("pushes from the other gateway through redis: g1 %g, g2 %g",
          alice->metric(QStringLiteral("hchat_fanout_received_total")),
          bob->metric(QStringLiteral("hchat_fanout_received_total")));
}

void ScaleCluster::concurrentWritersOnBothGatewaysGetGapFreeSeqs()
{
    const QString db = createDatabase(QStringLiteral("cluster_writers"));
    QVERIFY(!db.isEmpty());
    RedisProcess redis;
    QVERIFY(redis.start());
    auto g1 = startGateway(db, redis.url());
    auto g2 = startGateway(db, redis.url());
    QVERIFY(g1 && g2);

    const QString channel = QStringLiteral("contended");
    const int writers = 10;
    const int each = 150;
    std::vector<std::unique_ptr<ProtocolClient>> clients;
    for (int w = 0; w < writers; ++w) {
        clients.push_back(member(w % 2 ? *g2 : *g1, QStringLiteral("writer%1").arg(w), channel));
        QVERIFY(clients.back());
    }
    QList<QPair<int, quint64>> requests;
    for (int i = 0; i < each; ++i)
        for (int w = 0; w < writers; ++w)
            requests << qMakePair(
                w, clients[w]->sendAsync(channel, "w" + QByteArray::number(w) + " " + QByteArray::number(i),
                                         ProtocolClient::newClientMsgId()));
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            for (const auto &[w, rid] : requests)
                if (!clients[w]->hasReply(rid))
                    return false;
            return true;
        },
        120000));
    QSet<quint64> ackedSeqs;
    for (const auto &[w, rid] : requests) {
        const Frame f = clients[w]->reply(rid);
        QVERIFY2(f.has_send_ack(), f.DebugString().c_str());
        QVERIFY2(!ackedSeqs.contains(f.send_ack().seq()), "two sends acknowledged with one seq");
        ackedSeqs.insert(f.send_ack().seq());
    }
    bool ok = false;
    const auto stored = clients[0]->syncAll(channel, 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    const int total = writers + writers * each; // joins + texts
    QCOMPARE(int(stored.size()), total);
    for (int i = 0; i < total; ++i)
        QCOMPARE(stored[i].seq(), quint64(i + 1));
    for (auto seq : ackedSeqs)
        QVERIFY(seq >= 1 && seq <= quint64(total));
}

void ScaleCluster::redisRestartLosesNothingAndGatewaysResubscribe()
{
    const QString db = createDatabase(QStringLiteral("cluster_redis_restart"));
    QVERIFY(!db.isEmpty());
    RedisProcess redis;
    QVERIFY(redis.start());
    auto g1 = startGateway(db, redis.url());
    auto g2 = startGateway(db, redis.url());
    QVERIFY(g1 && g2);
    QVERIFY(subscribed(*g1) && subscribed(*g2));
    const QString channel = QStringLiteral("weather");
    auto alice = member(*g1, QStringLiteral("alice"), channel);
    auto bob = member(*g2, QStringLiteral("bob"), channel);
    QVERIFY(alice && bob);

    // Traffic from Alice; Redis dies in the middle of it and comes back.
    const int total = 600;
    QList<quint64> rids;
    for (int i = 0; i < total; ++i) {
        rids << alice->sendAsync(channel, "storm " + QByteArray::number(i), ProtocolClient::newClientMsgId());
        if (i == total / 3) {
            QVERIFY(ProtocolClient::waitFor([&] { return textsAbove(*bob, channel, 0) > 0; }, 20000));
            redis.kill();
        }
        if (i == 2 * total / 3)
            QVERIFY(redis.start());
        if (i % 50 == 0)
            QTest::qWait(20);
    }
    QVERIFY(ProtocolClient::waitFor([&] { return alice->hasReply(rids.last()); }, 60000));
    const quint64 last = alice->reply(rids.last()).send_ack().seq();

    // Bob heals by pulling what the dead Redis lost (as a client does on a gap).
    bool ok = false;
    const auto pulled = bob->syncAll(channel, 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    QCOMPARE(pulled.size(), std::size_t(last));
    for (std::size_t i = 0; i < pulled.size(); ++i)
        QCOMPARE(pulled[i].seq(), quint64(i + 1));
    int texts = 0;
    for (const auto &m : pulled)
        texts += m.kind() == MESSAGE_KIND_TEXT;
    QCOMPARE(texts, total);

    // Both gateways resubscribed by themselves: a new message reaches Bob by push, with no pull.
    QVERIFY(subscribed(*g1) && subscribed(*g2));
    const double pullsBefore = bob->metric(QStringLiteral("hchat_sync_requests_total"));
    const auto ack = alice->send(channel, "after the storm");
    QVERIFY(ack);
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            const auto p = bob->pushedMessages(channel);
            return !p.isEmpty() && p.last().seq() == ack->seq();
        },
        10000));
    QCOMPARE(bob->metric(QStringLiteral("hchat_sync_requests_total")), pullsBefore);
    QVERIFY(alice->metric(QStringLiteral("hchat_fanout_resubscriptions_total")) >= 1);
}

void ScaleCluster::killedGatewaysClientsMoveToTheOtherAndCatchUp()
{
    const QString db = createDatabase(QStringLiteral("cluster_failover"));
    QVERIFY(!db.isEmpty());
    RedisProcess redis;
    QVERIFY(redis.start());
    auto g1 = startGateway(db, redis.url());
    auto g2 = startGateway(db, redis.url());
    QVERIFY(g1 && g2);
    QVERIFY(subscribed(*g1) && subscribed(*g2));
    const QString channel = QStringLiteral("failover");
    auto alice = member(*g1, QStringLiteral("alice"), channel);
    auto bob = member(*g2, QStringLiteral("bob"), channel);
    QVERIFY(alice && bob);

    QList<quint64> rids;
    for (int i = 0; i < 200; ++i)
        rids << bob->sendAsync(channel, "before " + QByteArray::number(i), ProtocolClient::newClientMsgId());
    QVERIFY(ProtocolClient::waitFor([&] { return textsAbove(*alice, channel, 0) >= 50; }, 20000));
    ::kill(pid_t(g1->pid()), SIGKILL);
    g1->kill();
    QVERIFY(alice->waitForDisconnected(10000));
    QVERIFY(ProtocolClient::waitFor([&] { return bob->hasReply(rids.last()); }, 30000));
    for (int i = 0; i < 100; ++i)
        rids << bob->sendAsync(channel, "while away " + QByteArray::number(i),
                               ProtocolClient::newClientMsgId());
    QVERIFY(ProtocolClient::waitFor([&] { return bob->hasReply(rids.last()); }, 30000));

    // Alice's next address: the other gateway; her token is valid there (one database).
    ProtocolClient moved(*g2);
    moved.token = alice->token;
    moved.nick = alice->nick;
    Welcome welcome;
    QVERIFY(moved.connectAndHello(&welcome));
    quint64 localMax = 0;
    for (const auto &m : alice->pushedMessages(channel))
        localMax = std::max<quint64>(localMax, m.seq());
    bool ok = false;
    const auto missed = moved.syncAll(channel, localMax + 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    QSet<quint64> have;
    for (const auto &m : alice->pushedMessages(channel))
        have.insert(m.seq());
    for (const auto &m : missed)
        have.insert(m.seq());
    quint64 serverMax = 0;
    for (const auto &c : welcome.channels())
        if (c.name() == channel.toStdString())
            serverMax = c.server_max_seq();
    QCOMPARE(serverMax, quint64(2 + 300));
    for (quint64 s = 1; s <= serverMax; ++s)
        QVERIFY2(have.contains(s), qPrintable(QStringLiteral("seq %1 missing after catch-up").arg(s)));
    // And she is live again on the other gateway.
    const auto ack = bob->send(channel, "welcome back");
    QVERIFY(ack);
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            const auto p = moved.pushedMessages(channel);
            return !p.isEmpty() && p.last().seq() == ack->seq();
        },
        10000));
}

QTEST_GUILESS_MAIN(ScaleCluster)
#include "tst_scale_cluster.moc"
