#include "crypto/CanonicalBytes.h"

#include <QtEndian>

namespace hchat::crypto {

CanonicalBytes::CanonicalBytes(const char *domain)
{
    m_bytes.reserve(256);
    add(QByteArrayView(domain));
}

CanonicalBytes &CanonicalBytes::add(QByteArrayView bytes)
{
    addU32(quint32(bytes.size()));
    m_bytes.append(bytes.data(), bytes.size());
    return *this;
}

CanonicalBytes &CanonicalBytes::add(const QString &text)
{
    return add(QByteArrayView(text.toUtf8()));
}

CanonicalBytes &CanonicalBytes::addU32(quint32 value)
{
    char buf[4];
    qToBigEndian(value, buf);
    m_bytes.append(buf, 4);
    return *this;
}

CanonicalBytes &CanonicalBytes::addU64(quint64 value)
{
    char buf[8];
    qToBigEndian(value, buf);
    m_bytes.append(buf, 8);
    return *this;
}

} // namespace hchat::crypto
