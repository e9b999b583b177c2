#include "crypto/SafetyNumber.h"

#include "crypto/CanonicalBytes.h"
#include "crypto/Sodium.h"

#include <sodium.h>

#include <algorithm>

namespace hchat::crypto {

namespace {
QByteArray party(const QString &nick, QList<QByteArray> keys)
{
    std::sort(keys.begin(), keys.end());
    CanonicalBytes c("hchat-safety-party-v1");
    c.add(nick.toLower()).addU32(quint32(keys.size()));
    for (const QByteArray &k : keys)
        c.add(k);
    return c.bytes();
}
} // namespace

QString SafetyNumber::compute(const QString &nickA, const QList<QByteArray> &keysA, const QString &nickB,
                              const QList<QByteArray> &keysB)
{
    if (!Sodium::ensureInitialized())
        return {};
    QByteArray a = party(nickA, keysA);
    QByteArray b = party(nickB, keysB);
    if (b < a)
        std::swap(a, b);
    const QByteArray input = CanonicalBytes("hchat-safety-number-v1").add(a).add(b).bytes();

    unsigned char hash[crypto_generichash_BYTES_MAX];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char *>(input.constData()),
                       quint64(input.size()), nullptr, 0);
    for (int i = 1; i < kIterations; ++i) {
        crypto_generichash_state st;
        crypto_generichash_init(&st, nullptr, 0, sizeof hash);
        crypto_generichash_update(&st, hash, sizeof hash);
        crypto_generichash_update(&st, reinterpret_cast<const unsigned char *>(input.constData()),
                                  quint64(input.size()));
        crypto_generichash_final(&st, hash, sizeof hash);
    }
    static_assert(kGroups * 5 <= crypto_generichash_BYTES_MAX, "12 chunks of 40 bits");
    QString out;
    out.reserve(kGroups * (kDigitsPerGroup + 1));
    for (int g = 0; g < kGroups; ++g) {
        quint64 chunk = 0;
        for (int j = 0; j < 5; ++j)
            chunk = (chunk << 8) | hash[g * 5 + j];
        if (g)
            out += QLatin1Char(' ');
        out += QStringLiteral("%1").arg(chunk % 100000, kDigitsPerGroup, 10, QLatin1Char('0'));
    }
    return out;
}

bool SafetyNumber::matches(const QString &number, const QString &typed)
{
    auto digits = [](const QString &s) {
        QString d;
        for (QChar c : s) {
            if (c.isDigit())
                d += c;
            else if (!c.isSpace() && c != QLatin1Char('-'))
                return QString(); // anything else: no match
        }
        return d;
    };
    const QString a = digits(number);
    return a.size() == kGroups * kDigitsPerGroup && a == digits(typed);
}

} // namespace hchat::crypto
