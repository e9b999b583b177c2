#pragma once

#include "crypto/DeviceIdentity.h"
#include "crypto/SenderSession.h"

#include <sodium.h>

#include <QByteArray>
#include <QString>

#include <optional>

namespace hchat::fuzz {

// Fixed identities and a fixed sender session, so that the seed corpus (fuzz_seeds) and the e2ee
// target agree on keys: bob sends in the encrypted channel "secret", alice (this device) receives.
inline const QString kE2eeChannel = QStringLiteral("secret");
inline const QString kMe = QStringLiteral("alice");
inline const QString kMyDevice = QStringLiteral("a1000000000000000000000000000001");
inline const QString kSender = QStringLiteral("bob");
inline const QString kSenderDevice = QStringLiteral("b0b00000000000000000000000000002");

inline crypto::DeviceIdentity fixedIdentity(char fill)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    const QByteArray seed(crypto_sign_SEEDBYTES, fill);
    crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char *>(seed.constData()));
    auto id =
        crypto::DeviceIdentity::fromSecret(QByteArrayView(reinterpret_cast<const char *>(sk), sizeof sk));
    sodium_memzero(sk, sizeof sk);
    return std::move(*id);
}

inline crypto::DeviceIdentity myIdentity()
{
    return fixedIdentity('A');
}
inline crypto::DeviceIdentity senderIdentity()
{
    return fixedIdentity('B');
}

// bob's session in "secret", from index `next` on.
inline crypto::SenderSession senderSession(quint32 next = 0)
{
    return *crypto::SenderSession::fromKey(kE2eeChannel,
                                           QByteArray(crypto::SenderSession::kSessionIdBytes, '\x5e'), 0,
                                           QByteArray(crypto::SenderSession::kKeyBytes, '\x6b'), next);
}

} // namespace hchat::fuzz
