#pragma once

#include "StoredMessage.h"
#include "crypto/ChannelMembership.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/DeviceList.h"
#include "crypto/MembershipOp.h"
#include "crypto/MessageCrypto.h"
#include "crypto/PrekeyStore.h"
#include "crypto/SenderKeyStore.h"
#include "crypto/SenderSession.h"
#include "crypto/TrustStore.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <map>
#include <memory>
#include <optional>

namespace hchat::v1 {
class DeviceKeys;
class KeysResponse;
class PrekeyClaimResponse;
class SignedDeviceList;
} // namespace hchat::v1

namespace hchat::crypto {

class BatchVerifier;

// E2EE for the Client: everything an encrypted channel needs, with no network of its own.
//   - membership as the client sees it (ChannelMembership per channel): from the channel's signed
//     membership operations, in seq order (applyMembership), never from the gateway's member
//     lists; makeMembershipOp() signs this device's own operations;
//   - the key directory (applyDeviceKeys: verified records, trust on first use);
//   - sending: encryptForSend() returns the envelope plus the key shares that must go to member
//     devices' inboxes first (only Trusted/Verified devices of derived members; the session is
//     rotated on every membership change and every 100 messages or 7 days; the chain moves
//     past each message sent, so a new device receives the chain from the current index only);
//   - receiving: decryptMessage() → Decrypted / WaitingForKey / Undecryptable (with reason);
//     acceptKeyShare() for KEY_SHARE messages of the device inbox, which then names the waiting
//     messages that can be decrypted now (messagesUnblocked).
//   - one-time prekeys (PrekeyStore): this device's, published for others to seal shares to and
//     deleted once used; and one claimed per peer device, so each share to it is sealed to a key
//     whose secret that device deletes after opening it.
// State lives in <profile>/trust.json, <profile>/crypto.sqlite (sessions, replay set, waiting
// messages and the membership events, so a restart resumes without replaying the history) and
// <profile>/prekeys.sqlite.
class ChannelCrypto : public QObject {
    Q_OBJECT
public:
    enum class DisplayState { Plain, Decrypted, WaitingForKey, Undecryptable };
    Q_ENUM(DisplayState)

    struct Incoming {
        DisplayState state = DisplayState::Undecryptable;
        QString text;         // Plain / Decrypted
        QByteArray plaintext; // Decrypted: the bytes (an attachment's AttachmentContent)
        MessageCrypto::Error error = MessageCrypto::Error::None;
        QString reason;          // for the user, when not decrypted
        qint64 senderTimeMs = 0; // Decrypted: when the sender wrote it, signed (0: not said)
    };
    struct OutgoingShare {
        QString stream; // "~<recipient device>"
        QString recipient;
        QString recipientDevice;
        QByteArray clientMsgId; // fresh, 16 bytes
        QByteArray body;        // serialized SealedKeyShare (MessageKind::KeyShare)
    };
    struct Outgoing {
        bool ok = false;
        QString error;
        QByteArray body;             // serialized EncryptedEnvelope (encrypted = true)
        QList<OutgoingShare> shares; // send these before body
        QStringList blockedDevices;  // "nick/device": changed key or unaccepted new device
        QStringList missingKeys;     // member nicks with no known device: fetch their keys
    };

    explicit ChannelCrypto(QObject *parent = nullptr);
    ~ChannelCrypto() override;

    bool open(const QString &profileDir, DeviceIdentity identity, const QString &nick,
              const QString &deviceId);
    bool isOpen() const { return m_identity.has_value(); }
    QString lastError() const { return m_lastError; }
    const DeviceIdentity *identity() const { return m_identity ? &*m_identity : nullptr; }
    QString nick() const { return m_nick; }
    QString deviceId() const { return m_deviceId; }
    TrustStore &trust() { return m_trust; }
    SenderKeyStore &senderKeys() { return m_keys; }
    PrekeyStore &prekeys() { return m_prekeys; }

