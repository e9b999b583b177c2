#pragma once

#include "crypto/ChannelMembership.h"
#include "crypto/MessageCrypto.h"
#include "crypto/SealedStore.h"
#include "crypto/SecureBuffer.h"
#include "crypto/SenderSession.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <map>
#include <optional>
#include <vector>

namespace hchat::crypto {

// The device's sender-key state in its own SQLite database (QtSql, own connection, WAL; e.g.
// <profile>/crypto.sqlite — HistoryStore's schema is not touched):
//   inbound_session  sessions received in key shares, per (channel, sender device, session id)
//   seen_index       accepted (sender device, session id, index) → (channel, seq): replay rejection
//   outbound_session this device's current session per channel (next index persisted before use)
//   outbound_share   which devices got which outbound session
//   waiting          encrypted messages waiting for a session (retry when its key share arrives)
//   membership_event the membership rows and signed operations of each channel (replayed into
//                    ChannelMembership at open, so a restart needs no replay of the history)
//   membership       channels known before signed membership: their members then (legacy)
// Sender keys are sealed at rest (SealedStore, AD = the row's identity), so the database file alone
// reveals no key.
// Every statement is prepared; every method runs on the calling thread.
class SenderKeyStore : public SealedStore {
public:
    static constexpr int kSchemaVersion = 3;

    SenderKeyStore();
    ~SenderKeyStore();

    // storageKey: 32 bytes (DeviceIdentity::deriveStorageKey()).
    bool open(const QString &path, const SecureBuffer &storageKey);
    void close();
    // Groups many writes (the replay records of a decrypted catch-up batch) into one transaction.
    // Batches nest; endBatch() of the outermost commits.
    bool beginBatch();
    bool endBatch();
    bool inBatch() const { return m_batchDepth > 0; }

    // ---- inbound -------------------------------------------------------------------------------
    // Keeps a session from a key share. The same session again on the same chain: the lower start
    // index wins. The same id on another chain (or derivation) is refused (false).
    bool addInbound(const QString &sender, const QString &senderDevice, const SenderSession &session);
    // The session, read once and then kept in a bounded cache; the pointer stays valid until the
    // next call of inbound().
    const SenderSession *inbound(const QString &channel, const QString &senderDevice,
                                 const QByteArray &sessionId);
    int inboundCount(const QString &channel = {}) const;
    struct HeldSession {
        QString sender;
        QString senderDevice;
        SenderSession session; // from the earliest index this device kept
    };
    // Every ratchet session this device can read (its own included), in the order received: what
    // it forwards to a new device of its account.
    std::vector<HeldSession> heldSessions() const;

    // ---- replay --------------------------------------------------------------------------------
    // Answered from memory: a session's seen indices are read once, when it is first asked about.
    // Inside a batch the new ones are written when it ends (one pass, not one write per message);
    // outside, at once.
    bool isReplay(const QString &senderDevice, const QByteArray &sessionId, quint32 index,
                  const QString &channel, quint64 seq) const;
    bool markSeen(const QString &senderDevice, const QByteArray &sessionId, quint32 index,
                  const QString &channel, quint64 seq);

    // ---- outbound ------------------------------------------------------------------------------
    bool saveOutbound(const SenderSession &session); // insert or replace the channel's session
    std::optional<SenderSession> outbound(const QString &channel) const;
    bool removeOutbound(const QString &channel);
    bool recordShare(const QString &channel, const QByteArray &sessionId, const QString &recipient,
                     const QString &recipientDevice);
    bool wasShared(const QString &channel, const QByteArray &sessionId, const QString &recipientDevice) const;

    // ---- waiting for a key ---------------------------------------------------------------------
    bool addWaiting(const QString &channel, quint64 seq, const QString &senderDevice,
                    const QByteArray &sessionId);
    QList<quint64> waitingFor(const QString &channel, const QString &senderDevice,
                              const QByteArray &sessionId) const;
    bool removeWaiting(const QString &channel, quint64 seq);

    // ---- membership (ChannelCrypto) --------------------------------------------------------------
    // The membership rows and operations of each channel, as they came: replayed at open.
    bool addMembershipEvent(const QString &channel, const ChannelMembership::Event &event);
    QHash<QString, QList<ChannelMembership::Event>> membershipEvents() const;
    // Channels known before signed membership (schema 3): channel → (members, last applied seq)
    // derived from the gateway's rows then. Their membership stays the gateway's.
    QHash<QString, QPair<QStringList, quint64>> legacyMemberships() const;
    bool saveLegacyMembership(const QString &channel, const QStringList &members, quint64 lastSeq);
    // Messages of channel waiting for its membership (addWaiting with this as session id: no
    // session id is that short) rather than for a key.
    static inline const QByteArray kWaitingForMembership = QByteArrayLiteral("membership");
    QList<quint64> waitingForMembership(const QString &channel) const;

    // Forget everything about a channel we left (sessions, shares, waiting rows; seen stays).
    bool forgetChannel(const QString &channel);

    // MessageCrypto::Resolver over this store and an identity-key lookup (TrustStore::trustedKey).
    MessageCrypto::Resolver resolver(IdentityKeyLookup identityKey);

private:
    struct Seen {
        QString channel; // shared with the session's other entries
        quint64 seq = 0;
    };
    using SeenIndices = QHash<quint32, Seen>;
    struct PendingSeen {
        QString senderDevice;
        QByteArray sessionId;
        quint32 index = 0;
        Seen seen;
    };
    SeenIndices &seenOf(const QString &senderDevice, const QByteArray &sessionId) const;
    bool writeSeen();

    int m_batchDepth = 0;
    std::map<QString, SenderSession> m_inboundCache;
    // The replay records of the sessions asked about, keyed by sender device and session id.
    mutable QHash<QByteArray, SeenIndices> m_seen;
    mutable qsizetype m_seenEntries = 0;
    QList<PendingSeen> m_pendingSeen;
};

} // namespace hchat::crypto
