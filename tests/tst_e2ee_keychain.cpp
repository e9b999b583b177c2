// The device identity of a signed-in Client in the real OS keychain (QtKeychain → Secret Service,
// gnome-keyring-daemon on a private session bus): the first sign-in makes and saves it, a restart
// of the client on the same profile loads the same identity. CTest runs this under
// dbus-run-session; CTest runs it through tests/support/with-keyring.sh (KEYRING).
#include "CoreTestHelpers.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/KeychainIdentityStore.h"

using namespace hchat;
using namespace hchat::test;

class E2eeKeychain : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS") ||
            qEnvironmentVariableIsEmpty("HCHAT_KEYRING_WRAPPED"))
            QFAIL("needs a session bus and an unlocked keyring: dbus-run-session -- with-keyring.sh (CTest "
                  "does)");
    }

    void identityIsMadeOnceAndKeptInTheKeychain()
    {
        GatewayProcess gw;
        QVERIFY(gw.start());
        HttpTestApi api(gw.httpUrl());
        const QString token = api.account(QStringLiteral("keyed"));
        QTemporaryDir profile(scratchRoot() + QStringLiteral("/keyed-XXXXXX"));
        QByteArray firstKey;
        {
            TestClient c(profile.path());
            c->setIdentityStore(
                std::make_unique<crypto::KeychainIdentityStore>(QStringLiteral("HChat-test")));
            QSignalSpy saved(c->identityStore(), &crypto::IdentityStore::identitySaved);
            c.connectTo({gw.wsUrl()}, token);
            QVERIFY(c.waitOnline(20000));
            QTRY_VERIFY_WITH_TIMEOUT(c->isEncryptionReady(), 20000);
            firstKey = c->crypto()->identity()->identityKey();
            QTRY_VERIFY_WITH_TIMEOUT(!saved.isEmpty(), 20000);
        }
        TestClient again(profile.path());
        again->setIdentityStore(
            std::make_unique<crypto::KeychainIdentityStore>(QStringLiteral("HChat-test")));
        again.connectTo({gw.wsUrl()}, token);
        QVERIFY(again.waitOnline(20000));
        QTRY_VERIFY_WITH_TIMEOUT(again->isEncryptionReady(), 20000);
        QCOMPARE(again->crypto()->identity()->identityKey(), firstKey);
    }
};

QTEST_GUILESS_MAIN(E2eeKeychain)
#include "tst_e2ee_keychain.moc"
