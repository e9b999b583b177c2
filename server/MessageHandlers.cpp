#include "MessageHandlers.h"

#include "ChannelAccess.h"
#include "ChannelHandlers.h"
#include "ChannelPermissions.h"
#include "ChatService.h"
#include "Limits.h"
#include "ModerationHandlers.h"
#include "NameRules.h"
#include "ProtocolError.h"

#include <algorithm>

namespace hchat::server {

using namespace hchat::v1;

namespace {

Frame sendAck(const Message &message, bool duplicate)
{
    Frame f;
    auto *ack = f.mutable_send_ack();
    ack->set_channel(message.channel());
    ack->set_seq(message.seq());
    ack->set_client_msg_id(message.client_msg_id());
    ack->set_server_time_ms(message.server_time_ms());
    ack->set_duplicate(duplicate);
    return f;
}

} // namespace

void MessageHandlers::send(const SessionPtr &session, std::uint64_t requestId, Send &send)
{
    const std::string name = send.channel();
    const SendCheck check = validateSend(send, session->identity());
    m_chat.checkRate(session);
    const SessionIdentity id = session->identity();
    auto message = std::make_shared<Message>();
    message->set_sender(id.nick);
    message->set_sender_device(id.deviceId);
    message->set_client_msg_id(std::move(*send.mutable_client_msg_id()));
    message->set_body(std::move(*send.mutable_body()));
    message->set_encrypted(send.encrypted());
    message->set_kind(send.kind());
    message->set_ref_seq(send.ref_seq());
    message->set_attachment_id(send.attachment_id());
    m_chat.submitWrite(session, requestId, [id, name, check, message](MessageStore &st, WriteOutcome &out) {
        store(st, out, id, name, check, *message);
    });
}

void MessageHandlers::store(MessageStore &st, WriteOutcome &out, const SessionIdentity &sender,
                            const std::string &name, const SendCheck &check, const Message &message)
{
    if (auto previous = st.findByClientMsgId(sender.userId, message.client_msg_id())) {
        out.reply = sendAck(*previous, true);
        out.stored.push_back(std::move(*previous));
        out.duplicate = true;
        return;
    }
    auto stream = st.findStream(name);
    if (!stream)
        throw ProtocolError(ERROR_NO_SUCH_CHANNEL,
                            check.toInbox ? "no such device inbox" : "no such channel");
    if (check.toInbox)
        out.inboxDevice = checkInbox(st, *stream, sender);
    else
        checkChannel(st, *stream, sender, message, check);
    Message stored = message;
    stored.set_server_time_ms(ServerContext::nowMs());
    st.appendMessage(*stream, sender.userId, stored);
    applyEffects(st, *stream, sender.userId, stored, check);
    if (!check.toInbox)
        out.audience = st.memberIds(stream->id);
    out.reply = sendAck(stored, false);
    out.stored.push_back(std::move(stored));
}

std::string MessageHandlers::checkInbox(MessageStore &st, const StreamRecord &inbox,
                                        const SessionIdentity &sender)
{
    if (inbox.kind != StreamRecord::kInbox)
        throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such device inbox");
    auto device = st.findDevice(inbox.ownerDevice);
    if (!device || device->revoked)
        throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "that device was revoked");
    // Keys go to one's own devices and to people one shares a channel with; a stranger cannot
    // fill someone's inbox.
    if (device->userId != sender.userId && !st.shareAChannel(sender.userId, device->userId))
        throw ProtocolError(ERROR_FORBIDDEN, "you share no channel with this device's owner");
    if (st.inboxRowsFrom(inbox.id, sender.userId) >= limits::kMaxInboxRowsPerSender ||
        st.inboxRows(inbox.id) >= limits::kMaxInboxRows)
        throw ProtocolError(ERROR_LIMIT_ABOVE_CAP,
                            "this device has too many key shares waiting; try again once it has caught up");
    return inbox.ownerDevice;
}

void MessageHandlers::checkChannel(MessageStore &st, const StreamRecord &stream,
                                   const SessionIdentity &sender, const Message &message,
                                   const SendCheck &check)
{
    ChannelAccess::requireMember(st, stream, sender.userId);
    const bool membership = message.kind() == MESSAGE_KIND_MEMBERSHIP;
    if (membership && stream.kind == CHANNEL_KIND_OPEN)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "open channels have no membership operations");
    if (stream.encrypted && !message.encrypted() && !membership)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "this channel is encrypted: plaintext refused");
    const bool posting = message.kind() == MESSAGE_KIND_TEXT || message.kind() == MESSAGE_KIND_ATTACHMENT;
    if (posting)
        checkMayPost(st, stream, sender);
    if (membership)
        checkMembershipOp(st, stream, sender, check);
    checkReference(st, stream, sender.userId, message);
    if (message.kind() == MESSAGE_KIND_ATTACHMENT)
        checkUpload(st, stream, sender.userId, message, check.plainFileSize);
}

