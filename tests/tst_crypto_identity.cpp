// Device identity (Ed25519 + derived X25519), secure memory, key directory records, safety numbers.
#include "crypto/DeviceIdentity.h"
#include "crypto/SafetyNumber.h"
#include "crypto/SecureBuffer.h"
#include "hchat.pb.h"

#include <QRegularExpression>
#include <QtTest>

#include <sodium.h>

using namespace hchat::crypto;

class CryptoIdentity : public QObject {
    Q_OBJECT
private slots:
    void secureBufferOwnsAndMoves();
    void generatedIdentitySignsAndVerifies();
    void exchangeKeyIsDerivedFromIdentity();
    void secretRoundTripsAndDamageIsRefused();
    void deviceKeysRecordVerifies();
    void storageKeyIsStablePerIdentity();
    void safetyNumberIsTheSameOnBothSides();
    void safetyNumberChangesWithAnyKey();
    void safetyNumberMatchesTypedDigits();
};

void CryptoIdentity::secureBufferOwnsAndMoves()
{
    SecureBuffer a = SecureBuffer::random(32);
    QVERIFY(!a.isNull());
    QCOMPARE(a.size(), std::size_t(32));
    SecureBuffer c = a.clone();
    QVERIFY(c.equals(a));
    SecureBuffer b(std::move(a));
    QVERIFY(a.isNull()); // NOLINT: moved-from is null by contract
    QCOMPARE(a.size(), std::size_t(0));
    QVERIFY(b.equals(c));
    c.data()[0] ^= 1;
    QVERIFY(!b.equals(c));
    QVERIFY(SecureBuffer(0).isNull());
    QByteArray copy = b.toByteArray();
    QCOMPARE(copy.size(), 32);
    SecureBuffer::wipe(copy);
    QVERIFY(copy.isEmpty());
}

void CryptoIdentity::generatedIdentitySignsAndVerifies()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    QCOMPARE(id->identityKey().size(), 32);
    const QByteArray msg("hello");
    const QByteArray sig = id->sign(msg);
    QCOMPARE(sig.size(), 64);
    QVERIFY(DeviceIdentity::verify(id->identityKey(), msg, sig));
    QVERIFY(!DeviceIdentity::verify(id->identityKey(), QByteArray("hellO"), sig));
    auto other = DeviceIdentity::generate();
    QVERIFY(other);
    QVERIFY(!DeviceIdentity::verify(other->identityKey(), msg, sig));
    // Garbage sizes never verify and never crash.
    QVERIFY(!DeviceIdentity::verify(QByteArray(31, 'x'), msg, sig));
    QVERIFY(!DeviceIdentity::verify(id->identityKey(), msg, sig.left(63)));
    QVERIFY(id->identityKey() != other->identityKey());
}

void CryptoIdentity::exchangeKeyIsDerivedFromIdentity()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    QCOMPARE(id->exchangeKey().size(), 32);
    QCOMPARE(DeviceIdentity::exchangeKeyFor(id->identityKey()), id->exchangeKey());
    // The X25519 secret matches the public key.
    unsigned char pk[32];
    crypto_scalarmult_base(pk, id->exchangeSecret().data());
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(pk), 32), id->exchangeKey());
    QVERIFY(DeviceIdentity::exchangeKeyFor(QByteArray(5, 'x')).isEmpty());
}

void CryptoIdentity::secretRoundTripsAndDamageIsRefused()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    SecureBuffer secret = id->exportSecret();
    QCOMPARE(secret.size(), std::size_t(64));
    auto back = DeviceIdentity::fromSecret(secret.view());
    QVERIFY(back);
    QCOMPARE(back->identityKey(), id->identityKey());
    QCOMPARE(back->exchangeKey(), id->exchangeKey());
    QVERIFY(DeviceIdentity::verify(id->identityKey(), "x", back->sign("x")));

    SecureBuffer damaged = secret.clone();
    damaged.data()[40] ^= 0x01; // public half no longer matches the seed
    QVERIFY(!DeviceIdentity::fromSecret(damaged.view()));
    QVERIFY(!DeviceIdentity::fromSecret(secret.view().first(63)));
    QVERIFY(!DeviceIdentity::fromSecret(QByteArray()));
}

