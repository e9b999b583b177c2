#include "crypto/DeviceIdentity.h"

#include "crypto/CryptoLogging.h"
#include "crypto/Sodium.h"
#include "hchat.pb.h"

#include <sodium.h>

namespace hchat::crypto {

static_assert(DeviceIdentity::kSecretBytes == crypto_sign_SECRETKEYBYTES);
static_assert(DeviceIdentity::kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(DeviceIdentity::kPublicKeyBytes == crypto_box_PUBLICKEYBYTES);
static_assert(DeviceIdentity::kSignatureBytes == crypto_sign_BYTES);

namespace {
const unsigned char *u(QByteArrayView v)
{
    return reinterpret_cast<const unsigned char *>(v.data());
}
} // namespace

std::optional<DeviceIdentity> DeviceIdentity::generate()
{
    if (!Sodium::ensureInitialized())
        return std::nullopt;
    DeviceIdentity id;
    id.m_signSecret = SecureBuffer(crypto_sign_SECRETKEYBYTES);
    if (id.m_signSecret.isNull())
        return std::nullopt;
    id.m_identityKey.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_keypair(reinterpret_cast<unsigned char *>(id.m_identityKey.data()), id.m_signSecret.data());
    if (!id.derive())
        return std::nullopt;
    return id;
}

std::optional<DeviceIdentity> DeviceIdentity::fromSecret(QByteArrayView secret)
{
    if (!Sodium::ensureInitialized() || secret.size() != crypto_sign_SECRETKEYBYTES)
        return std::nullopt;
    DeviceIdentity id;
    id.m_signSecret = SecureBuffer(crypto_sign_SECRETKEYBYTES);
    SecureBuffer check(crypto_sign_SECRETKEYBYTES);
    if (id.m_signSecret.isNull() || check.isNull())
        return std::nullopt;
    // Re-derive the key pair from the seed: the stored public half must match it.
    id.m_identityKey.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_seed_keypair(reinterpret_cast<unsigned char *>(id.m_identityKey.data()), check.data(), u(secret));
    if (sodium_memcmp(check.data(), u(secret), crypto_sign_SECRETKEYBYTES) != 0) {
        qCWarning(lcCrypto) << "stored identity secret is inconsistent (damaged)";
        return std::nullopt;
    }
    memcpy(id.m_signSecret.data(), check.data(), crypto_sign_SECRETKEYBYTES);
    if (!id.derive())
        return std::nullopt;
    return id;
}

bool DeviceIdentity::derive()
{
    m_exchangeSecret = SecureBuffer(crypto_box_SECRETKEYBYTES);
    if (m_exchangeSecret.isNull())
        return false;
    m_exchangeKey.resize(crypto_box_PUBLICKEYBYTES);
    if (crypto_sign_ed25519_sk_to_curve25519(m_exchangeSecret.data(), m_signSecret.data()) != 0 ||
        crypto_sign_ed25519_pk_to_curve25519(reinterpret_cast<unsigned char *>(m_exchangeKey.data()),
                                             u(m_identityKey)) != 0)
        return false;
    return true;
}

QByteArray DeviceIdentity::sign(QByteArrayView message) const
{
    QByteArray sig(crypto_sign_BYTES, Qt::Uninitialized);
    crypto_sign_detached(reinterpret_cast<unsigned char *>(sig.data()), nullptr, u(message),
                         quint64(message.size()), m_signSecret.data());
    return sig;
}

bool DeviceIdentity::verify(QByteArrayView identityKey, QByteArrayView message, QByteArrayView signature)
{
    if (!Sodium::ensureInitialized() || identityKey.size() != crypto_sign_PUBLICKEYBYTES ||
        signature.size() != crypto_sign_BYTES)
        return false;
    return crypto_sign_verify_detached(u(signature), u(message), quint64(message.size()), u(identityKey)) == 0;
}

QByteArray DeviceIdentity::exchangeKeyFor(QByteArrayView identityKey)
{
    if (!Sodium::ensureInitialized() || identityKey.size() != crypto_sign_PUBLICKEYBYTES)
        return {};
    QByteArray x(crypto_box_PUBLICKEYBYTES, Qt::Uninitialized);
    if (crypto_sign_ed25519_pk_to_curve25519(reinterpret_cast<unsigned char *>(x.data()), u(identityKey)) != 0)
        return {};
    return x;
}

SecureBuffer DeviceIdentity::deriveStorageKey() const
{
    SecureBuffer key(32);
    if (key.isNull())
        return key;
    // The Ed25519 seed is the first 32 bytes of the secret key; crypto_kdf needs exactly 32.
    crypto_kdf_derive_from_key(key.data(), key.size(), 1, "hchatsto", m_signSecret.data());
    return key;
}

void DeviceIdentity::fillDeviceKeys(hchat::v1::DeviceKeys *keys, const QString &nick, const QString &deviceId) const
{
    keys->set_nick(nick.toStdString());
    keys->set_device_id(deviceId.toStdString());
    keys->set_identity_key(m_identityKey.toStdString());
    keys->set_exchange_key(m_exchangeKey.toStdString());
    keys->set_signature(sign(m_exchangeKey).toStdString());
}

bool DeviceIdentity::verifyDeviceKeys(const hchat::v1::DeviceKeys &keys, QString *why)
{
    auto fail = [why](const char *reason) {
        if (why)
            *why = QString::fromLatin1(reason);
        return false;
    };
    const QByteArrayView identity(keys.identity_key().data(), qsizetype(keys.identity_key().size()));
    const QByteArrayView exchange(keys.exchange_key().data(), qsizetype(keys.exchange_key().size()));
    const QByteArrayView signature(keys.signature().data(), qsizetype(keys.signature().size()));
    if (identity.size() != kPublicKeyBytes || exchange.size() != kPublicKeyBytes ||
        signature.size() != kSignatureBytes)
        return fail("key or signature has the wrong size");
    if (!verify(identity, exchange, signature))
        return fail("the signature over the exchange key does not verify");
    const QByteArray derived = exchangeKeyFor(identity);
    if (derived.isEmpty() || sodium_memcmp(derived.constData(), exchange.data(), kPublicKeyBytes) != 0)
        return fail("the exchange key does not belong to the identity key");
    return true;
}

} // namespace hchat::crypto
