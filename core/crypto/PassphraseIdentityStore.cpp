#include "crypto/PassphraseIdentityStore.h"

#include "crypto/CryptoLogging.h"
#include "crypto/Sodium.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QtEndian>

#include <sodium.h>

#include <cstdio>
#include <memory>

namespace hchat::crypto {

namespace {

using Status = PassphraseIdentityStore::Status;
using Cost = PassphraseIdentityStore::Cost;

const QByteArray kMagic("HCHATID\x01", 8);
constexpr int kHeaderBytes = 8 + 8 + 8 + crypto_pwhash_SALTBYTES + crypto_secretbox_NONCEBYTES;
constexpr qint64 kMaxFileBytes = 4096;
constexpr int kMaxAccountBytes = 1024;
// Bounds on a cost read from a file: a planted file must not make us hash for hours or OOM.
constexpr quint64 kMaxOpsLimit = 64;
constexpr quint64 kMaxMemLimit = quint64(4) << 30;

Status fail(QString *error, Status status, const QString &detail = {})
{
    if (error)
        *error = detail.isEmpty() ? PassphraseIdentityStore::describe(status) : detail;
    return status;
}

bool deriveKey(unsigned char key[crypto_secretbox_KEYBYTES], const SecureBuffer &passphrase,
               const unsigned char *salt, Cost cost)
{
    return crypto_pwhash(key, crypto_secretbox_KEYBYTES, reinterpret_cast<const char *>(passphrase.data()),
                         passphrase.size(), salt, cost.opsLimit, std::size_t(cost.memLimit),
                         crypto_pwhash_ALG_ARGON2ID13) == 0;
}

// Reads and decrypts the file; *secret receives the 64-byte identity secret.
Status readFile(const QString &path, const QString &account, const SecureBuffer *passphrase,
                SecureBuffer *secret, QString *error)
{
    if (!Sodium::ensureInitialized())
        return fail(error, Status::CryptoError);
    QFile f(path);
    if (!f.exists())
        return fail(error, Status::NotFound);
    if (!passphrase || passphrase->isNull())
        return fail(error, Status::NoPassphrase);
    if (!f.open(QIODevice::ReadOnly))
        return fail(error, Status::IoError,
                    PassphraseIdentityStore::tr("Cannot read the device key file %1: %2").arg(path, f.errorString()));
    if (f.size() > kMaxFileBytes)
        return fail(error, Status::Damaged);
    const QByteArray data = f.read(kMaxFileBytes + 1);
    const int boxBytes = int(data.size()) - kHeaderBytes;
    if (data.size() > kMaxFileBytes || !data.startsWith(kMagic) ||
        boxBytes < int(crypto_secretbox_MACBYTES) + DeviceIdentity::kSecretBytes)
        return fail(error, Status::Damaged);
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    Cost cost{qFromBigEndian<quint64>(p + 8), qFromBigEndian<quint64>(p + 16)};
    if (cost.opsLimit < crypto_pwhash_OPSLIMIT_MIN || cost.opsLimit > kMaxOpsLimit ||
        cost.memLimit < crypto_pwhash_MEMLIMIT_MIN || cost.memLimit > kMaxMemLimit)
        return fail(error, Status::Damaged);
    const unsigned char *salt = p + 24;
    const unsigned char *nonce = salt + crypto_pwhash_SALTBYTES;
    const unsigned char *box = nonce + crypto_secretbox_NONCEBYTES;

    SecureBuffer key(crypto_secretbox_KEYBYTES);
    SecureBuffer plain(std::size_t(boxBytes) - crypto_secretbox_MACBYTES);
    if (key.isNull() || plain.isNull())
        return fail(error, Status::CryptoError);
    if (!deriveKey(key.data(), *passphrase, salt, cost))
        return fail(error, Status::CryptoError,
                    PassphraseIdentityStore::tr("Not enough memory to derive the key from the passphrase."));
    if (crypto_secretbox_open_easy(plain.data(), box, quint64(boxBytes), nonce, key.data()) != 0)
        return fail(error, Status::WrongPassphrase);
    const QByteArray storedAccount(reinterpret_cast<const char *>(plain.data()) + DeviceIdentity::kSecretBytes,
                                   qsizetype(plain.size()) - DeviceIdentity::kSecretBytes);
    if (storedAccount != account.toUtf8())
        return fail(error, Status::WrongAccount);
    *secret = SecureBuffer::copyOf(plain.view().first(DeviceIdentity::kSecretBytes));
    return secret->isNull() ? fail(error, Status::CryptoError) : Status::Ok;
}

Status writeFile(const QString &path, const QString &account, const SecureBuffer *passphrase, Cost cost,
                 const SecureBuffer &secret, QString *error)
{
    if (!Sodium::ensureInitialized())
        return fail(error, Status::CryptoError);
    if (!passphrase || passphrase->isNull())
        return fail(error, Status::NoPassphrase);
    const QByteArray accountBytes = account.toUtf8();
    if (accountBytes.size() > kMaxAccountBytes || secret.size() != std::size_t(DeviceIdentity::kSecretBytes))
        return fail(error, Status::CryptoError);
    if (QFile::exists(path)) {
        // Never replace a file this passphrase cannot open: a typo must not destroy the old key.
        SecureBuffer existing;
        const Status st = readFile(path, account, passphrase, &existing, error);
        if (st != Status::Ok)
            return st;
    }
    unsigned char header[kHeaderBytes];
    memcpy(header, kMagic.constData(), 8);
    qToBigEndian(cost.opsLimit, header + 8);
    qToBigEndian(cost.memLimit, header + 16);
    unsigned char *salt = header + 24;
    unsigned char *nonce = salt + crypto_pwhash_SALTBYTES;
    randombytes_buf(salt, crypto_pwhash_SALTBYTES);
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);

