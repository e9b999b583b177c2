// The recovery key backup (issue 22) through the real gateway: a user with encrypted history in two
// channels enables the backup (and sessions made afterwards follow it); after the only device is
// gone (revoked, its profile deleted), a fresh profile of the account restores with the recovery
// key's words and decrypts the whole history, equal to what the old device showed; a mistyped key
// is refused at once and another recovery key is refused by the backup's key check, both changing
// nothing; the gateway's database holds no message text, no chain key, no recovery or backup key.
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"

#include "crypto/ChannelCrypto.h"
#include "crypto/RecoveryKey.h"

#include <QDirIterator>

using namespace hchat;
using namespace hchat::test;
using CS = StoredMessage::CryptoState;

namespace {

// Every text row of channel decrypted on c, by seq; *waiting: the rows not decrypted.
QMap<quint64, QString> texts(const TestClient &c, const QString &channel, int *waiting = nullptr)
{
    QMap<quint64, QString> out;
    int notYet = 0;
    for (quint64 seq = 1; seq <= c.store()->maxSeq(channel); ++seq) {
        const auto m = c.store()->message(channel, seq);
        if (!m || m->kind != MessageKind::Text)
            continue;
        if (m->cryptoState == CS::Decrypted)
            out.insert(seq, m->plainText);
        else
            ++notYet;
    }
    if (waiting)
        *waiting = notYet;
    return out;
}

// Whether the bytes occur in any file under dir.
bool foundUnder(const QString &dir, const QByteArray &needle)
{
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            return true;
    }
    return false;
}

} // namespace

class E2eeBackup : public GatewaySuite {
    Q_OBJECT
private slots:
    void aFreshDeviceRestoresTheHistoryWithTheRecoveryKey();
};

