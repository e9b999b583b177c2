// Backoff: full jitter within [0, min(cap, base * 2^n)], growth, cap, reset.
#include "Backoff.h"

#include <QtTest>

using namespace hchat;
using namespace std::chrono_literals;

class TestBackoff : public QObject {
    Q_OBJECT
private slots:
    void ceilingGrowsAndCaps()
    {
        Backoff b(100ms, 1000ms);
        QCOMPARE(b.ceiling(), 100ms);
        b.next();
        QCOMPARE(b.ceiling(), 200ms);
        b.next();
        QCOMPARE(b.ceiling(), 400ms);
        b.next();
        QCOMPARE(b.ceiling(), 800ms);
        b.next();
        QCOMPARE(b.ceiling(), 1000ms);
        for (int i = 0; i < 100; ++i)
            b.next();
        QCOMPARE(b.ceiling(), 1000ms); // no overflow however many attempts
        QCOMPARE(b.attempts(), 104);
        b.reset();
        QCOMPARE(b.attempts(), 0);
        QCOMPARE(b.ceiling(), 100ms);
    }

    void fullJitterStaysInRangeAndSpreads()
    {
        Backoff b(100ms, 1600ms);
        b.setSeed(42);
        for (int attempt = 0; attempt < 8; ++attempt) {
            // Sample this attempt many times: every value within [0, ceiling], and spread out.
            const auto ceil = b.ceiling();
            QSet<qint64> distinct;
            qint64 minV = std::numeric_limits<qint64>::max(), maxV = 0;
            for (int i = 0; i < 400; ++i) {
                Backoff probe = b; // same attempt count
                probe.setSeed(quint32(attempt * 1000 + i));
                const auto d = probe.next();
                QVERIFY(d >= 0ms);
                QVERIFY2(d <= ceil, qPrintable(QStringLiteral("%1 > %2").arg(d.count()).arg(ceil.count())));
                distinct.insert(d.count());
                minV = std::min<qint64>(minV, d.count());
                maxV = std::max<qint64>(maxV, d.count());
            }
            QVERIFY(distinct.size() > 20);
            QVERIFY(minV < ceil.count() / 4);     // full jitter reaches near zero …
            QVERIFY(maxV > ceil.count() * 3 / 4); // … and near the ceiling
            b.next();
        }
    }

    void seedMakesItReproducible()
    {
        Backoff a(50ms, 5000ms), b(50ms, 5000ms);
        a.setSeed(7);
        b.setSeed(7);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(a.next(), b.next());
    }

    void zeroBaseIsZero()
    {
        Backoff b(0ms, 0ms);
        QCOMPARE(b.next(), 0ms);
        QCOMPARE(b.next(), 0ms);
    }
};

QTEST_GUILESS_MAIN(TestBackoff)
#include "tst_core_backoff.moc"
