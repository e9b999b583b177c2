#include "KeychainTokenVault.h"

#include "CoreLogging.h"

#include <qt6keychain/keychain.h>

namespace hchat {

namespace {
QString describe(QKeychain::Job *job)
{
    if (job->error() == QKeychain::NoBackendAvailable)
        return KeychainTokenVault::tr("No OS keychain is available (%1); the session token cannot be kept, "
                                      "so you will have to sign in each time.")
            .arg(job->errorString());
    if (job->error() == QKeychain::AccessDenied || job->error() == QKeychain::AccessDeniedByUser)
        return KeychainTokenVault::tr("Access to the OS keychain was denied: %1").arg(job->errorString());
    return KeychainTokenVault::tr("OS keychain error: %1").arg(job->errorString());
}
} // namespace

KeychainTokenVault::KeychainTokenVault(const QString &service, QObject *parent)
    : TokenVault(parent), m_service(service)
{
}

void KeychainTokenVault::readToken(const QString &account)
{
    // Jobs have no parent: a pending libsecret call must never find its job deleted with the vault
    // (it crashes); they delete themselves when finished, and the connection's context (this)
    // drops the callback if the vault is gone by then.
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *j) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        if (j->error() == QKeychain::NoError) {
            emit tokenRead(account, read->textData());
        } else if (j->error() == QKeychain::EntryNotFound) {
            emit tokenRead(account, QString());
        } else {
            const QString msg = describe(j);
            qCWarning(lcVault).noquote() << msg;
            emit vaultError(account, msg);
        }
    });
    job->start();
}

void KeychainTokenVault::writeToken(const QString &account, const QString &token)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *j) {
        if (j->error() == QKeychain::NoError) {
            emit tokenWritten(account);
        } else {
            const QString msg = describe(j);
            qCWarning(lcVault).noquote() << msg;
            emit vaultError(account, msg);
        }
    });
    job->start();
}

void KeychainTokenVault::removeToken(const QString &account)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *j) {
        if (j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound) {
            emit tokenRemoved(account);
        } else {
            const QString msg = describe(j);
            qCWarning(lcVault).noquote() << msg;
            emit vaultError(account, msg);
        }
    });
    job->start();
}

} // namespace hchat
