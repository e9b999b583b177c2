#pragma once

#include "crypto/SecureBuffer.h"
#include "crypto/SenderSession.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace hchat::v1 {
class BackupEntry;
class BackupHeader;
} // namespace hchat::v1

namespace hchat::crypto {

// Seals and opens the entries of an account's recovery key backup (docs/PROTOCOL.md, "Recovery
// key backup") under the backup key (RecoveryKey::deriveBackupKey), for one account (nick). Three
// subkeys of the backup key (crypto_kdf, context "hchatbck"): 1 the header's key check, 2 the
// entry ids, 3 the XChaCha20-Poly1305 key of the entries.
class BackupCipher {
public:
    struct Session {
        QString sender;
        QString senderDevice;
        std::optional<SenderSession> session;
        QByteArray senderIdentityKey; // what the backing-up device trusted for senderDevice
    };

    BackupCipher(const SecureBuffer &backupKey, const QString &nick);

    hchat::v1::BackupHeader header(qint64 createdMs) const;
    // Whether the header is this key's (false: another recovery key, or not a version 1 header).
    bool matches(const hchat::v1::BackupHeader &header) const;
    QByteArray keyCheck() const;
    QByteArray entryId(const QString &channel, const QString &senderDevice,
                       const QByteArray &sessionId) const;
    hchat::v1::BackupEntry seal(const QString &sender, const QString &senderDevice,
                                const SenderSession &session, const QByteArray &senderIdentityKey) const;
    // nullopt with *error when it does not open under this key, or says another session than its id.
    std::optional<Session> open(const hchat::v1::BackupEntry &entry, QString *error = nullptr) const;

    // The backup key as this device keeps it: sealed under the device's storage key
    // (DeviceIdentity::deriveStorageKey), nonce in front.
    static QByteArray sealForDevice(const SecureBuffer &backupKey, const SecureBuffer &storageKey);
    static SecureBuffer openOnDevice(const QByteArray &sealed, const SecureBuffer &storageKey);

private:
    QByteArray entryAd(const QByteArray &entryId) const;

    QString m_nick;
    SecureBuffer m_checkKey;
    SecureBuffer m_idKey;
    SecureBuffer m_sealKey;
};

} // namespace hchat::crypto
