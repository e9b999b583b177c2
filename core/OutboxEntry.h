#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include "StoredMessage.h"

namespace hchat {

// A message written locally and not (yet) known to be stored by the gateway, or one that was.
struct OutboxEntry {
    enum class State : int {
        Pending = 0, // waiting to be sent, or sent with no answer yet (resent safely: idempotent)
        Sent = 1,    // acknowledged; seq is its place in the channel
        Failed = 2,  // refused by the gateway; error says why; Client::retrySend() makes it pending
    };

    qint64 id = 0;           // local row id, increasing in the order messages were written
    QString channel;
    QByteArray clientMsgId;  // 16 random bytes
    QByteArray body;
    bool encrypted = false;
    MessageKind kind = MessageKind::Text;
    quint64 refSeq = 0;      // as StoredMessage::refSeq (replies, edits, deletions)
    QString attachmentId;    // Attachment: the completed upload
    State state = State::Pending;
    quint64 seq = 0;         // when Sent
    QString error;           // when Failed: a sentence a user can read
    qint64 createdMs = 0;
    qint64 updatedMs = 0;

    QString plainText;       // encrypted entries and attachments: the text as written (local only)

    QString text() const { return encrypted || kind == MessageKind::Attachment ? plainText : QString::fromUtf8(body); }
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::OutboxEntry)
