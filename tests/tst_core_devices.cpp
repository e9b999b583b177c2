// Two devices of one user, and direct messages: a message sent on one device appears on the
// other; reading on one clears unread on the other (live, and for a device that was offline).
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"
#include "RawSession.h"

#include "Outbox.h"

using namespace hchat;
using namespace hchat::test;

class TestDevices : public GatewaySuite {
    Q_OBJECT
private:
    QString login(const QString &nick)
    {
        hchat::v1::LoginResponse r;
        api().registerUser(nick, QStringLiteral("correct horse battery"));
        if (!api().login(nick, QStringLiteral("correct horse battery"), &r))
            return {};
        return QString::fromStdString(r.token());
    }

private slots:
    void twoDevicesOneUser()
    {
        const QString ch = QStringLiteral("devices");
        const QString t1 = login(QStringLiteral("bob"));
        const QString t2 = login(QStringLiteral("bob")); // a second device
        QVERIFY(!t1.isEmpty() && !t2.isEmpty() && t1 != t2);
        TestClient d1, d2;
        d1.connectTo({m_gw->wsUrl()}, t1);
        d2.connectTo({m_gw->wsUrl()}, t2);
        QVERIFY(d1.waitOnline() && d2.waitOnline());
        QVERIFY(d1->deviceId() != d2->deviceId());
        QVERIFY(d1.run(d1->joinChannel(ch)));
        // d2 learns of the membership (ChannelJoined pushed, or the membership message).
        QTRY_VERIFY_WITH_TIMEOUT(d2.store()->channel(ch).has_value(), 5000);

        // Sent on d1 → appears on d2.
        const qint64 id = d1->sendMessage(ch, QStringLiteral("from device one"));
        QVERIFY(id > 0);
        QTRY_COMPARE_WITH_TIMEOUT(d1.store()->outboxEntry(id)->state, OutboxEntry::State::Sent, 10000);
        const quint64 seq = d1.store()->outboxEntry(id)->seq;
        QTRY_VERIFY_WITH_TIMEOUT(d2.store()->maxSeq(ch) >= seq, 10000);
        QCOMPARE(d2.store()->message(ch, seq)->text(), QStringLiteral("from device one"));
        QCOMPARE(d2.store()->message(ch, seq)->senderDevice, d1->deviceId());

        // Alice writes 5; both devices count 5 unread.
        RawSession alice(m_gw->wsUrl(), login(QStringLiteral("alice")));
        QVERIFY(alice.open());
        QVERIFY(alice.join(ch));
        const auto seqs = alice.sendMany(ch, 5, 5);
        QTRY_COMPARE_WITH_TIMEOUT(d1->unreadCount(ch), quint64(5), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(d2->unreadCount(ch), quint64(5), 10000);

        // Reading on d1 clears unread on d2.
        QSignalSpy unread2(d2.client.get(), &Client::unreadChanged);
        d1->markRead(ch, seqs.last());
        QCOMPARE(d1->unreadCount(ch), quint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(d2->unreadCount(ch), quint64(0), 10000);
        // (Emissions are coalesced; one for the earlier messages may still be on its way.)
        QTRY_VERIFY_WITH_TIMEOUT(!unread2.isEmpty() && unread2.last().at(1).toULongLong() == 0, 5000);

        // d2 offline; alice writes 3 more; d1 reads them; d2 comes back with 0 unread.
        d2->disconnectFromGateway();
        const auto more = alice.sendMany(ch, 3, 3);
        QTRY_COMPARE_WITH_TIMEOUT(d1->unreadCount(ch), quint64(3), 10000);
        d1->markRead(ch, more.last());
        QTest::qWait(200);
        d2->startSession(t2);
        QVERIFY(d2.waitOnline());
        QTRY_COMPARE_WITH_TIMEOUT(d2.store()->maxSeq(ch), more.last(), 10000);
        QCOMPARE(d2->unreadCount(ch), quint64(0));

        // Offline reading on d2 is told to the gateway when it reconnects.
        d2->disconnectFromGateway();
        const auto last = alice.sendMany(ch, 2, 2);
        d2->startSession(t2);
        QVERIFY(d2.waitOnline());
        QTRY_COMPARE_WITH_TIMEOUT(d2.store()->maxSeq(ch), last.last(), 10000);
        d2->disconnectFromGateway();
        d2->markRead(ch, last.last());
        QTRY_COMPARE_WITH_TIMEOUT(d1->unreadCount(ch), quint64(2), 10000);
        d2->startSession(t2);
        QVERIFY(d2.waitOnline());
        QTRY_COMPARE_WITH_TIMEOUT(d1->unreadCount(ch), quint64(0), 10000);
    }

    void directMessages()
    {
        TestClient carol, dave; // direct messages are end-to-end encrypted: both have a device key
        withE2ee(carol);
        withE2ee(dave);
        carol.connectTo({m_gw->wsUrl()}, login(QStringLiteral("Carol")));
        dave.connectTo({m_gw->wsUrl()}, login(QStringLiteral("dave")));
        QVERIFY(carol.waitOnline() && dave.waitOnline());
        QString name;
        QString error;
        QVERIFY2(carol.run(carol->openDirectChannel(QStringLiteral("dave"), &name), &error),
                 qPrintable(error));
        QCOMPARE(name, QStringLiteral("@carol+dave"));
        QCOMPARE(Client::directChannelName(QStringLiteral("dave"), QStringLiteral("Carol")), name);
        QCOMPARE(carol.store()->channel(name)->kind, ChannelRecord::Kind::Direct);
        // dave is told (ChannelJoined pushed) and receives the message.
        QTRY_VERIFY_WITH_TIMEOUT(dave.store()->channel(name).has_value(), 5000);
        QCOMPARE(dave.store()->channel(name)->kind, ChannelRecord::Kind::Direct);
        QVERIFY(waitE2eeReady(carol, {QStringLiteral("dave")}));
        QVERIFY(carol->sendMessage(name, QStringLiteral("psst")) > 0);
        QTRY_VERIFY_WITH_TIMEOUT(dave.store()->latestMessage(name) &&
                                     dave.store()->latestMessage(name)->text() == QStringLiteral("psst"),
                                 10000);
        // Opening it again is a no-op that succeeds.
        QVERIFY(carol.run(carol->openDirectChannel(QStringLiteral("dave"))));
        // An outsider cannot join it.
        TestClient eve;
        eve.connectTo({m_gw->wsUrl()}, login(QStringLiteral("eve")));
        QVERIFY(eve.waitOnline());
        QVERIFY(!eve.run(eve->joinChannel(name), &error));
        QVERIFY(!error.isEmpty());
        // Her device knows no such channel: sending there fails at once with a readable reason.
        QVERIFY(eve->sendMessage(name, QStringLiteral("let me in"), &error) == 0);
        QVERIFY(!error.isEmpty());
        // Put in the outbox anyway, the gateway refuses it with a readable reason, and it stays
        // failed until retried.
        const qint64 id = eve->outbox()->enqueue(name, "let me in");
        QTRY_COMPARE_WITH_TIMEOUT(eve.store()->outboxEntry(id)->state, OutboxEntry::State::Failed, 10000);
        QVERIFY(!eve.store()->outboxEntry(id)->error.isEmpty());
        qInfo() << "failure reason:" << eve.store()->outboxEntry(id)->error;
        QVERIFY(eve->retrySend(id));
        QTRY_COMPARE_WITH_TIMEOUT(eve.store()->outboxEntry(id)->state, OutboxEntry::State::Failed, 10000);
    }

    void devicesAreListedAndARevokedDeviceIsCutOffAtOnce()
    {
        const QString t1 = login(QStringLiteral("frank"));
        const QString t2 = login(QStringLiteral("frank"));
        TestClient d1, d2;
        d1.connectTo({m_gw->wsUrl()}, t1);
        d2.connectTo({m_gw->wsUrl()}, t2);
        QVERIFY(d1.waitOnline() && d2.waitOnline());

        QSignalSpy listed(d1.client.get(), &Client::devicesListed);
        QVERIFY(d1.run(d1->listDevices()));
        QCOMPARE(listed.size(), 1);
        const auto devices = listed.last().at(0).value<QList<AccountDevice>>();
        QCOMPARE(devices.size(), 2);
        int current = 0;
        for (const AccountDevice &d : devices) {
            QVERIFY(d.deviceId == d1->deviceId() || d.deviceId == d2->deviceId());
            QCOMPARE(d.current, d.deviceId == d1->deviceId());
            current += d.current ? 1 : 0;
            QVERIFY(d.created.isValid());
            QVERIFY(d.lastActive.isValid()); // both connected: the gateway saw them
            QVERIFY(!d.name.isEmpty());
        }
        QCOMPARE(current, 1);

        // A device cannot revoke itself (that is Sign out); an unknown id is refused.
        QString error;
        QVERIFY(!d1.run(d1->revokeDevice(d1->deviceId()), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!d1.run(d1->revokeDevice(QStringLiteral("no-such-device")), &error));
        QVERIFY(!error.isEmpty());

        // Revoking d2: its live connection ends and it is asked to sign in again; its token is dead.
        QSignalSpy signIn(d2.client.get(), &Client::signInRequired);
        QVERIFY2(d1.run(d1->revokeDevice(d2->deviceId()), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!signIn.isEmpty(), 10000);
        QVERIFY(d2->connectionState() != ConnectionState::Online);
        QCOMPARE(api().post(QStringLiteral("/v1/channels"), {}, t2).status, 401);
        QVERIFY(api().post(QStringLiteral("/v1/channels"), {}, t1).ok());
        listed.clear();
        QVERIFY(d1.run(d1->listDevices()));
        QCOMPARE(listed.last().at(0).value<QList<AccountDevice>>().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestDevices)
#include "tst_core_devices.moc"
