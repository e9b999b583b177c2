// Clock jumps and suspend/resume on the client. While a machine sleeps CLOCK_MONOTONIC stands
// still and the wall clock does not, so PushChannel's clock-jump check sees a resume as a jump of
// the wall clock against the monotonic one; the test moves the wall clock it reads.
//  - Resumed while waiting out a long reconnect backoff (the gateway was gone): it connects at once
//    and catches up what arrived meanwhile, long before the backoff would have ended.
//  - The clock set back while the link looks up but died silently (a stalled TCP connection, as
//    after a sleep): it probes the link, drops it, reconnects and catches up, long before its
//    keep-alive timeout would have noticed.
#include "CoreTestHelpers.h"
#include "FaultProxy.h"
#include "FaultTestHelpers.h"
#include "RawSession.h"

#include <QDateTime>

#include <atomic>

using namespace hchat::test;
using namespace std::chrono_literals;

namespace {

// A wall clock the test can move.
struct MovableClock {
    std::shared_ptr<std::atomic<qint64>> offset = std::make_shared<std::atomic<qint64>>(0);
    std::function<qint64()> clock() const
    {
        return [o = offset] { return QDateTime::currentMSecsSinceEpoch() + o->load(); };
    }
    void jump(qint64 ms) { *offset += ms; }
};

} // namespace

class FaultResume : public QObject {
    Q_OBJECT
private slots:
    void resumeDuringLongBackoffReconnectsAtOnce();
    void clockSetBackOnDeadLinkReconnectsBeforeKeepAlive();
};

void FaultResume::resumeDuringLongBackoffReconnectsAtOnce()
{
    const QString channel = QStringLiteral("sleepy");
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/resume-XXXXXX"));
    GatewayProcess gw(dir.path());
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    gw.setPort(gw.port());
    HttpTestApi api(gw.httpUrl());
    const QString token = api.account(QStringLiteral("sleeper"));
    const QString writerToken = api.account(QStringLiteral("insomniac"));
    for (const QString &t : {token, writerToken}) {
        RawSession s(gw.wsUrl(), t);
        QVERIFY(s.open());
        QVERIFY(s.join(channel));
    }

    TestClient c;
    MovableClock wall;
    c->pushChannel()->setWallClock(wall.clock());
    c->pushChannel()->setClockJumpCheck(200, 2000);
    c.connectTo({gw.wsUrl()}, token);
    QVERIFY(c.waitOnline());

    // A reconnect backoff whose first delay is known to be long (full jitter, same seed).
    const auto cap = 120s;
    quint32 seed = 1;
    for (;; ++seed) {
        hchat::Backoff b(cap, cap);
        b.setSeed(seed);
        if (b.next() >= 90s)
            break;
    }
    c->pushChannel()->backoff().setBase(cap);
    c->pushChannel()->backoff().setCap(cap);
    c->pushChannel()->backoff().setSeed(seed);

    gw.kill(); // the link drops; the client waits out its backoff (>= 90 s)
    QVERIFY(QTest::qWaitFor([&] { return c->connectionState() == hchat::ConnectionState::Offline; }, 10000));
    QVERIFY2(gw.start(), gw.output().constData());
    RawSession writer(gw.wsUrl(), writerToken);
    QVERIFY(writer.open());
    QCOMPARE(writer.sendMany(channel, 300).size(), 300);
    QTest::qWait(2000);
    QCOMPARE(c->connectionState(), hchat::ConnectionState::Offline); // still waiting: backoff honoured

    QElapsedTimer t;
    t.start();
    wall.jump(3600 * 1000); // "an hour asleep"
    const quint64 truth = quint64(api.allMessages(token, channel).size());
    QVERIFY(QTest::qWaitFor([&] { return c.store()->maxSeq(channel) >= truth; }, 30000));
    const qint64 ms = t.elapsed();
    qInfo("resumed: online and caught up %llu messages after %lld ms (backoff had >= 88 s to go)",
          static_cast<unsigned long long>(truth), static_cast<long long>(ms));
    const Comparison cmp =
        compareWithGateway(readHistory(c.path(), channel), api.allMessages(token, channel));
    QVERIFY2(cmp.identical(), qPrintable(cmp.text()));
    printFigures(QStringLiteral("resume_during_backoff"), {{QStringLiteral("sent"), 300},
                                                           {QStringLiteral("acknowledged"), 300},
                                                           {QStringLiteral("delivered"), 300},
                                                           {QStringLiteral("lost"), cmp.lost},
                                                           {QStringLiteral("duplicated"), cmp.duplicated},
                                                           {QStringLiteral("kills"), 1},
                                                           {QStringLiteral("caught_up_ms"), ms}});
}

