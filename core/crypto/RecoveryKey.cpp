#include "crypto/RecoveryKey.h"

#include "crypto/RecoveryWords.h"

#include <QCoreApplication>
#include <QHash>
#include <QRegularExpression>
#include <QStringList>

#include <sodium.h>

namespace hchat::crypto {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("hchat::crypto::RecoveryKey", text);
}

std::array<unsigned char, RecoveryKey::kChecksumWords> checksum(const SecureBuffer &key)
{
    unsigned char hash[crypto_generichash_BYTES];
    crypto_generichash(hash, sizeof hash, key.data(), key.size(), nullptr, 0);
    std::array<unsigned char, RecoveryKey::kChecksumWords> out{};
    for (int i = 0; i < RecoveryKey::kChecksumWords; ++i)
        out[std::size_t(i)] = hash[i];
    sodium_memzero(hash, sizeof hash);
    return out;
}

const QHash<QString, int> &wordIndex()
{
    static const QHash<QString, int> index = [] {
        QHash<QString, int> h;
        for (int i = 0; i < 256; ++i)
            h.insert(QString::fromLatin1(recoveryWords()[std::size_t(i)]), i);
        return h;
    }();
    return index;
}

} // namespace

RecoveryKey RecoveryKey::generate()
{
    return RecoveryKey(SecureBuffer::random(kKeyBytes));
}

std::optional<RecoveryKey> RecoveryKey::fromBytes(QByteArrayView bytes)
{
    if (std::size_t(bytes.size()) != kKeyBytes)
        return std::nullopt;
    return RecoveryKey(SecureBuffer::copyOf(bytes));
}

std::optional<RecoveryKey> RecoveryKey::fromWords(const QString &text, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    static const QRegularExpression separators(QStringLiteral("[\\s\\-,.;]+"));
    const QStringList words = text.toLower().split(separators, Qt::SkipEmptyParts);
    if (words.size() != kWords)
        return fail(tr("A recovery key is %1 words; this has %2.").arg(kWords).arg(words.size()));
    SecureBuffer key(kKeyBytes);
    std::array<unsigned char, kChecksumWords> given{};
    for (int i = 0; i < kWords; ++i) {
        const auto it = wordIndex().constFind(words.at(i));
        if (it == wordIndex().cend())
            return fail(tr("Word %1 (\"%2\") is not a recovery key word.").arg(i + 1).arg(words.at(i)));
        if (i < int(kKeyBytes))
            key.data()[i] = static_cast<unsigned char>(*it);
        else
            given[std::size_t(i) - kKeyBytes] = static_cast<unsigned char>(*it);
    }
    if (checksum(key) != given)
        return fail(tr("This recovery key has a mistyped word: its last two words do not match the others."));
    return RecoveryKey(std::move(key));
}

QString RecoveryKey::toWords() const
{
    QStringList out;
    for (std::size_t i = 0; i < m_key.size(); ++i)
        out << QString::fromLatin1(recoveryWords()[m_key.data()[i]]);
    for (unsigned char c : checksum(m_key))
        out << QString::fromLatin1(recoveryWords()[c]);
    return out.join(QLatin1Char(' '));
}

SecureBuffer RecoveryKey::deriveBackupKey() const
{
    SecureBuffer out(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    crypto_kdf_derive_from_key(out.data(), out.size(), 1, "hchatrec", m_key.data());
    return out;
}

} // namespace hchat::crypto
