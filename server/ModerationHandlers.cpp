#include "ModerationHandlers.h"

#include "ChannelAccess.h"
#include "ChannelNotice.h"
#include "ChatService.h"
#include "Limits.h"
#include "NameRules.h"
#include "ProtocolError.h"

namespace hchat::server {

using namespace hchat::v1;
using Action = ChannelPermissions::Action;

namespace {

const char *roleName(ChannelRole role)
{
    switch (role) {
    case CHANNEL_ROLE_OWNER:
        return "owner";
    case CHANNEL_ROLE_MODERATOR:
        return "moderator";
    default:
        return "member";
    }
}

UserRecord requireUser(MessageStore &st, const std::string &nick)
{
    if (!NameRules::validNick(nick))
        throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
    auto user = st.findUser(nick);
    if (!user)
        throw ProtocolError(ERROR_NO_SUCH_USER, "no such user");
    return *user;
}

void store(MessageStore &st, WriteOutcome &out, StreamRecord &stream, std::int64_t senderId, Message message)
{
    st.appendMessage(stream, senderId, message);
    stream.maxSeq = message.seq();
    out.stored.push_back(std::move(message));
}

Frame removedNotice(const StreamRecord &stream, const std::string &reason)
{
    Frame f;
    auto *u = f.mutable_channel_updated();
    u->mutable_channel()->set_name(stream.name);
    u->mutable_channel()->set_kind(static_cast<ChannelKind>(stream.kind));
    u->mutable_channel()->set_encrypted(stream.encrypted);
    u->mutable_channel()->set_server_max_seq(stream.maxSeq);
    u->set_removed(true);
    u->set_reason(reason);
    return f;
}

} // namespace

ChannelPermissions::Asker ModerationHandlers::asker(MessageStore &st, const StreamRecord &stream,
                                                    std::int64_t userId, std::int64_t targetId)
{
    ChannelPermissions::Asker a;
    a.member = st.isMember(stream.id, userId);
    a.role = a.member ? st.community().role(stream.id, userId) : CHANNEL_ROLE_MEMBER;
    a.admin = st.community().standing(userId).admin;
    a.self = targetId != 0 && targetId == userId;
    return a;
}

void ModerationHandlers::moderate(const SessionPtr &session, std::uint64_t requestId,
                                  const Moderate &moderate)
{
    ChannelAccess::requireName(moderate.channel());
    if (moderate.reason().size() > limits::kMaxReasonBytes)
        throw ProtocolError(ERROR_TOO_LARGE, "a reason is at most 256 bytes (MAX_REASON_BYTES)");
    if (moderate.topic().size() > limits::kMaxTopicBytes)
        throw ProtocolError(ERROR_TOO_LARGE, "a topic is at most 512 bytes (MAX_TOPIC_BYTES)");
    if (moderate.action() == MODERATION_ACTION_UNSPECIFIED || !ModerationAction_IsValid(moderate.action()))
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "unknown moderation action");
    m_chat.checkRate(session);
    const SessionIdentity id = session->identity();
    m_chat.submitWrite(session, requestId, [id, moderate](MessageStore &st, WriteOutcome &out) {
        carryOut(st, out, id, moderate);
    });
}