void CryptoIdentity::deviceKeysRecordVerifies()
{
    auto id = DeviceIdentity::generate();
    auto mallory = DeviceIdentity::generate();
    QVERIFY(id && mallory);
    hchat::v1::DeviceKeys keys;
    id->fillDeviceKeys(&keys, QStringLiteral("alice"), QStringLiteral("0123456789abcdef0123456789abcdef"));
    QCOMPARE(keys.nick(), std::string("alice"));
    QString why;
    QVERIFY2(DeviceIdentity::verifyDeviceKeys(keys, &why), qPrintable(why));

    // Mallory pairs Alice's identity with her own exchange key (and cannot sign it as Alice).
    hchat::v1::DeviceKeys forged = keys;
    forged.set_exchange_key(mallory->exchangeKey().toStdString());
    QVERIFY(!DeviceIdentity::verifyDeviceKeys(forged, &why));
    hchat::v1::DeviceKeys wrongSize = keys;
    wrongSize.set_signature("short");
    QVERIFY(!DeviceIdentity::verifyDeviceKeys(wrongSize, &why));
    QVERIFY(!why.isEmpty());
    // A valid signature over an exchange key that is not derived from the identity key.
    hchat::v1::DeviceKeys notDerived = keys;
    notDerived.set_exchange_key(mallory->exchangeKey().toStdString());
    notDerived.set_signature(id->sign(mallory->exchangeKey()).toStdString());
    QVERIFY(!DeviceIdentity::verifyDeviceKeys(notDerived, &why));
}

void CryptoIdentity::storageKeyIsStablePerIdentity()
{
    auto id = DeviceIdentity::generate();
    auto other = DeviceIdentity::generate();
    QVERIFY(id && other);
    auto again = DeviceIdentity::fromSecret(id->exportSecret().view());
    QVERIFY(again);
    QVERIFY(id->deriveStorageKey().equals(again->deriveStorageKey()));
    QVERIFY(!id->deriveStorageKey().equals(other->deriveStorageKey()));
    QCOMPARE(id->deriveStorageKey().size(), std::size_t(32));
}

void CryptoIdentity::safetyNumberIsTheSameOnBothSides()
{
    auto a = DeviceIdentity::generate();
    auto b = DeviceIdentity::generate();
    QVERIFY(a && b);
    const QString onAlice = SafetyNumber::compute(QStringLiteral("alice"), a->identityKey(), QStringLiteral("bob"),
                                                  b->identityKey());
    const QString onBob = SafetyNumber::compute(QStringLiteral("bob"), b->identityKey(), QStringLiteral("alice"),
                                                a->identityKey());
    QCOMPARE(onAlice, onBob);
    QVERIFY2(QRegularExpression(QStringLiteral("^(\\d{5} ){11}\\d{5}$")).match(onAlice).hasMatch(), qPrintable(onAlice));
    // Nicks are case-insensitive; device order does not matter.
    auto b2 = DeviceIdentity::generate();
    QVERIFY(b2);
    QCOMPARE(SafetyNumber::compute(QStringLiteral("Alice"), {a->identityKey()}, QStringLiteral("BOB"),
                                   {b->identityKey(), b2->identityKey()}),
             SafetyNumber::compute(QStringLiteral("bob"), {b2->identityKey(), b->identityKey()},
                                   QStringLiteral("alice"), {a->identityKey()}));
}

void CryptoIdentity::safetyNumberChangesWithAnyKey()
{
    auto a = DeviceIdentity::generate();
    auto b = DeviceIdentity::generate();
    auto m = DeviceIdentity::generate();
    QVERIFY(a && b && m);
    const QString real = SafetyNumber::compute(QStringLiteral("alice"), a->identityKey(), QStringLiteral("bob"),
                                               b->identityKey());
    QVERIFY(real != SafetyNumber::compute(QStringLiteral("alice"), a->identityKey(), QStringLiteral("bob"),
                                          m->identityKey()));
    QVERIFY(real != SafetyNumber::compute(QStringLiteral("alice"), m->identityKey(), QStringLiteral("bob"),
                                          b->identityKey()));
    QVERIFY(real != SafetyNumber::compute(QStringLiteral("alice"), a->identityKey(), QStringLiteral("carol"),
                                          b->identityKey()));
}

void CryptoIdentity::safetyNumberMatchesTypedDigits()
{
    auto a = DeviceIdentity::generate();
    auto b = DeviceIdentity::generate();
    QVERIFY(a && b);
    const QString n = SafetyNumber::compute(QStringLiteral("a"), a->identityKey(), QStringLiteral("b"), b->identityKey());
    QString typed = n;
    typed.remove(QLatin1Char(' '));
    QVERIFY(SafetyNumber::matches(n, typed));
    QVERIFY(SafetyNumber::matches(n, n));
    QString wrong = typed;
    wrong[10] = wrong[10] == QLatin1Char('1') ? QLatin1Char('2') : QLatin1Char('1');
    QVERIFY(!SafetyNumber::matches(n, wrong));
    QVERIFY(!SafetyNumber::matches(n, typed.left(59)));
    QVERIFY(!SafetyNumber::matches(n, typed + QLatin1Char('x')));
}

QTEST_GUILESS_MAIN(CryptoIdentity)
#include "tst_crypto_identity.moc"
