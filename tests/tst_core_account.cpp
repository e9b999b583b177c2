// The account operations of the client core against the real gateway: change password (a wrong
// current password changes nothing; the other devices are signed out, this one stays online), log
// out everywhere (every device, this one too, asked to sign in), and delete account (other
// members' clients learn it live or by catch-up and show the user as deleted; the nick stays taken).
#include "CoreTestHelpers.h"
#include "GatewaySuite.h"

using namespace hchat;
using namespace hchat::test;

namespace {
const QString kPassword = QStringLiteral("correct horse battery");
const QString kNewPassword = QStringLiteral("another horse battery");
} // namespace

class TestAccount : public GatewaySuite {
    Q_OBJECT
private:
    QString login(const QString &nick, const QString &password = kPassword)
    {
        hchat::v1::LoginResponse r;
        api().registerUser(nick, kPassword);
        if (!api().login(nick, password, &r))
            return {};
        return QString::fromStdString(r.token());
    }
    int channelsStatus(const QString &token) const
    {
        return api().post(QStringLiteral("/v1/channels"), {}, token).status;
    }

private slots:
    // The profile (decrypted history, search index, drafts, file keys) is readable by its user
    // only: the folder 0700 and its files 0600, also when it was made with a looser mode.
    void theProfileIsReadableByItsUserOnly()
    {
        QTemporaryDir root(scratchRoot() + QStringLiteral("/profile-mode-XXXXXX"));
        const QString profile = root.filePath(QStringLiteral("profile"));
        QVERIFY(QDir().mkpath(profile));
        const auto open = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                          QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                          QFileDevice::ExeOther;
        QVERIFY(QFile::setPermissions(profile, open)); // 0755, as the default umask makes it
        QFile draft(profile + QStringLiteral("/notes.txt"));
        QVERIFY(draft.open(QIODevice::WriteOnly));
        draft.close();
        QVERIFY(QFile::setPermissions(draft.fileName(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                            QFileDevice::ReadGroup | QFileDevice::ReadOther));
        TestClient c(profile);
        QVERIFY(c.store()->isOpen());
        const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                            QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
        QCOMPARE(QFileInfo(profile).permissions() & others, QFileDevice::Permissions());
        for (const QFileInfo &f : QDir(profile).entryInfoList(QDir::Files | QDir::Hidden))
            QVERIFY2((f.permissions() & others) == QFileDevice::Permissions(), qPrintable(f.fileName()));
        QVERIFY(QFileInfo(profile + QStringLiteral("/history.sqlite")).exists());
    }

    void changePasswordSignsOutTheOtherDevicesOnly()
    {
        TestClient d1, d2;
        d1.connectTo({m_gw->wsUrl()}, login(QStringLiteral("gina")));
        d2.connectTo({m_gw->wsUrl()}, login(QStringLiteral("gina")));
        QVERIFY(d1.waitOnline() && d2.waitOnline());
        QSignalSpy d2SignIn(d2.client.get(), &Client::signInRequired);

        // A wrong current password: a readable error, and nothing changes.
        QString error;
        QVERIFY(!d1.run(d1->changePassword(QStringLiteral("wrong password"), kNewPassword), &error));
        QVERIFY2(error.contains(QLatin1String("wrong")), qPrintable(error));
        QVERIFY(!d1.run(d1->changePassword(kPassword, QStringLiteral("short")), &error));
        QVERIFY(!error.isEmpty());
        QTest::qWait(300);
        QVERIFY(d2SignIn.isEmpty());
        QCOMPARE(d2->connectionState(), ConnectionState::Online);
        hchat::v1::LoginResponse r;
        QVERIFY(!api().login(QStringLiteral("gina"), kNewPassword, &r));

        // The right one: d2 is asked to sign in again, d1 stays online with its token.
        QVERIFY2(d1.run(d1->changePassword(kPassword, kNewPassword), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!d2SignIn.isEmpty(), 10000);
        QCOMPARE(channelsStatus(d2.token), 401);
        QCOMPARE(channelsStatus(d1.token), 200);
        QTest::qWait(300);
        QCOMPARE(d1->connectionState(), ConnectionState::Online);
        QVERIFY(d1.run(d1->joinChannel(QStringLiteral("after-change"))));
        QVERIFY(api().login(QStringLiteral("gina"), kNewPassword, &r));
        QVERIFY(!api().login(QStringLiteral("gina"), kPassword, &r));
    }

    void logOutEverywhereSignsOutEveryDevice()
    {
        TestClient d1, d2;
        d1.connectTo({m_gw->wsUrl()}, login(QStringLiteral("hank")));
        d2.connectTo({m_gw->wsUrl()}, login(QStringLiteral("hank")));
        QVERIFY(d1.waitOnline() && d2.waitOnline());
        QSignalSpy d1SignIn(d1.client.get(), &Client::signInRequired);
        QSignalSpy d1Out(d1.client.get(), &Client::signedOut);
        QSignalSpy d2SignIn(d2.client.get(), &Client::signInRequired);
        QString error;
        QVERIFY2(d1.run(d1->logOutEverywhere(), &error), qPrintable(error));
        QCOMPARE(d1Out.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(d1SignIn.size(), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!d2SignIn.isEmpty(), 10000);
        QCOMPARE(channelsStatus(d1.token), 401);
        QCOMPARE(channelsStatus(d2.token), 401);
        QVERIFY(d1->connectionState() != ConnectionState::Online);
        QVERIFY(d2->connectionState() != ConnectionState::Online);
        // Exactly one sign-in request on d1 (its own push close is not taken for a second one).
        QTest::qWait(500);
        QCOMPARE(d1SignIn.size(), 1);
    }

    void deletedUserIsShownToMembersLiveAndAfterCatchUp()
    {
        const QString ch = QStringLiteral("farewell");
        TestClient ivan, alice, carol;
        ivan.connectTo({m_gw->wsUrl()}, login(QStringLiteral("ivan")));
        alice.connectTo({m_gw->wsUrl()}, login(QStringLiteral("alice")));
        carol.connectTo({m_gw->wsUrl()}, login(QStringLiteral("carol")));
        QVERIFY(ivan.waitOnline() && alice.waitOnline() && carol.waitOnline());
        for (TestClient *c : {&ivan, &alice, &carol})
            QVERIFY(c->run((*c)->joinChannel(ch)));
        const qint64 id = ivan->sendMessage(ch, QStringLiteral("goodbye, all"));
        QTRY_COMPARE_WITH_TIMEOUT(ivan.store()->outboxEntry(id)->state, OutboxEntry::State::Sent, 10000);
        const quint64 seq = ivan.store()->outboxEntry(id)->seq;
        QTRY_VERIFY_WITH_TIMEOUT(carol.store()->maxSeq(ch) >= seq, 10000);
        QVERIFY(!carol->isDeletedUser(QStringLiteral("ivan")));
        // Carol goes offline before the deletion.
        carol->disconnectFromGateway();
        QTRY_VERIFY_WITH_TIMEOUT(carol->connectionState() != ConnectionState::Online, 5000);

        // A wrong password deletes nothing.
        QString error;
        QVERIFY(!ivan.run(ivan->deleteAccount(QStringLiteral("not my password")), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(ivan.waitOnline());
        QCOMPARE(channelsStatus(ivan.token), 200);

        QSignalSpy ivanSignIn(ivan.client.get(), &Client::signInRequired);
        QSignalSpy aliceDeleted(alice.client.get(), &Client::usersDeleted);
        QVERIFY2(ivan.run(ivan->deleteAccount(kPassword), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(ivanSignIn.size(), 1, 5000);
        QVERIFY(ivan->nick().isEmpty()); // the profile forgets the deleted nick
        QCOMPARE(channelsStatus(ivan.token), 401);

        // Alice (online) learns it by push: the old message's sender is a deleted user.
        QTRY_VERIFY_WITH_TIMEOUT(!aliceDeleted.isEmpty(), 10000);
        QCOMPARE(aliceDeleted.first().at(0).toStringList(), QStringList{QStringLiteral("ivan")});
        QVERIFY(alice->isDeletedUser(QStringLiteral("Ivan")));
        QVERIFY(!alice->isDeletedUser(QStringLiteral("carol")));
        const auto notice = alice.store()->message(ch, seq + 1);
        QVERIFY(notice);
        QCOMPARE(notice->kind, MessageKind::UserDeleted);
        QCOMPARE(notice->seq, seq + 1);

        // Carol (offline) learns it by catch-up, gap-free, and keeps it in her profile.
        QSignalSpy carolDeleted(carol.client.get(), &Client::usersDeleted);
        carol->startSession(carol.token);
        QVERIFY(carol.waitOnline());
        QTRY_VERIFY_WITH_TIMEOUT(carol->isDeletedUser(QStringLiteral("ivan")), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(carolDeleted.size(), 1, 5000);
        // Ivan owned the channel (he opened it): the next member in line, alice, owns it now.
        QTRY_COMPARE_WITH_TIMEOUT(carol.store()->maxSeq(ch), seq + 2, 5000);
        QCOMPARE(carol.store()->count(ch), seq + 2);
        QCOMPARE(carol.store()->message(ch, seq + 1)->kind, MessageKind::UserDeleted);
        QCOMPARE(carol.store()->message(ch, seq + 2)->kind, MessageKind::Role);
        QCOMPARE(carol.store()->message(ch, seq + 2)->subject, QStringLiteral("alice"));
        QCOMPARE(carol.store()->message(ch, seq)->text(), QStringLiteral("goodbye, all"));
        const QString profile = QFileInfo(carol.path()).absolutePath();
        carol.client.reset();
        TestClient reopened(profile);
        QVERIFY(reopened->isDeletedUser(QStringLiteral("ivan")));

        // The nick can never be registered again.
        QString registerError;
        QVERIFY(
            !api().registerUser(QStringLiteral("ivan"), QStringLiteral("impostor password"), &registerError));
        QVERIFY2(registerError.contains(QLatin1String("taken")), qPrintable(registerError));
    }
};

QTEST_GUILESS_MAIN(TestAccount)
#include "tst_core_account.moc"
