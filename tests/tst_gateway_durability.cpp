// Ack-after-commit under crashes and shutdowns, and group commit, against the real binary.
#include "GatewayProcess.h"
#include "ProtocolClient.h"
#include "TestEnv.h"

#include <QHash>
#include <QSet>
#include <QtTest>

#include <csignal>
#include <sys/resource.h>
#include <memory>

using namespace hchat::test;
using namespace hchat::v1;

namespace {

struct Stream {
    QList<QByteArray> ids;         // client_msg_id of each send, in order
    QList<quint64> requestIds;
    QHash<QByteArray, quint64> acked; // client_msg_id → seq
};

// Pipelines `count` sends without waiting.
Stream startStream(ProtocolClient &c, const QString &channel, int count)
{
    Stream s;
    for (int i = 0; i < count; ++i) {
        const QByteArray id = ProtocolClient::newClientMsgId();
        s.ids << id;
        s.requestIds << c.sendAsync(channel, "durable " + QByteArray::number(i), id);
    }
    return s;
}

int collectAcks(ProtocolClient &c, Stream &s)
{
    for (int i = 0; i < s.ids.size(); ++i) {
        if (!c.hasReply(s.requestIds[i]))
            continue;
        const Frame f = c.reply(s.requestIds[i]);
        if (f.has_send_ack())
            s.acked.insert(s.ids[i], f.send_ack().seq());
    }
    return s.acked.size();
}

int ackCount(ProtocolClient &c, const Stream &s)
{
    int n = 0;
    for (auto rid : s.requestIds)
        if (c.hasReply(rid) && c.reply(rid).has_send_ack())
            ++n;
    return n;
}

} // namespace

class GatewayDurability : public QObject {
    Q_OBJECT
private slots:
    void killNineMidStreamLosesNoAcknowledgedMessage();
    void sigtermFinishesInFlightCommits();
    void groupCommitBatchesConcurrentSenders();
    void diskFullFailsTheBatchAndAcknowledgesNothing();
};

