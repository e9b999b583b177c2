#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace hchat::crypto {

// The number two users compare (in person, or over another channel) to verify each other's
// identity keys: 60 digits in 12 groups of 5, e.g. "12345 67890 …".
//
// hash = BLAKE2b-512 over the canonical encoding of both parties — each party is its nick (lower
// case: nicks are case-insensitive) and its identity keys (sorted, so device order does not
// matter) — with the two parties sorted, so both sides compute the same number. The hash is
// iterated kIterations times (as Signal does) to make searching for a colliding key costlier.
// Each group of 5 digits is a 40-bit chunk of the hash modulo 100000.
class SafetyNumber {
public:
    static constexpr int kIterations = 1024;
    static constexpr int kGroups = 12;
    static constexpr int kDigitsPerGroup = 5;

    static QString compute(const QString &nickA, const QList<QByteArray> &keysA,
                           const QString &nickB, const QList<QByteArray> &keysB);
    static QString compute(const QString &nickA, const QByteArray &keyA, const QString &nickB,
                           const QByteArray &keyB)
    {
        return compute(nickA, QList<QByteArray>{keyA}, nickB, QList<QByteArray>{keyB});
    }
    // The user's typed or scanned digits equal the number (spaces and dashes ignored).
    static bool matches(const QString &number, const QString &typed);
};

} // namespace hchat::crypto
