#include "crypto/KeychainIdentityStore.h"

#include "crypto/CryptoLogging.h"

#include <qt6keychain/keychain.h>

namespace hchat::crypto {

namespace {
const QByteArray kMagic("HCID\x01", 5);

QString describe(QKeychain::Job *job)
{
    if (job->error() == QKeychain::NoBackendAvailable)
        return KeychainIdentityStore::tr("No OS keychain is available (%1); keep the device key in a "
                                         "passphrase-protected file instead.")
            .arg(job->errorString());
    if (job->error() == QKeychain::AccessDenied || job->error() == QKeychain::AccessDeniedByUser)
        return KeychainIdentityStore::tr("Access to the OS keychain was denied: %1").arg(job->errorString());
    return KeychainIdentityStore::tr("OS keychain error: %1").arg(job->errorString());
}
} // namespace

KeychainIdentityStore::KeychainIdentityStore(const QString &service, QObject *parent)
    : IdentityStore(parent), m_service(service)
{
}

QString KeychainIdentityStore::entryKey(const QString &account)
{
    return QStringLiteral("device-identity:") + account;
}

void KeychainIdentityStore::loadIdentity(const QString &account)
{
    // Jobs have no parent: a pending libsecret call must never find its job deleted with the store
    // (it crashes); they delete themselves when finished, and the connection's context (this)
    // drops the callback if the store is gone by then.
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(entryKey(account));
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *j) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        if (j->error() == QKeychain::EntryNotFound) {
            deliverLoaded(account, std::nullopt);
            return;
        }
        if (j->error() != QKeychain::NoError) {
            const QString msg = describe(j);
            qCWarning(lcCrypto).noquote() << msg;
            emit identityError(account, msg);
            return;
        }
        QByteArray data = read->binaryData();
        std::optional<DeviceIdentity> id;
        if (data.size() == kMagic.size() + DeviceIdentity::kSecretBytes && data.startsWith(kMagic))
            id = DeviceIdentity::fromSecret(QByteArrayView(data).sliced(kMagic.size()));
        SecureBuffer::wipe(data);
        if (!id) {
            const QString msg = tr("The device key in the OS keychain is damaged.");
            qCWarning(lcCrypto).noquote() << msg << account;
            emit identityError(account, msg);
            return;
        }
        deliverLoaded(account, std::move(id));
    });
    job->start();
}

void KeychainIdentityStore::saveIdentity(const QString &account, const DeviceIdentity &identity)
{
    auto *job = new QKeychain::WritePasswordJob(m_service); // no parent: see loadIdentity()
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(entryKey(account));
    QByteArray data;
    data.reserve(kMagic.size() + DeviceIdentity::kSecretBytes);
    data.append(kMagic);
    data.append(identity.exportSecret().view());
    job->setBinaryData(data); // QtKeychain keeps its own copy; ours is wiped at once
    SecureBuffer::wipe(data);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *j) {
        if (j->error() == QKeychain::NoError) {
            emit identitySaved(account);
        } else {
            const QString msg = describe(j);
            qCWarning(lcCrypto).noquote() << msg;
            emit identityError(account, msg);
        }
    });
    job->start();
}

void KeychainIdentityStore::removeIdentity(const QString &account)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service); // no parent: see loadIdentity()
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(entryKey(account));
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *j) {
        if (j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound) {
            emit identityRemoved(account);
        } else {
            const QString msg = describe(j);
            qCWarning(lcCrypto).noquote() << msg;
            emit identityError(account, msg);
        }
    });
    job->start();
}

} // namespace hchat::crypto
