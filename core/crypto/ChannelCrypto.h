#pragma once

#include "crypto/DeviceIdentity.h"
#include "crypto/MessageCrypto.h"
#include "crypto/SenderKeyStore.h"
#include "crypto/SenderSession.h"
#include "crypto/TrustStore.h"
#include "StoredMessage.h"

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
} // namespace hchat::v1

namespace hchat::crypto {

// E2EE for the Client: everything an encrypted channel needs, with no network of its own.
//   - membership as the client sees it, derived ONLY from the channel's membership messages
//     (applyMembership, in seq order), never from the gateway's member lists;
//   - the key directory (applyDeviceKeys: verified records, trust on first use);
//   - sending: encryptForSend() returns the envelope plus the key shares that must go to member
//     devices' inboxes first (only Trusted/Verified devices of derived members; the session is
//     rotated on every membership change and every 100 messages or 7 days; the chain moves
//     past each message sent, so a new device receives the chain from the current index only);
//   - receiving: decryptMessage() → Decrypted / WaitingForKey / Undecryptable (with reason);
//     acceptKeyShare() for KEY_SHARE messages of the device inbox, which then names the waiting
//     messages that can be decrypted now (messagesUnblocked).
// State lives in <profile>/trust.json and <profile>/crypto.sqlite (sessions, replay set, waiting
// messages and the derived membership with its last applied seq, so a restart resumes without
// replaying the history).
class ChannelCrypto : public QObject {
    Q_OBJECT
public:
    enum class DisplayState { Plain, Decrypted, WaitingForKey, Undecryptable };
    Q_ENUM(DisplayState)

    struct Incoming {
        DisplayState state = DisplayState::Undecryptable;
        QString text;                 // Plain / Decrypted
        QByteArray plaintext;         // Decrypted: the bytes (an attachment's AttachmentContent)
        MessageCrypto::Error error = MessageCrypto::Error::None;
        QString reason;               // for the user, when not decrypted
    };
    struct OutgoingShare {
        QString stream;               // "~<recipient device>"
        QString recipient;
        QString recipientDevice;
        QByteArray clientMsgId;       // fresh, 16 bytes
        QByteArray body;              // serialized SealedKeyShare (MessageKind::KeyShare)
    };
    struct Outgoing {
        bool ok = false;
        QString error;
        QByteArray body;              // serialized EncryptedEnvelope (encrypted = true)
        QList<OutgoingShare> shares;  // send these before body
        QStringList blockedDevices;   // "nick/device": changed key or unaccepted new device
        QStringList missingKeys;      // member nicks with no known device: fetch their keys
    };

    explicit ChannelCrypto(QObject *parent = nullptr);
    ~ChannelCrypto() override;

    bool open(const QString &profileDir, DeviceIdentity identity, const QString &nick, const QString &deviceId);
    bool isOpen() const { return m_identity.has_value(); }
    QString lastError() const { return m_lastError; }
    const DeviceIdentity *identity() const { return m_identity ? &*m_identity : nullptr; }
    TrustStore &trust() { return m_trust; }
    SenderKeyStore &senderKeys() { return m_keys; }

    // ---- key directory -------------------------------------------------------------------------
    void fillPublishRecord(hchat::v1::DeviceKeys *keys) const;
    // Records of a KeysResponse; invalid ones are ignored. Emits deviceTrustChanged for Changed
    // and NewDevice.
    void applyDeviceKeys(const hchat::v1::KeysResponse &response);

    // ---- membership ----------------------------------------------------------------------------
    // Membership messages of one channel in seq order; others (and seqs already applied) are
    // ignored. A member leaving or being removed requests a rotation of our outbound session.
    void applyMembership(const StoredMessage &message);
    QStringList members(const QString &channel) const;
    bool isMember(const QString &channel, const QString &nick) const;

    // ---- messages ------------------------------------------------------------------------------
    // kind/refSeq: replies (Text, the message replied to), edits and deletions (the target).
    Outgoing encryptForSend(const QString &channel, const QByteArray &clientMsgId, const QString &text,
                            MessageKind kind = MessageKind::Text, quint64 refSeq = 0);
    // Any plaintext bytes (an attachment's AttachmentContent, bound to its upload id).
    Outgoing encryptBytesForSend(const QString &channel, const QByteArray &clientMsgId, const QByteArray &plaintext,
                                 MessageKind kind, quint64 refSeq, const QString &attachmentId);
    Incoming decryptMessage(const StoredMessage &message);
    // A KEY_SHARE of our inbox. True when a session was accepted; then *channel is set and
    // messagesUnblocked() was emitted for the messages waiting for it.
    bool acceptKeyShare(const StoredMessage &message, QString *channel = nullptr, QString *error = nullptr);

signals:
    void deviceTrustChanged(const QString &nick, const QString &deviceId, hchat::crypto::TrustStore::State state);
    void messagesUnblocked(const QString &channel, const QList<quint64> &seqs);

private:
    QByteArray trustedKey(const QString &nick, const QString &deviceId) const;
    SenderSession *outboundFor(const QString &channel);

    std::optional<DeviceIdentity> m_identity;
    QString m_nick;
    QString m_deviceId;
    QString m_lastError;
    TrustStore m_trust;
    SenderKeyStore m_keys;
    QHash<QString, QSet<QString>> m_members;  // channel → lower-case nicks
    QHash<QString, quint64> m_membershipSeq;  // channel → last applied membership seq
    std::map<QString, SenderSession> m_outbound;
};

} // namespace hchat::crypto