    SecureBuffer key(crypto_secretbox_KEYBYTES);
    SecureBuffer plain(secret.size() + std::size_t(accountBytes.size()));
    if (key.isNull() || plain.isNull())
        return fail(error, Status::CryptoError);
    memcpy(plain.data(), secret.data(), secret.size());
    if (!accountBytes.isEmpty())
        memcpy(plain.data() + secret.size(), accountBytes.constData(), std::size_t(accountBytes.size()));
    if (!deriveKey(key.data(), *passphrase, salt, cost))
        return fail(error, Status::CryptoError,
                    PassphraseIdentityStore::tr("Not enough memory to derive the key from the passphrase."));
    QByteArray out(kHeaderBytes + qsizetype(plain.size() + crypto_secretbox_MACBYTES), Qt::Uninitialized);
    memcpy(out.data(), header, kHeaderBytes);
    crypto_secretbox_easy(reinterpret_cast<unsigned char *>(out.data()) + kHeaderBytes, plain.data(), plain.size(),
                          nonce, key.data());

    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return fail(error, Status::IoError,
                    PassphraseIdentityStore::tr("Cannot write the device key file %1: %2").arg(path, f.errorString()));
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (f.write(out) != out.size() || !f.commit())
        return fail(error, Status::IoError,
                    PassphraseIdentityStore::tr("Cannot write the device key file %1: %2").arg(path, f.errorString()));
    return Status::Ok;
}

} // namespace

Cost Cost::moderate()
{
    return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

Cost Cost::interactive()
{
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Cost Cost::minimum()
{
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

PassphraseIdentityStore::PassphraseIdentityStore(const QString &directory, Cost cost, QObject *parent)
    : IdentityStore(parent), m_directory(directory), m_cost(cost)
{
    m_pool.setMaxThreadCount(1); // one Argon2id at a time: each may take 256 MiB
}

PassphraseIdentityStore::~PassphraseIdentityStore()
{
    m_pool.waitForDone();
}

void PassphraseIdentityStore::setPassphrase(QByteArrayView passphrase)
{
    m_passphrase = SecureBuffer::copyOf(passphrase);
}

void PassphraseIdentityStore::clearPassphrase()
{
    m_passphrase = SecureBuffer();
}

QString PassphraseIdentityStore::fileFor(const QString &account) const
{
    // The account name may hold any character; the file name must not.
    const QByteArray a = account.toUtf8();
    unsigned char h[16];
    Sodium::ensureInitialized();
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char *>(a.constData()), quint64(a.size()),
                       nullptr, 0);
    return QDir(m_directory).filePath(QStringLiteral("identity-%1.hcid")
                                          .arg(QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(h), 16).toHex())));
}

bool PassphraseIdentityStore::exists(const QString &account) const
{
    return QFile::exists(fileFor(account));
}

PassphraseIdentityStore::LoadResult PassphraseIdentityStore::loadNow(const QString &account) const
{
    LoadResult r;
    SecureBuffer secret;
    r.status = readFile(fileFor(account), account, &m_passphrase, &secret, &r.error);
    if (r.status == Status::Ok) {
        r.identity = DeviceIdentity::fromSecret(secret.view());
        if (!r.identity) {
            r.status = Status::Damaged;
            r.error = describe(r.status);
        }
    }
    if (r.status == Status::NotFound)
        r.error.clear(); // not an error: first run
    return r;
}

PassphraseIdentityStore::Status PassphraseIdentityStore::saveNow(const QString &account,
                                                                 const DeviceIdentity &identity, QString *error) const
{
    return writeFile(fileFor(account), account, &m_passphrase, m_cost, identity.exportSecret(), error);
}

PassphraseIdentityStore::Status PassphraseIdentityStore::removeNow(const QString &account, QString *error) const
{
    const QString path = fileFor(account);
    if (!QFile::exists(path))
        return Status::Ok;
    // Deleting the key loses every encrypted message of this device: only with the passphrase.
    SecureBuffer secret;
    const Status st = readFile(path, account, &m_passphrase, &secret, error);
    if (st != Status::Ok)
        return st;
    if (!QFile::remove(path))
        return fail(error, Status::IoError);
    return Status::Ok;
}