    // ---- key directory -------------------------------------------------------------------------
    void fillPublishRecord(hchat::v1::DeviceKeys *keys) const;
    // Records of a KeysResponse; invalid ones are ignored. Emits deviceTrustChanged for Changed
    // and NewDevice. asked: the nicks the request named; a known device of one of them that the
    // answer no longer lists was revoked: it gets no key any more and every channel of that user
    // rotates its sender session.
    // The answer's signed device lists come first (one per nick asked): the newest list signed by
    // a device this client trusts for the account makes its devices trusted and revokes those the
    // previous list named and it leaves out; a directory record that contradicts it is ignored.
    void applyDeviceKeys(const hchat::v1::KeysResponse &response, const QStringList &asked = {});
    // The newest signed device list accepted for nick (ours included), if any.
    std::optional<DeviceList> deviceList(const QString &nick) const;
    // The newest list of this account seen that does not name this device (it waits).
    const std::optional<DeviceList> &ownListWithoutThisDevice() const { return m_ownListWithoutUs; }
    // This device's account list with `add` (devices of ours waiting for approval: their keys as
    // the directory showed them) and without `remove`, one generation on, signed by this device.
    // Without a list yet: the first one, holding this device.
    std::optional<DeviceList> makeOwnDeviceList(const QStringList &add, const QStringList &remove,
                                                QString *error = nullptr) const;

    // ---- one-time prekeys ------------------------------------------------------------------------
    // The gateway keeps this many of ours; below kPrekeyLowWater we publish more.
    static constexpr int kPrekeyTarget = 100;
    static constexpr int kPrekeyLowWater = 40;
    // What to publish when the gateway holds `available` of ours: new ones up to kPrekeyTarget (at
    // most kMaxPrekeysPerUpload); empty when enough are there. Ids are never sent twice.
    QList<PrekeyStore::Prekey> prekeysToPublish(int available);
    // Trusted devices (nick, device) of members of encrypted channels with no claimed prekey yet.
    QList<QPair<QString, QString>> devicesNeedingPrekeys() const;
    // The answer to POST /v1/keys/claim for `asked` (device → nick): each prekey whose signature
    // verifies against that device's trusted identity key is kept for the next share to it.
    int applyClaimedPrekeys(const hchat::v1::PrekeyClaimResponse &response,
                            const QHash<QString, QString> &asked);

    // ---- membership ----------------------------------------------------------------------------
    // Membership rows and operations of one channel in seq order; other kinds (and seqs already
    // applied) are ignored. Any change of the members requests a rotation of our outbound session
    // and emits membershipChanged; a refused one emits membershipRejected (a warning for the user).
    void applyMembership(const StoredMessage &message);
    QStringList members(const QString &channel) const;
    bool isMember(const QString &channel, const QString &nick) const;
    // The channel's derived membership (nullptr: nothing seen of it yet).
    const ChannelMembership *membership(const QString &channel) const;
    // Whether nick was an owner or moderator of channel's signed membership when message seq was
    // stored: whose deletions of others' messages this device honours there.
    bool wasModeratorAt(const QString &channel, const QString &nick, quint64 seq) const;
    // This device's signed operation for channel (the body of a MESSAGE_KIND_MEMBERSHIP message):
    // Genesis (members: the first invitees), Add/Remove (subject), Accept (of our invitation),
    // Leave, Role (subject, role). Empty with *error when it cannot be made (no identity, nothing
    // to accept, …).
    QByteArray makeMembershipOp(const QString &channel, MembershipOp::Action action,
                                const QString &subject = {}, const QStringList &members = {},
                                QString *error = nullptr,
                                MembershipOp::Role role = MembershipOp::Role::Member) const;

