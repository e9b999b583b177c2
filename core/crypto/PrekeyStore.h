#pragma once

#include "crypto/SealedStore.h"
#include "crypto/SecureBuffer.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace hchat::crypto {

class DeviceIdentity;

// One-time prekeys in their own SQLite file (<profile>/prekeys.sqlite, QtSql, own connection):
//   own_prekey      this device's X25519 prekeys: the public key and the secret sealed at rest
//                   (SealedStore, AD = the key id); a secret is deleted once a share sealed to
//                   it has been opened and kept, so a device secret stolen later opens none of them
//   claimed_prekey  one prekey claimed from the gateway per peer (nick, device), verified against
//                   that device's trusted identity key, waiting for the next key share to it
// The file runs with secure_delete and a rollback journal (no WAL), so a deleted secret's bytes
// are overwritten in the file rather than left in a free page or an old WAL frame.
class PrekeyStore : public SealedStore {
public:
    static constexpr int kSchemaVersion = 1;
    static constexpr int kKeyBytes = 32;

    struct Prekey {
        quint32 keyId = 0;
        QByteArray publicKey; // X25519, 32 bytes
        QByteArray signature; // Ed25519 by the owning device over signedBytes()
    };

    PrekeyStore();
    ~PrekeyStore();

    bool open(const QString &path, const SecureBuffer &storageKey);
    void close();

    // What a prekey's signature covers: {"hchat-prekey-v1", device id, key id, public key}.
    static QByteArray signedBytes(const QString &deviceId, quint32 keyId, QByteArrayView publicKey);
    static bool verify(const Prekey &prekey, const QString &deviceId, QByteArrayView identityKey);

    // ---- this device's prekeys -------------------------------------------------------------------
    // Makes count new prekeys signed by identity, with ids never used before.
    QList<Prekey> generate(int count, const DeviceIdentity &identity, const QString &deviceId);
    int ownCount() const;
    // The secret of prekey keyId (null when there is none: never made, or already used).
    SecureBuffer secret(quint32 keyId) const;
    // The prekey was used: its secret is gone for good.
    bool consume(quint32 keyId);

    // ---- prekeys claimed for peer devices --------------------------------------------------------
    // By (nick, device): device ids are the gateway's, so one id under two accounts must not mix.
    bool putClaimed(const QString &nick, const QString &deviceId, const Prekey &prekey);
    std::optional<Prekey> claimed(const QString &nick, const QString &deviceId) const;
    bool dropClaimed(const QString &nick, const QString &deviceId);

};

} // namespace hchat::crypto