void ModerationHandlers::carryOut(MessageStore &st, WriteOutcome &out, const SessionIdentity &id,
                                  const Moderate &request)
{
    StreamRecord stream = ChannelAccess::requireStream(st, request.channel());
    const auto kind = static_cast<ChannelKind>(stream.kind);
    auto &community = st.community();
    switch (request.action()) {
    case MODERATION_ACTION_KICK:
    case MODERATION_ACTION_BAN: {
        const bool ban = request.action() == MODERATION_ACTION_BAN;
        const UserRecord target = requireUser(st, request.nick());
        const auto who = asker(st, stream, id.userId, target.id);
        const bool member = st.isMember(stream.id, target.id);
        ChannelPermissions::require(ban ? Action::Ban : Action::Kick, kind, stream.encrypted, who,
                                    member ? community.role(stream.id, target.id) : CHANNEL_ROLE_MEMBER);
        if (!member && !ban)
            throw ProtocolError(ERROR_NOT_MEMBER, "that user is not a member");
        // Members of an encrypted channel follow its signed operations only: a removal there is
        // the moderator's signed REMOVE (with RemoveMember); a ban then keeps the user out.
        if (member && stream.encrypted)
            throw ProtocolError(ERROR_FORBIDDEN, "in an encrypted channel, remove the member with a signed "
                                                 "removal first; a ban then keeps them out");
        if (ban)
            community.ban(stream.id, target.id, id.userId, request.reason(), ServerContext::nowMs());
        if (member)
            removeFromChannel(st, out, stream, id, target,
                              ban ? MESSAGE_KIND_MEMBER_BANNED : MESSAGE_KIND_MEMBER_KICKED,
                              request.reason());
        else
            store(st, out, stream, id.userId,
                  channelNotice(MESSAGE_KIND_MEMBER_BANNED, id, target.nick, request.reason()));
        break;
    }
    case MODERATION_ACTION_UNBAN: {
        const UserRecord target = requireUser(st, request.nick());
        ChannelPermissions::require(Action::Unban, kind, stream.encrypted, asker(st, stream, id.userId));
        if (!community.unban(stream.id, target.id))
            throw ProtocolError(ERROR_NOT_FOUND, "that user is not banned from this channel");
        store(st, out, stream, id.userId, channelNotice(MESSAGE_KIND_MEMBER_UNBANNED, id, target.nick));
        break;
    }
    case MODERATION_ACTION_DELETE_MESSAGE:
        ChannelPermissions::require(Action::DeleteOthers, kind, stream.encrypted,
                                    asker(st, stream, id.userId));
        deleteMessage(st, out, stream, id, request.ref_seq());
        break;
    case MODERATION_ACTION_SET_TOPIC:
        ChannelPermissions::require(Action::SetTopic, kind, stream.encrypted, asker(st, stream, id.userId));
        community.setTopic(stream.id, request.topic());
        store(st, out, stream, id.userId, channelNotice(MESSAGE_KIND_TOPIC, id, {}, request.topic()));
        break;
    case MODERATION_ACTION_SET_READ_ONLY:
        ChannelPermissions::require(Action::SetReadOnly, kind, stream.encrypted,
                                    asker(st, stream, id.userId));
        community.setReadOnly(stream.id, request.read_only());
        store(st, out, stream, id.userId,
              channelNotice(MESSAGE_KIND_READ_ONLY, id, {}, request.read_only() ? "1" : "0"));
        break;
    case MODERATION_ACTION_SET_ROLE: {
        const UserRecord target = requireUser(st, request.nick());
        const auto who = asker(st, stream, id.userId, target.id);
        const ChannelRole role = request.role();
        if (!ChannelRole_IsValid(role))
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "unknown role");
        if (stream.encrypted)
            throw ProtocolError(ERROR_FORBIDDEN, "roles in an encrypted channel change by the owner's signed "
                                                 "operation (a MEMBERSHIP message), which members check");
        if (!st.isMember(stream.id, target.id) || community.invitedBy(stream.id, target.id) != 0)
            throw ProtocolError(ERROR_NOT_MEMBER, "that user is not a member");
        ChannelPermissions::require(role == CHANNEL_ROLE_OWNER ? Action::HandOnOwnership : Action::SetRole,
                                    kind, stream.encrypted, who, community.role(stream.id, target.id));
        setRole(st, out, stream, id, target, role);
        break;
    }
    default:
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "unknown moderation action");
    }
    out.audience = st.memberIds(stream.id);
    // A removed member hears of its own removal too (it was a member when the notice was stored).
    for (const auto &notice : out.notices)
        for (auto userId : notice.userIds)
            if (notice.frame.has_channel_updated() && notice.frame.channel_updated().removed())
                out.audience.push_back(userId);
}