// A signed removal or role change is stored only where its author may make it: the gateway keeps
// its roles in step with the signed operations, which members' clients check again themselves.
void MessageHandlers::checkMembershipOp(MessageStore &st, const StreamRecord &stream,
                                        const SessionIdentity &sender, const SendCheck &check)
{
    const bool remove = check.membershipAction == MEMBERSHIP_ACTION_REMOVE;
    const bool role = check.membershipAction == MEMBERSHIP_ACTION_ROLE;
    if (!remove && !role)
        return;
    if (NameRules::lower(check.membershipSubject) == NameRules::lower(sender.nick)) {
        if (role)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a role operation is for another member");
        return; // removing oneself is leaving: nobody else's right is at stake
    }
    const auto subject = st.findUser(check.membershipSubject);
    if (!subject || !st.isMember(stream.id, subject->id))
        throw ProtocolError(ERROR_NOT_MEMBER, "that user is not a member");
    if (remove)
        return ChannelHandlers::requireMayRemove(st, stream, sender.userId, subject->id);
    auto &community = st.community();
    if (community.invitedBy(stream.id, subject->id) != 0)
        throw ProtocolError(ERROR_NOT_MEMBER, "that user is not a member yet");
    ChannelPermissions::require(check.membershipRole == CHANNEL_ROLE_OWNER
                                    ? ChannelPermissions::Action::HandOnOwnership
                                    : ChannelPermissions::Action::SetRole,
                                static_cast<ChannelKind>(stream.kind), stream.encrypted,
                                ModerationHandlers::asker(st, stream, sender.userId, subject->id),
                                community.role(stream.id, subject->id));
}

// Read-only channels take posts from their owner and moderators only; in a direct channel, the
// other member may have blocked the sender (who is not told why).
void MessageHandlers::checkMayPost(MessageStore &st, const StreamRecord &stream,
                                   const SessionIdentity &sender)
{
    auto &community = st.community();
    if (stream.kind == CHANNEL_KIND_DIRECT) {
        for (auto member : st.memberIds(stream.id))
            if (member != sender.userId && community.blocks(member, sender.userId))
                throw ProtocolError(ERROR_FORBIDDEN,
                                    "this user does not accept direct messages or invitations from you");
        return;
    }
    if (community.readOnly(stream.id) &&
        !ChannelPermissions::allows(ChannelPermissions::Action::PostReadOnly,
                                    static_cast<ChannelKind>(stream.kind), stream.encrypted,
                                    ModerationHandlers::asker(st, stream, sender.userId)))
        throw ProtocolError(ERROR_READ_ONLY, "this channel is read-only: only its owner and moderators post");
}

// A reply names an earlier message of the channel; an edit or a deletion names an earlier text
// message of the same user that is not deleted.
void MessageHandlers::checkReference(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                                     const Message &message)
{
    const std::uint64_t ref = message.ref_seq();
    if (ref == 0)
        return;
    if (ref > stream.maxSeq)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "ref_seq names no message of this channel");
    if (message.kind() == MESSAGE_KIND_TEXT)
        return;
    const auto target = st.findMessage(stream, ref);
    if (!target ||
        (target->message.kind() != MESSAGE_KIND_TEXT && target->message.kind() != MESSAGE_KIND_ATTACHMENT))
        throw ProtocolError(ERROR_INVALID_ARGUMENT,
                            "only text messages and attachments can be edited or deleted");
    // In an end-to-end encrypted channel a moderator deletes with a signed deletion (members'
    // clients check the signed roles again); elsewhere with Moderate.
    if (target->senderId != userId) {
        if (message.kind() != MESSAGE_KIND_DELETE || !message.encrypted())
            throw ProtocolError(ERROR_FORBIDDEN, "only its sender can edit or delete a message");
        ChannelPermissions::require(ChannelPermissions::Action::DeleteOthersSigned,
                                    static_cast<ChannelKind>(stream.kind), stream.encrypted,
                                    ModerationHandlers::asker(st, stream, userId));
    }
    if (target->message.deleted())
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "that message was deleted");
}

// An attachment message refers to a complete upload of its sender in its channel that no other
// message shows (so that recalling the message really removes the bytes).
void MessageHandlers::checkUpload(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                                  const Message &message, std::uint64_t plainFileSize)
{
    const auto upload = st.findUpload(message.attachment_id());
    if (!upload || upload->streamId != stream.id || upload->uploaderId != userId)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "attachment_id names no upload of yours in this channel");
    if (!upload->complete())
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "the upload is not complete");
    if (upload->referenced)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "that upload is already shown by another message");
    if (!message.encrypted() && plainFileSize != upload->size)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "the attachment's size differs from its upload's");
}

