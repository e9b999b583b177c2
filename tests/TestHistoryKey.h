#pragma once
// The history key the test clients use: made from the profile folder's path, so that a profile
// reopened by another TestClient, the probe or the fault peer (another process) finds the same key.
// The app keeps a random key in the OS keychain instead (HistoryKeyring).

#include "crypto/SecureBuffer.h"

#include <QDir>

#include <sodium.h>

namespace hchat::test {

inline crypto::SecureBuffer testHistoryKey(const QString &profileDir)
{
    const QByteArray seed = "hchat-test-history-key:" + QDir(profileDir).absolutePath().toUtf8();
    crypto::SecureBuffer key(crypto_generichash_BYTES);
    crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char *>(seed.constData()),
                       std::uint64_t(seed.size()), nullptr, 0);
    return key;
}

} // namespace hchat::test
