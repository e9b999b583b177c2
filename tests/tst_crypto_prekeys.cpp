// One-time prekeys (PrekeyStore) and key shares sealed to them (KeyShare version 3), between real
// identities and real SQLite files: a share opens only while its prekey's secret is kept, the
// secret is gone from the file once used, the signatures bind prekeys to their device and shares
// to their prekey, and a share without a prekey still opens with the device key.
#include "crypto/DeviceIdentity.h"
#include "crypto/KeyShare.h"
#include "crypto/PrekeyStore.h"
#include "crypto/SenderSession.h"
#include "hchat.pb.h"

#include <QDir>
#include <QDirIterator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <sodium.h>

using namespace hchat::crypto;

namespace {
const QString kChannel = QStringLiteral("secret-plans");

struct Device {
    QString nick;
    QString id;
    DeviceIdentity identity;
    PrekeyStore prekeys;

    Device(const QString &n, const QString &d, const QString &dir) : nick(n), id(d), identity(*DeviceIdentity::generate())
    {
        const bool ok = prekeys.open(dir + QStringLiteral("/%1-prekeys.sqlite").arg(d), identity.deriveStorageKey());
        Q_ASSERT(ok);
        Q_UNUSED(ok);
    }
    IdentityKeyLookup knows(const Device &other) const
    {
        return [&other](const QString &n, const QString &d) {
            return n == other.nick && d == other.id ? other.identity.identityKey() : QByteArray();
        };
    }
    QByteArray shareTo(const SenderSession &s, const Device &to, const PrekeyStore::Prekey *prekey) const
    {
        KeyShare::Recipient r(to.nick, to.id, to.identity.identityKey());
        if (prekey) {
            r.prekeyId = prekey->keyId;
            r.prekey = prekey->publicKey;
        }
        return KeyShare::seal(s, identity, nick, id, r);
    }
    KeyShare::Opened open(const QByteArray &sealed, const Device &from, const PrekeyStore *store = nullptr) const
    {
        const PrekeyStore *source = store ? store : &prekeys;
        return KeyShare::open(sealed, identity, nick, id, knows(from), from.nick, from.id,
                              [source](quint32 keyId) { return source->secret(keyId); });
    }
};

QByteArray fileBytes(const QString &dir)
{
    QByteArray all;
    QDirIterator it(dir, QDir::Files | QDir::Hidden);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}
} // namespace

class CryptoPrekeys : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void aPrekeyIsSignedForItsDeviceOnly();
    void aShareSealedToAPrekeyNoLongerOpensOnceTheSecretIsUsed();
    void theShareSignatureCoversThePrekeyId();
    void withoutAPrekeyTheShareIsSealedToTheDeviceKey();
    void aUsedSecretLeavesNoTraceInTheFile();
    void keyIdsAreNeverReused();
    void claimedPrekeysSurviveARestartUntilUsed();
    void aStoreOpenedWithAnotherDeviceKeyGivesNoSecret();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Device> alice;
    std::unique_ptr<Device> bob;
};

void CryptoPrekeys::init()
{
    QVERIFY(sodium_init() >= 0);
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QDir().mkpath(m_dir->filePath(QStringLiteral("alice")));
    QDir().mkpath(m_dir->filePath(QStringLiteral("bob")));
    alice = std::make_unique<Device>(QStringLiteral("alice"), QStringLiteral("alice-laptop"),
                                     m_dir->filePath(QStringLiteral("alice")));
    bob = std::make_unique<Device>(QStringLiteral("bob"), QStringLiteral("bob-desktop"),
                                   m_dir->filePath(QStringLiteral("bob")));
}

void CryptoPrekeys::cleanup()
{
    alice.reset();
    bob.reset();
    m_dir.reset();
}

void CryptoPrekeys::aPrekeyIsSignedForItsDeviceOnly()
{
    const QList<PrekeyStore::Prekey> keys = bob->prekeys.generate(3, bob->identity, bob->id);
    QCOMPARE(keys.size(), 3);
    const PrekeyStore::Prekey &k = keys.first();
    QVERIFY(PrekeyStore::verify(k, bob->id, bob->identity.identityKey()));
    QVERIFY(!PrekeyStore::verify(k, alice->id, bob->identity.identityKey()));   // re-addressed
    QVERIFY(!PrekeyStore::verify(k, bob->id, alice->identity.identityKey()));  // not bob's key
    PrekeyStore::Prekey other = k;
    other.keyId = keys.last().keyId;                                            // another slot
    QVERIFY(!PrekeyStore::verify(other, bob->id, bob->identity.identityKey()));
    PrekeyStore::Prekey swapped = k;
    swapped.publicKey = keys.last().publicKey;                                  // another key
    QVERIFY(!PrekeyStore::verify(swapped, bob->id, bob->identity.identityKey()));
    PrekeyStore::Prekey shortKey = k;
    shortKey.publicKey.chop(1);
    QVERIFY(!PrekeyStore::verify(shortKey, bob->id, bob->identity.identityKey()));
}

