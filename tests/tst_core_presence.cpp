// Typing indicators and read receipts through the real gateway (issue 11): typing reaches the
// channel's other members only, is never stored, is limited per session, and is not sent when
// switched off; read receipts in direct messages tell the other member how far one has read,
// only when switched on, and never in other channels.
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"
#include "RawSession.h"

#include "hchat.pb.h"

using namespace hchat;
using namespace hchat::test;

class CorePresence : public GatewaySuite {
    Q_OBJECT
private:
    std::unique_ptr<TestClient> online(const QString &nick) { return onlineUser(*m_gw, nick); }

private slots:
    void typingReachesTheOtherMembersOnlyAndIsNotStored()
    {
        const QString ch = QStringLiteral("typing");
        auto alice = online(QStringLiteral("ta"));
        auto bob = online(QStringLiteral("tb"));
        auto outsider = online(QStringLiteral("tx"));
        QVERIFY(alice->run((*alice)->joinChannel(ch)));
        QVERIFY(bob->run((*bob)->joinChannel(ch)));
        QTRY_VERIFY_WITH_TIMEOUT(alice->store()->maxSeq(ch) >= 2, 10000);
        const quint64 max = alice->store()->maxSeq(ch);
        QSignalSpy atBob(bob->client.get(), &Client::typing);
        QSignalSpy atAlice(alice->client.get(), &Client::typing);
        QSignalSpy atOutsider(outsider->client.get(), &Client::typing);

        (*alice)->notifyTyping(ch);
        QTRY_COMPARE_WITH_TIMEOUT(atBob.size(), 1, 5000);
        QCOMPARE(atBob.first().at(0).toString(), ch);
        QCOMPARE(atBob.first().at(1).toString(), QStringLiteral("ta"));
        // The client repeats at most every 3 s however often the user types.
        for (int i = 0; i < 20; ++i)
            (*alice)->notifyTyping(ch);
        QTest::qWait(700);
        QCOMPARE(atBob.size(), 1);
        QCOMPARE(atAlice.size(), 0);
        QCOMPARE(atOutsider.size(), 0);
        // Nothing is stored.
        QCOMPARE(bob->store()->maxSeq(ch), max);

        // The gateway limits a session that ignores the client's pacing.
        RawSession raw(m_gw->wsUrl(), account(QStringLiteral("tr")));
        QVERIFY(raw.open() && raw.join(ch));
        QTRY_VERIFY_WITH_TIMEOUT(bob->store()->maxSeq(ch) >= max + 1, 10000);
        atBob.clear();
        for (int i = 0; i < 20; ++i) {
            hchat::v1::Frame f;
            f.mutable_typing()->set_channel(ch.toStdString());
            raw.request(f, 1); // no answer is expected: returns after 1 ms
        }
        QTRY_COMPARE_WITH_TIMEOUT(atBob.size(), 1, 5000);
        QTest::qWait(700);
        QCOMPARE(atBob.size(), 1);
        // Typing where one is not a member is refused.
        hchat::v1::Frame f;
        f.mutable_typing()->set_channel("typing-elsewhere");
        const auto refused = raw.request(f);
        QVERIFY2(refused.has_error(), refused.DebugString().c_str());
        QCOMPARE(refused.error().code(), hchat::v1::ERROR_NOT_MEMBER);
    }

    void typingSwitchedOffSendsNothing()
    {
        const QString ch = QStringLiteral("quiet-typing");
        auto alice = online(QStringLiteral("qa"));
        auto bob = online(QStringLiteral("qb"));
        QVERIFY(alice->run((*alice)->joinChannel(ch)));
        QVERIFY(bob->run((*bob)->joinChannel(ch)));
        QSignalSpy atBob(bob->client.get(), &Client::typing);
        (*alice)->setShareTyping(false);
        (*alice)->notifyTyping(ch);
        QTest::qWait(1000);
        QCOMPARE(atBob.size(), 0);
        (*alice)->setShareTyping(true);
        (*alice)->notifyTyping(ch);
        QTRY_COMPARE_WITH_TIMEOUT(atBob.size(), 1, 5000);
    }

    void readReceiptsInDirectMessagesOnly()
    {
        // Direct messages are end-to-end encrypted: both need a device key.
        auto alice = e2eeUser(*m_gw, QStringLiteral("ra"));
        auto bob = e2eeUser(*m_gw, QStringLiteral("rb"));
        QString dm;
        QVERIFY(alice->run((*alice)->openDirectChannel(QStringLiteral("rb"), &dm)));
        QTRY_VERIFY_WITH_TIMEOUT(bob->store()->channel(dm).has_value(), 10000);
        QVERIFY(waitE2eeReady(*alice, {QStringLiteral("rb")}));
        QSignalSpy receipts(alice->client.get(), &Client::readReceipt);
        QList<quint64> seqs;
        for (int i = 0; i < 3; ++i) {
            const qint64 id = (*alice)->sendMessage(dm, QStringLiteral("note %1").arg(i));
            QTRY_COMPARE_WITH_TIMEOUT(alice->store()->outboxEntry(id)->state, OutboxEntry::State::Sent,
                                      10000);
            seqs << alice->store()->outboxEntry(id)->seq;
        }
        QTRY_VERIFY_WITH_TIMEOUT(bob->store()->maxSeq(dm) >= seqs.last(), 10000);
        QCOMPARE((*alice)->peerReadSeq(dm), quint64(0));

        (*bob)->markRead(dm, seqs.at(1));
        QTRY_COMPARE_WITH_TIMEOUT((*alice)->peerReadSeq(dm), seqs.at(1), 10000);
        QCOMPARE(receipts.size(), 1);
        QCOMPARE(receipts.first().at(1).toString(), QStringLiteral("rb"));

        // Bob switches receipts off: his reading is not told any more.
        (*bob)->setShareReadReceipts(false);
        (*bob)->markRead(dm, seqs.at(2));
        QTest::qWait(1000);
        QCOMPARE((*alice)->peerReadSeq(dm), seqs.at(1));
        QCOMPARE(receipts.size(), 1);

        // In an open channel there are no receipts, whatever the setting.
        const QString open = QStringLiteral("receipts-open");
        QVERIFY(alice->run((*alice)->joinChannel(open)));
        QVERIFY(bob->run((*bob)->joinChannel(open)));
        (*bob)->setShareReadReceipts(true);
        const qint64 id = (*alice)->sendMessage(open, QStringLiteral("hello all"));
        QTRY_COMPARE_WITH_TIMEOUT(alice->store()->outboxEntry(id)->state, OutboxEntry::State::Sent, 10000);
        const quint64 seq = alice->store()->outboxEntry(id)->seq;
        QTRY_VERIFY_WITH_TIMEOUT(bob->store()->maxSeq(open) >= seq, 10000);
        (*bob)->markRead(open, seq);
        QTest::qWait(1000);
        QCOMPARE((*alice)->peerReadSeq(open), quint64(0));
        QCOMPARE(receipts.size(), 1);
    }
};

QTEST_GUILESS_MAIN(CorePresence)
#include "tst_core_presence.moc"
