#include "HistoryKeyring.h"

#include "CoreLogging.h"

#include <QDir>

#include <qt6keychain/keychain.h>

namespace hchat {

namespace {
constexpr std::size_t kKeyBytes = 32;

QString describe(QKeychain::Job *job)
{
    if (job->error() == QKeychain::NoBackendAvailable)
        return HistoryKeyring::tr(
                   "No OS keychain is available (%1), so the local history is kept unencrypted.")
            .arg(job->errorString());
    return HistoryKeyring::tr("The OS keychain did not give the key of the local history (%1), so it is kept "
                              "unencrypted.")
        .arg(job->errorString());
}
} // namespace

HistoryKeyring::HistoryKeyring(const QString &service, QObject *parent) : QObject(parent), m_service(service)
{
}

QString HistoryKeyring::entryKey(const QString &profileDir)
{
    return QStringLiteral("history-key:") + QDir(profileDir).absolutePath();
}

void HistoryKeyring::fetch(const QString &profileDir)
{
    // Jobs have no parent and delete themselves (see KeychainTokenVault::readToken for why).
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(entryKey(profileDir));
    connect(job, &QKeychain::Job::finished, this, [this, profileDir](QKeychain::Job *j) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        if (j->error() == QKeychain::EntryNotFound) {
            store(profileDir, crypto::SecureBuffer::random(kKeyBytes));
            return;
        }
        QByteArray data = j->error() == QKeychain::NoError ? read->binaryData() : QByteArray();
        if (j->error() == QKeychain::NoError && std::size_t(data.size()) == kKeyBytes) {
            m_key = crypto::SecureBuffer::copyOf(data);
            crypto::SecureBuffer::wipe(data);
            emit keyReady(profileDir);
            return;
        }
        crypto::SecureBuffer::wipe(data);
        const QString message =
            j->error() == QKeychain::NoError
                ? tr("The key of the local history in the OS keychain is not 32 bytes long.")
                : describe(j);
        qCWarning(lcVault).noquote() << message;
        emit keyUnavailable(profileDir, message);
    });
    job->start();
}

void HistoryKeyring::store(const QString &profileDir, crypto::SecureBuffer key)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(entryKey(profileDir));
    QByteArray data = key.toByteArray();
    job->setBinaryData(data);
    crypto::SecureBuffer::wipe(data);
    auto pending = std::make_shared<crypto::SecureBuffer>(std::move(key));
    connect(job, &QKeychain::Job::finished, this, [this, profileDir, pending](QKeychain::Job *j) {
        if (j->error() != QKeychain::NoError) {
            const QString message = describe(j);
            qCWarning(lcVault).noquote() << message;
            emit keyUnavailable(profileDir, message);
            return;
        }
        qCInfo(lcVault).noquote() << "made the key of the local history in" << profileDir;
        m_key = std::move(*pending);
        emit keyReady(profileDir);
    });
    job->start();
}

} // namespace hchat