void FaultResume::clockSetBackOnDeadLinkReconnectsBeforeKeepAlive()
{
    const QString channel = QStringLiteral("jumpy");
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    HttpTestApi api(gw.httpUrl());
    const QString token = api.account(QStringLiteral("jumper"));
    const QString writerToken = api.account(QStringLiteral("steady"));
    for (const QString &t : {token, writerToken}) {
        RawSession s(gw.wsUrl(), t);
        QVERIFY(s.open());
        QVERIFY(s.join(channel));
    }
    FaultProxy proxy(gw.port());
    QVERIFY(proxy.listen());

    TestClient c;
    MovableClock wall;
    c->pushChannel()->setWallClock(wall.clock());
    c->pushChannel()->setClockJumpCheck(200, 2000);
    c->pushChannel()->setKeepAlive(1000, 300000); // keep-alive alone would take five minutes
    c.connectTo({proxy.wsUrl()}, token);
    QVERIFY(c.waitOnline());

    proxy.stallAll(); // the link dies silently
    QElapsedTimer sinceStall;
    sinceStall.start();
    RawSession writer(gw.wsUrl(), writerToken);
    QVERIFY(writer.open());
    QCOMPARE(writer.sendMany(channel, 200).size(), 200);
    QTest::qWait(2000);
    QCOMPARE(c->connectionState(), hchat::ConnectionState::Online); // it cannot know yet
    QVERIFY(c.store()->maxSeq(channel) < 200);

    QElapsedTimer t;
    t.start();
    const qint64 jumpAt = sinceStall.elapsed();
    wall.jump(-3600 * 1000); // the clock is set back an hour
    const quint64 truth = quint64(api.allMessages(token, channel).size());
    // The push link is probed and dropped within the probe timeout (5 s, after a clock check of
    // 200 ms, plus a margin for a loaded machine), not after the keep-alive's five minutes.
    QVERIFY(QTest::qWaitFor([&] { return !proxy.stallDetectionMs().isEmpty(); }, 60000));
    const qint64 droppedAfterJump = proxy.stallDetectionMs().first() - jumpAt;
    QVERIFY2(droppedAfterJump <= 200 + 5000 + 4000, qPrintable(QString::number(droppedAfterJump)));
    QVERIFY(QTest::qWaitFor([&] { return c.store()->maxSeq(channel) >= truth; }, 150000));
    const qint64 ms = t.elapsed();
    qInfo() << "clock set back: stalled connections dropped after" << proxy.stallDetectionMs()
            << "ms; caught up after" << ms << "ms";
    const Comparison cmp =
        compareWithGateway(readHistory(c.path(), channel), api.allMessages(token, channel));
    QVERIFY2(cmp.identical(), qPrintable(cmp.text()));
    printFigures(QStringLiteral("clock_jump_dead_link"),
                 {{QStringLiteral("sent"), 200},
                  {QStringLiteral("acknowledged"), 200},
                  {QStringLiteral("delivered"), 200},
                  {QStringLiteral("lost"), cmp.lost},
                  {QStringLiteral("duplicated"), cmp.duplicated},
                  {QStringLiteral("kills"), 0},
                  {QStringLiteral("dropped_after_jump_ms"), droppedAfterJump},
                  {QStringLiteral("caught_up_ms"), ms}});
}

QTEST_GUILESS_MAIN(FaultResume)
#include "tst_fault_resume.moc"
