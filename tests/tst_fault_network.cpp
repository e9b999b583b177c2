// Network faults: senders and receivers (real client cores in their own processes) reach the
// gateway only through FaultProxy, which for a span of traffic drops connections, stalls them
// (open but silent), cuts a write in half, delays every chunk, and resets connections in the middle
// of the HTTP upgrade or request. Afterwards every client has converged on the gateway: every
// message acknowledged once, every receiver's history identical to the gateway's stream. Every
// stalled link was noticed within the client's ping timeout (plus a margin for a loaded machine),
// and the proxy proves it did each kind of fault at least once.
// Short: 3 + 3 clients, 20 s of faults. HCHAT_SOAK=1: 6 + 6 clients, 60 s.
#include "FaultProxy.h"
#include "FaultTestHelpers.h"
#include "GatewayProcess.h"
#include "RawSession.h"

#include <QRandomGenerator>

using namespace hchat::test;
using Fault = FaultProxy::Fault;

class FaultNetwork : public QObject {
    Q_OBJECT
private slots:
    void clientsConvergeThroughAFaultyNetwork();
};

void FaultNetwork::clientsConvergeThroughAFaultyNetwork()
{
    const int clients = soak() ? 6 : 3;
    const int spanMs = soak() ? 60000 : 20000;
    const int rate = 20; // messages per second and sender
    const int perSender = rate * spanMs / 1000;
    // The peers' keep-alive: a ping every second, dead after 4 s of silence.
    const int pingMs = 1000, deadAfterMs = 4000;
    const int detectionBoundMs = deadAfterMs + pingMs + 4000; // margin for a loaded 2-core machine
    const QString channel = QStringLiteral("lossy");
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo("seed %u: %d senders, %d receivers, %d messages, %d ms of faults", seed, clients, clients,
          clients * perSender, spanMs);

    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    HttpTestApi api(gw.httpUrl());
    FaultProxy proxy(gw.port());
    proxy.setSeed(seed);
    QVERIFY(proxy.listen());

    std::vector<std::unique_ptr<FaultPeer>> senders, receivers;
    QString observerToken;
    for (int i = 0; i < 2 * clients; ++i) {
        const bool sender = i < clients;
        const QString nick =
            QStringLiteral("%1%2").arg(sender ? QStringLiteral("talker") : QStringLiteral("listener")).arg(i);
        const QString token = api.account(nick);
        QVERIFY(!token.isEmpty());
        observerToken = token;
        RawSession s(gw.wsUrl(), token);
        QVERIFY(s.open());
        QVERIFY(s.join(channel));
        QStringList args{QStringLiteral("--url"),           proxy.wsUrl().toString(),
                         QStringLiteral("--token"),         token,
                         QStringLiteral("--channel"),       channel,
                         QStringLiteral("--ping-ms"),       QString::number(pingMs),
                         QStringLiteral("--dead-after-ms"), QString::number(deadAfterMs)};
        if (sender)
            args << QStringLiteral("--mode") << QStringLiteral("send") << QStringLiteral("--count")
                 << QString::number(perSender) << QStringLiteral("--rate") << QString::number(rate)
                 << QStringLiteral("--prefix") << nick;
        else
            args << QStringLiteral("--mode") << QStringLiteral("receive");
        (sender ? senders : receivers).push_back(std::make_unique<FaultPeer>(nick, args));
    }
    auto pollAll = [&] {
        for (auto &p : senders)
            p->poll();
        for (auto &p : receivers)
            p->poll();
    };

    proxy.setPlans(
        {Fault::Stall, Fault::Drop, Fault::HalfWrite, Fault::Latency, Fault::HandshakeReset, Fault::None},
        {Fault::Latency, Fault::HalfWrite, Fault::Drop, Fault::HandshakeReset, Fault::None});
    for (auto &r : receivers)
        QVERIFY(r->start());
    for (auto &s : senders)
        QVERIFY(s->start());
    QElapsedTimer span;
    span.start();
    while (span.elapsed() < spanMs) {
        QTest::qWait(10); // the proxy runs on this event loop
        pollAll();
    }
    proxy.healAll();
    qInfo().noquote() << "after the span:" << proxy.summary();

    QVERIFY(QTest::qWaitFor(
        [&] {
            pollAll();
            return std::all_of(senders.begin(), senders.end(), [](auto &s) { return s->sentAll(); });
        },
        soak() ? 600000 : 120000));
    const auto truth = api.allMessages(observerToken, channel);
    QString why;
    QVERIFY2(gatewayStreamIsClean(truth, &why), qPrintable(why));
    QVERIFY(QTest::qWaitFor(
        [&] {
            pollAll();
            return std::all_of(receivers.begin(), receivers.end(),
                               [&](auto &r) { return r->max() >= quint64(truth.size()); });
        },
        120000));
    QVERIFY(QTest::qWaitFor([&] { return proxy.pendingStalls() == 0; }, 2 * detectionBoundMs));
    qInfo().noquote() << "at the end:" << proxy.summary();
    qInfo() << "stall detection (ms):" << proxy.stallDetectionMs();

    // The proxy did each kind of fault.
    for (Fault f : {Fault::Drop, Fault::Stall, Fault::HalfWrite, Fault::Latency, Fault::HandshakeReset})
        QVERIFY2(proxy.count(f) >= 1,
                 qPrintable(QStringLiteral("never did %1: %2").arg(int(f)).arg(proxy.summary())));
    // A stalled link is noticed within the ping timeout.
    QVERIFY(!proxy.stallDetectionMs().isEmpty());
    for (qint64 ms : proxy.stallDetectionMs())
        QVERIFY2(ms <= detectionBoundMs,
                 qPrintable(QStringLiteral("a stall went unnoticed for %1 ms").arg(ms)));

    // Nothing lost, nothing doubled.
    QHash<QByteArray, quint64> byId;
    int texts = 0;
    for (const auto &m : truth)
        if (m.kind() == hchat::v1::MESSAGE_KIND_TEXT) {
            ++texts;
            byId.insert(QByteArray::fromStdString(m.client_msg_id()).toHex(), m.seq());
        }
    QCOMPARE(texts, clients * perSender);
    int acked = 0, ackedTwice = 0, lostAcked = 0;
    for (auto &s : senders) {
        QVERIFY(s->finish());
        acked += int(s->acked().size());
        ackedTwice += s->ackedTwice();
        for (auto it = s->acked().cbegin(); it != s->acked().cend(); ++it)
            if (byId.value(it.key()) != it.value())
                ++lostAcked;
    }
    QCOMPARE(acked, clients * perSender);
    QCOMPARE(lostAcked, 0);
    QCOMPARE(ackedTwice, 0);
    int lost = 0, duplicated = 0, delivered = 0;
    for (auto &r : receivers) {
        QVERIFY2(r->finish(), qPrintable(r->name()));
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
    QList<qint64> detections = proxy.stallDetectionMs();
    std::sort(detections.begin(), detections.end());
    printFigures(QStringLiteral("network_faults"),
                 {{QStringLiteral("senders"), clients},
                  {QStringLiteral("receivers"), clients},
                  {QStringLiteral("sent"), clients * perSender},
                  {QStringLiteral("acknowledged"), acked},
                  {QStringLiteral("delivered"), delivered},
                  {QStringLiteral("lost"), lost + lostAcked},
                  {QStringLiteral("duplicated"), duplicated + ackedTwice},
                  {QStringLiteral("connections"), proxy.connections()},
                  {QStringLiteral("dropped"), proxy.count(Fault::Drop)},
                  {QStringLiteral("stalled"), proxy.count(Fault::Stall)},
                  {QStringLiteral("cut_in_half"), proxy.count(Fault::HalfWrite)},
                  {QStringLiteral("delayed"), proxy.count(Fault::Latency)},
                  {QStringLiteral("reset_in_handshake"), proxy.count(Fault::HandshakeReset)},
                  {QStringLiteral("max_stall_detection_ms"), detections.last()},
                  {QStringLiteral("seed"), qint64(seed)}});
}

QTEST_GUILESS_MAIN(FaultNetwork)
#include "tst_fault_network.moc"