// The property the prekeys exist for: once bob has opened the share, neither his identity secret
// nor anything left in his prekey store opens it again.
void CryptoPrekeys::aShareSealedToAPrekeyNoLongerOpensOnceTheSecretIsUsed()
{
    const PrekeyStore::Prekey prekey = bob->prekeys.generate(1, bob->identity, bob->id).first();
    auto session = SenderSession::create(kChannel);
    QVERIFY(session);
    const QByteArray sealed = alice->shareTo(*session, *bob, &prekey);
    QVERIFY(!sealed.isEmpty());
    QCOMPARE(KeyShare::peekPrekeyId(sealed), prekey.keyId);

    const KeyShare::Opened first = bob->open(sealed, *alice);
    QVERIFY2(first.ok(), qPrintable(KeyShare::describe(first.error)));
    QCOMPARE(first.prekeyId, prekey.keyId);
    QVERIFY(first.session->sameChain(*session));
    QVERIFY(bob->prekeys.consume(prekey.keyId));
    QVERIFY(bob->prekeys.secret(prekey.keyId).isNull());

    // What a thief holding bob's identity secret and his stores gets: nothing.
    QCOMPARE(bob->open(sealed, *alice).error, KeyShare::Error::PrekeyUnknown);
    hchat::v1::SealedKeyShare parsed;
    QVERIFY(parsed.ParseFromArray(sealed.constData(), int(sealed.size())));
    const QByteArray aliceX = DeviceIdentity::exchangeKeyFor(alice->identity.identityKey());
    QByteArray plain(qsizetype(parsed.ciphertext().size() - crypto_box_MACBYTES), '\0');
    QVERIFY(crypto_box_open_easy(reinterpret_cast<unsigned char *>(plain.data()),
                                 reinterpret_cast<const unsigned char *>(parsed.ciphertext().data()),
                                 parsed.ciphertext().size(),
                                 reinterpret_cast<const unsigned char *>(parsed.nonce().data()),
                                 reinterpret_cast<const unsigned char *>(aliceX.constData()),
                                 bob->identity.exchangeSecret().data()) != 0);
    // Claiming it is prekey 0 (the device key) breaks alice's signature.
    parsed.set_prekey_id(0);
    const std::string downgraded = parsed.SerializeAsString();
    QCOMPARE(bob->open(QByteArray::fromStdString(downgraded), *alice).error, KeyShare::Error::BadSignature);
}

void CryptoPrekeys::theShareSignatureCoversThePrekeyId()
{
    const QList<PrekeyStore::Prekey> keys = bob->prekeys.generate(2, bob->identity, bob->id);
    auto session = SenderSession::create(kChannel);
    hchat::v1::SealedKeyShare parsed;
    const QByteArray sealed = alice->shareTo(*session, *bob, &keys.first());
    QVERIFY(parsed.ParseFromArray(sealed.constData(), int(sealed.size())));
    parsed.set_prekey_id(keys.last().keyId);
    QCOMPARE(bob->open(QByteArray::fromStdString(parsed.SerializeAsString()), *alice).error,
             KeyShare::Error::BadSignature);
    // A share naming a prekey bob never had.
    PrekeyStore::Prekey unknown = keys.first();
    unknown.keyId = 999;
    QCOMPARE(bob->open(alice->shareTo(*session, *bob, &unknown), *alice).error, KeyShare::Error::PrekeyUnknown);
    // Sealed to someone else's prekey under bob's name: it does not open.
    const PrekeyStore::Prekey foreign = alice->prekeys.generate(1, alice->identity, alice->id).first();
    PrekeyStore::Prekey misfiled = foreign;
    misfiled.keyId = keys.first().keyId;
    QCOMPARE(bob->open(alice->shareTo(*session, *bob, &misfiled), *alice).error, KeyShare::Error::DecryptionFailed);
}

