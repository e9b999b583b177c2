#include "StoredMessage.h"

#include "AttachmentInfo.h"
#include "hchat.pb.h"

namespace hchat {

StoredMessage StoredMessage::fromProto(const hchat::v1::Message &m)
{
    StoredMessage s;
    s.channel = QString::fromStdString(m.channel());
    s.seq = m.seq();
    s.sender = QString::fromStdString(m.sender());
    s.senderDevice = QString::fromStdString(m.sender_device());
    s.clientMsgId = QByteArray::fromStdString(m.client_msg_id());
    s.serverTimeMs = m.server_time_ms();
    s.body = QByteArray::fromStdString(m.body());
    s.encrypted = m.encrypted();
    s.kind = static_cast<MessageKind>(m.kind());
    s.subject = QString::fromStdString(m.subject());
    s.refSeq = m.ref_seq();
    s.deleted = m.deleted();
    // An id names files on this device: one that is not an upload id is dropped here, so the
    // message shows as a damaged attachment and nothing ever builds a path from it.
    if (AttachmentInfo::isValidId(m.attachment_id()))
        s.attachmentId = QString::fromStdString(m.attachment_id());
    if (s.kind == MessageKind::Attachment && !s.encrypted && !s.deleted) {
        // A plain channel's attachment carries its content in the clear; one that does not parse
        // or names another upload is shown as a damaged attachment (no content).
        if (const auto info = AttachmentInfo::parse(s.body); info && info->id == s.attachmentId) {
            s.attachment = s.body;
            s.plainText = info->caption;
        }
    }
    return s;
}

void StoredMessage::toProto(hchat::v1::Message *m) const
{
    m->set_channel(channel.toStdString());
    m->set_seq(seq);
    m->set_sender(sender.toStdString());
    m->set_sender_device(senderDevice.toStdString());
    m->set_client_msg_id(clientMsgId.toStdString());
    m->set_server_time_ms(serverTimeMs);
    m->set_body(body.toStdString());
    m->set_encrypted(encrypted);
    m->set_kind(static_cast<hchat::v1::MessageKind>(kind));
    m->set_subject(subject.toStdString());
    m->set_ref_seq(refSeq);
    m->set_deleted(deleted);
    m->set_attachment_id(attachmentId.toStdString());
}

} // namespace hchat
