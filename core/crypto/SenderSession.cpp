#include "crypto/SenderSession.h"

#include "crypto/Sodium.h"

#include <QDateTime>

#include <cstring>

#include <sodium.h>

namespace hchat::crypto {

static_assert(SenderSession::kKeyBytes == crypto_kdf_KEYBYTES);

namespace {
constexpr char kMessageContext[crypto_kdf_CONTEXTBYTES + 1] = "hchatmsg";
constexpr char kChainContext[crypto_kdf_CONTEXTBYTES + 1] = "hchatchn";

// CK_{i+1} = KDF(CK_i, "hchatchn"), in place.
bool stepChain(unsigned char *chainKey)
{
    unsigned char next[SenderSession::kKeyBytes];
    const bool ok = crypto_kdf_derive_from_key(next, sizeof next, 0, kChainContext, chainKey) == 0;
    std::memcpy(chainKey, next, sizeof next);
    sodium_memzero(next, sizeof next);
    return ok;
}
} // namespace

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
    s.m_createdMs = QDateTime::currentMSecsSinceEpoch();
    return s;
}

std::optional<SenderSession> SenderSession::fromKey(const QString &channel, const QByteArray &sessionId,
                                                    quint32 startIndex, QByteArrayView key, quint32 nextIndex,
                                                    Derivation derivation, qint64 createdMs)
{
    if (!Sodium::ensureInitialized() || channel.isEmpty() || sessionId.size() != kSessionIdBytes ||
        key.size() != kKeyBytes || (derivation != Derivation::Ratchet && derivation != Derivation::Indexed))
        return std::nullopt;
    SenderSession s;
    s.m_channel = channel;
    s.m_sessionId = sessionId;
    s.m_startIndex = startIndex;
    s.m_nextIndex = std::max(startIndex, nextIndex);
    s.m_derivation = derivation;
    s.m_createdMs = createdMs > 0 ? createdMs : QDateTime::currentMSecsSinceEpoch();
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
    s.m_derivation = m_derivation;
    s.m_createdMs = m_createdMs;
    s.m_key = m_key.clone();
    return s;
}

bool SenderSession::chainKeyAt(quint32 index, unsigned char *out) const
{
    if (m_derivation != Derivation::Ratchet || index < m_startIndex ||
        index - m_startIndex > kMaxChainSteps || m_key.size() != std::size_t(kKeyBytes))
        return false;
    // From the remembered position when it lies on the way, else from the start.
    quint32 at = m_startIndex;
    const unsigned char *from = m_key.data();
    if (m_cursorValid && m_cursorIndex >= m_startIndex && m_cursorIndex <= index) {
        at = m_cursorIndex;
        from = m_cursorKey.data();
    }
    std::memcpy(out, from, kKeyBytes);
    for (; at < index; ++at)
        if (!stepChain(out))
            return false;
    if (m_cursorKey.isNull())
        m_cursorKey = SecureBuffer(kKeyBytes); // once per session: sodium_malloc is costly
    if (m_cursorKey.isNull())
        return true;
    std::memcpy(m_cursorKey.data(), out, kKeyBytes);
    m_cursorIndex = index;
    m_cursorValid = true;
    return true;
}

bool SenderSession::messageKey(quint32 index, unsigned char *out) const
{
    if (m_key.size() != std::size_t(kKeyBytes) || index < m_startIndex)
        return false;
    if (m_derivation == Derivation::Indexed)
        return crypto_kdf_derive_from_key(out, 32, index, kMessageContext, m_key.data()) == 0;
    unsigned char chain[kKeyBytes];
    const bool ok =
        chainKeyAt(index, chain) && crypto_kdf_derive_from_key(out, 32, 0, kMessageContext, chain) == 0;
    sodium_memzero(chain, sizeof chain);
    return ok;
}

std::optional<SenderSession> SenderSession::from(quint32 index) const
{
    if (index < m_startIndex)
        return std::nullopt;
    SenderSession s = clone();
    if (!s.advanceTo(index))
        return std::nullopt;
    return s;
}

bool SenderSession::advanceTo(quint32 index)
{
    if (index < m_startIndex)
        return false;
    if (index == m_startIndex)
        return true;
    if (m_derivation == Derivation::Indexed) {
        m_startIndex = index; // the root key stays: this derivation cannot forget
        m_nextIndex = std::max(m_nextIndex, index);
        return true;
    }
    // In place: the outbound session moves on after every message it sends.
    unsigned char next[kKeyBytes];
    if (m_key.size() != std::size_t(kKeyBytes) || !chainKeyAt(index, next)) {
        sodium_memzero(next, sizeof next);
        return false;
    }
    std::memcpy(m_key.data(), next, kKeyBytes);
    sodium_memzero(next, sizeof next);
    m_startIndex = index;
    m_nextIndex = std::max(m_nextIndex, index);
    // Nothing behind the new start stays in memory.
    if (!m_cursorKey.isNull())
        sodium_memzero(m_cursorKey.data(), m_cursorKey.size());
    m_cursorValid = false;
    return true;
}

bool SenderSession::sameChain(const SenderSession &other) const
{
    if (other.m_sessionId != m_sessionId || other.m_channel != m_channel ||
        other.m_derivation != m_derivation)
        return false;
    if (m_derivation == Derivation::Indexed)
        return m_key.equals(other.m_key);
    const SenderSession &early = m_startIndex <= other.m_startIndex ? *this : other;
    const SenderSession &late = m_startIndex <= other.m_startIndex ? other : *this;
    SecureBuffer at(kKeyBytes);
    return !at.isNull() && early.chainKeyAt(late.m_startIndex, at.data()) && at.equals(late.m_key);
}

bool SenderSession::needsRotation(qint64 nowMs) const
{
    return m_rotationRequested || m_derivation != Derivation::Ratchet ||
           messagesSent() >= kMessagesPerSession || nowMs - m_createdMs >= kMaxAgeMs;
}

bool SenderSession::needsRotation() const
{
    return needsRotation(QDateTime::currentMSecsSinceEpoch());
}

} // namespace hchat::crypto
