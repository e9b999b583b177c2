#include "ChannelHandlers.h"

#include "ChannelAccess.h"
#include "ChannelNotice.h"
#include "ChatService.h"
#include "Fanout.h"
#include "Limits.h"
#include "ModerationHandlers.h"
#include "NameRules.h"
#include "ProtocolError.h"

#include <algorithm>
#include <set>

namespace hchat::server {

using namespace hchat::v1;

namespace {

constexpr std::size_t kMaxInitialMembers = 256;

void requireAccepts(MessageStore &st, std::int64_t userId, std::int64_t fromId);

// Adds userId to an invite-only channel as an invitee of inviterId; one user may keep at most
// MAX_PENDING_INVITATIONS_PER_INVITER invitations waiting for the same invitee.
void invitee(MessageStore &st, std::int64_t streamId, std::int64_t userId, std::int64_t inviterId)
{
    if (st.community().isBanned(streamId, userId))
        throw ProtocolError(ERROR_BANNED,
                            "that user is banned from this channel; a moderator may lift the ban");
    requireAccepts(st, userId, inviterId);
    if (st.pendingInvitations(userId, inviterId) >= limits::kMaxPendingInvitationsPerInviter)
        throw ProtocolError(ERROR_RATE_LIMITED, "this user already has 20 of your invitations waiting "
                                                "(MAX_PENDING_INVITATIONS_PER_INVITER)");
    st.addInvitee(streamId, userId, inviterId, ServerContext::nowMs());
}

// Someone who blocked `fromId` takes neither direct messages nor invitations from it; the refusal
// does not say why.
void requireAccepts(MessageStore &st, std::int64_t userId, std::int64_t fromId)
{
    if (st.community().blocks(userId, fromId))
        throw ProtocolError(ERROR_FORBIDDEN,
                            "this user does not accept direct messages or invitations from you");
}

Frame channelJoined(const ChannelInfo &info)
{
    Frame f;
    *f.mutable_channel_joined()->mutable_channel() = info;
    return f;
}

void requireValidNick(const std::string &nick)
{
    if (!NameRules::validNick(nick))
        throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
}

} // namespace

ChannelInfo ChannelHandlers::channelInfo(MessageStore &store, const StreamRecord &stream, std::int64_t userId)
{
    ChannelInfo info;
    info.set_name(stream.name);
    info.set_kind(static_cast<ChannelKind>(stream.kind));
    info.set_encrypted(stream.encrypted);
    info.set_server_max_seq(stream.maxSeq);
    info.set_read_seq(store.readSeq(stream.id, userId));
    auto &community = store.community();
    info.set_topic(community.topic(stream.id));
    info.set_read_only(community.readOnly(stream.id));
    info.set_role(community.role(stream.id, userId));
    if (stream.kind != CHANNEL_KIND_OPEN)
        for (auto &nick : store.memberNicks(stream.id))
            info.add_members(std::move(nick));
    return info;
}

void ChannelHandlers::join(const SessionPtr &session, std::uint64_t requestId, const Join &join)
{
    const std::string name = join.channel();
    if (!NameRules::validChannel(name))
        throw ProtocolError(ERROR_INVALID_NAME, "channel names are 1..64 of [a-z0-9_.-]");
    m_chat.checkRate(session);
    const SessionIdentity id = session->identity();
    m_chat.submitWrite(session, requestId, [id, name](MessageStore &st, WriteOutcome &out) {
        auto stream = st.findStream(name);
        const auto created =
            stream ? std::nullopt
                   : st.createStream(name, CHANNEL_KIND_OPEN, false, {}, ServerContext::nowMs());
        if (!stream && !created)
            stream = st.findStream(name); // another gateway made it a moment ago: join it as it is
        if (!stream && !created)
            throw ProtocolError(ERROR_INTERNAL, "the channel vanished while it was joined; try again");
        if (created) {
            stream = StreamRecord{*created, name, CHANNEL_KIND_OPEN, false, 0, {}, 0};
            ChannelAccess::requireRoomForAChannel(st, id.userId);
            st.addMember(*created, id.userId);
            st.community().setRole(*created, id.userId, CHANNEL_ROLE_OWNER); // who opens a channel owns it
        } else if (st.isMember(stream->id, id.userId)) {
            if (st.acceptMembership(stream->id, id.userId) && // an invitee joining: it accepts
                st.membershipCount(id.userId) > limits::kMaxChannelsPerUser)
                ChannelAccess::requireRoomForAChannel(st, id.userId);
            out.reply = channelJoined(channelInfo(st, *stream, id.userId));
            return;
        } else if (stream->kind != CHANNEL_KIND_OPEN) {
            throw ProtocolError(ERROR_FORBIDDEN, "this channel is invite-only");
        } else if (st.community().isBanned(stream->id, id.userId)) {
            throw ProtocolError(ERROR_BANNED, "you are banned from this channel");
        } else {
            ChannelAccess::requireRoomForAChannel(st, id.userId);
            st.addMember(stream->id, id.userId);
        }
        Message joined = channelNotice(MESSAGE_KIND_MEMBER_JOINED, id, id.nick);
        st.appendMessage(*stream, id.userId, joined);
        stream->maxSeq = joined.seq();
        out.stored.push_back(std::move(joined));
        out.audience = st.memberIds(stream->id);
        out.reply = channelJoined(channelInfo(st, *stream, id.userId));
    });
}

void ChannelHandlers::leave(const SessionPtr &session, std::uint64_t requestId, const Leave &leave)
{
    const std::string name = leave.channel();
    ChannelAccess::requireName(name);
    m_chat.checkRate(session);
    const SessionIdentity id = session->identity();
    m_chat.submitWrite(session, requestId, [id, name](MessageStore &st, WriteOutcome &out) {
        auto stream = ChannelAccess::requireStream(st, name);
        ChannelAccess::requireMember(st, stream, id.userId);
        Message left = channelNotice(MESSAGE_KIND_MEMBER_LEFT, id, id.nick);
        st.appendMessage(stream, id.userId, left);
        stream.maxSeq = left.seq();
        out.stored.push_back(std::move(left));
        out.audience = st.memberIds(stream.id);
        ModerationHandlers::part(st, out, stream, id, id.userId);
    });
}

std::vector<std::string> ChannelHandlers::otherMembers(const CreateChannel &create,
                                                       const SessionIdentity &creator)
{
    if (create.members_size() > int(kMaxInitialMembers))
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "too many initial members");
    std::vector<std::string> others;
    std::set<std::string> seen{NameRules::lower(creator.nick)};
    for (const auto &nick : create.members()) {
        if (!NameRules::validNick(nick))
            throw ProtocolError(ERROR_INVALID_NAME, "invalid nick in members");
        if (seen.insert(NameRules::lower(nick)).second)
            others.push_back(nick);
    }
    switch (create.kind()) {
    case CHANNEL_KIND_OPEN:
        if (!NameRules::validChannel(create.channel()))
            throw ProtocolError(ERROR_INVALID_NAME, "channel names are 1..64 of [a-z0-9_.-]");
        if (create.encrypted())
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "open channels cannot be encrypted; use an invite-only channel");
        break;
    case CHANNEL_KIND_INVITE_ONLY:
        if (!NameRules::validChannel(create.channel()))
            throw ProtocolError(ERROR_INVALID_NAME, "channel names are 1..64 of [a-z0-9_.-]");
        break;
    case CHANNEL_KIND_DIRECT:
        if (create.members_size() != 1 || others.size() != 1)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a direct channel has exactly one other member");
        if (create.channel() != NameRules::directName(creator.nick, others[0]))
            throw ProtocolError(ERROR_INVALID_NAME,
                                "a direct channel is named @a+b (both nicks lower-cased, sorted)");
        break;
    default:
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "unknown channel kind");
    }
    return others;
}

