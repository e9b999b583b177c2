#pragma once

#include "crypto/SecureBuffer.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace hchat::crypto {

// One member device's sender session in one channel (Signal sender keys / Megolm): a 16-byte
// session id, a symmetric ratchet and the next message index.
//   Ratchet (every session created now): key() is the chain key CK_s at startIndex() s;
//     MK_i = KDF(CK_i, "hchatmsg"), CK_{i+1} = KDF(CK_i, "hchatchn")  (crypto_kdf_derive_from_key).
//     A copy handed on at index i (from(i)) holds CK_i: no key before i can be derived from it,
//     so a device that receives the session mid-way cannot read what was sent before.
//   Indexed (sessions of HChat before the ratchet, kept so that old history stays readable):
//     key() is a root key and MK_i = KDF(root, i); anyone holding it derives every index. Such a
//     session is never used to send again (needsRotation()).
// The sender signs each message with its identity key (MessageCrypto). The session is replaced
// (rotate()) on every membership change, when a member's device is revoked, and after
// kMessagesPerSession messages or kMaxAgeMs, whichever comes first. Move-only (it owns the key).
class SenderSession {
public:
    enum class Derivation : int { Indexed = 1, Ratchet = 2 };
    static constexpr int kKeyBytes = 32;
    static constexpr int kSessionIdBytes = 16;
    static constexpr quint32 kMessagesPerSession = 100;
    static constexpr qint64 kMaxAgeMs = 7LL * 24 * 3600 * 1000;
    // How far past its chain's start a message index may be: a hostile sender naming index 2^32-1
    // would otherwise make every receiver step the chain four billion times.
    static constexpr quint32 kMaxChainSteps = 4 * kMessagesPerSession;

    // A fresh outbound ratchet session for channel (index 0), created now.
    static std::optional<SenderSession> create(const QString &channel);
    // A session received in a key share (or loaded from storage); nullopt on wrong sizes.
    // createdMs: when its sender created it (0: unknown, taken as now).
    static std::optional<SenderSession> fromKey(const QString &channel, const QByteArray &sessionId,
                                                quint32 startIndex, QByteArrayView key, quint32 nextIndex = 0,
                                                Derivation derivation = Derivation::Ratchet,
                                                qint64 createdMs = 0);

    SenderSession(SenderSession &&) noexcept = default;
    SenderSession &operator=(SenderSession &&) noexcept = default;
    SenderSession clone() const;

    QString channel() const { return m_channel; }
    QByteArray sessionId() const { return m_sessionId; }
    quint32 startIndex() const { return m_startIndex; }
    quint32 nextIndex() const { return m_nextIndex; }
    Derivation derivation() const { return m_derivation; }
    qint64 createdMs() const { return m_createdMs; }
    // Ratchet: the chain key at startIndex(); Indexed: the root key.
    const SecureBuffer &key() const { return m_key; }

    // Writes message key `index` (32 bytes) to out; false when index < startIndex() or too far
    // ahead. Sequential indexes cost one step each (the last position is remembered).
    bool messageKey(quint32 index, unsigned char *out) const;
    // The same session as a receiver holding it from `index` on would have it (index >=
    // startIndex()): what a key share carries. nullopt when index cannot be reached.
    std::optional<SenderSession> from(quint32 index) const;
    // Whether other is this session at some index (the same chain): then the one with the lower
    // start index can read everything the other can.
    bool sameChain(const SenderSession &other) const;
    // Forgets the chain before index: the outbound session after each message, so that a device
    // key stolen later opens nothing already sent.
    bool advanceTo(quint32 index);

    // The index for the next outbound message (then advances). Persist the session after this,
    // before sending, so that an index is never used twice across restarts.
    quint32 takeIndex() { return m_nextIndex++; }

    // Messages sent with this session (outbound: counted from index 0, also after advanceTo()).
    quint32 messagesSent() const { return m_nextIndex; }
    // A member joined, left or was removed, or a device was revoked: the next message must use
    // a new session.
    void requestRotation() { m_rotationRequested = true; }
    bool rotationRequested() const { return m_rotationRequested; }
    bool needsRotation(qint64 nowMs) const;
    bool needsRotation() const;
    // A new session for the same channel (new key, new id, index 0).
    std::optional<SenderSession> rotate() const { return create(m_channel); }

private:
    SenderSession() = default;
    bool chainKeyAt(quint32 index, unsigned char *out) const;

    QString m_channel;
    QByteArray m_sessionId;
    quint32 m_startIndex = 0;
    quint32 m_nextIndex = 0;
    bool m_rotationRequested = false;
    Derivation m_derivation = Derivation::Ratchet;
    qint64 m_createdMs = 0;
    SecureBuffer m_key;
    // The last chain position reached by messageKey(): catching up through a session steps once
    // per message instead of from the start each time. Not thread-safe, like the rest.
    mutable bool m_cursorValid = false;
    mutable quint32 m_cursorIndex = 0;
    mutable SecureBuffer m_cursorKey;
};

} // namespace hchat::crypto
