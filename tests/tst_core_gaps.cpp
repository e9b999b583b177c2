// Client core behind a test proxy (tests/support/GatewayProxy) in front of the real gateway:
// dropped pushes are noticed and pulled; an unparsable frame, an oversized frame, and sync
// responses with a hole or for the wrong channel give a clear error, leave the history intact,
// and the client recovers by pulling.
#include "CoreTestHelpers.h"
#include "GatewayProxy.h"
#include "RawSession.h"

#include "PushChannel.h"
#include "SyncEngine.h"

using namespace hchat;
using namespace hchat::test;

namespace {
const QString kPassword = QStringLiteral("correct horse battery");

bool isPushIn(const hchat::v1::Frame &f, const QString &channel)
{
    return f.has_push() && QString::fromStdString(f.push().message().channel()) == channel;
}

// The history is 1..max without a hole and equals the gateway's.
void verifyIntact(const HistoryStore *store, const QString &channel)
{
    const quint64 max = store->maxSeq(channel);
    QCOMPARE(store->count(channel), max);
    if (max > 0) {
        QCOMPARE(store->minSeq(channel), quint64(1));
        QCOMPARE(quint64(store->page(channel, 1, max).size()), max);
    }
}

void verifySameAsGateway(const HttpTestApi &api, const QString &token, const HistoryStore *store,
                         const QString &channel)
{
    const auto truth = api.allMessages(token, channel);
    QCOMPARE(store->maxSeq(channel), quint64(truth.size()));
    QCOMPARE(store->count(channel), quint64(truth.size()));
    const auto mine = store->page(channel, 1, quint64(truth.size()));
    for (int i = 0; i < truth.size(); ++i) {
        QCOMPARE(mine[i].seq, truth[i].seq());
        QCOMPARE(mine[i].clientMsgId, QByteArray::fromStdString(truth[i].client_msg_id()));
    }
}
} // namespace

class TestGaps : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<GatewayProcess> m_gw;
    std::unique_ptr<GatewayProxy> m_proxy;
    std::unique_ptr<RawSession> m_alice;
    std::unique_ptr<TestClient> m_bob;
    QString m_bobToken;
    HttpTestApi api() const { return HttpTestApi(m_gw->httpUrl()); }

    void joinBoth(const QString &ch)
    {
        QVERIFY(m_bob->run((*m_bob)->joinChannel(ch)));
        QVERIFY(m_alice->join(ch));
        QTRY_VERIFY_WITH_TIMEOUT(m_bob->store()->maxSeq(ch) >= 2, 5000);
    }

