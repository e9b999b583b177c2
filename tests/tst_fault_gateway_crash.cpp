// Gateway crash loop: N senders and N receivers, each a real client core in its own process
// (hchat_fault_peer), exchange messages while the gateway is killed with SIGKILL at random moments
// and restarted on the same port and database. Afterwards the gateway's stream is gap-free with
// every message once, every acknowledged message sits under the seq it was acknowledged with, and
// every receiver's history is identical to the gateway's stream.
// Short: 4 + 4 clients, 2,000 messages, 5 kills. HCHAT_SOAK=1: 20 + 20, 50,000 messages, 20 kills.
#include "FaultTestHelpers.h"
#include "GatewayProcess.h"
#include "RawSession.h"

#include <QRandomGenerator>

using namespace hchat::test;

class FaultGatewayCrash : public QObject {
    Q_OBJECT
private slots:
    void gatewayKilledRepeatedlyLosesAndDoublesNothing();
};

void FaultGatewayCrash::gatewayKilledRepeatedlyLosesAndDoublesNothing()
{
    const int clients = soak() ? 20 : 4;
    const int messages = soak() ? 50000 : 2000;
    const int kills = soak() ? 20 : 5;
    const int perSender = messages / clients;
    const QString channel = QStringLiteral("crashloop");
    const quint32 seed = QRandomGenerator::global()->generate();
    QRandomGenerator rng(seed);
    qInfo("seed %u: %d senders, %d receivers, %d messages, %d kills", seed, clients, clients, messages,
          kills);

    QTemporaryDir dir(scratchRoot() + QStringLiteral("/crashloop-XXXXXX"));
    QVERIFY(dir.isValid());
    GatewayProcess gw(dir.path());
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    gw.setPort(gw.port()); // every restart on the same address
    HttpTestApi api(gw.httpUrl());

    std::vector<std::unique_ptr<FaultPeer>> senders, receivers;
    QString observerToken;
    for (int i = 0; i < 2 * clients; ++i) {
        const bool sender = i < clients;
        const QString nick =
            QStringLiteral("%1%2").arg(sender ? QStringLiteral("sender") : QStringLiteral("receiver")).arg(i);
        const QString token = api.account(nick);
        QVERIFY2(!token.isEmpty(), qPrintable(nick));
        observerToken = token;
        RawSession s(gw.wsUrl(), token);
        QVERIFY(s.open());
        QVERIFY(s.join(channel)); // membership comes to the client in its Welcome
        QStringList args{QStringLiteral("--url"),     gw.wsUrl().toString(),
                         QStringLiteral("--token"),   token,
                         QStringLiteral("--channel"), channel};
        if (sender)
            args << QStringLiteral("--mode") << QStringLiteral("send") << QStringLiteral("--count")
                 << QString::number(perSender) << QStringLiteral("--rate") << QStringLiteral("100")
                 << QStringLiteral("--prefix") << nick;
        else
            args << QStringLiteral("--mode") << QStringLiteral("receive");
        (sender ? senders : receivers).push_back(std::make_unique<FaultPeer>(nick, args));
    }
    for (auto &r : receivers)
        QVERIFY(r->start());
    for (auto &s : senders)
        QVERIFY(s->start());

    auto pollAll = [&] {
        for (auto &p : senders)
            p->poll();
        for (auto &p : receivers)
            p->poll();
    };
    auto acked = [&] {
        int n = 0;
        for (auto &s : senders)
            n += int(s->acked().size());
        return n;
    };
    auto allSent = [&] {
        return std::all_of(senders.begin(), senders.end(), [](auto &s) { return s->sentAll(); });
    };

    // Kill points spread over the traffic, each at a random place in its stretch.
    const int stretch = messages / (kills + 1);
    QList<int> killAt;
    for (int k = 0; k < kills; ++k)
        killAt << stretch * (k + 1) - stretch / 3 + int(rng.bounded(2 * stretch / 3));
    QDeadlineTimer deadline(soak() ? 3600000 : 240000);
    int killed = 0;
    QList<int> ackedAtKill;
    while (!allSent() && !deadline.hasExpired()) {
        QTest::qWait(5);
        pollAll();
        if (killed < kills && acked() >= killAt[killed]) {
            ackedAtKill << acked();
            gw.kill();
            QCOMPARE(gw.process()->exitStatus(), QProcess::CrashExit);
            ++killed;
            qInfo("kill %d of %d with %d of %d messages acknowledged", killed, kills, ackedAtKill.last(), messages);
            QTest::qWait(int(rng.bounded(400))); // down for a moment; clients retry meanwhile
            QVERIFY2(gw.start(), gw.output().constData());
        }
        for (auto &p : senders)
            QVERIFY2(p->running(), qPrintable(p->name() + QStringLiteral(" exited: ") +
                                              p->errors().join(QLatin1Char('\n'))));
    }
    QVERIFY2(allSent(), qPrintable(QStringLiteral("acknowledged %1 of %2").arg(acked()).arg(messages)));
    qInfo() << "acknowledged at each kill:" << ackedAtKill;
    QCOMPARE(killed, kills);
    for (int a : ackedAtKill)
        QVERIFY2(a < messages, "a kill landed after the traffic"); // each kill hit live traffic

    // The gateway's stream: gap-free, every message once, acknowledged seqs where they were said to be.
    const auto truth = api.allMessages(observerToken, channel);
    QString why;
    QVERIFY2(gatewayStreamIsClean(truth, &why), qPrintable(why));
    QHash<QByteArray, const hchat::v1::Message *> byId;
    int texts = 0;
    for (const auto &m : truth)
        if (m.kind() == hchat::v1::MESSAGE_KIND_TEXT) {
            ++texts;
            byId.insert(QByteArray::fromStdString(m.client_msg_id()).toHex(), &m);
        }
    QCOMPARE(texts, messages);
    int ackedTwice = 0, lostAcked = 0, wrongSeq = 0;
    QSet<QString> bodies;
    for (auto &s : senders) {
        ackedTwice += s->ackedTwice();
        for (auto it = s->acked().cbegin(); it != s->acked().cend(); ++it) {
            const auto *m = byId.value(it.key());
            if (!m)
                ++lostAcked;
            else if (m->seq() != it.value())
                ++wrongSeq;
        }
    }
    for (const auto &m : truth)
        if (m.kind() == hchat::v1::MESSAGE_KIND_TEXT)
            bodies.insert(QString::fromStdString(m.body()));
    QCOMPARE(lostAcked, 0);
    QCOMPARE(wrongSeq, 0);
    QCOMPARE(ackedTwice, 0);
    QCOMPARE(int(bodies.size()), messages); // no body twice either

    // Every receiver converges on it, then closes its history; each is compared read-only.
    const quint64 max = quint64(truth.size());
    QVERIFY(QTest::qWaitFor(
        [&] {
            pollAll();
            return std::all_of(receivers.begin(), receivers.end(), [&](auto &r) { return r->max() >= max; });
        },
        soak() ? 600000 : 120000));
    int lost = 0, duplicated = 0, delivered = 0;
    for (auto &r : receivers) {
        QVERIFY2(r->finish(), qPrintable(r->name()));
        QVERIFY2(r->welcomes() >= 2, qPrintable(r->name() + QStringLiteral(" never reconnected")));
        QString error;
        const auto rows = readHistory(r->historyPath(), channel, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const Comparison c = compareWithGateway(rows, truth);
        QVERIFY2(c.identical(), qPrintable(r->name() + QStringLiteral(": ") + c.text()));
        lost += c.lost;
        duplicated += c.duplicated;
        delivered +=
            int(std::count_if(rows.cbegin(), rows.cend(), [](const HistoryRow &h) { return h.kind == 0; }));
    }
    for (auto &s : senders)
        QVERIFY(s->finish());
    printFigures(QStringLiteral("gateway_crash_loop"),
                 {{QStringLiteral("senders"), clients},
                  {QStringLiteral("receivers"), clients},
                  {QStringLiteral("sent"), messages},
                  {QStringLiteral("acknowledged"), acked()},
                  {QStringLiteral("delivered"), delivered},
                  {QStringLiteral("lost"), lost + lostAcked},
                  {QStringLiteral("duplicated"), duplicated + ackedTwice},
                  {QStringLiteral("kills"), killed},
                  {QStringLiteral("seed"), qint64(seed)}});
}

QTEST_GUILESS_MAIN(FaultGatewayCrash)
#include "tst_fault_gateway_crash.moc"
