#include "crypto/SenderSession.h"

#include "crypto/Sodium.h"

#include <sodium.h>

namespace hchat::crypto {

static_assert(SenderSession::kKeyBytes == crypto_kdf_KEYBYTES);

std::optional<SenderSession> SenderSession::create(const QString &channel)
{
    if (!Sodium::ensureInitialized() || channel.isEmpty())
        return std::nullopt;
    SenderSession s;
    s.m_channel = channel;
    s.m_key = SecureBuffer::random(kKeyBytes);
    if (s.m_key.isNull())
        return std::nullopt;
    s.m_sessionId.resize(kSessionIdBytes);
    randombytes_buf(s.m_sessionId.data(), kSessionIdBytes);
    return s;
}

std::optional<SenderSession> SenderSession::fromKey(const QString &channel, const QByteArray &sessionId,
                                                    quint32 startIndex, QByteArrayView key, quint32 nextIndex)
{
    if (!Sodium::ensureInitialized() || channel.isEmpty() || sessionId.size() != kSessionIdBytes ||
        key.size() != kKeyBytes)
        return std::nullopt;
    SenderSession s;
    s.m_channel = channel;
    s.m_sessionId = sessionId;
    s.m_startIndex = startIndex;
    s.m_nextIndex = std::max(startIndex, nextIndex);
    s.m_key = SecureBuffer::copyOf(key);
    if (s.m_key.isNull())
        return std::nullopt;
    return s;
}

SenderSession SenderSession::clone() const
{
    SenderSession s;
    s.m_channel = m_channel;
    s.m_sessionId = m_sessionId;
    s.m_startIndex = m_startIndex;
    s.m_nextIndex = m_nextIndex;
    s.m_rotationRequested = m_rotationRequested;
    s.m_key = m_key.clone();
    return s;
}

bool SenderSession::messageKey(quint32 index, unsigned char *out) const
{
    if (index < m_startIndex || m_key.size() != std::size_t(kKeyBytes))
        return false;
    return crypto_kdf_derive_from_key(out, 32, index, "hchatmsg", m_key.data()) == 0;
}

} // namespace hchat::crypto