void E2eeBackup::aFreshDeviceRestoresTheHistoryWithTheRecoveryKey()
{
    const QString me = QStringLiteral("rana"), bob = QStringLiteral("rbob"), carol = QStringLiteral("rcarol");
    auto desktop = e2eeUser(*m_gw, me);
    auto b = e2eeUser(*m_gw, bob);
    auto c = e2eeUser(*m_gw, carol);
    const QString one = QStringLiteral("r-one"), two = QStringLiteral("r-two"),
                  three = QStringLiteral("r-three");
    QVERIFY(desktop->run((*desktop)->createChannel(one, ChannelRecord::Kind::InviteOnly, {bob})));
    QVERIFY(desktop->run((*desktop)->createChannel(two, ChannelRecord::Kind::InviteOnly, {bob, carol})));
    QVERIFY(acceptInvitation(*b, one));
    QVERIFY(acceptInvitation(*b, two));
    QVERIFY(acceptInvitation(*c, two));
    QTRY_VERIFY_WITH_TIMEOUT((*desktop)->crypto()->members(one).size() == 2 &&
                                 (*desktop)->crypto()->members(two).size() == 3,
                             20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*desktop, {bob, carol}) && knowsKeysOf(*b, {me, carol}) &&
                                 knowsKeysOf(*c, {me, bob}),
                             20000);

    // 240 messages from all three (several sessions per sender: one per 100 messages).
    const QHash<QString, QList<TestClient *>> senders{{one, {desktop.get(), b.get()}},
                                                      {two, {desktop.get(), b.get(), c.get()}}};
    QHash<TestClient *, qint64> lastOf;
    auto sendSome = [&](const QString &ch, int from, int count) {
        for (int i = from; i < from + count; ++i) {
            TestClient *who = senders.value(ch).at(i % senders.value(ch).size());
            QString error;
            const qint64 id =
                (*who)->sendMessage(ch, QStringLiteral("backup line %1 in %2").arg(i).arg(ch), &error);
            QVERIFY2(id > 0, qPrintable(error));
            lastOf[who] = id;
        }
    };
    sendSome(one, 0, 120);
    sendSome(two, 0, 120);
    for (auto it = lastOf.cbegin(); it != lastOf.cend(); ++it)
        QVERIFY(waitSent(*it.key(), it.value(), 60000) > 0);

    // The backup goes on; the words are shown once.
    QSignalSpy upToDate(desktop->client.get(), &Client::recoveryBackupUpToDate);
    QSignalSpy backupFailed(desktop->client.get(), &Client::recoveryBackupFailed);
    QString error;
    const QString words = (*desktop)->enableRecoveryBackup(&error);
    QVERIFY2(!words.isEmpty(), qPrintable(error));
    QCOMPARE(words.split(QLatin1Char(' ')).size(), crypto::RecoveryKey::kWords);
    QVERIFY((*desktop)->recoveryBackupEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!upToDate.isEmpty(), 30000);
    QVERIFY(backupFailed.isEmpty());

    // Sessions made after enabling follow: a third channel, and a second round in the first.
    QVERIFY(desktop->run((*desktop)->createChannel(three, ChannelRecord::Kind::InviteOnly, {carol})));
    QVERIFY(acceptInvitation(*c, three));
    QTRY_VERIFY_WITH_TIMEOUT((*desktop)->crypto()->members(three).size() == 2, 20000);
    QHash<QString, QList<TestClient *>> more = senders;
    more.insert(three, {desktop.get(), c.get()});
    lastOf.clear();
    for (int i = 0; i < 30; ++i) {
        TestClient *who = more.value(three).at(i % 2);
        const qint64 id =
            (*who)->sendMessage(three, QStringLiteral("later line %1 in %2").arg(i).arg(three), &error);
        QVERIFY2(id > 0, qPrintable(error));
        lastOf[who] = id;
    }
    for (auto it = lastOf.cbegin(); it != lastOf.cend(); ++it)
        QVERIFY(waitSent(*it.key(), it.value(), 60000) > 0);

    QMap<QString, QMap<quint64, QString>> expected;
    const QHash<QString, int> counts{{one, 120}, {two, 120}, {three, 30}};
    int total = 0;
    for (const QString &ch : {one, two, three}) {
        int waiting = -1;
        QTRY_VERIFY_WITH_TIMEOUT(
            (expected[ch] = texts(*desktop, ch, &waiting)).size() == counts.value(ch) && waiting == 0, 60000);
        total += int(expected[ch].size());
    }
    QCOMPARE(total, 120 + 120 + 30);
    // Every session the desktop holds is in the backup.
    const auto held = (*desktop)->crypto()->senderKeys().heldSessions();
    QTRY_VERIFY_WITH_TIMEOUT(!upToDate.isEmpty() && upToDate.last().at(0).toInt() == int(held.size()), 30000);
    QVERIFY(held.size() >= 3 * 2);
    QList<QByteArray> chainKeys;
    for (const auto &h : held)
        chainKeys << h.session.key().view().toByteArray();
    const auto recovery = crypto::RecoveryKey::fromWords(words);
    QVERIFY(recovery);
    const QByteArray recoveryBytes = recovery->bytes().view().toByteArray();
    const QByteArray backupKey = recovery->deriveBackupKey().view().toByteArray();
    // The device keeps neither the recovery key nor the backup key in the clear.
    QVERIFY(!foundUnder(desktop->dir->path(), recoveryBytes));
    QVERIFY(!foundUnder(desktop->dir->path(), backupKey));
    QVERIFY(QFile::exists(desktop->dir->path() + QStringLiteral("/recovery-backup.key")));

    // Every device of the account is gone: the desktop is revoked and its profile deleted.
    const QString desktopId = (*desktop)->deviceId();
    v1::RevokeDevice revoke;
    revoke.set_device_id(desktopId.toStdString());
    QVERIFY(api()
                .post(QStringLiteral("/v1/devices/revoke"),
                      QByteArray::fromStdString(revoke.SerializeAsString()), desktop->token)
                .ok());
    desktop.reset();

    // A fresh profile of the account: it catches up and can read nothing.
    auto fresh = e2eeUser(*m_gw, me);
    QVERIFY((*fresh)->isEncryptionReady());
    for (const QString &ch : {one, two, three})
        QTRY_VERIFY_WITH_TIMEOUT(fresh->store()->channel(ch) && fresh->store()->maxSeq(ch) > 0 &&
                                     fresh->store()->maxSeq(ch) >= fresh->store()->channel(ch)->serverMaxSeq,
                                 60000);
    for (const QString &ch : {one, two, three}) {
        int waiting = 0;
        QTRY_VERIFY_WITH_TIMEOUT(texts(*fresh, ch, &waiting).isEmpty() && waiting == expected[ch].size(),
                                 20000);
    }
    const int inboundBefore = (*fresh)->crypto()->senderKeys().inboundCount();

    // A mistyped word is refused at once.
    QSignalSpy restored(fresh->client.get(), &Client::historyRestored);
    QSignalSpy restoreFailed(fresh->client.get(), &Client::historyRestoreFailed);
    QStringList typo = words.split(QLatin1Char(' '));
    typo[3] = typo[3] == QLatin1String("bell") ? QStringLiteral("belt") : QStringLiteral("bell");
    QVERIFY(!(*fresh)->restoreFromRecoveryKey(typo.join(QLatin1Char(' ')), &error));
    QVERIFY2(error.contains(QLatin1String("mistyped")), qPrintable(error));
    // Another recovery key: the backup's key check refuses it, and nothing changes.
    QVERIFY((*fresh)->restoreFromRecoveryKey(crypto::RecoveryKey::generate().toWords(), &error));
    QTRY_COMPARE_WITH_TIMEOUT(restoreFailed.size(), 1, 20000);
    QVERIFY2(
        restoreFailed.first().at(0).toString().contains(QLatin1String("does not open this account's backup")),
        qPrintable(restoreFailed.first().at(0).toString()));
    QVERIFY(restored.isEmpty());
    QCOMPARE((*fresh)->crypto()->senderKeys().inboundCount(), inboundBefore);
    QVERIFY(!(*fresh)->recoveryBackupEnabled());
    for (const QString &ch : {one, two, three})
        QVERIFY(texts(*fresh, ch).isEmpty());

    // The right words, with other spacing and case: the whole history, equal to the desktop's.
    QString spoken = words.toUpper();
    spoken.replace(QLatin1Char(' '), QStringLiteral(" - "));
    QVERIFY2((*fresh)->restoreFromRecoveryKey(spoken, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(restored.size(), 1, 30000);
    QCOMPARE(restored.first().at(0).toInt(), int(held.size()));
    for (const QString &ch : {one, two, three})
        QTRY_COMPARE_WITH_TIMEOUT(texts(*fresh, ch), expected.value(ch), 60000);
    // The restoring device keeps the backup up to date with the same key from now on.
    QVERIFY((*fresh)->recoveryBackupEnabled());
    // The gone device's key came from the backup: it verified the desktop's messages above (the
    // account's signed list, fetched meanwhile, may already have revoked it), and it gets no key
    // share from this device.
    QVERIFY(!(*fresh)->crypto()->trust().mayShareKeysWith(me, desktopId));

    // Zero knowledge: neither text, nor chain key, nor recovery or backup key at the gateway; the
    // control (the sealed entries' nonces … the backup's bytes) is found, so the grep works.
    for (const auto &t : expected)
        for (const QString &text : t)
            QVERIFY2(whereFound(*m_gw, text.toUtf8()).isEmpty(), qPrintable(text));
    for (const QByteArray &k : chainKeys)
        QVERIFY2(whereFound(*m_gw, k).isEmpty(), "a chain key is in the gateway's database");
    QVERIFY(whereFound(*m_gw, recoveryBytes).isEmpty());
    QVERIFY(whereFound(*m_gw, backupKey).isEmpty());
    QVERIFY(whereFound(*m_gw, words.toUtf8()).isEmpty());
    QVERIFY(!whereFound(*m_gw, me.toUtf8()).isEmpty()); // control: the database is where we look

    // Changing the key (remove, then turn on again): the old words open nothing any more, the new
    // ones do; removing leaves no backup to restore from.
    QSignalSpy freshUpToDate(fresh->client.get(), &Client::recoveryBackupUpToDate);
    QSignalSpy disabled(fresh->client.get(), &Client::recoveryBackupDisabled);
    (*fresh)->disableRecoveryBackup();
    QTRY_COMPARE_WITH_TIMEOUT(disabled.size(), 1, 20000);
    QVERIFY(!(*fresh)->recoveryBackupEnabled());
    QVERIFY(!QFile::exists(fresh->dir->path() + QStringLiteral("/recovery-backup.key")));
    QVERIFY((*fresh)->restoreFromRecoveryKey(words, &error));
    QTRY_COMPARE_WITH_TIMEOUT(restoreFailed.size(), 2, 20000);
    QVERIFY2(restoreFailed.last().at(0).toString().contains(QLatin1String("no recovery key backup")),
             qPrintable(restoreFailed.last().at(0).toString()));
    freshUpToDate.clear();
    const QString newWords = (*fresh)->enableRecoveryBackup(&error);
    QVERIFY2(!newWords.isEmpty() && newWords != words, qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(
        !freshUpToDate.isEmpty() && freshUpToDate.last().at(0).toInt() == int(held.size()), 30000);
    QVERIFY((*fresh)->restoreFromRecoveryKey(words, &error));
    QTRY_COMPARE_WITH_TIMEOUT(restoreFailed.size(), 3, 20000);
    QVERIFY(
        restoreFailed.last().at(0).toString().contains(QLatin1String("does not open this account's backup")));
    QVERIFY((*fresh)->restoreFromRecoveryKey(newWords, &error));
    QTRY_COMPARE_WITH_TIMEOUT(restored.size(), 2, 20000);
    QCOMPARE(restored.last().at(0).toInt(), int(held.size()));
}

QTEST_GUILESS_MAIN(E2eeBackup)
#include "tst_e2ee_backup.moc"
