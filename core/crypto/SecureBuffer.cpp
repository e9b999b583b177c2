#include "crypto/SecureBuffer.h"

#include "crypto/Sodium.h"

#include <sodium.h>

#include <utility>

namespace hchat::crypto {

SecureBuffer::SecureBuffer(std::size_t size)
{
    if (size == 0 || !Sodium::ensureInitialized())
        return;
    m_data = static_cast<unsigned char *>(sodium_malloc(size));
    if (m_data) {
        m_size = size;
        sodium_memzero(m_data, size);
    }
}

SecureBuffer::~SecureBuffer()
{
    if (m_data)
        sodium_free(m_data); // wipes before freeing
}

SecureBuffer::SecureBuffer(SecureBuffer &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0))
{
}

SecureBuffer &SecureBuffer::operator=(SecureBuffer &&other) noexcept
{
    if (this != &other) {
        if (m_data)
            sodium_free(m_data);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecureBuffer SecureBuffer::random(std::size_t size)
{
    SecureBuffer b(size);
    if (!b.isNull())
        randombytes_buf(b.m_data, b.m_size);
    return b;
}

SecureBuffer SecureBuffer::copyOf(QByteArrayView bytes)
{
    SecureBuffer b(std::size_t(bytes.size()));
    if (!b.isNull())
        memcpy(b.m_data, bytes.data(), b.m_size);
    return b;
}

QByteArrayView SecureBuffer::view() const
{
    return QByteArrayView(reinterpret_cast<const char *>(m_data), qsizetype(m_size));
}

SecureBuffer SecureBuffer::clone() const
{
    return copyOf(view());
}

bool SecureBuffer::equals(const SecureBuffer &other) const
{
    if (m_size != other.m_size)
        return false;
    if (m_size == 0)
        return true;
    return sodium_memcmp(m_data, other.m_data, m_size) == 0;
}

QByteArray SecureBuffer::toByteArray() const
{
    return QByteArray(reinterpret_cast<const char *>(m_data), qsizetype(m_size));
}

void SecureBuffer::wipe(QByteArray &bytes)
{
    if (!bytes.isEmpty()) {
        // data() detaches, so only our own copy is wiped, never a shared one behind our back.
        sodium_memzero(bytes.data(), std::size_t(bytes.size()));
    }
    bytes.clear();
}

} // namespace hchat::crypto