void ChannelHandlers::createChannel(const SessionPtr &session, std::uint64_t requestId,
                                    const CreateChannel &create)
{
    const std::string name = create.channel();
    const ChannelKind kind = create.kind();
    const bool encrypted = create.encrypted();
    const SessionIdentity id = session->identity();
    const std::vector<std::string> others = otherMembers(create, id);
    m_chat.checkRate(session);
    m_chat.submitWrite(
        session, requestId, [id, name, kind, encrypted, others](MessageStore &st, WriteOutcome &out) {
            if (auto existing = st.findStream(name)) {
                if (kind == CHANNEL_KIND_DIRECT && existing->kind == CHANNEL_KIND_DIRECT &&
                    st.isMember(existing->id, id.userId)) {
                    out.reply = channelJoined(channelInfo(st, *existing, id.userId));
                    return;
                }
                throw ProtocolError(ERROR_CHANNEL_EXISTS, "a channel of that name exists");
            }
            std::vector<UserRecord> users;
            for (const auto &nick : others) {
                auto u = st.findUser(nick);
                if (!u)
                    throw ProtocolError(ERROR_NO_SUCH_USER, "no such user: " + nick);
                users.push_back(*u);
            }
            ChannelAccess::requireRoomForAChannel(st, id.userId);
            if (kind == CHANNEL_KIND_DIRECT)
                requireAccepts(st, users.front().id, id.userId);
            const auto created = st.createStream(name, kind, encrypted, {}, ServerContext::nowMs());
            if (!created) // another gateway's, made after our findStream
                throw ProtocolError(ERROR_CHANNEL_EXISTS, "a channel of that name exists");
            const std::int64_t sid = *created;
            StreamRecord stream{sid, name, kind, encrypted, 0, {}};
            st.addMember(sid, id.userId);
            if (kind != CHANNEL_KIND_DIRECT)
                st.community().setRole(sid, id.userId, CHANNEL_ROLE_OWNER);
            out.stored.push_back(channelNotice(MESSAGE_KIND_CHANNEL_CREATED, id, id.nick));
            st.appendMessage(stream, id.userId, out.stored.back());
            std::vector<std::int64_t> added;
            for (const auto &u : users) {
                // Invite-only: an invitation, pending until the invitee accepts (direct channels
                // have their two people from the start).
                if (kind == CHANNEL_KIND_INVITE_ONLY)
                    invitee(st, sid, u.id, id.userId);
                else
                    st.addMember(sid, u.id);
                out.stored.push_back(channelNotice(MESSAGE_KIND_MEMBER_ADDED, id, u.nick));
                st.appendMessage(stream, id.userId, out.stored.back());
                added.push_back(u.id);
            }
            stream.maxSeq = out.stored.back().seq();
            out.audience = st.memberIds(sid);
            const ChannelInfo info = channelInfo(st, stream, id.userId);
            out.reply = channelJoined(info);
            // The others learn of the channel as new to them: nothing read yet.
            Frame pushed = channelJoined(info);
            pushed.mutable_channel_joined()->mutable_channel()->set_read_seq(0);
            out.notices.push_back({std::move(added), std::move(pushed)});
        });
}