void GatewayDurability::killNineMidStreamLosesNoAcknowledgedMessage()
{
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/durability-XXXXXX"));
    QVERIFY(dir.isValid());
    const QString channel = QStringLiteral("durable");
    const int total = 6000;
    QString token;
    Stream s;
    {
        GatewayProcess gw(dir.path());
        gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
        QVERIFY2(gw.start(), gw.output().constData());
        ProtocolClient c(gw);
        QVERIFY(c.registerAndLogin(QStringLiteral("survivor")));
        token = c.token;
        QVERIFY(c.connectAndHello());
        QVERIFY(c.join(channel));
        s = startStream(c, channel, total);
        // Kill as soon as the first acknowledgements are in: the rest is still in flight.
        QVERIFY(ProtocolClient::waitFor([&] { return ackCount(c, s) >= 50; }, 30000));
        ::kill(pid_t(gw.pid()), SIGKILL);
        gw.kill(); // reaps it
        QVERIFY(!gw.isRunning());
        QTest::qWait(100); // anything already in our socket buffer
        collectAcks(c, s);
        qInfo("acknowledged before the kill: %d of %d", int(s.acked.size()), total);
        QVERIFY2(s.acked.size() > 0 && s.acked.size() < total, "the kill did not land mid-stream");
    }

    GatewayProcess gw(dir.path());
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    ProtocolClient c(gw);
    c.token = token; // tokens survive the crash too
    bool ok = false;
    auto stored = c.syncAll(channel, 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    // No hole: seqs are 1..n.
    QHash<QByteArray, quint64> storedIds;
    for (int i = 0; i < int(stored.size()); ++i) {
        QCOMPARE(stored[i].seq(), quint64(i + 1));
        if (stored[i].kind() == MESSAGE_KIND_TEXT)
            storedIds.insert(QByteArray::fromStdString(stored[i].client_msg_id()), stored[i].seq());
    }
    // Every acknowledged message is there, under the seq it was acknowledged with.
    for (auto it = s.acked.cbegin(); it != s.acked.cend(); ++it) {
        QVERIFY(storedIds.contains(it.key()));
        QCOMPARE(storedIds.value(it.key()), it.value());
    }
    // Resend everything not acknowledged: each is stored once (some were committed unacked).
    QVERIFY(c.connectAndHello());
    QList<QPair<QByteArray, quint64>> resent;
    for (int i = 0; i < total; ++i)
        if (!s.acked.contains(s.ids[i]))
            resent << qMakePair(s.ids[i], c.sendAsync(channel, "durable " + QByteArray::number(i), s.ids[i]));
    QVERIFY(ProtocolClient::waitFor([&] { return c.hasReply(resent.last().second); }, 60000));
    int duplicates = 0;
    for (const auto &[id, rid] : resent) {
        const Frame f = c.reply(rid);
        QVERIFY2(f.has_send_ack(), f.DebugString().c_str());
        if (f.send_ack().duplicate()) {
            ++duplicates;
            QCOMPARE(f.send_ack().seq(), storedIds.value(id));
        }
    }
    qInfo("committed but not acknowledged at the kill: %d", duplicates);
    stored = c.syncAll(channel, 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    QSet<QByteArray> ids;
    for (int i = 0; i < int(stored.size()); ++i) {
        QCOMPARE(stored[i].seq(), quint64(i + 1));
        if (stored[i].kind() == MESSAGE_KIND_TEXT)
            QVERIFY(!ids.contains(QByteArray::fromStdString(stored[i].client_msg_id())));
        ids.insert(QByteArray::fromStdString(stored[i].client_msg_id()));
    }
    QCOMPARE(int(stored.size()), total + 1); // MEMBER_JOINED + every message once
}

void GatewayDurability::sigtermFinishesInFlightCommits()
{
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/sigterm-XXXXXX"));
    QVERIFY(dir.isValid());
    const QString channel = QStringLiteral("graceful");
    const int total = 6000;
    QString token;
    Stream s;
    {
        GatewayProcess gw(dir.path());
        gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
        QVERIFY2(gw.start(), gw.output().constData());
        ProtocolClient c(gw);
        QVERIFY(c.registerAndLogin(QStringLiteral("graceful")));
        token = c.token;
        QVERIFY(c.connectAndHello());
        QVERIFY(c.join(channel));
        s = startStream(c, channel, total);
        QVERIFY(ProtocolClient::waitFor([&] { return ackCount(c, s) >= 50; }, 30000));
        ::kill(pid_t(gw.pid()), SIGTERM);
        // Keep reading while it shuts down, so the acks it still sends are received.
        QVERIFY(ProtocolClient::waitFor([&] { return gw.process()->state() == QProcess::NotRunning; }, 20000));
        QCOMPARE(gw.process()->exitStatus(), QProcess::NormalExit);
        QCOMPARE(gw.process()->exitCode(), 0);
        QVERIFY(c.waitForDisconnected(5000));
        QCOMPARE(c.closeCode(), 1001); // going away
        collectAcks(c, s);
        int refused = 0;
        for (auto rid : s.requestIds)
            if (c.hasReply(rid) && c.reply(rid).has_error()) {
                QCOMPARE(c.reply(rid).error().code(), ERROR_SHUTTING_DOWN);
                ++refused;
            }
        qInfo("acknowledged: %d, refused while shutting down: %d, of %d", int(s.acked.size()), refused, total);
        QVERIFY(s.acked.size() >= 50);
    }
    GatewayProcess gw(dir.path());
    QVERIFY2(gw.start(), gw.output().constData());
    ProtocolClient c(gw);
    c.token = token;
    bool ok = false;
    const auto stored = c.syncAll(channel, 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    QHash<QByteArray, quint64> storedIds;
    for (int i = 0; i < int(stored.size()); ++i) {
        QCOMPARE(stored[i].seq(), quint64(i + 1));
        storedIds.insert(QByteArray::fromStdString(stored[i].client_msg_id()), stored[i].seq());
    }
    for (auto it = s.acked.cbegin(); it != s.acked.cend(); ++it)
        QCOMPARE(storedIds.value(it.key()), it.value());
    // A graceful shutdown acknowledges everything it committed.
    QCOMPARE(int(stored.size()), int(s.acked.size()) + 1);
}

void GatewayDurability::groupCommitBatchesConcurrentSenders()
{
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    const QString channel = QStringLiteral("crowd");
    // 50 concurrent sessions of 5 users.
    std::vector<std::unique_ptr<ProtocolClient>> clients;
    for (int u = 0; u < 5; ++u) {
        auto first = std::make_unique<ProtocolClient>(gw);
        QVERIFY(first->registerAndLogin(QStringLiteral("crowd%1").arg(u)));
        const QString token = first->token;
        clients.push_back(std::move(first));
        for (int k = 1; k < 10; ++k) {
            auto c = std::make_unique<ProtocolClient>(gw);
            c->token = token;
            clients.push_back(std::move(c));
        }
    }
    for (auto &c : clients)
        QVERIFY(c->connectAndHello());
    for (int u = 0; u < 5; ++u)
        QVERIFY(clients[u * 10]->join(channel));
    ProtocolClient probe(gw);
    const double txBefore = probe.metric(QStringLiteral("hchat_store_transactions_total"));
    const double msgBefore = probe.metric(QStringLiteral("hchat_messages_stored_total"));

    const int perClient = 40;
    std::vector<QList<quint64>> rids(clients.size());
    for (int i = 0; i < perClient; ++i)
        for (std::size_t k = 0; k < clients.size(); ++k)
            rids[k] << clients[k]->sendAsync(channel, "crowded", ProtocolClient::newClientMsgId());
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            for (std::size_t k = 0; k < clients.size(); ++k)
                if (!clients[k]->hasReply(rids[k].last()))
                    return false;
            return true;
        },
        60000));
    for (std::size_t k = 0; k < clients.size(); ++k)
        for (auto rid : rids[k])
            QVERIFY(clients[k]->reply(rid).has_send_ack());
    const double tx = probe.metric(QStringLiteral("hchat_store_transactions_total")) - txBefore;
    const double msgs = probe.metric(QStringLiteral("hchat_messages_stored_total")) - msgBefore;
    qInfo("%g messages in %g store transactions", msgs, tx);
    QCOMPARE(int(msgs), int(clients.size()) * perClient);
    QVERIFY(tx > 0);
    QVERIFY2(tx < msgs, "no group commit: one transaction per message");
    // And the channel has them all without a hole.
    bool ok = false;
    probe.token = clients[0]->token;
    const auto all = probe.syncAll(channel, 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    QCOMPARE(int(all.size()), 5 + int(clients.size()) * perClient);
    for (int i = 0; i < int(all.size()); ++i)
        QCOMPARE(all[i].seq(), quint64(i + 1));
}

void GatewayDurability::diskFullFailsTheBatchAndAcknowledgesNothing()
{
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/diskfull-XXXXXX"));
    QVERIFY(dir.isValid());
    const QString channel = QStringLiteral("full");
    QString token;
    Stream s;
    QList<QByteArray> failed;
    {
        GatewayProcess gw(dir.path());
        gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
        // No file of the gateway may grow past 3 MB: the database "disk" fills up.
        gw.setChildProcessModifier([] {
            rlimit limit{3 * 1024 * 1024, 3 * 1024 * 1024};
            setrlimit(RLIMIT_FSIZE, &limit);
        });
        QVERIFY2(gw.start(), gw.output().constData());
        ProtocolClient c(gw);
        QVERIFY(c.registerAndLogin(QStringLiteral("filler")));
        token = c.token;
        QVERIFY(c.connectAndHello());
        QVERIFY(c.join(channel));
        // 60 KiB bodies: some hundred of them cannot fit.
        const QByteArray body(60 * 1024, 'f');
        // The first few one at a time: a loaded machine could otherwise fold all 200 into a few
        // group commits too large to fit, and nothing would be acknowledged at all.
        for (int i = 0; i < 200; ++i) {
            const QByteArray id = ProtocolClient::newClientMsgId();
            s.ids << id;
            s.requestIds << c.sendAsync(channel, body, id);
            if (i < 5)
                QVERIFY(c.waitForReply(s.requestIds.last(), 10000));
        }
        QVERIFY(ProtocolClient::waitFor(
            [&] {
                return std::all_of(s.requestIds.cbegin(), s.requestIds.cend(), [&](quint64 rid) { return c.hasReply(rid); });
            },
            60000));
        collectAcks(c, s);
        for (int i = 0; i < s.ids.size(); ++i) {
            const Frame f = c.reply(s.requestIds[i]);
            if (f.has_error()) {
                QCOMPARE(f.error().code(), ERROR_STORAGE_FAILED);
                failed << s.ids[i];
            }
        }
        qInfo("acknowledged %d, storage failed %d", int(s.acked.size()), int(failed.size()));
        QVERIFY(s.acked.size() > 0);
        QVERIFY(failed.size() > 0);
        QCOMPARE(int(s.acked.size()) + int(failed.size()), 200);
        // The gateway keeps serving reads, and tells the truth about what it stored.
        QVERIFY(c.get(QStringLiteral("/healthz")).ok());
        QVERIFY(c.metric(QStringLiteral("hchat_store_failures_total")) >= 1);
        bool ok = false;
        const auto stored = c.syncAll(channel, 1, 100, nullptr, &ok);
        QVERIFY(ok);
        QCOMPARE(int(stored.size()), 1 + int(s.acked.size()));
        for (int i = 0; i < int(stored.size()); ++i)
            QCOMPARE(stored[i].seq(), quint64(i + 1));
        QCOMPARE(gw.terminate(), 0);
    }
    // Restarted with room: the failed sends, resent by client_msg_id, are each stored once.
    GatewayProcess gw(dir.path());
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    ProtocolClient c(gw);
    c.token = token;
    QVERIFY(c.connectAndHello());
    for (const auto &id : failed) {
        auto ack = c.send(channel, "resent", id);
        QVERIFY(ack);
        QVERIFY(!ack->duplicate());
    }
    bool ok = false;
    const auto stored = c.syncAll(channel, 1, 1000, nullptr, &ok);
    QVERIFY(ok);
    QCOMPARE(int(stored.size()), 1 + 200);
    for (int i = 0; i < int(stored.size()); ++i)
        QCOMPARE(stored[i].seq(), quint64(i + 1));
}

QTEST_GUILESS_MAIN(GatewayDurability)
#include "tst_gateway_durability.moc"