    // ---- messages ------------------------------------------------------------------------------
    // kind/refSeq: replies (Text, the message replied to), edits and deletions (the target).
    Outgoing encryptForSend(const QString &channel, const QByteArray &clientMsgId, const QString &text,
                            MessageKind kind = MessageKind::Text, quint64 refSeq = 0);
    // Any plaintext bytes (an attachment's AttachmentContent, bound to its upload id).
    Outgoing encryptBytesForSend(const QString &channel, const QByteArray &clientMsgId,
                                 const QByteArray &plaintext, MessageKind kind, quint64 refSeq,
                                 const QString &attachmentId);
    // verifiedKey: from a verifier() of this message (skips checking its signature again when the
    // sender's trusted key is still that one).
    Incoming decryptMessage(const StoredMessage &message, const QByteArray &verifiedKey = {});
    // Checks the signatures of rows' encrypted messages under their senders' keys trusted now,
    // on a pool thread while the rows are decrypted in order (BatchVerifier).
    std::unique_ptr<BatchVerifier> verifier(const QList<StoredMessage> &rows) const;
    // A KEY_SHARE of our inbox. True when a session was accepted; then *channel is set and
    // messagesUnblocked() was emitted for the messages waiting for it.
    // *retryable: false when it can never be accepted (sealed to a prekey this device has not).
    bool acceptKeyShare(const StoredMessage &message, QString *channel = nullptr, QString *error = nullptr,
                        bool *retryable = nullptr);
    // Forwards every session this device holds, from the earliest index it kept, to deviceId of
    // this account (issue 22: the new device reads the history from before it existed). Only to a
    // device on this account's signed device list that this device trusts; empty otherwise. The
    // first share uses the device's claimed one-time prekey, the rest its exchange key.
    QList<OutgoingShare> forwardHeldSessions(const QString &deviceId);
    // Sessions restored from the account's recovery key backup (issue 22): each kept as if a key
    // share had brought it, under its original sender device. A sender device without a trusted
    // key here gets the identity key the backing-up device trusted for it (TrustStore::
    // trustFromBackup: only a device never seen, or a new one showing that very key; a changed key
    // stays the user's call; it verifies, it gets no key share), so that its messages verify.
    // Membership waiting for those keys is retried and the messages waiting for the sessions are
    // unblocked (messagesUnblocked). Returns how many sessions were kept.
    struct RestoredSession {
        QString sender;
        QString senderDevice;
        SenderSession session;
        QByteArray senderIdentityKey;
    };
    int restoreSessions(const std::vector<RestoredSession> &sessions);
    // The identity key this device trusts for a device (its own for itself; empty: none).
    QByteArray verifyingKey(const QString &nick, const QString &deviceId) const
    {
        return trustedKey(nick, deviceId);
    }
    // The prekeys of shares accepted inside a SenderKeyStore batch are deleted once it committed:
    // call after SenderKeyStore::endBatch().
    void settleUsedPrekeys();

signals:
    void deviceTrustChanged(const QString &nick, const QString &deviceId,
                            hchat::crypto::TrustStore::State state);
    void messagesUnblocked(const QString &channel, const QList<quint64> &seqs);
    void membershipChanged(const QString &channel);
    void membershipRejected(const QString &channel, quint64 seq, const QString &reason);
    // A membership operation waits for the device keys of nick.
    void membershipNeedsKeys(const QString &nick);
    // A claimed prekey was used, or a device may have none yet: claim again.
    void prekeysWanted();
    // A device list for nick was refused (older, signed by a device never approved, bad
    // signature): the gateway (or someone) tried to change the account's devices.
    void deviceListRefused(const QString &nick, const QString &reason);
    // One of our prekeys was used: the gateway's supply may need topping up.
    void prekeyUsed();
    // A session was kept (a key share accepted, or a new session of our own): a backup may want it.
    void sessionKept();

private:
    QByteArray trustedKey(const QString &nick, const QString &deviceId) const;
    QString waitingReason(bool forMembership) const;
    DeviceList::Verdict applyDeviceList(const hchat::v1::SignedDeviceList &list);
    bool mayShareWith(const TrustStore::Device &device) const;
    void applyListTrust(const QString &nick, const DeviceList &list);
    void revokeDevice(const QString &nick, const QString &deviceId);
    SenderSession *outboundFor(const QString &channel);
    ChannelMembership &membershipOf(const QString &channel);
    void handleOutcomes(ChannelMembership &membership, const QList<ChannelMembership::Outcome> &outcomes);
    void retryMembership();

    std::optional<DeviceIdentity> m_identity;
    QString m_nick;
    QString m_deviceId;
    QString m_lastError;
    TrustStore m_trust;
    SenderKeyStore m_keys;
    PrekeyStore m_prekeys;
    std::map<QString, ChannelMembership> m_membership;
    std::map<QString, SenderSession> m_outbound;
    mutable QHash<QString, std::optional<DeviceList>> m_listCache; // lower-case nick → held list
    std::optional<DeviceList> m_ownListWithoutUs;
    QList<quint32> m_usedPrekeys; // consumed once the batch that kept their sessions commits
};

} // namespace hchat::crypto
