// Encrypted history on every device (issue 22) through the real gateway: a second device of an
// account, approved from the first, decrypts everything sent before it existed, because the first
// forwards the sessions it holds; a device left unapproved gets nothing, and nobody else's device
// ever receives a forward.
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"

#include "DeviceApproval.h"

using namespace hchat;
using namespace hchat::test;
using CS = StoredMessage::CryptoState;

namespace {

// The inbox KEY_SHARE rows of c's device.
int keySharesIn(const TestClient &c)
{
    const QString inbox = QLatin1Char('~') + c->deviceId();
    int n = 0;
    for (quint64 seq = 1; seq <= c.store()->maxSeq(inbox); ++seq) {
        const auto m = c.store()->message(inbox, seq);
        n += m && m->kind == MessageKind::KeyShare ? 1 : 0;
    }
    return n;
}

// Every text row of channel decrypted on c, by seq.
QMap<quint64, QString> texts(const TestClient &c, const QString &channel, int *undecrypted = nullptr)
{
    QMap<quint64, QString> out;
    int waiting = 0;
    for (quint64 seq = 1; seq <= c.store()->maxSeq(channel); ++seq) {
        const auto m = c.store()->message(channel, seq);
        if (!m || m->kind != MessageKind::Text)
            continue;
        if (m->cryptoState == CS::Decrypted)
            out.insert(seq, m->plainText);
        else
            ++waiting;
    }
    if (undecrypted)
        *undecrypted = waiting;
    return out;
}

} // namespace

class E2eeHistory : public GatewaySuite {
    Q_OBJECT
private slots:
    void anApprovedDeviceReadsTheHistoryFromBeforeItExisted();
};

void E2eeHistory::anApprovedDeviceReadsTheHistoryFromBeforeItExisted()
{
    const QString me = QStringLiteral("hana"), bob = QStringLiteral("hbob"), carol = QStringLiteral("hcarol");
    auto desktop = e2eeUser(*m_gw, me);
    auto b = e2eeUser(*m_gw, bob);
    auto c = e2eeUser(*m_gw, carol);
    const QMap<QString, QStringList> channels{{QStringLiteral("h-one"), {bob}},
                                              {QStringLiteral("h-two"), {carol}},
                                              {QStringLiteral("h-three"), {bob, carol}}};
    for (auto it = channels.cbegin(); it != channels.cend(); ++it) {
        QVERIFY(
            desktop->run((*desktop)->createChannel(it.key(), ChannelRecord::Kind::InviteOnly, it.value())));
        for (const QString &who : it.value())
            QVERIFY(acceptInvitation(who == bob ? *b : *c, it.key()));
    }
    for (auto it = channels.cbegin(); it != channels.cend(); ++it)
        QTRY_VERIFY_WITH_TIMEOUT((*desktop)->crypto()->members(it.key()).size() == it.value().size() + 1,
                                 20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*desktop, {bob, carol}) && knowsKeysOf(*b, {me, carol}) &&
                                 knowsKeysOf(*c, {me, bob}),
                             20000);

    // 2,000 messages from all three, spread over the three channels (many sender sessions: one
    // per 100 messages of each sender).
    constexpr int kMessages = 2000;
    QHash<TestClient *, qint64> lastOf;
    for (int i = 0; i < kMessages; ++i) {
        const QString ch = channels.keys().at(i % 3);
        QList<TestClient *> senders{desktop.get()};
        for (const QString &who : channels.value(ch))
            senders << (who == bob ? b.get() : c.get());
        TestClient *from = senders.at((i / 3) % senders.size());
        QString error;
        const qint64 id =
            (*from)->sendMessage(ch, QStringLiteral("history line %1 in %2").arg(i).arg(ch), &error);
        QVERIFY2(id > 0, qPrintable(error));
        lastOf[from] = id;
    }
    for (auto it = lastOf.cbegin(); it != lastOf.cend(); ++it)
        QVERIFY(waitSent(*it.key(), it.value(), 120000) > 0);
    QMap<QString, QMap<quint64, QString>> expected;
    for (const QString &ch : channels.keys()) {
        QTRY_VERIFY_WITH_TIMEOUT(desktop->store()->maxSeq(ch) >= desktop->store()->channel(ch)->serverMaxSeq,
                                 60000);
        int waiting = 0;
        QTRY_VERIFY_WITH_TIMEOUT((expected[ch] = texts(*desktop, ch, &waiting)).size() > 0 && waiting == 0,
                                 60000);
    }
    int total = 0;
    for (const auto &t : expected)
        total += int(t.size());
    QCOMPARE(total, kMessages);
    const int bobShares = keySharesIn(*b), carolShares = keySharesIn(*c);

    // A second device: it waits for approval and can read nothing from before it existed.
    auto laptop = e2eeUser(*m_gw, me);
    auto tablet = e2eeUser(*m_gw, me);
    QTRY_COMPARE_WITH_TIMEOUT((*laptop)->deviceApprovalState(), DeviceApproval::State::Waiting, 20000);
    QTRY_COMPARE_WITH_TIMEOUT((*tablet)->deviceApprovalState(), DeviceApproval::State::Waiting, 20000);
    for (const QString &ch : channels.keys())
        QTRY_COMPARE_WITH_TIMEOUT(laptop->store()->maxSeq(ch), desktop->store()->maxSeq(ch), 60000);
    int waiting = 0;
    QVERIFY(texts(*laptop, channels.keys().first(), &waiting).isEmpty() && waiting > 0);

    // The desktop refuses the tablet (a wrong code) and approves the laptop.
    QSignalSpy forwarded(desktop->client.get(), &Client::historyForwarded);
    QTRY_COMPARE_WITH_TIMEOUT((*desktop)->devicesAwaitingApproval().size(), 2, 20000);
    QString error;
    QVERIFY(!desktop->run(
        (*desktop)->approveDevice((*tablet)->deviceId(), QStringLiteral("00000 00000 00000 00000")), &error));
    QVERIFY(desktop->run((*desktop)->approveDevice((*laptop)->deviceId(), (*laptop)->deviceApprovalCode()),
                         &error));
    QTRY_COMPARE_WITH_TIMEOUT((*laptop)->deviceApprovalState(), DeviceApproval::State::Approved, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!forwarded.isEmpty(), 20000);
    QCOMPARE(forwarded.first().at(0).toString(), (*laptop)->deviceId());
    QVERIFY(forwarded.first().at(1).toInt() >= 3 * 2); // every channel has several senders' sessions

    // The laptop's history of all three channels: complete, decrypted, the same text.
    for (const QString &ch : channels.keys())
        QTRY_COMPARE_WITH_TIMEOUT(texts(*laptop, ch), expected.value(ch), 60000);

    // Nothing went to the tablet, nor to anybody else's device.
    QTest::qWait(500);
    QCOMPARE(forwarded.size(), 1);
    QVERIFY(texts(*tablet, channels.keys().first()).isEmpty());
    QCOMPARE(keySharesIn(*b), bobShares);
    QCOMPARE(keySharesIn(*c), carolShares);
}

QTEST_GUILESS_MAIN(E2eeHistory)
#include "tst_e2ee_history.moc"
