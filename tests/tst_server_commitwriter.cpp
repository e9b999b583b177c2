// The commit writer's queue is bounded: past its size a write is answered ERROR_RATE_LIMITED at
// once instead of queueing without limit while the disk falls behind (issue 17); what was queued
// is committed and answered as before.
#include "CommitWriter.h"
#include "Metrics.h"
#include "SqlMessageStore.h"
#include "TestEnv.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <future>

using namespace hchat::server;
using hchat::v1::ErrorCode;

class ServerCommitWriter : public QObject {
    Q_OBJECT
private slots:
    void aFullQueueAnswersBusyAtOnce()
    {
        QTemporaryDir dir(hchat::test::scratchRoot() + QStringLiteral("/writer-XXXXXX"));
        Metrics metrics;
        CommitWriter writer(SqlMessageStore::open((dir.path() + "/gw.db").toStdString(), true), metrics, 1024,
                            10);
        std::promise<void> started, release;
        auto releasedLater = release.get_future().share();
        writer.submit(
            [&started, releasedLater](MessageStore &) {
                started.set_value();
                releasedLater.wait(); // the disk is slow
            },
            {});
        started.get_future().wait();
        std::atomic<int> committed{0}, busy{0};
        auto count = [&](ErrorCode code, const std::string &) {
            if (code == hchat::v1::ERROR_CODE_UNSPECIFIED)
                ++committed;
            else if (code == hchat::v1::ERROR_RATE_LIMITED)
                ++busy;
        };
        for (int i = 0; i < 10; ++i)
            QVERIFY(writer.submit([](MessageStore &) {}, count));
        QCOMPARE(busy.load(), 0);
        // The eleventh is answered before submit returns, and never run.
        bool ran = false;
        QVERIFY(writer.submit([&ran](MessageStore &) { ran = true; }, count));
        QCOMPARE(busy.load(), 1);
        release.set_value();
        QTRY_COMPARE(committed.load(), 10);
        QVERIFY(!ran);
        QCOMPARE(metrics.writesRefusedBusy.load(), 1u);
        // With room again, writes are taken.
        QVERIFY(writer.submit([](MessageStore &) {}, count));
        QTRY_COMPARE(committed.load(), 11);
        writer.stop();
    }
};

QTEST_GUILESS_MAIN(ServerCommitWriter)
#include "tst_server_commitwriter.moc"
