#include "RecoveryBackup.h"

#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "Limits.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/RecoveryKey.h"
#include "hchat.pb.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace hchat {

namespace {

QByteArray bytesOf(const std::string &s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

} // namespace

RecoveryBackup::RecoveryBackup(GatewayHttp *http, crypto::ChannelCrypto *crypto, QObject *parent)
    : QObject(parent), m_http(http), m_crypto(crypto)
{
    m_gather.setSingleShot(true);
    m_gather.setInterval(300);
    connect(&m_gather, &QTimer::timeout, this, &RecoveryBackup::uploadPending);
    connect(m_crypto, &crypto::ChannelCrypto::sessionKept, this, [this] {
        if (isEnabled() && !m_gather.isActive())
            m_gather.start();
    });
}

RecoveryBackup::~RecoveryBackup() = default;

QString RecoveryBackup::keyPath() const
{
    return QDir(m_dir).filePath(QStringLiteral("recovery-backup.key"));
}

void RecoveryBackup::setKey(crypto::SecureBuffer backupKey)
{
    ++m_generation;
    m_uploaded.clear();
    m_uploading = false;
    m_again = false;
    m_key = std::move(backupKey);
    if (m_key.isNull())
        m_cipher.reset();
    else
        m_cipher.emplace(m_key, m_crypto->nick());
}

bool RecoveryBackup::saveKey(const crypto::SecureBuffer &backupKey)
{
    const crypto::DeviceIdentity *identity = m_crypto->identity();
    if (!identity)
        return false;
    QSaveFile f(keyPath());
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(crypto::BackupCipher::sealForDevice(backupKey, identity->deriveStorageKey()));
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return f.commit();
}

void RecoveryBackup::cryptoReady()
{
    const crypto::DeviceIdentity *identity = m_crypto->identity();
    if (!identity || isEnabled())
        return;
    QFile f(keyPath());
    if (!f.open(QIODevice::ReadOnly))
        return; // backup off on this device
    crypto::SecureBuffer key = crypto::BackupCipher::openOnDevice(f.readAll(), identity->deriveStorageKey());
    if (key.isNull()) {
        qCWarning(lcClient) << "the kept backup key does not open with this device's identity; backup off";
        return;
    }
    setKey(std::move(key));
    uploadPending();
}

QString RecoveryBackup::enable(QString *error)
{
    if (!m_crypto->isOpen()) {
        if (error)
            *error = tr("End-to-end encryption is not ready on this device yet.");
        return {};
    }
    const crypto::RecoveryKey recovery = crypto::RecoveryKey::generate();
    crypto::SecureBuffer backupKey = recovery.deriveBackupKey();
    if (!saveKey(backupKey)) {
        if (error)
            *error = tr("Could not keep the backup key in the profile.");
        return {};
    }
    setKey(std::move(backupKey));
    // The account's backup under any earlier key goes first; then everything held goes up.
    m_uploading = true;
    const quint64 generation = m_generation;
    m_http->remove(QStringLiteral("/v1/backup"), [this, generation](const GatewayHttp::Result &r) {
        if (generation != m_generation)
            return;
        m_uploading = false;
        if (!r.ok) {
            emit backupFailed(tr("Could not replace the account's backup: %1").arg(r.error));
            return;
        }
        uploadPending();
    });
    return recovery.toWords();
}

void RecoveryBackup::disable()
{
    setKey({});
    QFile::remove(keyPath());
    const quint64 generation = m_generation;
    m_http->remove(QStringLiteral("/v1/backup"), [this, generation](const GatewayHttp::Result &r) {
        if (generation != m_generation)
            return;
        if (!r.ok)
            emit backupFailed(tr("Could not delete the account's backup: %1").arg(r.error));
        else
            emit backupDisabled();
    });
}

void RecoveryBackup::uploadPending()
{
    if (!isEnabled() || !m_crypto->isOpen())
        return;
    if (m_uploading) {
        m_again = true;
        return;
    }
    m_again = false;
    v1::BackupUpload up;
    *up.mutable_header() = m_cipher->header(QDateTime::currentMSecsSinceEpoch());
    QHash<QByteArray, quint32> sending;
    for (const crypto::SenderKeyStore::HeldSession &held : m_crypto->senderKeys().heldSessions()) {
        const QByteArray id =
            m_cipher->entryId(held.session.channel(), held.senderDevice, held.session.sessionId());
        const auto it = m_uploaded.constFind(id);
        if ((it != m_uploaded.cend() && *it <= held.session.startIndex()) || sending.contains(id))
            continue;
        *up.add_entries() = m_cipher->seal(held.sender, held.senderDevice, held.session,
                                           m_crypto->verifyingKey(held.sender, held.senderDevice));
        sending.insert(id, held.session.startIndex());
        if (std::size_t(up.entries_size()) >= limits::kMaxBackupEntriesPerUpload)
            break;
    }
    if (sending.isEmpty()) {
        emit backupUpToDate(int(m_uploaded.size()));
        return;
    }
    m_uploading = true;
    const quint64 generation = m_generation;
    m_http->put(QStringLiteral("/v1/backup"), QByteArray::fromStdString(up.SerializeAsString()),
                {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/x-protobuf")}},
                [this, generation, sending](const GatewayHttp::Result &r) {
                    if (generation != m_generation)
                        return;
                    m_uploading = false;
                    if (!r.ok) {
                        if (r.errorCode == v1::ERROR_STALE) {
                            // Another device changed or removed the backup: this key is done with.
                            setKey({});
                            QFile::remove(keyPath());
                        }
                        emit backupFailed(tr("Could not update the recovery key backup: %1").arg(r.error));
                        return;
                    }
                    m_uploaded.insert(sending);
                    uploadPending(); // the next batch, or up to date
                });
}

bool RecoveryBackup::restore(const QString &words, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!m_crypto->isOpen())
        return fail(tr("End-to-end encryption is not ready on this device yet."));
    if (m_restoring)
        return fail(tr("A restore is already under way."));
    QString why;
    const std::optional<crypto::RecoveryKey> recovery = crypto::RecoveryKey::fromWords(words, &why);
    if (!recovery)
        return fail(why);
    m_restoring = true;
    m_restoreKey = recovery->deriveBackupKey();
    auto cipher = std::make_shared<crypto::BackupCipher>(m_restoreKey, m_crypto->nick());
    fetchPage({}, cipher, std::make_shared<QList<QByteArray>>());
    return true;
}

void RecoveryBackup::fetchPage(const QByteArray &after, std::shared_ptr<crypto::BackupCipher> cipher,
                               std::shared_ptr<QList<QByteArray>> entries)
{
    QString path = QStringLiteral("/v1/backup");
    if (!after.isEmpty())
        path += QStringLiteral("?after=") + QString::fromLatin1(after.toHex());
    m_http->get(path, {}, [this, cipher, entries](const GatewayHttp::Result &r) {
        auto failed = [this](const QString &message) {
            m_restoring = false;
            m_restoreKey = {};
            emit restoreFailed(message);
        };
        if (!r.ok)
            return failed(r.errorCode == v1::ERROR_NOT_FOUND
                              ? tr("This account has no recovery key backup.")
                              : tr("Could not fetch the recovery key backup: %1").arg(r.error));
        v1::BackupPage page;
        if (!page.ParseFromArray(r.body.constData(), int(r.body.size())))
            return failed(tr("The gateway's answer is not a backup."));
        // Checked before any entry is used: another key changes nothing here.
        if (!cipher->matches(page.header()))
            return failed(tr("This recovery key does not open this account's backup (it is not the "
                             "key shown when the backup was made, or the backup was changed since)."));
        for (const auto &e : page.entries())
            entries->append(QByteArray::fromStdString(e.SerializeAsString()));
        if (!page.continue_after().empty())
            return fetchPage(bytesOf(page.continue_after()), cipher, entries);
        m_restoring = false;
        QString error;
        // The key is right (the header says so); entries are opened each on its own.
        std::vector<crypto::ChannelCrypto::RestoredSession> sessions;
        QHash<QByteArray, quint32> held;
        int damaged = 0;
        for (const QByteArray &bytes : *entries) {
            v1::BackupEntry entry;
            entry.ParseFromArray(bytes.constData(), int(bytes.size()));
            auto opened = cipher->open(entry, &error);
            if (!opened) {
                ++damaged;
                qCWarning(lcClient).noquote() << "backup entry skipped:" << error;
                continue;
            }
            held.insert(bytesOf(entry.entry_id()), opened->session->startIndex());
            sessions.push_back({opened->sender, opened->senderDevice, std::move(*opened->session),
                                opened->senderIdentityKey});
        }
        const int kept = m_crypto->restoreSessions(sessions);
        qCInfo(lcClient) << "restored" << kept << "sessions from the backup;" << damaged
                         << "entries did not open";
        // This device now keeps the backup up to date with the same key.
        if (saveKey(m_restoreKey)) {
            setKey(std::move(m_restoreKey));
            m_uploaded = held;
        }
        m_restoreKey = {};
        emit restored(kept);
        uploadPending();
    });
}

} // namespace hchat