private slots:
    void initTestCase()
    {
        m_gw = std::make_unique<GatewayProcess>();
        m_gw->setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
        QVERIFY(m_gw->start());
        m_proxy = std::make_unique<GatewayProxy>(m_gw->httpUrl());
        QVERIFY(m_proxy->listen());
        const QString at = api().account(QStringLiteral("alice"), kPassword);
        m_bobToken = api().account(QStringLiteral("bob"), kPassword);
        m_alice = std::make_unique<RawSession>(m_gw->wsUrl(), at);
        QVERIFY(m_alice->open());
        m_bob = std::make_unique<TestClient>();
        m_bob->connectTo({m_proxy->wsUrl()}, m_bobToken);
        QVERIFY(m_bob->waitOnline());
    }

    void cleanup()
    {
        m_proxy->setFrameHook({});
        m_proxy->setSyncHook({});
    }

    void droppedPushesArePulled()
    {
        const QString ch = QStringLiteral("gaps");
        joinBoth(ch);
        // Joining may start a pull of the new channel; while one runs, pushes are held, not gaps.
        QTRY_VERIFY_WITH_TIMEOUT(!(*m_bob)->puller()->isPulling(ch) && !(*m_bob)->engine()->isCatchingUp(),
                                 10000);
        int expectedDrops = 0;
        m_proxy->setFrameHook([&](const hchat::v1::Frame &f, QByteArray &) {
            if (!isPushIn(f, ch))
                return GatewayProxy::Verdict::Pass;
            const QString body = QString::fromStdString(f.push().message().body());
            const int i = body.section(QLatin1Char(' '), 1).toInt();
            if (body.startsWith(QLatin1String("msg ")) && i % 7 == 3 && i < 480) {
                ++expectedDrops;
                return GatewayProxy::Verdict::Drop;
            }
            return GatewayProxy::Verdict::Pass;
        });
        const int droppedBefore = m_proxy->droppedFrames();
        const quint64 gapsBefore = (*m_bob)->engine()->gapsDetected();
        m_alice->sendMany(ch, 500, 16);
        QCOMPARE(m_alice->acked(), 500);
        const int dropped = m_proxy->droppedFrames() - droppedBefore;
        QCOMPARE(dropped, expectedDrops);
        QVERIFY(dropped >= 60); // the proxy really dropped frames
        const quint64 total = quint64(api().allMessages(m_bobToken, ch).size());
        QTRY_COMPARE_WITH_TIMEOUT(m_bob->store()->maxSeq(ch), total, 15000);
        QVERIFY((*m_bob)->engine()->gapsDetected() > gapsBefore);
        QCOMPARE((*m_bob)->engine()->heldCount(), 0);
        verifyIntact(m_bob->store(), ch);
        verifySameAsGateway(api(), m_bobToken, m_bob->store(), ch);
    }

    void unparsableFrame()
    {
        const QString ch = QStringLiteral("garbage");
        joinBoth(ch);
        // Pushes vanish (so only a pull can bring them), then a frame that does not parse arrives.
        m_proxy->setFrameHook([&](const hchat::v1::Frame &f, QByteArray &) {
            return isPushIn(f, ch) ? GatewayProxy::Verdict::Drop : GatewayProxy::Verdict::Pass;
        });
        const quint64 before = m_bob->store()->maxSeq(ch);
        const int droppedBefore = m_proxy->droppedFrames();
        m_alice->sendMany(ch, 10, 4);
        QTRY_COMPARE_WITH_TIMEOUT(m_proxy->droppedFrames() - droppedBefore, 10, 5000);
        QCOMPARE(m_bob->store()->maxSeq(ch), before);
        QSignalSpy errors(m_bob->client.get(), &Client::errorOccurred);
        QCOMPARE(m_proxy->injectToClients(QByteArray("\xff\xff\xff\xff not a frame", 17)), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        QVERIFY2(errors.first().first().toString().contains(QStringLiteral("does not parse")),
                 qPrintable(errors.first().first().toString()));
        QTRY_COMPARE_WITH_TIMEOUT(m_bob->store()->maxSeq(ch), before + 10, 10000);
        QCOMPARE((*m_bob)->connectionState(), ConnectionState::Online); // the link stayed up
        verifyIntact(m_bob->store(), ch);
        verifySameAsGateway(api(), m_bobToken, m_bob->store(), ch);
    }

    void oversizedFrame()
    {
        const QString ch = QStringLiteral("oversized");
        joinBoth(ch);
        m_proxy->setFrameHook([&](const hchat::v1::Frame &f, QByteArray &) {
            return isPushIn(f, ch) ? GatewayProxy::Verdict::Drop : GatewayProxy::Verdict::Pass;
        });
        // The previous case ends with a resynchronising pull; let it finish, or it could fetch the
        // messages below before the oversized frame is what makes bob pull them.
        QVERIFY(m_bob->waitOnline());
        QTRY_VERIFY_WITH_TIMEOUT(!(*m_bob)->puller()->isPulling(ch) && !(*m_bob)->engine()->isCatchingUp(),
                                 10000);
        QTest::qWait(300);
        const quint64 before = m_bob->store()->maxSeq(ch);
        m_alice->sendMany(ch, 10, 4);
        QTest::qWait(200);
        QCOMPARE(m_bob->store()->maxSeq(ch), before);
        QSignalSpy errors(m_bob->client.get(), &Client::errorOccurred);
        QSignalSpy reports(m_bob->client.get(), &Client::catchUpFinished);
        // 300 KB: above the 256 KiB frame limit.
        QCOMPARE(m_proxy->injectToClients(QByteArray(300 * 1024, 'x')), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        QVERIFY2(errors.first().first().toString().contains(QStringLiteral("larger than")),
                 qPrintable(errors.first().first().toString()));
        // Reconnected and caught up by pulling.
        QTRY_VERIFY_WITH_TIMEOUT(reports.count() >= 1, 15000);
        QVERIFY(m_bob->waitOnline());
        QCOMPARE(m_bob->store()->maxSeq(ch), before + 10);
        verifyIntact(m_bob->store(), ch);
        verifySameAsGateway(api(), m_bobToken, m_bob->store(), ch);
    }

    void syncResponseRejected_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::newRow("hole") << QStringLiteral("hole");
        QTest::newRow("wrong channel") << QStringLiteral("wrongchannel");
        QTest::newRow("garbage body") << QStringLiteral("garbage");
    }

    void syncResponseRejected()
    {
        QFETCH(QString, fault);
        const QString ch = QStringLiteral("sync-") + fault;
        // The previous case (or row) ends with a reconnect and its catch-up pulls; let them finish,
        // or one of them fetches the first messages below before the tampered pull does.
        QVERIFY(m_bob->waitOnline());
        QTRY_VERIFY_WITH_TIMEOUT(!(*m_bob)->engine()->isCatchingUp(), 10000);
        joinBoth(ch);
        QTRY_VERIFY_WITH_TIMEOUT(!(*m_bob)->puller()->isPulling(ch) && !(*m_bob)->engine()->isCatchingUp(),
                                 10000);
        QTest::qWait(300);
        m_proxy->setFrameHook([&](const hchat::v1::Frame &f, QByteArray &) {
            return isPushIn(f, ch) ? GatewayProxy::Verdict::Drop : GatewayProxy::Verdict::Pass;
        });
        const quint64 before = m_bob->store()->maxSeq(ch);
        m_alice->sendMany(ch, 40, 8);
        QCOMPARE(m_alice->acked(), 40);
        int tampered = 0;
        m_proxy->setSyncHook([&](const hchat::v1::SyncRequest &req, int &status, QByteArray &body) {
            if (QString::fromStdString(req.channel()) != ch || status != 200 || tampered >= 2)
                return;
            hchat::v1::SyncResponse resp;
            if (!resp.ParseFromArray(body.constData(), int(body.size())) || resp.messages_size() < 5)
                return;
            if (fault == QLatin1String("hole")) {
                resp.mutable_messages()->DeleteSubrange(2, 1);
            } else if (fault == QLatin1String("wrongchannel")) {
                resp.set_channel("elsewhere");
                for (auto &m : *resp.mutable_messages())
                    m.set_channel("elsewhere");
            } else {
                body = QByteArray("\x0a\xff\xff\xff\xff\xff garbage", 14);
                ++tampered;
                return;
            }
            body = QByteArray::fromStdString(resp.SerializeAsString());
            ++tampered;
        });
        QSignalSpy errors(m_bob->client.get(), &Client::errorOccurred);
        QSignalSpy rejected((*m_bob)->puller(), &SyncPuller::batchRejected);
        // What was stored when each bad response was refused (read then: the retry that follows
        // soon after may already have pulled the good one by the time the test looks).
        QList<quint64> storedAtRejection;
        auto watch =
            connect((*m_bob)->puller(), &SyncPuller::batchRejected, this, [&](const QString &stream) {
                if (stream == ch)
                    storedAtRejection << m_bob->store()->maxSeq(ch);
            });
        (*m_bob)->pushChannel()->simulateNetworkFailure(); // reconnect → catch-up pull
        QTRY_VERIFY_WITH_TIMEOUT(rejected.count() >= 1, 10000);
        disconnect(watch);
        QVERIFY(!storedAtRejection.isEmpty());
        for (quint64 stored : std::as_const(storedAtRejection))
            QCOMPARE(stored, before); // nothing of the bad response stored
        verifyIntact(m_bob->store(), ch);
        QVERIFY(!errors.isEmpty());
        const QString text = errors.first().first().toString();
        if (fault == QLatin1String("hole"))
            QVERIFY2(text.contains(QStringLiteral("hole")), qPrintable(text));
        else if (fault == QLatin1String("wrongchannel"))
            QVERIFY2(text.contains(QStringLiteral("elsewhere")), qPrintable(text));
        else
            QVERIFY2(text.contains(QStringLiteral("does not parse")), qPrintable(text));
        // Recovers by pulling again.
        QTRY_COMPARE_WITH_TIMEOUT(m_bob->store()->maxSeq(ch), before + 40, 15000);
        QCOMPARE(tampered, 2);
        verifyIntact(m_bob->store(), ch);
        verifySameAsGateway(api(), m_bobToken, m_bob->store(), ch);
    }
};

QTEST_GUILESS_MAIN(TestGaps)
#include "tst_core_gaps.moc"
