#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace hchat::v1 {
class Message;
}

namespace hchat {

// Mirrors hchat.v1.MessageKind (same numeric values).
enum class MessageKind : int {
    Text = 0,
    ChannelCreated = 1,
    MemberJoined = 2,
    MemberAdded = 3,
    MemberRemoved = 4,
    MemberLeft = 5,
    KeyShare = 6,
    Edit = 7,        // new text for message refSeq (its sender's own); not shown as a row
    Delete = 8,      // recalls message refSeq (its sender's own); not shown as a row
    UserDeleted = 9, // subject: the nick whose account was deleted
    Attachment = 10, // a file (attachmentId); its AttachmentContent in body or, encrypted, inside it
    Membership = 11, // a signed membership operation (crypto::MembershipOp); shown only as a warning
    // Moderation, stored by the gateway (sender: the moderator); never encrypted, shown as notices.
    MemberKicked = 12,   // subject: the nick removed; body: the reason (may be empty)
    MemberBanned = 13,   // subject: the nick banned; body: the reason
    MemberUnbanned = 14, // subject: the nick whose ban was lifted
    Topic = 15,          // body: the channel's new topic (may be empty)
    ReadOnly = 16,       // body: "1" read-only for members from now on, "0" open again
    Role = 17,           // subject: the nick; body: "owner", "moderator" or "member"
};

// The kinds that change a channel's settings or a member's standing (moderation notices).
constexpr bool isModeration(MessageKind kind)
{
    return kind >= MessageKind::MemberKicked && kind <= MessageKind::Role;
}

// The kinds that change who is a member of a channel (the gateway's events and signed operations).
constexpr bool changesMembership(MessageKind kind)
{
    switch (kind) {
    case MessageKind::ChannelCreated:
    case MessageKind::MemberAdded:
    case MessageKind::MemberJoined:
    case MessageKind::MemberRemoved:
    case MessageKind::MemberLeft:
    case MessageKind::UserDeleted:
    case MessageKind::Membership:
        return true;
    default:
        return false;
    }
}

// One message of a stream (a channel or the device inbox "~<device_id>") as kept in the local
// history. Identified by (channel, seq); seq is gap-free per channel, starting at 1.
struct StoredMessage {
    QString channel;
    quint64 seq = 0;
    QString sender; // nick
    QString senderDevice;
    QByteArray clientMsgId;  // 16 bytes
    qint64 serverTimeMs = 0; // Unix epoch ms at the gateway's commit
    qint64 senderTimeMs = 0; // encrypted and decrypted: when the sender wrote it, signed (0: unknown)
    QByteArray body;         // UTF-8 text, or ciphertext when encrypted
    bool encrypted = false;
    MessageKind kind = MessageKind::Text;
    QString subject;      // membership messages: the nick concerned
    quint64 refSeq = 0;   // Text: the message replied to (0: none); Edit, Delete: the target
    bool deleted = false; // Text: recalled by its sender; body and text are gone
    quint64 editSeq = 0;  // Text: the seq of the edit whose text is shown (local; 0: unedited)
    QString attachmentId; // Attachment: the gateway's upload it shows
    // Attachment, local: the serialized AttachmentContent once known (a plain channel's body, or
    // what decryption yielded); its caption is plainText. Empty when deleted or not decrypted.
    QByteArray attachment;

    // Local only (never sent, never from the gateway): what this device made of an encrypted
    // message. Plain for messages of open channels.
    enum class CryptoState : int { Plain = 0, Decrypted = 1, WaitingForKey = 2, Undecryptable = 3 };
    CryptoState cryptoState = CryptoState::Plain;
    QString plainText;    // Decrypted: the text (kept on this device only)
    QString cryptoReason; // WaitingForKey / Undecryptable: why, for the user

    // The text to show: the body of a plain message, the decrypted text of an encrypted one (empty
    // while it is not decrypted).
    // Attachments show their caption (plainText, also in plain channels).
    QString text() const
    {
        return encrypted || kind == MessageKind::Attachment ? plainText : QString::fromUtf8(body);
    }
    // What people write: text messages and attachments (the rows that count as unread, notify …).
    bool isChat() const { return kind == MessageKind::Text || kind == MessageKind::Attachment; }
    bool isValid() const { return seq != 0 && !channel.isEmpty(); }
    bool isAmendment() const { return kind == MessageKind::Edit || kind == MessageKind::Delete; }
    // A plaintext row in an end-to-end encrypted channel: no member wrote it (members encrypt),
    // so it is shown as not from anyone, with its reason, never as from its claimed sender.
    bool isUnencryptedForgery() const { return !encrypted && cryptoState == CryptoState::Undecryptable; }

    static StoredMessage fromProto(const hchat::v1::Message &m);
    void toProto(hchat::v1::Message *m) const;
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::StoredMessage)
