#pragma once

#include "crypto/SecureBuffer.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace hchat::crypto {

// One member device's sender session in one channel (Signal sender keys / Megolm without the
// ratchet): a random 32-byte sender key, a random 16-byte session id and the next message index.
// Message key i = crypto_kdf_derive_from_key(32, i, "hchatmsg", sender key). Everyone holding the
// key can derive every message key from startIndex() on, so the sender signs each message with its
// identity key (MessageCrypto) and the session is replaced (rotate()) whenever a member leaves or is
// removed — the leaver holds the old key but never gets the new one — and after
// kMessagesPerSession messages. Move-only (it owns the key).
class SenderSession {
public:
    static constexpr int kKeyBytes = 32;
    static constexpr int kSessionIdBytes = 16;
    static constexpr quint32 kMessagesPerSession = 1000;

    // A fresh outbound session for channel (index 0).
    static std::optional<SenderSession> create(const QString &channel);
    // A session received in a key share (or loaded from storage); nullopt on wrong sizes.
    static std::optional<SenderSession> fromKey(const QString &channel, const QByteArray &sessionId,
                                                quint32 startIndex, QByteArrayView key, quint32 nextIndex = 0);

    SenderSession(SenderSession &&) noexcept = default;
    SenderSession &operator=(SenderSession &&) noexcept = default;
    SenderSession clone() const;

    QString channel() const { return m_channel; }
    QByteArray sessionId() const { return m_sessionId; }
    quint32 startIndex() const { return m_startIndex; }
    quint32 nextIndex() const { return m_nextIndex; }
    const SecureBuffer &key() const { return m_key; }

    // Writes message key `index` (32 bytes) to out; false when index < startIndex().
    bool messageKey(quint32 index, unsigned char *out) const;
    // The index for the next outbound message (then advances). Persist the session after this,
    // before sending, so that an index is never used twice across restarts.
    quint32 takeIndex() { return m_nextIndex++; }

    quint32 messagesSent() const { return m_nextIndex - m_startIndex; }
    // A member left or was removed: the next message must use a new session.
    void requestRotation() { m_rotationRequested = true; }
    bool rotationRequested() const { return m_rotationRequested; }
    bool needsRotation() const { return m_rotationRequested || messagesSent() >= kMessagesPerSession; }
    // A new session for the same channel (new key, new id, index 0).
    std::optional<SenderSession> rotate() const { return create(m_channel); }

private:
    SenderSession() = default;

    QString m_channel;
    QByteArray m_sessionId;
    quint32 m_startIndex = 0;
    quint32 m_nextIndex = 0;
    bool m_rotationRequested = false;
    SecureBuffer m_key;
};

} // namespace hchat::crypto