// An Invite or a RemoveMember: the asker is a member of the invite-only channel `name`, and `nick`
// names a user. Inside the write.
std::pair<StreamRecord, UserRecord>
ChannelHandlers::memberOperation(MessageStore &st, const SessionIdentity &asker, const std::string &name,
                                 const std::string &nick, const char *notInviteOnly)
{
    auto stream = ChannelAccess::requireStream(st, name);
    ChannelAccess::requireMember(st, stream, asker.userId);
    if (stream.kind != CHANNEL_KIND_INVITE_ONLY)
        throw ProtocolError(ERROR_FORBIDDEN, notInviteOnly);
    auto user = st.findUser(nick);
    if (!user)
        throw ProtocolError(ERROR_NO_SUCH_USER, "no such user");
    return {std::move(stream), std::move(*user)};
}

void ChannelHandlers::invite(const SessionPtr &session, std::uint64_t requestId, const Invite &invite)
{
    const std::string name = invite.channel();
    const std::string nick = invite.nick();
    ChannelAccess::requireName(name);
    requireValidNick(nick);
    m_chat.checkRate(session);
    const SessionIdentity id = session->identity();
    m_chat.submitWrite(session, requestId, [id, name, nick](MessageStore &st, WriteOutcome &out) {
        auto [stream, user] =
            memberOperation(st, id, name, nick, "members are invited to invite-only channels only");
        if (st.isMember(stream.id, user.id))
            return;
        if (st.memberIds(stream.id).size() >= limits::kMaxMembersPerChannel)
            throw ProtocolError(ERROR_LIMIT_ABOVE_CAP, "this channel has " +
                                                           std::to_string(limits::kMaxMembersPerChannel) +
                                                           " members and invitees");
        invitee(st, stream.id, user.id, id.userId);
        Message added = channelNotice(MESSAGE_KIND_MEMBER_ADDED, id, user.nick);
        st.appendMessage(stream, id.userId, added);
        stream.maxSeq = added.seq();
        out.stored.push_back(std::move(added));
        out.audience = st.memberIds(stream.id);
        out.notices.push_back({{user.id}, channelJoined(channelInfo(st, stream, user.id))});
    });
}

