// Crash mid-catch-up: the client core runs as a separate process (hchat_core_probe) and is killed
// with SIGKILL while catching up 50,000 messages. What it committed is a gap-free prefix strictly
// between 0 and the end; restarted, its first sync request starts at committed max + 1, and it
// ends with exactly the gateway's messages.
#include "GatewayProcess.h"
#include "GatewayProxy.h"
#include "HistoryStore.h"
#include "HttpTestApi.h"
#include "RawSession.h"
#include "TestEnv.h"
#include "TestHistoryKey.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace hchat;
using namespace hchat::test;

class TestCrash : public QObject {
    Q_OBJECT
private slots:
    void killDuringCatchUp()
    {
        const QString ch = QStringLiteral("crash");
        const int kMessages = 50000;
        GatewayProcess gw;
        gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
        QVERIFY(gw.start());
        HttpTestApi api(gw.httpUrl());
        const QString bobToken = api.account(QStringLiteral("bob"), QStringLiteral("correct horse battery"));
        QVERIFY(!bobToken.isEmpty());
        {
            RawSession bob(gw.wsUrl(), bobToken);
            QVERIFY(bob.open());
            QVERIFY(bob.join(ch)); // membership lives on the gateway; the probe gets it in Welcome
        }
        // Four raw senders write 50,000 messages in parallel.
        QElapsedTimer t;
        t.start();
        std::vector<std::unique_ptr<RawSession>> senders;
        for (int i = 0; i < 4; ++i) {
            const QString token =
                api.account(QStringLiteral("sender%1").arg(i), QStringLiteral("correct horse battery"));
            auto s = std::make_unique<RawSession>(gw.wsUrl(), token);
            QVERIFY(s->open());
            QVERIFY(s->join(ch));
            senders.push_back(std::move(s));
        }
        for (int i = 0; i < 4; ++i)
            senders[size_t(i)]->startSending(ch, kMessages / 4, 256, QStringLiteral("s%1").arg(i));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(senders.begin(), senders.end(), [](auto &s) { return s->sendingDone(); }), 120000);
        for (auto &s : senders)
            QCOMPARE(s->acked(), kMessages / 4);
        senders.clear();
        qInfo() << "50,000 messages sent in" << t.elapsed() << "ms";
        const quint64 total = quint64(api.allMessages(bobToken, ch).size());
        QVERIFY(total >= quint64(kMessages));

        GatewayProxy proxy(gw.httpUrl());
        QVERIFY(proxy.listen());
        QTemporaryDir profile(scratchRoot() + QStringLiteral("/probe-XXXXXX"));
        const QStringList args{QStringLiteral("--data"),
                               profile.path(),
                               QStringLiteral("--url"),
                               proxy.wsUrl().toString(),
                               QStringLiteral("--token"),
                               bobToken,
                               QStringLiteral("--exit-when-caught-up")};

        // First run: kill -9 once a few batches are committed.
        QProcess probe;
        probe.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        probe.start(QStringLiteral(HCHAT_CORE_PROBE), args);
        QVERIFY(probe.waitForStarted());
        static const QRegularExpression committed(QStringLiteral("^committed crash (\\d+)$"),
                                                  QRegularExpression::MultilineOption);
        QByteArray output;
        quint64 seen = 0;
        QDeadlineTimer deadline(60000);
        while (!deadline.hasExpired() && seen < 5000 && probe.state() == QProcess::Running) {
            QTest::qWait(10); // the proxy lives on this thread's event loop
            output += probe.readAllStandardOutput();
            auto it = committed.globalMatch(QString::fromUtf8(output));
            while (it.hasNext())
                seen = it.next().captured(1).toULongLong();
        }
        QVERIFY2(seen >= 5000, output.right(2000).constData());
        ::kill(pid_t(probe.processId()), SIGKILL);
        QVERIFY(probe.waitForFinished(10000));
        QCOMPARE(probe.exitStatus(), QProcess::CrashExit);

        quint64 committedMax = 0;
        {
            HistoryStore store;
            QVERIFY2(store.open(profile.filePath(QStringLiteral("history.sqlite")),
                                testHistoryKey(profile.path())),
                     qPrintable(store.lastError()));
            QVERIFY(store.integrityCheck());
            committedMax = store.maxSeq(ch);
            qInfo() << "committed at the kill:" << committedMax << "of" << total;
            QVERIFY(committedMax > 0);
            QVERIFY(committedMax < total);
            QVERIFY(committedMax >= seen);
            QCOMPARE(store.count(ch), committedMax); // a gap-free prefix, nothing beyond it
            QCOMPARE(store.minSeq(ch), quint64(1));
            QCOMPARE(store.page(ch, committedMax + 1, total).size(), 0);
        }

        // Second run: resumes from committed max + 1 and finishes.
        proxy.clearSyncRequests();
        QProcess again;
        again.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        again.start(QStringLiteral(HCHAT_CORE_PROBE), args);
        QTRY_VERIFY_WITH_TIMEOUT(again.state() == QProcess::NotRunning, 60000);
        QCOMPARE(again.exitCode(), 0);
        const QByteArray out2 = again.readAllStandardOutput();
        QVERIFY2(out2.contains("caughtup"), out2.right(1000).constData());
        QList<quint64> froms;
        for (const auto &r : proxy.syncRequests())
            if (r.channel() == ch.toStdString())
                froms << r.from_seq();
        QVERIFY(!froms.isEmpty());
        QCOMPARE(froms.first(), committedMax + 1);

        HistoryStore store;
        QVERIFY(
            store.open(profile.filePath(QStringLiteral("history.sqlite")), testHistoryKey(profile.path())));
        const auto truth = api.allMessages(bobToken, ch);
        QCOMPARE(store.maxSeq(ch), quint64(truth.size()));
        QCOMPARE(store.count(ch), quint64(truth.size()));
        const auto mine = store.page(ch, 1, quint64(truth.size()));
        QCOMPARE(mine.size(), truth.size());
        for (int i = 0; i < truth.size(); ++i) {
            QCOMPARE(mine[i].seq, truth[i].seq());
            QCOMPARE(mine[i].clientMsgId, QByteArray::fromStdString(truth[i].client_msg_id()));
        }
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_core_crash.moc"