void MessageHandlers::applyEffects(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                                   const Message &message, const SendCheck &check)
{
    const MembershipAction action = check.membershipAction;
    if (message.kind() == MESSAGE_KIND_ATTACHMENT)
        st.markUploadReferenced(message.attachment_id());
    // An invitee's signed acceptance (or leave) answers its invitation. At the cap of channels an
    // acceptance is refused (rolled back with this job), while a leave is stored and leaves the
    // invitee an invitee.
    if (message.kind() == MESSAGE_KIND_MEMBERSHIP) {
        const bool full = st.membershipCount(userId) >= limits::kMaxChannelsPerUser;
        if (!full)
            st.acceptMembership(stream.id, userId);
        else if (action == MEMBERSHIP_ACTION_ACCEPT && st.acceptMembership(stream.id, userId))
            ChannelAccess::requireRoomForAChannel(st, userId);
    }
    if (message.kind() == MESSAGE_KIND_MEMBERSHIP && action == MEMBERSHIP_ACTION_ROLE)
        ModerationHandlers::applySignedRole(st, stream, userId, check.membershipSubject,
                                            check.membershipRole);
    if (message.kind() == MESSAGE_KIND_DELETE) {
        st.eraseMessage(stream, message.ref_seq());
        // A recalled attachment's bytes go with it, in the same transaction.
        const auto target = st.findMessage(stream, message.ref_seq());
        if (target && !target->message.attachment_id().empty())
            st.deleteUpload(target->message.attachment_id());
    }
}

void MessageHandlers::markRead(const SessionPtr &session, std::uint64_t requestId, const MarkRead &markRead)
{
    const std::string name = markRead.channel();
    // A device's acknowledgement of its own inbox is not rate limited: refusing it would only
    // leave key shares piling up at the gateway.
    if (NameRules::isInboxName(name))
        return acknowledgeInbox(session, requestId, markRead);
    if (!m_ctx.userLimits.takeSignal(session->identity().userId))
        throw ProtocolError(ERROR_RATE_LIMITED, "too many read markers; slow down");
    ChannelAccess::requireName(name);
    const SessionIdentity id = session->identity();
    const std::uint64_t wanted = markRead.seq();
    const bool shareReceipt = markRead.share_receipt();
    m_chat.submitWrite(session, requestId,
                       [id, name, wanted, shareReceipt](MessageStore &st, WriteOutcome &out) {
                           storeReadPosition(st, out, id, name, wanted, shareReceipt);
                       });
}

void MessageHandlers::storeReadPosition(MessageStore &st, WriteOutcome &out, const SessionIdentity &reader,
                                        const std::string &name, std::uint64_t wanted, bool shareReceipt)
{
    auto stream = ChannelAccess::requireStream(st, name);
    ChannelAccess::requireMember(st, stream, reader.userId);
    st.setReadSeq(stream.id, reader.userId, std::min(wanted, stream.maxSeq));
    const std::uint64_t seq = st.readSeq(stream.id, reader.userId);
    // The reader's other sessions move their read marker too.
    Frame position;
    position.mutable_read_position()->set_channel(name);
    position.mutable_read_position()->set_seq(seq);
    out.notices.push_back({{reader.userId}, std::move(position), true});
    // The other member of a direct channel sees how far it was read.
    if (shareReceipt && stream.kind == CHANNEL_KIND_DIRECT) {
        std::vector<std::int64_t> receiptTo = st.memberIds(stream.id);
        std::erase(receiptTo, reader.userId);
        Frame receipt;
        receipt.mutable_read_receipt()->set_channel(name);
        receipt.mutable_read_receipt()->set_nick(reader.nick);
        receipt.mutable_read_receipt()->set_seq(seq);
        out.notices.push_back({std::move(receiptTo), std::move(receipt)});
    }
}

// The device has stored its inbox up to seq (each key share opened or kept for later): the rows
// are deleted, so a key share lives at the gateway only until its device has it.
void MessageHandlers::acknowledgeInbox(const SessionPtr &session, std::uint64_t requestId,
                                       const MarkRead &markRead)
{
    const std::string name = markRead.channel();
    const SessionIdentity id = session->identity();
    if (name != NameRules::inboxName(id.deviceId))
        throw ProtocolError(ERROR_FORBIDDEN, "only its own device may acknowledge an inbox");
    const std::uint64_t wanted = markRead.seq();
    m_chat.submitWrite(session, requestId, [name, wanted](MessageStore &st, WriteOutcome &) {
        auto stream = st.findStream(name);
        if (!stream || stream->kind != StreamRecord::kInbox)
            throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such device inbox");
        st.acknowledgeInbox(*stream, std::min(wanted, stream->maxSeq));
    });
}

} // namespace hchat::server