PassphraseIdentityStore::Status PassphraseIdentityStore::changePassphraseNow(const QString &account,
                                                                             QByteArrayView newPassphrase,
                                                                             QString *error)
{
    const QString path = fileFor(account);
    SecureBuffer secret;
    Status st = readFile(path, account, &m_passphrase, &secret, error);
    if (st != Status::Ok)
        return st;
    SecureBuffer next = SecureBuffer::copyOf(newPassphrase);
    // writeFile() refuses to replace a file the new passphrase cannot open, so write a staging
    // file and rename it over the old one (atomic on POSIX).
    const QString staging = path + QStringLiteral(".new");
    QFile::remove(staging);
    st = writeFile(staging, account, &next, m_cost, secret, error);
    if (st != Status::Ok)
        return st;
    // QFile::rename refuses to overwrite, ::rename replaces atomically.
    if (::rename(QFile::encodeName(staging).constData(), QFile::encodeName(path).constData()) != 0) {
        QFile::remove(staging);
        return fail(error, Status::IoError);
    }
    m_passphrase = std::move(next);
    return Status::Ok;
}

QString PassphraseIdentityStore::describe(Status status)
{
    switch (status) {
    case Status::Ok:
        return {};
    case Status::NotFound:
        return tr("There is no device key file for this account yet.");
    case Status::NoPassphrase:
        return tr("A passphrase is needed to unlock the device key.");
    case Status::WrongPassphrase:
        return tr("Wrong passphrase: the device key file could not be unlocked. Nothing was changed.");
    case Status::Damaged:
        return tr("The device key file is damaged or not an HChat key file. Nothing was changed.");
    case Status::WrongAccount:
        return tr("The device key file belongs to another account. Nothing was changed.");
    case Status::IoError:
        return tr("The device key file could not be read or written.");
    case Status::CryptoError:
        return tr("Encryption is unavailable (libsodium failed or memory ran out).");
    }
    return {};
}

void PassphraseIdentityStore::loadIdentity(const QString &account)
{
    auto pass = std::make_shared<SecureBuffer>(m_passphrase.clone());
    const QString path = fileFor(account);
    m_pool.start([this, pass, path, account] {
        auto secret = std::make_shared<SecureBuffer>();
        auto error = std::make_shared<QString>();
        const Status st = readFile(path, account, pass.get(), secret.get(), error.get());
        // Queued to our thread; the pool is drained in the destructor, so `this` is alive here,
        // and Qt discards the queued call if the object is deleted before it runs.
        QMetaObject::invokeMethod(
            this,
            [this, st, secret, error, account] {
                if (st == Status::NotFound) {
                    deliverLoaded(account, std::nullopt);
                } else if (st != Status::Ok) {
                    emit identityError(account, *error);
                } else if (auto id = DeviceIdentity::fromSecret(secret->view())) {
                    deliverLoaded(account, std::move(id));
                } else {
                    emit identityError(account, describe(Status::Damaged));
                }
            },
            Qt::QueuedConnection);
    });
}

void PassphraseIdentityStore::saveIdentity(const QString &account, const DeviceIdentity &identity)
{
    auto pass = std::make_shared<SecureBuffer>(m_passphrase.clone());
    auto secret = std::make_shared<SecureBuffer>(identity.exportSecret());
    const QString path = fileFor(account);
    const Cost cost = m_cost;
    m_pool.start([this, pass, secret, path, account, cost] {
        auto error = std::make_shared<QString>();
        const Status st = writeFile(path, account, pass.get(), cost, *secret, error.get());
        QMetaObject::invokeMethod(
            this,
            [this, st, error, account] {
                if (st == Status::Ok)
                    emit identitySaved(account);
                else
                    emit identityError(account, *error);
            },
            Qt::QueuedConnection);
    });
}

void PassphraseIdentityStore::removeIdentity(const QString &account)
{
    auto pass = std::make_shared<SecureBuffer>(m_passphrase.clone());
    const QString path = fileFor(account);
    m_pool.start([this, pass, path, account] {
        auto error = std::make_shared<QString>();
        Status st = Status::Ok;
        if (QFile::exists(path)) {
            // Deleting the key loses this device's encrypted history: only with the passphrase.
            SecureBuffer secret;
            st = readFile(path, account, pass.get(), &secret, error.get());
            if (st == Status::Ok && !QFile::remove(path))
                st = fail(error.get(), Status::IoError);
        }
        QMetaObject::invokeMethod(
            this,
            [this, st, error, account] {
                if (st == Status::Ok)
                    emit identityRemoved(account);
                else
                    emit identityError(account, *error);
            },
            Qt::QueuedConnection);
    });
}

} // namespace hchat::crypto
