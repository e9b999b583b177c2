#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace hchat::crypto {

// The exact bytes that get signed or authenticated. Protobuf serialisation is not canonical, so
// signatures never cover protobuf bytes: they cover this fixed encoding instead — a domain string
// (so a signature made for one purpose is never valid for another), then each field as a 32-bit
// big-endian length followed by its bytes (integers as 4 or 8 big-endian bytes).
class CanonicalBytes {
public:
    explicit CanonicalBytes(const char *domain);
    CanonicalBytes &add(QByteArrayView bytes);
    CanonicalBytes &add(const QByteArray &bytes) { return add(QByteArrayView(bytes)); }
    CanonicalBytes &add(const QString &text); // UTF-8
    CanonicalBytes &addU32(quint32 value);
    CanonicalBytes &addU64(quint64 value);
    const QByteArray &bytes() const { return m_bytes; }

private:
    QByteArray m_bytes;
};

} // namespace hchat::crypto
