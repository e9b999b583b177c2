// Sender-session rotation and the encrypted-by-default rule, through the real gateway (issue 5):
// a sender starts a new session after 100 messages and shares its key with every member device;
// the member reads across the boundary. Direct messages are end-to-end encrypted without asking.
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"

#include "hchat.pb.h"

#include <QSet>

using namespace hchat;
using namespace hchat::test;

namespace {
QByteArray sessionOf(const StoredMessage &m)
{
    hchat::v1::EncryptedEnvelope envelope;
    if (!envelope.ParseFromArray(m.body.constData(), int(m.body.size())))
        return {};
    return QByteArray::fromStdString(envelope.session_id());
}
} // namespace

class E2eeRotation : public GatewaySuite {
    Q_OBJECT
public:
    // 105 messages as fast as the outbox sends them: no per-session rate limit here.
    E2eeRotation() : GatewaySuite({QStringLiteral("--rate-limit"), QStringLiteral("0")}) {}

private slots:
    void directMessagesAreEncryptedByDefault()
    {
        auto alice = e2eeUser(*m_gw, QStringLiteral("dmalice"));
        auto bob = e2eeUser(*m_gw, QStringLiteral("dmbob"));
        QString channel;
        QVERIFY(alice->run((*alice)->openDirectChannel(QStringLiteral("dmbob"), &channel)));
        QCOMPARE(channel, QStringLiteral("@dmalice+dmbob"));
        QVERIFY(alice->store()->channel(channel).has_value());
        QVERIFY(alice->store()->channel(channel)->encrypted);
        QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("dmbob")}), 20000);

        const QString phrase = QStringLiteral("dm-lantern-under-the-bridge");
        const quint64 seq = sendAndWait(*alice, channel, phrase);
        QVERIFY(seq > 0);
        const auto sent = alice->store()->message(channel, seq);
        QVERIFY(sent && sent->encrypted);
        QVERIFY(!sent->body.contains(phrase.toUtf8()));
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, channel, seq), phrase, 20000);
        QVERIFY(bob->store()->channel(channel)->encrypted);
        QTest::qWait(200);
        QVERIFY2(whereFound(*m_gw, phrase.toUtf8()).isEmpty(),
                 "a direct message reached the gateway in plaintext");
    }

    void senderSessionRotatesAfterOneHundredMessages()
    {
        const QString ch = QStringLiteral("hundred");
        auto alice = e2eeUser(*m_gw, QStringLiteral("ralice"));
        auto bob = e2eeUser(*m_gw, QStringLiteral("rbob"));
        QVERIFY(alice->run(
            (*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {QStringLiteral("rbob")})));
        QVERIFY(acceptInvitation(*bob, ch));
        QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, QStringLiteral("rbob")), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("rbob")}), 20000);
        const QString bobInbox = QLatin1Char('~') + (*bob)->deviceId();

        constexpr int kMessages = 105;
        QList<qint64> ids;
        for (int i = 0; i < kMessages; ++i) {
            QString error;
            const qint64 id = (*alice)->sendMessage(ch, QStringLiteral("rotating %1").arg(i), &error);
            QVERIFY2(id > 0, qPrintable(error));
            ids.append(id);
        }
        QTRY_VERIFY_WITH_TIMEOUT(alice->store()->outboxEntry(ids.last())->state == OutboxEntry::State::Sent,
                                 120000);
        QList<quint64> seqs;
        for (qint64 id : ids) {
            const auto e = alice->store()->outboxEntry(id);
            QVERIFY(e && e->state == OutboxEntry::State::Sent);
            seqs.append(e->seq);
        }

        // Two sessions: the first 100 messages in one, the rest in the next; a key share for
        // each went to Bob's device.
        QList<QByteArray> sessions;
        for (quint64 seq : seqs) {
            const auto m = alice->store()->message(ch, seq);
            QVERIFY(m && m->encrypted);
            sessions.append(sessionOf(*m));
            QCOMPARE(sessions.last().size(), 16);
        }
        QCOMPARE(QSet<QByteArray>(sessions.begin(), sessions.end()).size(), 2);
        QCOMPARE(sessions.count(sessions.first()), 100);
        QVERIFY(sessions.at(100) != sessions.first());
        QCOMPARE(alice->store()->outbox(bobInbox).size(), 2);

        // Bob reads every message, on both sides of the boundary.
        QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, seqs.last()),
                                  QStringLiteral("rotating %1").arg(kMessages - 1), 60000);
        for (int i : {0, 98, 99, 100, 101, kMessages - 1})
            QCOMPARE(shownText(*bob, ch, seqs.at(i)), QStringLiteral("rotating %1").arg(i));
        int decrypted = 0;
        for (quint64 seq : seqs)
            decrypted += shownText(*bob, ch, seq).startsWith(QStringLiteral("rotating ")) ? 1 : 0;
        QCOMPARE(decrypted, kMessages);
    }
};

QTEST_GUILESS_MAIN(E2eeRotation)
#include "tst_e2ee_rotation.moc"
