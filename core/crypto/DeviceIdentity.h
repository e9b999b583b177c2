#pragma once

#include "crypto/SecureBuffer.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <optional>

namespace hchat::v1 {
class DeviceKeys;
}

namespace hchat::crypto {

// The trusted Ed25519 identity key of (nick, device), or an empty QByteArray when there is none
// (unknown device, or a changed key not yet accepted). TrustStore::trustedKey fits.
using IdentityKeyLookup = std::function<QByteArray(const QString &nick, const QString &deviceId)>;

// One device's long-term identity: an Ed25519 key pair (signatures) and the X25519 key pair
// derived from it (crypto_box for key shares). Made once at first run; the 64-byte Ed25519 secret
// (seed ‖ public key) is all that is stored (IdentityStore) — the rest is derived on load.
// Secrets live in SecureBuffers. Move-only.
class DeviceIdentity {
public:
    static constexpr int kPublicKeyBytes = 32;  // Ed25519 and X25519 public keys
    static constexpr int kSecretBytes = 64;     // the serialised secret (Ed25519 secret key)
    static constexpr int kSignatureBytes = 64;

    static std::optional<DeviceIdentity> generate();
    // From exportSecret()'s bytes; nullopt when the size is wrong or the embedded public key does
    // not match the seed (damaged storage).
    static std::optional<DeviceIdentity> fromSecret(QByteArrayView secret);

    DeviceIdentity(DeviceIdentity &&) noexcept = default;
    DeviceIdentity &operator=(DeviceIdentity &&) noexcept = default;

    QByteArray identityKey() const { return m_identityKey; } // Ed25519 public, 32 bytes
    QByteArray exchangeKey() const { return m_exchangeKey; } // X25519 public, 32 bytes
    SecureBuffer exportSecret() const { return m_signSecret.clone(); }
    const SecureBuffer &exchangeSecret() const { return m_exchangeSecret; }

    QByteArray sign(QByteArrayView message) const; // detached, 64 bytes
    static bool verify(QByteArrayView identityKey, QByteArrayView message, QByteArrayView signature);
    // The X25519 public key that belongs to an Ed25519 identity key; empty if it is not one.
    static QByteArray exchangeKeyFor(QByteArrayView identityKey);

    // A key for sealing this device's local crypto state at rest (SenderKeyStore), derived from
    // the identity secret so that it needs no storage of its own.
    SecureBuffer deriveStorageKey() const;

    // The key directory record (POST /v1/keys/publish): keys plus the signature by identity_key
    // over exchange_key.
    void fillDeviceKeys(hchat::v1::DeviceKeys *keys, const QString &nick, const QString &deviceId) const;
    // A fetched record is usable: sizes right, signature valid, exchange_key derived from
    // identity_key (so nobody can pair a victim's identity with their own exchange key).
    static bool verifyDeviceKeys(const hchat::v1::DeviceKeys &keys, QString *why = nullptr);

private:
    DeviceIdentity() = default;
    bool derive(); // exchange keys from m_signSecret

    SecureBuffer m_signSecret;     // 64
    SecureBuffer m_exchangeSecret; // 32
    QByteArray m_identityKey;
    QByteArray m_exchangeKey;
};

} // namespace hchat::crypto
