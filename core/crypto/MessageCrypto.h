#pragma once

#include "crypto/DeviceIdentity.h"
#include "crypto/SenderSession.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace hchat::crypto {

// The body of a message in an encrypted channel (a serialized EncryptedEnvelope):
//   header     = {version, channel, session id, sender, sender device, index i, client_msg_id,
//                 kind, ref_seq, attachment id, sender time}  (v2; v1 from HChat before the
//                 sender time left out the time, and kind/ref_seq/attachment id when unused)
//   ciphertext = XChaCha20-Poly1305(message key i, random nonce, plaintext, AD = header)
//   signature  = Ed25519 of the sender device over header ‖ nonce ‖ ciphertext
// The AEAD alone would let any member (all hold the sender key) forge messages in the sender's
// name; the signature is what ties a message to one device.
//
// decrypt() checks, in this order, and stops at the first failure (never throws, any input):
//   Malformed/UnsupportedVersion  does not parse, bad sizes, above the limits
//   WrongChannel     the header names another channel than the one it arrived in
//   BadSignature     header sender/device/client_msg_id differ from what the gateway delivered, or
//                    the signature does not verify against the sender device's trusted key
//   MissingSession   no trusted key for the sender device, or no session (key share not here
//                    yet, or an index before the share's start): show "waiting for key"
//   Replay           this (session id, index) was already accepted for another message
//   DecryptionFailed the AEAD does not open
// On success the (session id, index) is recorded through Resolver::markSeen.
class MessageCrypto {
public:
    static constexpr quint32 kVersion = 1;
    static constexpr int kMaxPlaintextBytes = 60 * 1024; // the envelope stays below 64 KiB
    static constexpr int kMaxEnvelopeBytes = 64 * 1024;  // limits::kMaxMessageBodyBytes
    static constexpr int kMaxNameBytes = 128;

    enum class Error {
        None,
        Malformed,
        UnsupportedVersion,
        WrongChannel,
        BadSignature,
        MissingSession,
        Replay,
        DecryptionFailed,
        NotAMember, // the sender was not a member of the channel at that point (ChannelCrypto)
    };

    struct Header {
        quint32 version = 0;
        QString channel;
        QByteArray sessionId;
        QString sender;
        QString senderDevice;
        quint32 index = 0;
        QByteArray clientMsgId;
        // Replies, edits and deletions: what the message is and which message it concerns. Part of
        // the authenticated header only when not (Text, 0), so plain messages keep their bytes.
        quint32 kind = 0; // hchat::v1::MessageKind
        quint64 refSeq = 0;
        QString attachmentId; // attachments: the upload (authenticated only when not empty)
        // When the sender wrote it, by its clock (0: a message of HChat before the field). Signed
        // (header v2, which also always covers kind, ref_seq and attachment id).
        qint64 senderTimeMs = 0;
    };

    // How the message arrived (the outer Message, as the gateway delivered it).
    struct Arrival {
        QString channel;
        quint64 seq = 0;        // 0: a local preview (outbox), not recorded for replay checks
        QString sender;         // checked when non-empty
        QString senderDevice;   // checked when non-empty
        QByteArray clientMsgId; // checked when non-empty
        quint32 kind = 0;       // always checked: the gateway must not turn an edit into a reply …
        quint64 refSeq = 0;     // … nor point it at another message
        QString
            attachmentId{}; // … nor show another upload with this key (an initializer: older callers omit it)
    };

    // The receiver's state, usually TrustStore + SenderKeyStore.
    struct Resolver {
        IdentityKeyLookup identityKey;
        // The inbound session (channel, sender device, session id), or nullptr.
        std::function<const SenderSession *(const QString &channel, const QString &senderDevice,
                                            const QByteArray &sessionId)>
            session;
        // True when (sender device, session id, index) was accepted before for ANOTHER message than
        // (channel, seq); the same message decrypted again (push then pull, re-display) is not a
        // replay.
        std::function<bool(const QString &senderDevice, const QByteArray &sessionId, quint32 index,
                           const QString &channel, quint64 seq)>
            isReplay;
        std::function<void(const QString &senderDevice, const QByteArray &sessionId, quint32 index,
                           const QString &channel, quint64 seq)>
            markSeen;
    };

    struct Result {
        Error error = Error::Malformed;
        Header header;        // filled as far as parsed
        QByteArray plaintext; // when ok()
        bool ok() const { return error == Error::None; }
    };

    // Takes the session's next index. Returns the serialized envelope, or empty (and *error) when
    // the plaintext is too large or an argument is invalid.
    static QByteArray encrypt(SenderSession &session, const DeviceIdentity &identity,
                              const QString &senderNick, const QString &senderDevice,
                              const QByteArray &clientMsgId, QByteArrayView plaintext,
                              QString *error = nullptr, quint32 kind = 0, quint64 refSeq = 0,
                              const QString &attachmentId = {});
    // verifiedKey: the identity key signatureValid() accepted this very envelope under (a batch
    // checked ahead on worker threads); the signature is not checked again when the key the
    // resolver gives now is that one.
    static Result decrypt(QByteArrayView envelope, const Arrival &arrival, const Resolver &resolver,
                          const QByteArray &verifiedKey = {});
    // Whether the envelope parses and its signature verifies under identityKey; nothing else is
    // checked. Thread-safe (no state): for checking a batch ahead of decrypting it in order.
    static bool signatureValid(QByteArrayView envelope, const QByteArray &identityKey);
    // The header alone (no checks beyond parsing): which session a waiting message needs.
    static bool peekHeader(QByteArrayView envelope, Header *header);

    static QString describe(Error error);
    static const char *errorName(Error error); // "missing_session" … for logs and storage

    // The canonical bytes of a header (the AEAD's associated data, and what the signature covers
    // with the nonce and ciphertext): v2 when the sender's time is set, else v1.
    static QByteArray headerBytes(const Header &h);
};

} // namespace hchat::crypto
