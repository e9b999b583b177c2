// Trust on first use per (nick, device): first key trusted, a changed key or an extra device of a
// known user blocked until accepted, verification after comparing safety numbers, persistence.
#include "crypto/DeviceIdentity.h"
#include "crypto/TrustStore.h"
#include "TestEnv.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QtTest>

using namespace hchat::crypto;
using State = TrustStore::State;

namespace {
QByteArray newKey()
{
    return DeviceIdentity::generate()->identityKey();
}
} // namespace

class CryptoTrust : public QObject {
    Q_OBJECT
private slots:
    void init();
    void firstKeyIsTrusted();
    void changedKeyIsFlaggedAndBlockedUntilAccepted();
    void newDeviceOfAKnownUserIsHeld();
    void allDevicesOfANewUserAreTrustedTogether();
    void verifiedAfterComparingSafetyNumbers();
    void verificationCoversOnlyTheKeysCompared();
    void persistsAcrossReopen();
    void damagedFileIsRefusedAndLeftAlone();

private:
    QString path() const { return m_dir->filePath(QStringLiteral("trust.json")); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void CryptoTrust::init()
{
    m_dir = std::make_unique<QTemporaryDir>(hchat::test::scratchRoot() + QStringLiteral("/crypto-trust-XXXXXX"));
    QVERIFY(m_dir->isValid());
}

void CryptoTrust::firstKeyIsTrusted()
{
    TrustStore t;
    QVERIFY(t.open(path()));
    const QByteArray k = newKey();
    QCOMPARE(t.state(QStringLiteral("bob"), QStringLiteral("d1")), State::Unknown);
    QVERIFY(!t.mayShareKeysWith(QStringLiteral("bob"), QStringLiteral("d1")));
    QCOMPARE(t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k), State::Trusted);
    QCOMPARE(t.observe(QStringLiteral("Bob"), QStringLiteral("d1"), k), State::Trusted); // nick case-insensitive
    QVERIFY(t.mayShareKeysWith(QStringLiteral("bob"), QStringLiteral("d1")));
    QCOMPARE(t.trustedKey(QStringLiteral("bob"), QStringLiteral("d1")), k);
    // Garbage keys are not recorded.
    QCOMPARE(t.observe(QStringLiteral("carol"), QStringLiteral("d9"), QByteArray(5, 'x')), State::Unknown);
    QVERIFY(!t.knowsUser(QStringLiteral("carol")));
}

void CryptoTrust::changedKeyIsFlaggedAndBlockedUntilAccepted()
{
    TrustStore t;
    QVERIFY(t.open(path()));
    const QByteArray k1 = newKey();
    const QByteArray k2 = newKey();
    QCOMPARE(t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k1), State::Trusted);
    QCOMPARE(t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k2), State::Changed);
    QVERIFY(!t.mayShareKeysWith(QStringLiteral("bob"), QStringLiteral("d1")));
    QCOMPARE(t.trustedKey(QStringLiteral("bob"), QStringLiteral("d1")), k1); // the new key verifies nothing yet
    QVERIFY(TrustStore::describe(State::Changed).contains(QLatin1String("CHANGED")));
    // Seeing it again keeps it blocked; the user accepts; now it is the trusted key.
    QCOMPARE(t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k2), State::Changed);
    QVERIFY(t.accept(QStringLiteral("bob"), QStringLiteral("d1")));
    QCOMPARE(t.state(QStringLiteral("bob"), QStringLiteral("d1")), State::Trusted);
    QVERIFY(t.mayShareKeysWith(QStringLiteral("bob"), QStringLiteral("d1")));
    QCOMPARE(t.trustedKey(QStringLiteral("bob"), QStringLiteral("d1")), k2);
    QVERIFY(!t.accept(QStringLiteral("bob"), QStringLiteral("d1"))); // nothing pending

    // A key change that reverts before acceptance clears the warning.
    const QByteArray k3 = newKey();
    QCOMPARE(t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k3), State::Changed);
    QCOMPARE(t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k2), State::Trusted);
}

void CryptoTrust::newDeviceOfAKnownUserIsHeld()
{
    TrustStore t;
    QVERIFY(t.open(path()));
    QCOMPARE(t.observe(QStringLiteral("bob"), QStringLiteral("d1"), newKey()), State::Trusted);
    // Bob re-installs (or the gateway slips in a device): held until accepted.
    const QByteArray k = newKey();
    QCOMPARE(t.observe(QStringLiteral("bob"), QStringLiteral("d2"), k), State::NewDevice);
    QVERIFY(!t.mayShareKeysWith(QStringLiteral("bob"), QStringLiteral("d2")));
    QVERIFY(t.trustedKey(QStringLiteral("bob"), QStringLiteral("d2")).isEmpty());
    QVERIFY(t.accept(QStringLiteral("bob"), QStringLiteral("d2")));
    QCOMPARE(t.state(QStringLiteral("bob"), QStringLiteral("d2")), State::Trusted);
    QCOMPARE(t.trustedKey(QStringLiteral("bob"), QStringLiteral("d2")), k);
    QCOMPARE(t.devices(QStringLiteral("BOB")).size(), 2);
}

void CryptoTrust::allDevicesOfANewUserAreTrustedTogether()
{
    TrustStore t;
    QVERIFY(t.open(path()));
    const auto states = t.observeUser(QStringLiteral("carol"), {{QStringLiteral("c1"), newKey()},
                                                               {QStringLiteral("c2"), newKey()}});
    QCOMPARE(states, (QList<State>{State::Trusted, State::Trusted}));
    // A later extra device is held.
    const auto later = t.observeUser(QStringLiteral("carol"), {{QStringLiteral("c3"), newKey()}});
    QCOMPARE(later, QList<State>{State::NewDevice});
}

