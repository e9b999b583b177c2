// Client crash loop: a client core in its own process (hchat_core_probe) catches up a big backlog
// and is killed with SIGKILL again and again at random moments of the catch-up, while more
// messages arrive between the runs. After each kill its history is a gap-free prefix of the
// stream; after the last run it is identical to the gateway's stream: every seq once, same
// client_msg_id, same body. Short: 20,000 messages, 4 kills. HCHAT_SOAK=1: 100,000, 10 kills.
#include "FaultTestHelpers.h"
#include "GatewayProcess.h"
#include "RawSession.h"

#include <QRandomGenerator>
#include <QRegularExpression>

#include <csignal>

using namespace hchat::test;

class FaultClientCrash : public QObject {
    Q_OBJECT
private slots:
    void clientKilledDuringCatchUpsEndsIdentical();
};

void FaultClientCrash::clientKilledDuringCatchUpsEndsIdentical()
{
    const int backlog = soak() ? 100000 : 20000;
    const int kills = soak() ? 10 : 4;
    const int between = 200; // live messages written after each kill
    const QString ch = QStringLiteral("backlog");
    const quint32 seed = QRandomGenerator::global()->generate();
    QRandomGenerator rng(seed);
    qInfo("seed %u: %d messages, %d kills", seed, backlog, kills);

    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    HttpTestApi api(gw.httpUrl());
    const QString token = api.account(QStringLiteral("reader"));
    QVERIFY(!token.isEmpty());
    {
        RawSession reader(gw.wsUrl(), token);
        QVERIFY(reader.open());
        QVERIFY(reader.join(ch));
    }
    std::vector<std::unique_ptr<RawSession>> senders;
    for (int i = 0; i < 4; ++i) {
        auto s = std::make_unique<RawSession>(gw.wsUrl(), api.account(QStringLiteral("writer%1").arg(i)));
        QVERIFY(s->open());
        QVERIFY(s->join(ch));
        s->startSending(ch, backlog / 4, 256, QStringLiteral("w%1").arg(i));
        senders.push_back(std::move(s));
    }
    QVERIFY(QTest::qWaitFor(
        [&] { return std::all_of(senders.begin(), senders.end(), [](auto &s) { return s->sendingDone(); }); },
        soak() ? 600000 : 180000));
    int sent = 0;
    for (auto &s : senders) {
        QCOMPARE(s->sendErrors(), 0);
        sent += s->acked();
    }
    const quint64 total = quint64(api.allMessages(token, ch).size());

    QTemporaryDir profile(scratchRoot() + QStringLiteral("/crashing-client-XXXXXX"));
    const QString history = profile.filePath(QStringLiteral("history.sqlite"));
    const QStringList args{
        QStringLiteral("--data"),  profile.path(), QStringLiteral("--url"),     gw.wsUrl().toString(),
        QStringLiteral("--token"), token,          QStringLiteral("--timeout"), QStringLiteral("600")};
    static const QRegularExpression committed(QStringLiteral("^committed backlog (\\d+)$"),
                                              QRegularExpression::MultilineOption);
    const quint64 stretch = total / quint64(kills + 2);
    quint64 previous = 0;
    QList<quint64> committedAtKill;
    for (int k = 0; k < kills; ++k) {
        // Somewhere in the k-th stretch of the catch-up, never near its end.
        const quint64 target = stretch * quint64(k + 1) - stretch / 4 + rng.bounded(quint32(stretch / 2));
        QProcess probe;
        probe.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        probe.start(QStringLiteral(HCHAT_CORE_PROBE), args);
        QVERIFY(probe.waitForStarted());
        QByteArray output;
        quint64 seen = 0;
        QDeadlineTimer deadline(120000);
        while (!deadline.hasExpired() && seen < target && probe.state() == QProcess::Running) {
            QTest::qWait(2);
            output += probe.readAllStandardOutput();
            auto it = committed.globalMatch(QString::fromUtf8(output));
            while (it.hasNext())
                seen = it.next().captured(1).toULongLong();
        }
        QVERIFY2(seen >= target, output.right(2000).constData());
        ::kill(pid_t(probe.processId()), SIGKILL);
        QVERIFY(probe.waitForFinished(10000));
        QCOMPARE(probe.exitStatus(), QProcess::CrashExit);

        QString error;
        const auto rows = readHistory(history, ch, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const quint64 max = rows.isEmpty() ? 0 : rows.last().seq;
        committedAtKill << max;
        QVERIFY2(max < total, "the kill came after the catch-up");
        QVERIFY(max >= seen);
        QVERIFY(max > previous); // it resumed and made progress
        for (int i = 0; i < rows.size(); ++i)
            QCOMPARE(rows[i].seq, quint64(i + 1)); // a gap-free prefix, nothing beyond it
        previous = max;
        // More arrives while the client is down.
        QCOMPARE(senders[size_t(k) % senders.size()]->sendMany(ch, between, 64).size(), between);
        sent += between;
    }
    qInfo() << "committed at each kill:" << committedAtKill << "of" << total;

    QProcess last;
    last.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    last.start(QStringLiteral(HCHAT_CORE_PROBE), args + QStringList{QStringLiteral("--exit-when-caught-up")});
    QVERIFY(QTest::qWaitFor([&] { return last.state() == QProcess::NotRunning; }, soak() ? 600000 : 120000));
    QCOMPARE(last.exitStatus(), QProcess::NormalExit);
    QCOMPARE(last.exitCode(), 0);

    const auto truth = api.allMessages(token, ch);
    QString why;
    QVERIFY2(gatewayStreamIsClean(truth, &why), qPrintable(why));
    QString error;
    const auto rows = readHistory(history, ch, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const Comparison c = compareWithGateway(rows, truth);
    QVERIFY2(c.identical(), qPrintable(c.text()));
    QCOMPARE(rows.size(), truth.size());
    printFigures(
        QStringLiteral("client_crash_loop"),
        {{QStringLiteral("sent"), sent},
         {QStringLiteral("acknowledged"), sent},
         {QStringLiteral("delivered"),
          int(std::count_if(rows.cbegin(), rows.cend(), [](const HistoryRow &r) { return r.kind == 0; }))},
         {QStringLiteral("lost"), c.lost},
         {QStringLiteral("duplicated"), c.duplicated},
         {QStringLiteral("kills"), kills},
         {QStringLiteral("seed"), qint64(seed)}});
}

QTEST_GUILESS_MAIN(FaultClientCrash)
#include "tst_fault_client_crash.moc"
