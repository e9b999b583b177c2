#pragma once

#include "crypto/BackupCipher.h"
#include "crypto/SecureBuffer.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

namespace hchat {

class GatewayHttp;
namespace crypto {
class ChannelCrypto;
}

// The recovery key backup of issue 22 (opt-in), this device's side. enable() makes a recovery key,
// shows it once (the words it returns) and keeps only the backup key derived from it, sealed under
// the device's storage key in <profile>/recovery-backup.key; every session this device holds goes
// to the gateway sealed under it (PUT /v1/backup), and each session kept later follows
// (ChannelCrypto::sessionKept, gathered for a moment). restore() fetches the account's backup with
// the words of its recovery key, refuses another key before anything changes, and hands the
// sessions to ChannelCrypto::restoreSessions, which decrypts the messages waiting for them; the
// device then keeps the backup up to date itself. disable() deletes the backup at the gateway.
class RecoveryBackup : public QObject {
    Q_OBJECT
public:
    RecoveryBackup(GatewayHttp *http, crypto::ChannelCrypto *crypto, QObject *parent = nullptr);
    ~RecoveryBackup() override;

    void setProfileDirectory(const QString &dir) { m_dir = dir; }
    // Encryption is open: the backup key this device kept (if any) is loaded and what is new goes up.
    void cryptoReady();
    bool isEnabled() const { return !m_key.isNull(); }

    // A new recovery key replaces any backup of the account (deleted at the gateway first), and
    // every session held goes up. Returns the key's words, to show once; empty with *error when
    // encryption is not ready.
    QString enable(QString *error = nullptr);
    // Deletes the account's backup at the gateway and forgets the backup key here.
    void disable();
    // Restores from the account's backup. False with *error at once for words that are not a
    // recovery key (a typo) or encryption not ready; otherwise restored() or restoreFailed() follows.
    bool restore(const QString &words, QString *error = nullptr);
    // Uploads the sessions not in the backup yet (ChannelCrypto::sessionKept calls this, gathered).
    void uploadPending();

signals:
    // Every session held is in the backup (entries: how many it holds now).
    void backupUpToDate(int entries);
    void backupFailed(const QString &error);
    void backupDisabled();
    void restored(int sessions);
    void restoreFailed(const QString &error);

private:
    QString keyPath() const;
    bool saveKey(const crypto::SecureBuffer &backupKey);
    void setKey(crypto::SecureBuffer backupKey);
    void fetchPage(const QByteArray &after, std::shared_ptr<crypto::BackupCipher> cipher,
                   std::shared_ptr<QList<QByteArray>> entries);

    GatewayHttp *m_http;
    crypto::ChannelCrypto *m_crypto;
    QString m_dir;
    crypto::SecureBuffer m_key; // the backup key; null: backup off
    std::optional<crypto::BackupCipher> m_cipher;
    QHash<QByteArray, quint32> m_uploaded; // entry id → start index the backup holds
    bool m_uploading = false;
    bool m_again = false;
    bool m_restoring = false;
    crypto::SecureBuffer m_restoreKey; // the backup key of the restore under way
    quint64 m_generation = 0;          // a new key or disable() makes answers of earlier requests stale
    QTimer m_gather;
};

} // namespace hchat