void CryptoTrust::verifiedAfterComparingSafetyNumbers()
{
    TrustStore t;
    QVERIFY(t.open(path()));
    const QByteArray k1 = newKey();
    t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k1);
    QVERIFY(t.markUserVerified(QStringLiteral("bob"), t.safetyKeys(QStringLiteral("bob"))));
    QCOMPARE(t.state(QStringLiteral("bob"), QStringLiteral("d1")), State::Verified);
    QVERIFY(t.mayShareKeysWith(QStringLiteral("bob"), QStringLiteral("d1")));
    // A changed key loses the verified mark once accepted.
    t.observe(QStringLiteral("bob"), QStringLiteral("d1"), newKey());
    QCOMPARE(t.state(QStringLiteral("bob"), QStringLiteral("d1")), State::Changed);
    QVERIFY(!t.setVerified(QStringLiteral("bob"), QStringLiteral("d1"), true)); // not while pending
    QVERIFY(t.accept(QStringLiteral("bob"), QStringLiteral("d1")));
    QCOMPARE(t.state(QStringLiteral("bob"), QStringLiteral("d1")), State::Trusted);
    QVERIFY(t.setVerified(QStringLiteral("bob"), QStringLiteral("d1"), true));
    QCOMPARE(t.state(QStringLiteral("bob"), QStringLiteral("d1")), State::Verified);
}

// Marking verified covers the keys that made the number the user compared, not a device that
// appeared since; a revoked device stays revoked and leaves the number.
void CryptoTrust::verificationCoversOnlyTheKeysCompared()
{
    TrustStore t;
    QVERIFY(t.open(path()));
    const QByteArray k1 = newKey();
    t.observeUser(QStringLiteral("erin"), {{QStringLiteral("e1"), k1}});
    const QList<QByteArray> compared = t.safetyKeys(QStringLiteral("erin"));
    QCOMPARE(compared, QList<QByteArray>{k1});
    // A second device appears (and is accepted) before the user clicks "verified".
    const QByteArray k2 = newKey();
    QCOMPARE(t.observe(QStringLiteral("erin"), QStringLiteral("e2"), k2), State::NewDevice);
    QVERIFY(t.accept(QStringLiteral("erin"), QStringLiteral("e2")));
    QVERIFY(t.markUserVerified(QStringLiteral("erin"), compared));
    QCOMPARE(t.state(QStringLiteral("erin"), QStringLiteral("e1")), State::Verified);
    QCOMPARE(t.state(QStringLiteral("erin"), QStringLiteral("e2")), State::Trusted);
    QVERIFY(!t.markUserVerified(QStringLiteral("nobody"), compared));

    QVERIFY(t.revoke(QStringLiteral("erin"), QStringLiteral("e2")));
    QCOMPARE(t.state(QStringLiteral("erin"), QStringLiteral("e2")), State::Revoked);
    QVERIFY(!t.mayShareKeysWith(QStringLiteral("erin"), QStringLiteral("e2")));
    QCOMPARE(t.safetyKeys(QStringLiteral("erin")), QList<QByteArray>{k1});
    // The directory shows it again: it stays revoked (also after a reopen).
    QCOMPARE(t.observe(QStringLiteral("erin"), QStringLiteral("e2"), k2), State::Revoked);
    TrustStore again;
    QVERIFY(again.open(path()));
    QCOMPARE(again.state(QStringLiteral("erin"), QStringLiteral("e2")), State::Revoked);
}

void CryptoTrust::persistsAcrossReopen()
{
    const QByteArray k1 = newKey();
    const QByteArray k2 = newKey();
    {
        TrustStore t;
        QVERIFY(t.open(path()));
        t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k1);
        t.observe(QStringLiteral("bob"), QStringLiteral("d1"), k2); // changed, pending
        t.observe(QStringLiteral("dave"), QStringLiteral("e1"), k1);
        QVERIFY(t.markUserVerified(QStringLiteral("dave"), {k1}));
    }
    TrustStore t;
    QVERIFY2(t.open(path()), qPrintable(t.lastError()));
    QCOMPARE(t.state(QStringLiteral("bob"), QStringLiteral("d1")), State::Changed);
    QCOMPARE(t.trustedKey(QStringLiteral("bob"), QStringLiteral("d1")), k1);
    QCOMPARE(t.state(QStringLiteral("dave"), QStringLiteral("e1")), State::Verified);
    QVERIFY(t.forget(QStringLiteral("dave"), QStringLiteral("e1")));
    QCOMPARE(t.state(QStringLiteral("dave"), QStringLiteral("e1")), State::Unknown);
}

void CryptoTrust::damagedFileIsRefusedAndLeftAlone()
{
    {
        QFile f(path());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"version\": 1, \"devices\": [{\"nick\": \"bob\", \"device\": \"d1\", \"key\": \"AAAA\"}]}");
    }
    const QByteArray before = [&] {
        QFile f(path());
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }();
    TrustStore t;
    QVERIFY(!t.open(path()));
    QVERIFY(!t.lastError().isEmpty());
    // Observing afterwards must not overwrite the damaged file.
    t.observe(QStringLiteral("bob"), QStringLiteral("d1"), newKey());
    QFile f(path());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), before);
}

QTEST_GUILESS_MAIN(CryptoTrust)
#include "tst_crypto_trust.moc"
