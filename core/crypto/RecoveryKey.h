#pragma once

#include "crypto/SecureBuffer.h"

#include <QString>

#include <optional>

namespace hchat::crypto {

// The recovery key of an account's backup (issue 22): 32 random bytes, shown to the user once as
// 34 words (RecoveryWords: one word per byte, then two checksum words, the first two bytes of the
// BLAKE2b-256 of the key), so that a word mistyped for another one is refused before anything is
// fetched. Parsing ignores case, extra spaces, hyphens, commas and line breaks. The key itself is
// never written to disk by HChat: a device keeps only the backup key derived from it.
class RecoveryKey {
public:
    static constexpr std::size_t kKeyBytes = 32;
    static constexpr int kChecksumWords = 2;
    static constexpr int kWords = int(kKeyBytes) + kChecksumWords;

    static RecoveryKey generate();
    // The key the words stand for; nullopt with *error saying which word is wrong, or that the
    // checksum does not match (a word mistyped for another valid one).
    static std::optional<RecoveryKey> fromWords(const QString &words, QString *error = nullptr);
    static std::optional<RecoveryKey> fromBytes(QByteArrayView bytes);

    QString toWords() const; // 34 lower-case words separated by single spaces
    const SecureBuffer &bytes() const { return m_key; }
    // The backup key: crypto_kdf_derive_from_key(32, 1, "hchatrec", recovery key).
    SecureBuffer deriveBackupKey() const;

private:
    explicit RecoveryKey(SecureBuffer key) : m_key(std::move(key)) {}
    SecureBuffer m_key;
};

} // namespace hchat::crypto
