#include "SendValidation.h"

#include "Limits.h"
#include "NameRules.h"
#include "ProtocolError.h"

namespace hchat::server {

using namespace hchat::v1;

SendCheck validateSend(const Send &send, const SessionIdentity &sender)
{
    const std::string &name = send.channel();
    if (!NameRules::validChannel(name) && !NameRules::validDirectName(name) && !NameRules::isInboxName(name))
        throw ProtocolError(ERROR_INVALID_NAME,
                            "invalid channel name (1..64 of [a-z0-9_.-], or @a+b for a direct channel)");
    const bool toInbox = NameRules::isInboxName(name);
    if (send.client_msg_id().size() != limits::kClientMsgIdBytes)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "client_msg_id must be 16 bytes");
    if (send.body().size() > limits::kMaxMessageBodyBytes)
        throw ProtocolError(ERROR_TOO_LARGE, "message body above 65536 bytes");
    const MessageKind kind = send.kind();
    MembershipAction membershipAction = MEMBERSHIP_ACTION_UNSPECIFIED;
    std::string membershipSubject;
    ChannelRole membershipRole = CHANNEL_ROLE_MEMBER;
    switch (kind) {
    case MESSAGE_KIND_KEY_SHARE:
        if (!toInbox)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "key shares go to a device inbox (~device_id)");
        if (send.ref_seq() != 0)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a key share refers to no message");
        if (send.body().size() > limits::kMaxKeyShareBytes)
            throw ProtocolError(ERROR_TOO_LARGE, "a key share is at most " +
                                                     std::to_string(limits::kMaxKeyShareBytes) + " bytes");
        break;
    case MESSAGE_KIND_TEXT:
    case MESSAGE_KIND_EDIT:
    case MESSAGE_KIND_DELETE:
    case MESSAGE_KIND_ATTACHMENT:
        if (toInbox)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a device inbox takes key shares only");
        if ((kind == MESSAGE_KIND_EDIT || kind == MESSAGE_KIND_DELETE) && send.ref_seq() == 0)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "an edit or a deletion needs ref_seq: the message it changes");
        break;
    case MESSAGE_KIND_MEMBERSHIP: {
        // A signed operation the members' clients check; the gateway checks only that it is one
        // and in the sender's name, so that nobody stores operations for someone else.
        if (toInbox)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a device inbox takes key shares only");
        MembershipOp op;
        if (send.encrypted() || send.ref_seq() != 0 || !op.ParseFromString(send.body()) ||
            op.channel() != name)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "the body of a membership message is a MembershipOp of its channel");
        if (op.actor() != sender.nick || op.actor_device() != sender.deviceId)
            throw ProtocolError(ERROR_FORBIDDEN, "a membership operation is made in its sender's own name");
        membershipAction = op.action();
        membershipSubject = op.subject();
        membershipRole = op.role();
        if (membershipAction == MEMBERSHIP_ACTION_ROLE && !NameRules::validNick(membershipSubject))
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a role operation names a member");
        break;
    }
    default:
        throw ProtocolError(
            ERROR_INVALID_ARGUMENT,
            "clients send TEXT, EDIT, DELETE, ATTACHMENT, MEMBERSHIP or KEY_SHARE messages only");
    }
    // An attachment names its completed upload; in a plain channel its content is checked here
    // (an encrypted channel's is an envelope the gateway cannot read).
    std::uint64_t plainFileSize = 0;
    if (kind == MESSAGE_KIND_ATTACHMENT) {
        if (send.attachment_id().size() != limits::kUploadIdLength)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "an attachment message names its upload (attachment_id)");
        if (!send.encrypted()) {
            AttachmentContent content;
            if (!content.ParseFromString(send.body()))
                throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                    "the body of an attachment is an AttachmentContent");
            if (content.attachment_id() != send.attachment_id())
                throw ProtocolError(ERROR_INVALID_ARGUMENT, "the attachment's content names another upload");
            if (content.name().empty() || content.name().size() > limits::kMaxAttachmentNameLength ||
                content.name().find('/') != std::string::npos)
                throw ProtocolError(ERROR_INVALID_ARGUMENT, "attachment names are 1..255 bytes without '/'");
            if (content.thumbnail().size() > limits::kMaxThumbnailBytes)
                throw ProtocolError(ERROR_TOO_LARGE, "thumbnails are at most " +
                                                         std::to_string(limits::kMaxThumbnailBytes) +
                                                         " bytes");
            if (!content.file_key().empty())
                throw ProtocolError(ERROR_INVALID_ARGUMENT, "a plain channel's attachment carries no key");
            plainFileSize = content.size();
        }
    } else if (!send.attachment_id().empty()) {
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "only attachment messages name an upload");
    }
    // A plain deletion carries nothing; an encrypted one carries its signed envelope.
    if (kind == MESSAGE_KIND_DELETE && !send.encrypted()) {
        if (!send.body().empty())
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a deletion carries no text");
    } else if (send.body().empty()) {
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "empty message body");
    }
    return {toInbox, membershipAction, std::move(membershipSubject), membershipRole, plainFileSize};
}

} // namespace hchat::server
