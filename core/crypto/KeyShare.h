#pragma once

#include "crypto/DeviceIdentity.h"
#include "crypto/SenderSession.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace hchat::crypto {

// A sender session handed to one member device through its inbox (a KEY_SHARE message):
// KeySharePayload {channel, session id, start index i, chain key CK_i, sender, recipient} sealed with
// crypto_box_easy (sender X25519 → recipient X25519, random nonce) into a SealedKeyShare, signed by
// the sender's Ed25519 identity key. The recipient opens it with its own X25519 secret and checks
// the signature against the sender device's TRUSTED identity key (TrustStore), so neither the
// gateway nor another member can plant a session in someone's name.
class KeyShare {
public:
    // 2: the payload carries the ratchet's chain key at start_index. 1: HChat before the ratchet,
    // whose payload carries an indexed root key; still opened, so old sessions stay readable.
    static constexpr quint32 kVersion = 2;
    static constexpr quint32 kIndexedVersion = 1;
    static constexpr int kMaxSealedBytes = 4096;

    enum class Error {
        None,
        Malformed,          // does not parse, wrong sizes, too large
        UnsupportedVersion,
        WrongRecipient,     // addressed to another (nick, device)
        UnknownSender,      // no trusted identity key for the sender device
        BadSignature,       // signature invalid, or sender fields differ from the outer message's
        DecryptionFailed,   // crypto_box does not open (not sealed to this device) or payload bad
    };

    struct Recipient {
        QString nick;
        QString deviceId;
        QByteArray identityKey; // the trusted Ed25519 key; its X25519 key is derived from it
    };

    // Serialized SealedKeyShare; empty on bad input.
    static QByteArray seal(const SenderSession &session, const DeviceIdentity &sender, const QString &senderNick,
                           const QString &senderDevice, const Recipient &recipient);

    struct Opened {
        Error error = Error::Malformed;
        QString sender;
        QString senderDevice;
        std::optional<SenderSession> session; // set when error == None
        bool ok() const { return error == Error::None; }
    };
    // outerSender / outerSenderDevice: what the gateway says sent the KEY_SHARE message; checked
    // when non-empty.
    static Opened open(QByteArrayView sealed, const DeviceIdentity &me, const QString &myNick,
                       const QString &myDevice, const IdentityKeyLookup &trustedKey,
                       const QString &outerSender = {}, const QString &outerSenderDevice = {});

    static QString describe(Error error);
};

} // namespace hchat::crypto
