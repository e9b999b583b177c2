// The identity secret in a passphrase-encrypted file (Argon2id + secretbox, QSaveFile).
#include "crypto/PassphraseIdentityStore.h"
#include "TestEnv.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace hchat::crypto;
using Status = PassphraseIdentityStore::Status;

namespace {
const QString kAccount = QStringLiteral("alice@127.0.0.1:8080");

QByteArray digestOf(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}
} // namespace

class CryptoPassphrase : public QObject {
    Q_OBJECT
private slots:
    void init();
    void roundTrip();
    void wrongPassphraseIsAClearErrorAndChangesNothing();
    void savingOverWithAWrongPassphraseIsRefused();
    void damagedAndForeignFilesAreRefused();
    void noFileIsNotFoundAndNoPassphraseIsAnError();
    void changePassphrase();
    void asyncSignals();
    void removeNeedsThePassphrase();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void CryptoPassphrase::init()
{
    m_dir = std::make_unique<QTemporaryDir>(hchat::test::scratchRoot() + QStringLiteral("/crypto-pass-XXXXXX"));
    QVERIFY(m_dir->isValid());
}

void CryptoPassphrase::roundTrip()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    PassphraseIdentityStore store(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    store.setPassphrase("correct horse battery staple");
    QString error;
    QCOMPARE(store.saveNow(kAccount, *id, &error), Status::Ok);
    QVERIFY(store.exists(kAccount));
    const QFileInfo fi(store.fileFor(kAccount));
    QCOMPARE(fi.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                                 QFileDevice::WriteOther),
             QFileDevice::Permissions());
    // The file does not contain the secret in clear.
    QFile f(fi.filePath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray raw = f.readAll();
    QVERIFY(!raw.contains(id->exportSecret().view().first(32).toByteArray()));
    QVERIFY(raw.startsWith("HCHATID"));

    PassphraseIdentityStore other(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    other.setPassphrase("correct horse battery staple");
    auto r = other.loadNow(kAccount);
    QCOMPARE(r.status, Status::Ok);
    QVERIFY(r.identity);
    QCOMPARE(r.identity->identityKey(), id->identityKey());
    // Saving again with the right passphrase replaces the file (new salt and nonce).
    const QByteArray before = digestOf(fi.filePath());
    QCOMPARE(other.saveNow(kAccount, *id), Status::Ok);
    QVERIFY(digestOf(fi.filePath()) != before);
}

void CryptoPassphrase::wrongPassphraseIsAClearErrorAndChangesNothing()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    PassphraseIdentityStore store(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    store.setPassphrase("right");
    QCOMPARE(store.saveNow(kAccount, *id), Status::Ok);
    const QString path = store.fileFor(kAccount);
    const QByteArray digest = digestOf(path);
    const QDateTime mtime = QFileInfo(path).lastModified();

    store.setPassphrase("wrong");
    auto r = store.loadNow(kAccount);
    QCOMPARE(r.status, Status::WrongPassphrase);
    QVERIFY(!r.identity);
    QVERIFY2(r.error.contains(QLatin1String("Wrong passphrase")), qPrintable(r.error));
    QVERIFY(r.error.contains(QLatin1String("Nothing was changed")));
    QCOMPARE(digestOf(path), digest);
    QCOMPARE(QFileInfo(path).lastModified(), mtime);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files).size(), 1); // no stray temporary files
}