void CryptoPrekeys::withoutAPrekeyTheShareIsSealedToTheDeviceKey()
{
    auto session = SenderSession::create(kChannel);
    const QByteArray sealed = alice->shareTo(*session, *bob, nullptr);
    QCOMPARE(KeyShare::peekPrekeyId(sealed), 0u);
    const KeyShare::Opened opened = bob->open(sealed, *alice);
    QVERIFY(opened.ok());
    QCOMPARE(opened.prekeyId, 0u);
}

// secure_delete and no WAL: the sealed secret's bytes are overwritten in the file, not left in a
// free page or a log.
void CryptoPrekeys::aUsedSecretLeavesNoTraceInTheFile()
{
    const QString dir = m_dir->filePath(QStringLiteral("bob"));
    const QList<PrekeyStore::Prekey> keys = bob->prekeys.generate(5, bob->identity, bob->id);
    QByteArray sealedSecret;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(dir + QStringLiteral("/bob-desktop-prekeys.sqlite"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT sealed_secret FROM own_prekey WHERE key_id = %1").arg(keys[2].keyId)));
        QVERIFY(q.next());
        sealedSecret = q.value(0).toByteArray();
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    QCOMPARE(sealedSecret.size(), 24 + 32 + 16);
    QVERIFY(fileBytes(dir).contains(sealedSecret));
    QVERIFY(fileBytes(dir).contains(keys[2].publicKey));
    QVERIFY(bob->prekeys.consume(keys[2].keyId));
    const QByteArray after = fileBytes(dir);
    QVERIFY(!after.contains(sealedSecret));
    QVERIFY(!after.contains(keys[2].publicKey));
    QVERIFY(after.contains(keys[3].publicKey)); // the others are still there
    QCOMPARE(bob->prekeys.ownCount(), 4);
}

void CryptoPrekeys::keyIdsAreNeverReused()
{
    const QList<PrekeyStore::Prekey> first = bob->prekeys.generate(3, bob->identity, bob->id);
    QCOMPARE(bob->prekeys.ownCount(), 3);
    for (const auto &k : first)
        QVERIFY(bob->prekeys.consume(k.keyId));
    const QList<PrekeyStore::Prekey> second = bob->prekeys.generate(3, bob->identity, bob->id);
    for (const auto &k : second)
        for (const auto &old : first)
            QVERIFY(k.keyId != old.keyId);
    QVERIFY(bob->prekeys.generate(0, bob->identity, bob->id).isEmpty());
}

void CryptoPrekeys::claimedPrekeysSurviveARestartUntilUsed()
{
    const PrekeyStore::Prekey k = bob->prekeys.generate(1, bob->identity, bob->id).first();
    QVERIFY(alice->prekeys.putClaimed(bob->nick, bob->id, k));
    // The same device id under another account is another slot (device ids are the gateway's).
    QVERIFY(!alice->prekeys.claimed(QStringLiteral("mallory"), bob->id));
    const QString path = m_dir->filePath(QStringLiteral("alice/alice-laptop-prekeys.sqlite"));
    alice->prekeys.close();
    QVERIFY(alice->prekeys.open(path, alice->identity.deriveStorageKey()));
    const auto kept = alice->prekeys.claimed(QStringLiteral("BOB"), bob->id);
    QVERIFY(kept);
    QCOMPARE(kept->keyId, k.keyId);
    QCOMPARE(kept->publicKey, k.publicKey);
    QVERIFY(alice->prekeys.dropClaimed(bob->nick, bob->id));
    QVERIFY(!alice->prekeys.claimed(bob->nick, bob->id));
}

// The secrets are sealed under the device's storage key: the file alone (or with another key)
// gives none.
void CryptoPrekeys::aStoreOpenedWithAnotherDeviceKeyGivesNoSecret()
{
    const PrekeyStore::Prekey k = bob->prekeys.generate(1, bob->identity, bob->id).first();
    QVERIFY(!bob->prekeys.secret(k.keyId).isNull());
    const QString path = m_dir->filePath(QStringLiteral("bob/bob-desktop-prekeys.sqlite"));
    bob->prekeys.close();
    PrekeyStore stolen;
    QVERIFY(stolen.open(path, alice->identity.deriveStorageKey()));
    QVERIFY(stolen.secret(k.keyId).isNull());
    QCOMPARE(stolen.ownCount(), 1);
}

QTEST_GUILESS_MAIN(CryptoPrekeys)
#include "tst_crypto_prekeys.moc"
