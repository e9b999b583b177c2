// The session token in a real OS keychain: gnome-keyring's Secret Service on a private session bus
// (CTest runs this under dbus-run-session and tests/support/with-keyring.sh, which unlocks a
// keyring in a temporary HOME). Also: a Client that logs in keeps the token only there — not in its
// profile — and resumes with it; and the key of the history at rest.
#include "CoreTestHelpers.h"
#include "HistoryKeyring.h"
#include "KeychainTokenVault.h"
#include "crypto/EncryptedPageVfs.h"

#include <memory>

#include <QDirIterator>
#include <QFile>

using namespace hchat;
using namespace hchat::test;

class TestKeychain : public QObject {
    Q_OBJECT
private:
    static QString readToken(TokenVault &vault, const QString &account, QString *error = nullptr)
    {
        QSignalSpy read(&vault, &TokenVault::tokenRead);
        QSignalSpy failed(&vault, &TokenVault::vaultError);
        vault.readToken(account);
        QDeadlineTimer d(10000);
        while (read.isEmpty() && failed.isEmpty() && !d.hasExpired())
            QTest::qWait(10);
        if (!failed.isEmpty() && error)
            *error = failed.first().at(1).toString();
        return read.isEmpty() ? QStringLiteral("<no answer>") : read.first().at(1).toString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS") &&
                     !qEnvironmentVariableIsEmpty("HCHAT_KEYRING_WRAPPED"),
                 "run with a session bus and an unlocked keyring: dbus-run-session -- "
                 "tests/support/with-keyring.sh (CTest does)");
    }

    void writeReadRemove()
    {
        KeychainTokenVault vault(QStringLiteral("HChat-test"));
        QString error;
        QCOMPARE(readToken(vault, QStringLiteral("nobody@127.0.0.1:1"), &error), QString()); // nothing stored
        QVERIFY2(error.isEmpty(), qPrintable(error));

        QSignalSpy written(&vault, &TokenVault::tokenWritten);
        QSignalSpy failed(&vault, &TokenVault::vaultError);
        vault.writeToken(QStringLiteral("bob@127.0.0.1:1"), QStringLiteral("tok-123-secret"));
        QTRY_VERIFY_WITH_TIMEOUT(!written.isEmpty() || !failed.isEmpty(), 10000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        QCOMPARE(written.first().at(0).toString(), QStringLiteral("bob@127.0.0.1:1"));

        // A fresh vault object (as after a restart) reads it back.
        KeychainTokenVault other(QStringLiteral("HChat-test"));
        QCOMPARE(readToken(other, QStringLiteral("bob@127.0.0.1:1")), QStringLiteral("tok-123-secret"));
        QCOMPARE(readToken(other, QStringLiteral("alice@127.0.0.1:1")), QString());

        // The secret is in the keyring file, not in plain text anywhere under HOME.
        QDirIterator it(QDir::homePath(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        bool keyringFile = false;
        while (it.hasNext()) {
            QFile f(it.next());
            if (it.fileName().endsWith(QLatin1String(".keyring")))
                keyringFile = true;
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains("tok-123-secret"), qPrintable(it.filePath()));
        }
        QVERIFY(keyringFile);

        QSignalSpy removed(&other, &TokenVault::tokenRemoved);
        other.removeToken(QStringLiteral("bob@127.0.0.1:1"));
        QTRY_COMPARE_WITH_TIMEOUT(removed.count(), 1, 10000);
        QCOMPARE(readToken(vault, QStringLiteral("bob@127.0.0.1:1")), QString());
    }

    void aVaultDeletedWithCallsPendingDoesNotCrash()
    {
        // Sign out, then quit at once: the vault goes away while libsecret still works on its calls.
        for (int i = 0; i < 5; ++i) {
            auto vault = std::make_unique<KeychainTokenVault>(QStringLiteral("HChat-test"));
            vault->writeToken(QStringLiteral("gone%1@127.0.0.1:1").arg(i), QStringLiteral("tok"));
            vault->readToken(QStringLiteral("gone%1@127.0.0.1:1").arg(i));
            vault->removeToken(QStringLiteral("gone%1@127.0.0.1:1").arg(i));
        }
        QTest::qWait(1500); // the jobs finish with nobody to tell
        KeychainTokenVault vault(QStringLiteral("HChat-test"));
        QCOMPARE(readToken(vault, QStringLiteral("nobody@127.0.0.1:1")), QString());
    }

    void clientKeepsTokenInKeychain()
    {
        GatewayProcess gw;
        QVERIFY(gw.start());
        QVERIFY(HttpTestApi(gw.httpUrl())
                    .registerUser(QStringLiteral("kate"), QStringLiteral("correct horse battery")));
        QTemporaryDir profile(scratchRoot() + QStringLiteral("/kc-profile-XXXXXX"));
        QString token;
        {
            Client c; // the default vault: the OS keychain
            QVERIFY(c.openProfile(profile.path()));
            c.setGatewayUrls({gw.wsUrl()});
            QSignalSpy finished(&c, &Client::requestFinished);
            c.logIn(QStringLiteral("kate"), QStringLiteral("correct horse battery"),
                    QStringLiteral("test box"));
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 15000);
            QVERIFY2(finished.first().at(1).toBool(), qPrintable(finished.first().at(2).toString()));
            QTRY_COMPARE_WITH_TIMEOUT(c.connectionState(), ConnectionState::Online, 15000);
            KeychainTokenVault vault;
            token = readToken(vault, c.accountKey());
            QVERIFY(token.size() > 10);
        }
        // Not in the profile (database and WAL) in plain text.
        QDirIterator it(profile.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(token.toUtf8()), qPrintable(it.filePath()));
        }
        // A new Client on the same profile signs in by itself with the stored token.
        Client again;
        QVERIFY(again.openProfile(profile.path()));
        QSignalSpy needLogin(&again, &Client::signInRequired);
        again.resumeSession();
        QTRY_COMPARE_WITH_TIMEOUT(again.connectionState(), ConnectionState::Online, 15000);
        QCOMPARE(needLogin.count(), 0);
        QCOMPARE(again.nick(), QStringLiteral("kate"));
        // Logging out revokes and removes it.
        QSignalSpy out(&again, &Client::signedOut);
        again.logOut();
        QTRY_COMPARE_WITH_TIMEOUT(out.count(), 1, 10000);
        KeychainTokenVault vault;
        QTRY_COMPARE_WITH_TIMEOUT(readToken(vault, again.accountKey()), QString(), 10000);
        Client third;
        QVERIFY(third.openProfile(profile.path()));
        QSignalSpy need(&third, &Client::signInRequired);
        third.resumeSession();
        QTRY_COMPARE_WITH_TIMEOUT(need.count(), 1, 10000);
    }

    // The history's key: made once per profile, kept in the keychain, and the history opened with
    // it is encrypted on disk and reads back after a restart.
    void theHistoryKeyIsMadeOnceAndKeptInTheKeychain()
    {
        QTemporaryDir profile(scratchRoot() + QStringLiteral("/keyring-profile-XXXXXX"));
        QTemporaryDir other(scratchRoot() + QStringLiteral("/keyring-profile-XXXXXX"));
        auto fetch = [](const QString &dir, QString *problem) {
            HistoryKeyring ring(QStringLiteral("HChat-test"));
            QSignalSpy ready(&ring, &HistoryKeyring::keyReady);
            QSignalSpy missing(&ring, &HistoryKeyring::keyUnavailable);
            ring.fetch(dir);
            QDeadlineTimer d(10000);
            while (ready.isEmpty() && missing.isEmpty() && !d.hasExpired())
                QTest::qWait(10);
            if (!missing.isEmpty())
                *problem = missing.first().at(1).toString();
            return ring.takeKey();
        };
        QString problem;
        crypto::SecureBuffer first = fetch(profile.path(), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(first.size(), std::size_t(32));
        crypto::SecureBuffer again = fetch(profile.path(), &problem);
        QVERIFY(again.equals(first));
        QVERIFY(!fetch(other.path(), &problem).equals(first));

        const QByteArray marker = "zebracrossing";
        {
            Client c(std::make_unique<MemoryTokenVault>());
            QVERIFY2(c.openProfile(profile.path(), first.clone()), qPrintable(c.lastError()));
            QVERIFY(c.store()->isEncrypted());
            QVERIFY(c.setDraft(QStringLiteral("general"), QString::fromLatin1(marker)));
        }
        const QString history = profile.filePath(QStringLiteral("history.sqlite"));
        QCOMPARE(crypto::EncryptedPageVfs::inspect(history), crypto::EncryptedPageVfs::FileKind::Encrypted);
        QFile file(history);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(marker));
        Client restarted(std::make_unique<MemoryTokenVault>());
        QVERIFY2(restarted.openProfile(profile.path(), fetch(profile.path(), &problem)),
                 qPrintable(restarted.lastError()));
        QCOMPARE(restarted.store()->draft(QStringLiteral("general")), QString::fromLatin1(marker));
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_core_keychain.moc"
