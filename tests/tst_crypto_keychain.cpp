// KeychainIdentityStore against a real Secret Service: gnome-keyring-daemon on a private session
// bus. CTest runs this under dbus-run-session; main() then re-runs itself through
// tests/support/with-keyring.sh, which unlocks a throw-away keyring in a temporary HOME.
#include "crypto/KeychainIdentityStore.h"

#include <QSignalSpy>
#include <QtTest>

using namespace hchat::crypto;

class CryptoKeychain : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void storesAndReadsBackAnIdentity();
    void missingEntryIsNotFound();

private:
    const QString m_service = QStringLiteral("HChat-test");
};

void CryptoKeychain::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS") ||
        qEnvironmentVariableIsEmpty("HCHAT_KEYRING_WRAPPED"))
        QFAIL(
            "needs a session bus and an unlocked keyring: dbus-run-session -- with-keyring.sh (CTest does)");
}

void CryptoKeychain::storesAndReadsBackAnIdentity()
{
    const QString account = QStringLiteral("alice@127.0.0.1:%1").arg(QCoreApplication::applicationPid());
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    KeychainIdentityStore store(m_service);
    QSignalSpy saved(&store, &IdentityStore::identitySaved);
    QSignalSpy loaded(&store, &IdentityStore::identityLoaded);
    QSignalSpy removed(&store, &IdentityStore::identityRemoved);
    QSignalSpy errors(&store, &IdentityStore::identityError);

    store.saveIdentity(account, *id);
    QVERIFY2(saved.wait(20000), errors.isEmpty() ? "timeout" : qPrintable(errors.last().at(1).toString()));

    // A second store object (as after a restart) reads it back.
    KeychainIdentityStore reader(m_service);
    QSignalSpy readerLoaded(&reader, &IdentityStore::identityLoaded);
    QSignalSpy readerErrors(&reader, &IdentityStore::identityError);
    reader.loadIdentity(account);
    QVERIFY2(readerLoaded.wait(20000),
             readerErrors.isEmpty() ? "timeout" : qPrintable(readerErrors.last().at(1).toString()));
    QCOMPARE(readerLoaded.last().at(1).toBool(), true);
    auto back = reader.takeIdentity(account);
    QVERIFY(back);
    QCOMPARE(back->identityKey(), id->identityKey());
    QCOMPARE(back->exchangeKey(), id->exchangeKey());
    QVERIFY(
        DeviceIdentity::verify(id->identityKey(), "signed after reload", back->sign("signed after reload")));

    store.removeIdentity(account);
    QVERIFY(removed.wait(20000));
    store.loadIdentity(account);
    QVERIFY(loaded.wait(20000));
    QCOMPARE(loaded.last().at(1).toBool(), false);
}

void CryptoKeychain::missingEntryIsNotFound()
{
    KeychainIdentityStore store(m_service);
    QSignalSpy loaded(&store, &IdentityStore::identityLoaded);
    store.loadIdentity(QStringLiteral("nobody@nowhere"));
    QVERIFY(loaded.wait(20000));
    QCOMPARE(loaded.last().at(1).toBool(), false);
    QVERIFY(!store.takeIdentity(QStringLiteral("nobody@nowhere")));
}

QTEST_GUILESS_MAIN(CryptoKeychain)
#include "tst_crypto_keychain.moc"
