#pragma once

#include "crypto/DeviceIdentity.h"
#include "crypto/SenderSession.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>

namespace hchat::crypto {

// A sender session handed to one member device through its inbox (a KEY_SHARE message):
// KeySharePayload {channel, session id, start index i, chain key CK_i, sender, recipient} sealed with
// crypto_box_easy (sender X25519 → a one-time prekey of the recipient, claimed from the gateway, or
// the recipient's X25519 exchange key when none was left; random nonce) into a SealedKeyShare,
// signed by the sender's Ed25519 identity key over everything including the prekey id. The
// recipient opens it with that prekey's secret (then deletes it: a device secret stolen later
// opens no share sent before) or its exchange secret, and checks the signature against the sender
// device's TRUSTED identity key (TrustStore), so neither the gateway nor another member can plant a
// session in someone's name.
class KeyShare {
public:
    // 2: the payload carries the ratchet's chain key at start_index. 1: HChat before the ratchet,
    // whose payload carries an indexed root key; still opened, so old sessions stay readable.
    // 3: sealed to a one-time prekey (prekey_id, signed) or, when none was claimed, to the
    // exchange key (prekey_id 0). 2: the ratchet before prekeys, 1: an indexed root key; both
    // still opened, so old sessions stay readable.
    static constexpr quint32 kVersion = 3;
    static constexpr quint32 kRatchetVersion = 2;
    static constexpr quint32 kIndexedVersion = 1;
    static constexpr int kMaxSealedBytes = 4096;

    enum class Error {
        None,
        Malformed, // does not parse, wrong sizes, too large
        UnsupportedVersion,
        WrongRecipient,   // addressed to another (nick, device)
        UnknownSender,    // no trusted identity key for the sender device
        BadSignature,     // signature invalid, or sender fields differ from the outer message's
        DecryptionFailed, // crypto_box does not open (not sealed to this device) or payload bad
        PrekeyUnknown,    // sealed to a one-time prekey this device does not have (used, or never made)
    };

    struct Recipient {
        Recipient() = default;
        Recipient(QString nick_, QString deviceId_, QByteArray identityKey_, quint32 prekeyId_ = 0,
                  QByteArray prekey_ = {})
            : nick(std::move(nick_)), deviceId(std::move(deviceId_)), identityKey(std::move(identityKey_)),
              prekeyId(prekeyId_), prekey(std::move(prekey_))
        {
        }
        QString nick;
        QString deviceId;
        QByteArray identityKey; // the trusted Ed25519 key; its X25519 key is derived from it
        quint32 prekeyId = 0;   // a one-time prekey of the device (verified by the caller), or 0
        QByteArray prekey;      // its X25519 public key
    };

    // The member device whose session a forward hands on.
    struct Origin {
        QString nick;
        QString deviceId;
    };

    // Serialized SealedKeyShare; empty on bad input. Without origin: the sender's own session from
    // its next index. With origin: a forward to a device of the sender's own account of a session
    // the sender holds (origin's, or its own), from the earliest index it kept.
    static QByteArray seal(const SenderSession &session, const DeviceIdentity &sender,
                           const QString &senderNick, const QString &senderDevice, const Recipient &recipient,
                           const std::optional<Origin> &origin = std::nullopt);

    // The secret of this device's one-time prekey keyId (null when it has none).
    using PrekeySecretLookup = std::function<SecureBuffer(quint32 keyId)>;

    struct Opened {
        Error error = Error::Malformed;
        QString sender;
        QString senderDevice;
        std::optional<Origin> origin;         // a forward: whose session it is (else the sender's)
        std::optional<SenderSession> session; // set when error == None
        quint32 prekeyId = 0;                 // the one-time prekey it was sealed to: delete its secret
        bool ok() const { return error == Error::None; }
    };
    // outerSender / outerSenderDevice: what the gateway says sent the KEY_SHARE message; checked
    // when non-empty. prekeySecret: for shares sealed to a one-time prekey (none: PrekeyUnknown).
    static Opened open(QByteArrayView sealed, const DeviceIdentity &me, const QString &myNick,
                       const QString &myDevice, const IdentityKeyLookup &trustedKey,
                       const QString &outerSender = {}, const QString &outerSenderDevice = {},
                       const PrekeySecretLookup &prekeySecret = {});
    // The prekey id a sealed share names (0: none, or not a share); no check of anything else.
    static quint32 peekPrekeyId(QByteArrayView sealed);

    static QString describe(Error error);
};

} // namespace hchat::crypto