void CryptoPassphrase::savingOverWithAWrongPassphraseIsRefused()
{
    auto id = DeviceIdentity::generate();
    auto other = DeviceIdentity::generate();
    QVERIFY(id && other);
    PassphraseIdentityStore store(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    store.setPassphrase("right");
    QCOMPARE(store.saveNow(kAccount, *id), Status::Ok);
    const QString path = store.fileFor(kAccount);
    const QByteArray digest = digestOf(path);

    store.setPassphrase("typo");
    QString error;
    QCOMPARE(store.saveNow(kAccount, *other, &error), Status::WrongPassphrase);
    QVERIFY(!error.isEmpty());
    QCOMPARE(digestOf(path), digest);
    store.setPassphrase("right");
    auto r = store.loadNow(kAccount);
    QCOMPARE(r.status, Status::Ok);
    QCOMPARE(r.identity->identityKey(), id->identityKey());
}

void CryptoPassphrase::damagedAndForeignFilesAreRefused()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    PassphraseIdentityStore store(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    store.setPassphrase("pw");
    QCOMPARE(store.saveNow(kAccount, *id), Status::Ok);
    const QString path = store.fileFor(kAccount);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray good = f.readAll();
    f.close();

    auto writeRaw = [&](const QByteArray &bytes) {
        QFile w(path);
        QVERIFY(w.open(QIODevice::WriteOnly | QIODevice::Truncate));
        w.write(bytes);
    };
    // Flipped ciphertext byte: indistinguishable from a wrong passphrase, and says so.
    QByteArray flipped = good;
    flipped[flipped.size() - 3] = char(flipped[flipped.size() - 3] ^ 0x40);
    writeRaw(flipped);
    QCOMPARE(store.loadNow(kAccount).status, Status::WrongPassphrase);
    // Not an HChat file, truncated, absurd cost: Damaged, quickly.
    writeRaw("not a key file at all, just some text that is long enough to look like one ...........");
    QCOMPARE(store.loadNow(kAccount).status, Status::Damaged);
    writeRaw(good.left(40));
    QCOMPARE(store.loadNow(kAccount).status, Status::Damaged);
    QByteArray costly = good;
    costly[8] = char(0x7f); // opslimit high bytes
    writeRaw(costly);
    QCOMPARE(store.loadNow(kAccount).status, Status::Damaged);
    writeRaw(QByteArray(100000, 'x'));
    QCOMPARE(store.loadNow(kAccount).status, Status::Damaged);

    // The file of another account, copied over: the passphrase opens it, the account does not match.
    writeRaw(good);
    const QString bobAccount = QStringLiteral("bob@127.0.0.1:8080");
    QVERIFY(QFile::copy(path, store.fileFor(bobAccount)));
    QCOMPARE(store.loadNow(bobAccount).status, Status::WrongAccount);
}

void CryptoPassphrase::noFileIsNotFoundAndNoPassphraseIsAnError()
{
    PassphraseIdentityStore store(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    auto r = store.loadNow(kAccount);
    QCOMPARE(r.status, Status::NotFound);
    QVERIFY(r.error.isEmpty());
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    QCOMPARE(store.saveNow(kAccount, *id), Status::NoPassphrase);
    QVERIFY(!store.exists(kAccount));
}

void CryptoPassphrase::changePassphrase()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    PassphraseIdentityStore store(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    store.setPassphrase("old");
    QCOMPARE(store.saveNow(kAccount, *id), Status::Ok);
    QCOMPARE(store.changePassphraseNow(kAccount, "new"), Status::Ok);
    PassphraseIdentityStore reader(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    reader.setPassphrase("old");
    QCOMPARE(reader.loadNow(kAccount).status, Status::WrongPassphrase);
    reader.setPassphrase("new");
    auto r = reader.loadNow(kAccount);
    QCOMPARE(r.status, Status::Ok);
    QCOMPARE(r.identity->identityKey(), id->identityKey());
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files).size(), 1);
}

void CryptoPassphrase::asyncSignals()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    // The interactive cost: a real Argon2id run off the calling thread.
    PassphraseIdentityStore store(m_dir->path(), PassphraseIdentityStore::Cost::interactive());
    store.setPassphrase("pw");
    QSignalSpy saved(&store, &IdentityStore::identitySaved);
    QSignalSpy loaded(&store, &IdentityStore::identityLoaded);
    QSignalSpy errors(&store, &IdentityStore::identityError);
    store.saveIdentity(kAccount, *id);
    QVERIFY(saved.wait(30000));
    store.loadIdentity(kAccount);
    QVERIFY(loaded.wait(30000));
    QCOMPARE(loaded.last().at(1).toBool(), true);
    auto back = store.takeIdentity(kAccount);
    QVERIFY(back);
    QCOMPARE(back->identityKey(), id->identityKey());
    QVERIFY(!store.takeIdentity(kAccount)); // handed over once

    store.setPassphrase("nope");
    store.loadIdentity(kAccount);
    QVERIFY(errors.wait(30000));
    QVERIFY(errors.last().at(1).toString().contains(QLatin1String("Wrong passphrase")));

    store.loadIdentity(QStringLiteral("nobody@x"));
    QVERIFY(loaded.wait(30000));
    QCOMPARE(loaded.last().at(1).toBool(), false);
}

void CryptoPassphrase::removeNeedsThePassphrase()
{
    auto id = DeviceIdentity::generate();
    QVERIFY(id);
    PassphraseIdentityStore store(m_dir->path(), PassphraseIdentityStore::Cost::minimum());
    store.setPassphrase("pw");
    QCOMPARE(store.saveNow(kAccount, *id), Status::Ok);
    store.setPassphrase("bad");
    QCOMPARE(store.removeNow(kAccount), Status::WrongPassphrase);
    QVERIFY(store.exists(kAccount));
    store.setPassphrase("pw");
    QSignalSpy removed(&store, &IdentityStore::identityRemoved);
    store.removeIdentity(kAccount);
    QVERIFY(removed.wait(10000));
    QVERIFY(!store.exists(kAccount));
}

QTEST_GUILESS_MAIN(CryptoPassphrase)
#include "tst_crypto_passphrase.moc"