void ModerationHandlers::removeFromChannel(MessageStore &st, WriteOutcome &out, const StreamRecord &stream,
                                           const SessionIdentity &actor, const UserRecord &target,
                                           MessageKind kind, const std::string &reason)
{
    StreamRecord current = stream;
    store(st, out, current, actor.userId, channelNotice(kind, actor, target.nick, reason));
    const std::string why = std::string(kind == MESSAGE_KIND_MEMBER_BANNED ? "banned by " : "removed by ") +
                            actor.nick + (reason.empty() ? "" : ": " + reason);
    out.notices.push_back({{target.id}, removedNotice(current, why)});
    part(st, out, current, actor, target.id);
}

void ModerationHandlers::part(MessageStore &st, WriteOutcome &out, StreamRecord &stream,
                              const SessionIdentity &actor, std::int64_t userId)
{
    const bool owner = st.community().role(stream.id, userId) == CHANNEL_ROLE_OWNER;
    st.removeMember(stream.id, userId);
    // Members of an encrypted channel derive roles from signed operations only, where nothing names
    // a successor: such a channel stays without an owner.
    if (!owner || stream.kind == CHANNEL_KIND_DIRECT || stream.encrypted)
        return;
    const auto next = st.community().successor(stream.id);
    if (!next)
        return;
    st.community().setRole(stream.id, next->userId, CHANNEL_ROLE_OWNER);
    store(st, out, stream, actor.userId, channelNotice(MESSAGE_KIND_ROLE, actor, next->nick, "owner"));
}

void ModerationHandlers::applySignedRole(MessageStore &st, const StreamRecord &stream, std::int64_t actorId,
                                         const std::string &subjectNick, ChannelRole role)
{
    const auto subject = st.findUser(subjectNick);
    if (!subject)
        return;
    auto &community = st.community();
    if (role == CHANNEL_ROLE_OWNER)
        community.setRole(stream.id, actorId, CHANNEL_ROLE_MODERATOR);
    community.setRole(stream.id, subject->id, role);
}

void ModerationHandlers::deleteMessage(MessageStore &st, WriteOutcome &out, StreamRecord &stream,
                                       const SessionIdentity &id, std::uint64_t seq)
{
    if (seq == 0 || seq > stream.maxSeq)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "ref_seq names no message of this channel");
    const auto target = st.findMessage(stream, seq);
    if (!target ||
        (target->message.kind() != MESSAGE_KIND_TEXT && target->message.kind() != MESSAGE_KIND_ATTACHMENT))
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "only text messages and attachments can be deleted");
    if (target->message.deleted())
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "that message was deleted");
    Message deletion = channelNotice(MESSAGE_KIND_DELETE, id, {});
    deletion.set_ref_seq(seq);
    store(st, out, stream, id.userId, std::move(deletion));
    st.eraseMessage(stream, seq);
    if (!target->message.attachment_id().empty())
        st.deleteUpload(target->message.attachment_id());
}

void ModerationHandlers::setRole(MessageStore &st, WriteOutcome &out, StreamRecord &stream,
                                 const SessionIdentity &id, const UserRecord &target, ChannelRole role)
{
    auto &community = st.community();
    if (role == CHANNEL_ROLE_OWNER) {
        // The owner steps down to moderator (an administrator handing it on demotes whoever owned it).
        for (const auto &member : community.members(stream.id, 0)) {
            if (member.role() != CHANNEL_ROLE_OWNER)
                continue;
            const auto owner = st.findUser(member.nick());
            if (!owner)
                continue;
            community.setRole(stream.id, owner->id, CHANNEL_ROLE_MODERATOR);
            store(st, out, stream, id.userId, channelNotice(MESSAGE_KIND_ROLE, id, owner->nick, "moderator"));
        }
    }
    community.setRole(stream.id, target.id, role);
    store(st, out, stream, id.userId, channelNotice(MESSAGE_KIND_ROLE, id, target.nick, roleName(role)));
}

} // namespace hchat::server