void ChannelHandlers::removeMember(const SessionPtr &session, std::uint64_t requestId,
                                   const RemoveMember &remove)
{
    const std::string name = remove.channel();
    const std::string nick = remove.nick();
    ChannelAccess::requireName(name);
    requireValidNick(nick);
    m_chat.checkRate(session);
    const SessionIdentity id = session->identity();
    m_chat.submitWrite(session, requestId, [id, name, nick](MessageStore &st, WriteOutcome &out) {
        auto [stream, user] =
            memberOperation(st, id, name, nick, "members are removed from invite-only channels only");
        if (!st.isMember(stream.id, user.id))
            throw ProtocolError(ERROR_NOT_MEMBER, "that user is not a member");
        requireMayRemove(st, stream, id.userId, user.id);
        Message removed = channelNotice(MESSAGE_KIND_MEMBER_REMOVED, id, user.nick);
        st.appendMessage(stream, id.userId, removed);
        stream.maxSeq = removed.seq();
        out.stored.push_back(std::move(removed));
        out.audience = st.memberIds(stream.id);
        ModerationHandlers::part(st, out, stream, id, user.id);
    });
}

// Removing a member of an invite-only channel is for its owner and moderators (over members of a
// lower rank), except that whoever invited someone may withdraw the invitation while it waits.
void ChannelHandlers::requireMayRemove(MessageStore &st, const StreamRecord &stream, std::int64_t askerId,
                                       std::int64_t targetId)
{
    auto &community = st.community();
    if (community.invitedBy(stream.id, targetId) == askerId)
        return;
    ChannelPermissions::require(ChannelPermissions::Action::Kick, static_cast<ChannelKind>(stream.kind),
                                stream.encrypted, ModerationHandlers::asker(st, stream, askerId, targetId),
                                community.role(stream.id, targetId));
}

// Typing indicators: never stored, never answered; passed on (through the fan-out, so across
// gateways too) to the sessions of the channel's other members, at most once per 2 s per
// session and channel. The membership check is a read, off the I/O thread.
void ChannelHandlers::typing(const SessionPtr &session, std::uint64_t requestId, const Typing &typing)
{
    constexpr std::int64_t kTypingIntervalMs = 2000;
    const std::string name = typing.channel();
    ChannelAccess::requireName(name);
    const std::int64_t now = ServerContext::nowMs();
    if (session->lastTypingMs.size() > 256)
        session->lastTypingMs.clear();
    std::int64_t &last = session->lastTypingMs[name];
    if (last != 0 && now - last < kTypingIntervalMs)
        return;
    // Best effort: past the user's rate, typing notices are dropped without an answer.
    if (!m_ctx.userLimits.takeSignal(session->identity().userId))
        return;
    last = now;
    const SessionIdentity id = session->identity();
    m_ctx.readers.submit([this, session, requestId, id, name](MessageStore &st) {
        const auto stream = st.findStream(name);
        if (!stream || !st.isMember(stream->id, id.userId)) {
            session->dispatch([this, session, requestId] {
                m_chat.sendError(session, requestId, ERROR_NOT_MEMBER,
                                 "typing in a channel you are not a member of");
            });
            return;
        }
        std::vector<std::int64_t> others = st.memberIds(stream->id);
        std::erase(others, id.userId);
        if (others.empty())
            return;
        Frame f;
        f.mutable_typing()->set_channel(name);
        f.mutable_typing()->set_nick(id.nick);
        m_ctx.fanout->toUsers(others, std::make_shared<const std::string>(f.SerializeAsString()), false);
    });
}

} // namespace hchat::server
