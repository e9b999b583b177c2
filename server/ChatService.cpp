#include "ChatService.h"

#include "ChannelPages.h"
#include "Fanout.h"
#include "Log.h"

#include "Limits.h"
#include "NameRules.h"
#include "ProtocolError.h"
#include "Secrets.h"
#include "SendValidation.h"
#include "hchat/Version.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace hchat::server {

using namespace hchat::v1;

namespace {

constexpr std::uint16_t kClosePolicy = 1008;
constexpr std::size_t kMaxFramesBeforeWelcome = 256;
constexpr std::size_t kMaxInitialMembers = 256;

Message membershipMessage(MessageKind kind, const SessionIdentity &actor, const std::string &subject)
{
    Message m;
    m.set_sender(actor.nick);
    m.set_sender_device(actor.deviceId);
    m.set_server_time_ms(ServerContext::nowMs());
    m.set_kind(kind);
    m.set_subject(subject);
    return m;
}

// A channel name a client may address: an open / invite-only channel, a direct channel, or (for
// Send only) a device inbox.
// Adds userId to an invite-only channel as an invitee of inviterId; one user may keep at most
// MAX_PENDING_INVITATIONS_PER_INVITER invitations waiting for the same invitee.
void invitee(MessageStore &st, std::int64_t streamId, std::int64_t userId, std::int64_t inviterId)
{
    if (st.pendingInvitations(userId, inviterId) >= limits::kMaxPendingInvitationsPerInviter)
        throw ProtocolError(ERROR_RATE_LIMITED, "this user already has 20 of your invitations waiting "
                                                "(MAX_PENDING_INVITATIONS_PER_INVITER)");
    st.addInvitee(streamId, userId, inviterId, ServerContext::nowMs());
}

void requireStreamName(const std::string &name, bool allowInbox)
{
    if (NameRules::validChannel(name) || NameRules::validDirectName(name))
        return;
    if (allowInbox && NameRules::isInboxName(name))
        return;
    throw ProtocolError(ERROR_INVALID_NAME,
                        "invalid channel name (1..64 of [a-z0-9_.-], or @a+b for a direct channel)");
}

StreamRecord requireStream(MessageStore &st, const std::string &name)
{
    auto stream = st.findStream(name);
    if (!stream || stream->kind == StreamRecord::kInbox)
        throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such channel");
    return *stream;
}

void requireMember(MessageStore &st, const StreamRecord &stream, std::int64_t userId)
{
    if (!st.isMember(stream.id, userId))
        throw ProtocolError(ERROR_NOT_MEMBER, "not a member of this channel");
}

} // namespace

ChatService::ChatService(ServerContext &ctx) : m_ctx(ctx) {}

ChannelInfo ChatService::channelInfo(MessageStore &store, const StreamRecord &stream, std::int64_t userId)
{
    ChannelInfo info;
    info.set_name(stream.name);
    info.set_kind(static_cast<ChannelKind>(stream.kind));
    info.set_encrypted(stream.encrypted);
    info.set_server_max_seq(stream.maxSeq);
    info.set_read_seq(store.readSeq(stream.id, userId));
    if (stream.kind != CHANNEL_KIND_OPEN)
        for (auto &nick : store.memberNicks(stream.id))
            info.add_members(std::move(nick));
    return info;
}

namespace {
void requireRoomForAChannel(MessageStore &st, std::int64_t userId)
{
    if (st.membershipCount(userId) >= limits::kMaxChannelsPerUser)
        throw ProtocolError(ERROR_LIMIT_ABOVE_CAP, "you are in " +
                                                       std::to_string(limits::kMaxChannelsPerUser) +
                                                       " channels; leave one before joining another");
}
} // namespace

void ChatService::sendError(const SessionPtr &session, std::uint64_t requestId, ErrorCode code,
                            const std::string &message, bool close)
{
    m_ctx.metrics.countError(code);
    Frame f;
    f.set_request_id(requestId);
    f.mutable_error()->set_code(code);
    f.mutable_error()->set_message(message);
    session->sendFrame(f);
    if (close)
        session->closeSoon(kClosePolicy);
}

void ChatService::replyOk(const SessionPtr &session, std::uint64_t requestId)
{
    Frame f;
    f.set_request_id(requestId);
    f.mutable_ok();
    session->sendFrame(f);
}

void ChatService::announceStored(const std::vector<std::int64_t> &members, const Message &message)
{
    m_ctx.metrics.messagesStored.fetch_add(1, std::memory_order_relaxed);
    fanOut(members, message);
}

void ChatService::fanOut(const std::vector<std::int64_t> &userIds, const Message &message)
{
    Frame f;
    *f.mutable_push()->mutable_message() = message;
    m_ctx.fanout->toUsers(userIds, std::make_shared<const std::string>(f.SerializeAsString()), true);
}

void ChatService::pushToDevice(const std::string &deviceId, const Message &message)
{
    Frame f;
    *f.mutable_push()->mutable_message() = message;
    m_ctx.fanout->toDevice(deviceId, std::make_shared<const std::string>(f.SerializeAsString()), true);
}

void ChatService::closeDeviceSessions(const std::string &deviceId)
{
    // Through the fan-out: the device's sessions on other gateways end too.
    m_ctx.fanout->closeSessions(
        SessionCut{SessionCut::By::Device, deviceId, 0, {}, "this device was revoked"});
}

void ChatService::closeTokenSessions(const std::string &tokenHash)
{
    m_ctx.fanout->closeSessions(SessionCut{SessionCut::By::Token, tokenHash, 0, {}, "logged out"});
}

void ChatService::closeUserSessions(std::int64_t userId, const std::string &exceptTokenHash,
                                    const std::string &reason)
{
    m_ctx.fanout->closeSessions(SessionCut{SessionCut::By::User, {}, userId, exceptTokenHash, reason});
}

void ChatService::onMalformed(const SessionPtr &session, const std::string &why)
{
    if (session->authState == ClientSession::AuthState::Closing)
        return;
    const bool close = session->authState != ClientSession::AuthState::Authenticated;
    if (close)
        session->authState = ClientSession::AuthState::Closing;
    sendError(session, 0, ERROR_MALFORMED, why, close);
}

void ChatService::onAuthTimeout(const SessionPtr &session)
{
    if (session->authState != ClientSession::AuthState::New)
        return;
    session->authState = ClientSession::AuthState::Closing;
    sendError(session, 0, ERROR_NOT_AUTHENTICATED, "no Hello in time", true);
}

void ChatService::onTokenExpired(const SessionPtr &session)
{
    if (session->authState == ClientSession::AuthState::Closing)
        return;
    session->authState = ClientSession::AuthState::Closing;
    sendError(session, 0, ERROR_TOKEN_EXPIRED, "token expired; log in again", true);
}

void ChatService::onMessage(const SessionPtr &session, bool binary, const void *data, std::size_t size)
{
    if (!binary) {
        onMalformed(session, "text messages are not accepted: send binary protobuf Frames");
        return;
    }
    Frame frame;
    if (size > limits::kMaxFrameBytes || !frame.ParseFromArray(data, int(size))) {
        onMalformed(session, "the message is not a valid Frame");
        return;
    }
    onFrame(session, std::move(frame));
}

void ChatService::onFrame(const SessionPtr &session, Frame frame)
{
    m_ctx.metrics.framesReceived.fetch_add(1, std::memory_order_relaxed);
    switch (session->authState) {
    case ClientSession::AuthState::Closing:
        return;
    case ClientSession::AuthState::New:
        if (!frame.has_hello()) {
            session->authState = ClientSession::AuthState::Closing;
            sendError(session, frame.request_id(), ERROR_NOT_AUTHENTICATED, "the first frame must be Hello",
                      true);
            return;
        }
        if (frame.request_id() == 0) {
            session->authState = ClientSession::AuthState::Closing;
            sendError(session, 0, ERROR_INVALID_ARGUMENT,
                      "request_id 0 is reserved for pushes; number requests from 1", true);
            return;
        }
        hello(session, frame.request_id(), frame.hello());
        return;
    case ClientSession::AuthState::Pending:
        if (session->framesBeforeWelcome.size() >= kMaxFramesBeforeWelcome) {
            session->authState = ClientSession::AuthState::Closing;
            sendError(session, frame.request_id(), ERROR_RATE_LIMITED, "too many frames before Welcome",
                      true);
            return;
        }
        session->framesBeforeWelcome.push_back(std::move(frame));
        return;
    case ClientSession::AuthState::Authenticated:
        break;
    }
    dispatchFrame(session, frame);
}

void ChatService::dispatchFrame(const SessionPtr &session, Frame &frame)
{
    const auto rid = frame.request_id();
    if (log::enabled(log::Level::Debug) && frame.body_case() != Frame::kPing) {
        const auto *field = Frame::descriptor()->FindFieldByNumber(frame.body_case());
        HCHAT_DEBUG("frame %s request %llu from %s (device %s)", field ? field->name().c_str() : "(none)",
                    static_cast<unsigned long long>(rid), session->identity().nick.c_str(),
                    session->identity().deviceId.c_str());
    }
    if (rid == 0) {
        // Answers carry the request's id, and 0 marks a push: an answer to 0 would pass for one.
        sendError(session, 0, ERROR_INVALID_ARGUMENT,
                  "request_id 0 is reserved for pushes; number requests from 1");
        return;
    }
    if (m_ctx.shuttingDown.load() && frame.body_case() != Frame::kPing) {
        sendError(session, rid, ERROR_SHUTTING_DOWN, "the gateway is shutting down");
        return;
    }
    try {
        switch (frame.body_case()) {
        case Frame::kJoin:
            join(session, rid, frame.join());
            break;
        case Frame::kLeave:
            leave(session, rid, frame.leave());
            break;
        case Frame::kCreateChannel:
            createChannel(session, rid, frame.create_channel());
            break;
        case Frame::kInvite:
            invite(session, rid, frame.invite());
            break;
        case Frame::kRemoveMember:
            removeMember(session, rid, frame.remove_member());
            break;
        case Frame::kSend:
            send(session, rid, *frame.mutable_send());
            break;
        case Frame::kMarkRead:
            markRead(session, rid, frame.mark_read());
            break;
        case Frame::kTyping:
            typing(session, rid, frame.typing());
            break;
        case Frame::kPing: {
            Frame pong;
            pong.set_request_id(rid);
            pong.mutable_pong()->set_client_time_ms(frame.ping().client_time_ms());
            pong.mutable_pong()->set_server_time_ms(ServerContext::nowMs());
            session->sendFrame(pong);
            break;
        }
        case Frame::kHello:
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "already authenticated");
        default:
            throw ProtocolError(ERROR_UNKNOWN_FRAME, "a frame with no body, or one a client may not send");
        }
    } catch (const ProtocolError &e) {
        sendError(session, rid, e.code(), e.what());
    }
}

void ChatService::submitWrite(const SessionPtr &session, std::uint64_t requestId, CommitWriter::Apply apply,
                              std::function<void()> committed)
{
    const bool queued = m_ctx.writer.submit(
        std::move(apply),
        [this, session, requestId, committed = std::move(committed)](ErrorCode code, const std::string &msg) {
            if (code != ERROR_CODE_UNSPECIFIED) {
                sendError(session, requestId, code, msg);
                return;
            }
            committed();
        });
    if (!queued)
        sendError(session, requestId, ERROR_SHUTTING_DOWN, "the gateway is shutting down");
}

void ChatService::checkRate(const SessionPtr &session)
{
    if (!m_ctx.userLimits.takeChat(session->identity().userId))
        throw ProtocolError(ERROR_RATE_LIMITED, "rate limit exceeded; slow down");
}

// ---- authentication ----------------------------------------------------------------------------

void ChatService::hello(const SessionPtr &session, std::uint64_t requestId, const Hello &hello)
{
    if (hello.protocol_version() != PROTOCOL_VERSION_CURRENT) {
        session->authState = ClientSession::AuthState::Closing;
        sendError(session, requestId, ERROR_UNSUPPORTED_VERSION, "this gateway speaks protocol version 1",
                  true);
        return;
    }
    if (hello.token().empty() || hello.token().size() > 256) {
        session->authState = ClientSession::AuthState::Closing;
        sendError(session, requestId, ERROR_BAD_TOKEN, "unknown token", true);
        return;
    }
    session->authState = ClientSession::AuthState::Pending;
    const std::string hash = Secrets::tokenHash(hello.token());
    const bool queued = m_ctx.readers.submit([this, session, requestId, hash](MessageStore &st) {
        std::optional<TokenRecord> token;
        ErrorCode code = ERROR_CODE_UNSPECIFIED;
        try {
            token = st.findToken(hash);
            if (!token || token->revoked)
                code = ERROR_BAD_TOKEN;
            else if (token->expiresMs <= ServerContext::nowMs())
                code = ERROR_TOKEN_EXPIRED;
        } catch (const std::exception &e) {
            std::fprintf(stderr, "hchat-gateway: token lookup failed: %s\n", e.what());
            code = ERROR_INTERNAL;
        }
        session->dispatch([this, session, requestId, hash, token, code] {
            if (code != ERROR_CODE_UNSPECIFIED) {
                session->authState = ClientSession::AuthState::Closing;
                sendError(session, requestId, code,
                          code == ERROR_TOKEN_EXPIRED ? "token expired; log in again" : "unknown token",
                          true);
                return;
            }
            session->setIdentity(SessionIdentity{token->userId, token->nick, token->deviceId, hash});
            session->expireAt(token->expiresMs);
            HCHAT_DEBUG("session authenticated: %s (device %s)", token->nick.c_str(),
                        token->deviceId.c_str());
            // Registered before the channel list is read, so that no push between the two is lost
            // (pushes are held until the Welcome has gone out).
            m_ctx.registry.addAuthenticated(session);
            welcome(session, requestId);
        });
    });
    if (!queued) {
        session->authState = ClientSession::AuthState::Closing;
        sendError(session, requestId, ERROR_SHUTTING_DOWN, "the gateway is shutting down", true);
    }
}

void ChatService::welcome(const SessionPtr &session, std::uint64_t requestId)
{
    const SessionIdentity id = session->identity();
    const bool queued = m_ctx.readers.submit([this, session, requestId, id](MessageStore &st) {
        Frame f;
        f.set_request_id(requestId);
        auto *w = f.mutable_welcome();
        ErrorCode code = ERROR_CODE_UNSPECIFIED;
        try {
            // Again, now that the session is registered: a revocation that committed after the
            // Hello's lookup but before the registration found no session to close.
            if (auto token = st.findToken(id.tokenHash); !token || token->revoked)
                code = ERROR_BAD_TOKEN;
            w->set_protocol_version(PROTOCOL_VERSION_CURRENT);
            w->set_nick(id.nick);
            w->set_device_id(id.deviceId);
            w->set_server_version(hchat::kVersion);
            auto page = channelPage(st.channelsOf(id.userId), {}, limits::kChannelPageBytes);
            for (auto &c : page.channels)
                *w->add_channels() = std::move(c);
            w->set_channels_continue_after(page.continueAfter);
            for (auto &c : invitationsWithin(st.invitationsOf(id.userId, limits::kMaxListedInvitations),
                                             limits::kInvitationListBytes))
                *w->add_invitations() = std::move(c);
            if (auto inbox = st.findStream(NameRules::inboxName(id.deviceId)))
                w->set_inbox_max_seq(inbox->maxSeq);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "hchat-gateway: reading channels failed: %s\n", e.what());
            code = ERROR_INTERNAL;
        }
        session->dispatch([this, session, requestId, f = std::move(f), code]() mutable {
            if (session->authState == ClientSession::AuthState::Closing)
                return;
            if (code != ERROR_CODE_UNSPECIFIED) {
                session->authState = ClientSession::AuthState::Closing;
                sendError(session, requestId, code,
                          code == ERROR_BAD_TOKEN ? "unknown token" : "internal error", true);
                return;
            }
            session->sendFrame(f);
            session->authState = ClientSession::AuthState::Authenticated;
            session->openPushes();
            auto pending = std::move(session->framesBeforeWelcome);
            session->framesBeforeWelcome.clear();
            for (auto &frame : pending)
                dispatchFrame(session, frame);
        });
    });
    if (!queued) {
        session->authState = ClientSession::AuthState::Closing;
        sendError(session, requestId, ERROR_SHUTTING_DOWN, "the gateway is shutting down", true);
        return;
    }
    m_ctx.writer.submit(
        [deviceId = id.deviceId](MessageStore &st) { st.touchDevice(deviceId, {}, ServerContext::nowMs()); },
        {});
}

// ---- channels ----------------------------------------------------------------------------------

void ChatService::join(const SessionPtr &session, std::uint64_t requestId, const Join &join)
{
    const std::string name = join.channel();
    if (!NameRules::validChannel(name))
        throw ProtocolError(ERROR_INVALID_NAME, "channel names are 1..64 of [a-z0-9_.-]");
    checkRate(session);
    struct Result {
        ChannelInfo info;
        Message message;
        bool added = false;
        std::vector<std::int64_t> members;
    };
    auto r = std::make_shared<Result>();
    const SessionIdentity id = session->identity();
    submitWrite(
        session, requestId,
        [r, id, name](MessageStore &st) {
            auto stream = st.findStream(name);
            if (!stream) {
                const auto sid = st.createStream(name, CHANNEL_KIND_OPEN, false, {}, ServerContext::nowMs());
                stream = StreamRecord{sid, name, CHANNEL_KIND_OPEN, false, 0, {}, 0};
            } else if (st.isMember(stream->id, id.userId)) {
                if (st.acceptMembership(stream->id, id.userId) && // an invitee joining: it accepts
                    st.membershipCount(id.userId) > limits::kMaxChannelsPerUser)
                    requireRoomForAChannel(st, id.userId);
                r->info = channelInfo(st, *stream, id.userId);
                return;
            } else if (stream->kind != CHANNEL_KIND_OPEN) {
                throw ProtocolError(ERROR_FORBIDDEN, "this channel is invite-only");
            }
            requireRoomForAChannel(st, id.userId);
            st.addMember(stream->id, id.userId);
            r->message = membershipMessage(MESSAGE_KIND_MEMBER_JOINED, id, id.nick);
            st.appendMessage(*stream, id.userId, r->message);
            stream->maxSeq = r->message.seq();
            r->added = true;
            r->members = st.memberIds(stream->id);
            r->info = channelInfo(st, *stream, id.userId);
        },
        [this, session, requestId, r] {
            Frame f;
            f.set_request_id(requestId);
            *f.mutable_channel_joined()->mutable_channel() = r->info;
            session->sendFrame(f);
            if (r->added) {
                announceStored(r->members, r->message);
            }
        });
}

void ChatService::leave(const SessionPtr &session, std::uint64_t requestId, const Leave &leave)
{
    const std::string name = leave.channel();
    requireStreamName(name, false);
    checkRate(session);
    struct Result {
        Message message;
        std::vector<std::int64_t> members;
    };
    auto r = std::make_shared<Result>();
    const SessionIdentity id = session->identity();
    submitWrite(
        session, requestId,
        [r, id, name](MessageStore &st) {
            auto stream = requireStream(st, name);
            requireMember(st, stream, id.userId);
            r->message = membershipMessage(MESSAGE_KIND_MEMBER_LEFT, id, id.nick);
            st.appendMessage(stream, id.userId, r->message);
            r->members = st.memberIds(stream.id);
            st.removeMember(stream.id, id.userId);
        },
        [this, session, requestId, r] {
            replyOk(session, requestId);
            announceStored(r->members, r->message);
        });
}

void ChatService::createChannel(const SessionPtr &session, std::uint64_t requestId,
                                const CreateChannel &create)
{
    const std::string name = create.channel();
    const ChannelKind kind = create.kind();
    const SessionIdentity id = session->identity();
    std::vector<std::string> others;
    {
        std::set<std::string> seen{NameRules::lower(id.nick)};
        if (create.members_size() > int(kMaxInitialMembers))
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "too many initial members");
        for (const auto &nick : create.members()) {
            if (!NameRules::validNick(nick))
                throw ProtocolError(ERROR_INVALID_NAME, "invalid nick in members");
            if (seen.insert(NameRules::lower(nick)).second)
                others.push_back(nick);
        }
    }
    switch (kind) {
    case CHANNEL_KIND_OPEN:
        if (!NameRules::validChannel(name))
            throw ProtocolError(ERROR_INVALID_NAME, "channel names are 1..64 of [a-z0-9_.-]");
        if (create.encrypted())
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "open channels cannot be encrypted; use an invite-only channel");
        break;
    case CHANNEL_KIND_INVITE_ONLY:
        if (!NameRules::validChannel(name))
            throw ProtocolError(ERROR_INVALID_NAME, "channel names are 1..64 of [a-z0-9_.-]");
        break;
    case CHANNEL_KIND_DIRECT:
        if (create.members_size() != 1 || others.size() != 1)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a direct channel has exactly one other member");
        if (name != NameRules::directName(id.nick, others[0]))
            throw ProtocolError(ERROR_INVALID_NAME,
                                "a direct channel is named @a+b (both nicks lower-cased, sorted)");
        break;
    default:
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "unknown channel kind");
    }
    checkRate(session);
    struct Result {
        ChannelInfo info;
        std::vector<Message> messages;
        std::vector<std::int64_t> added;
        std::vector<std::int64_t> members;
    };
    auto r = std::make_shared<Result>();
    const bool encrypted = create.encrypted();
    submitWrite(
        session, requestId,
        [r, id, name, kind, encrypted, others](MessageStore &st) {
            if (auto existing = st.findStream(name)) {
                if (kind == CHANNEL_KIND_DIRECT && existing->kind == CHANNEL_KIND_DIRECT &&
                    st.isMember(existing->id, id.userId)) {
                    r->info = channelInfo(st, *existing, id.userId);
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
            requireRoomForAChannel(st, id.userId);
            const auto sid = st.createStream(name, kind, encrypted, {}, ServerContext::nowMs());
            StreamRecord stream{sid, name, kind, encrypted, 0, {}};
            st.addMember(sid, id.userId);
            Message created = membershipMessage(MESSAGE_KIND_CHANNEL_CREATED, id, id.nick);
            st.appendMessage(stream, id.userId, created);
            r->messages.push_back(created);
            for (const auto &u : users) {
                // Invite-only: an invitation, pending until the invitee accepts (direct channels
                // have their two people from the start).
                if (kind == CHANNEL_KIND_INVITE_ONLY)
                    invitee(st, sid, u.id, id.userId);
                else
                    st.addMember(sid, u.id);
                Message added = membershipMessage(MESSAGE_KIND_MEMBER_ADDED, id, u.nick);
                st.appendMessage(stream, id.userId, added);
                r->messages.push_back(added);
                r->added.push_back(u.id);
            }
            stream.maxSeq = r->messages.back().seq();
            r->members = st.memberIds(sid);
            r->info = channelInfo(st, stream, id.userId);
        },
        [this, session, requestId, r] {
            Frame f;
            f.set_request_id(requestId);
            *f.mutable_channel_joined()->mutable_channel() = r->info;
            session->sendFrame(f);
            if (!r->added.empty()) {
                Frame pushed;
                *pushed.mutable_channel_joined()->mutable_channel() = r->info;
                pushed.mutable_channel_joined()->mutable_channel()->set_read_seq(0);
                m_ctx.fanout->toUsers(r->added,
                                      std::make_shared<const std::string>(pushed.SerializeAsString()), false);
            }
            m_ctx.metrics.messagesStored.fetch_add(r->messages.size(), std::memory_order_relaxed);
            for (const auto &m : r->messages)
                fanOut(r->members, m);
        });
}

void ChatService::invite(const SessionPtr &session, std::uint64_t requestId, const Invite &invite)
{
    const std::string name = invite.channel();
    const std::string nick = invite.nick();
    requireStreamName(name, false);
    if (!NameRules::validNick(nick))
        throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
    checkRate(session);
    struct Result {
        bool added = false;
        Message message;
        std::int64_t target = 0;
        ChannelInfo targetInfo;
        std::vector<std::int64_t> members;
    };
    auto r = std::make_shared<Result>();
    const SessionIdentity id = session->identity();
    submitWrite(
        session, requestId,
        [r, id, name, nick](MessageStore &st) {
            auto stream = requireStream(st, name);
            requireMember(st, stream, id.userId);
            if (stream.kind != CHANNEL_KIND_INVITE_ONLY)
                throw ProtocolError(ERROR_FORBIDDEN, "members are invited to invite-only channels only");
            auto user = st.findUser(nick);
            if (!user)
                throw ProtocolError(ERROR_NO_SUCH_USER, "no such user");
            if (st.isMember(stream.id, user->id))
                return;
            if (st.memberIds(stream.id).size() >= limits::kMaxMembersPerChannel)
                throw ProtocolError(ERROR_LIMIT_ABOVE_CAP, "this channel has " +
                                                               std::to_string(limits::kMaxMembersPerChannel) +
                                                               " members and invitees");
            invitee(st, stream.id, user->id, id.userId);
            r->message = membershipMessage(MESSAGE_KIND_MEMBER_ADDED, id, user->nick);
            st.appendMessage(stream, id.userId, r->message);
            stream.maxSeq = r->message.seq();
            r->added = true;
            r->target = user->id;
            r->members = st.memberIds(stream.id);
            r->targetInfo = channelInfo(st, stream, user->id);
        },
        [this, session, requestId, r] {
            replyOk(session, requestId);
            if (!r->added)
                return;
            Frame pushed;
            *pushed.mutable_channel_joined()->mutable_channel() = r->targetInfo;
            m_ctx.fanout->toUsers({r->target},
                                  std::make_shared<const std::string>(pushed.SerializeAsString()), false);
            announceStored(r->members, r->message);
        });
}

void ChatService::removeMember(const SessionPtr &session, std::uint64_t requestId, const RemoveMember &remove)
{
    const std::string name = remove.channel();
    const std::string nick = remove.nick();
    requireStreamName(name, false);
    if (!NameRules::validNick(nick))
        throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
    checkRate(session);
    struct Result {
        Message message;
        std::vector<std::int64_t> members;
    };
    auto r = std::make_shared<Result>();
    const SessionIdentity id = session->identity();
    submitWrite(
        session, requestId,
        [r, id, name, nick](MessageStore &st) {
            auto stream = requireStream(st, name);
            requireMember(st, stream, id.userId);
            if (stream.kind != CHANNEL_KIND_INVITE_ONLY)
                throw ProtocolError(ERROR_FORBIDDEN, "members are removed from invite-only channels only");
            auto user = st.findUser(nick);
            if (!user)
                throw ProtocolError(ERROR_NO_SUCH_USER, "no such user");
            if (!st.isMember(stream.id, user->id))
                throw ProtocolError(ERROR_NOT_MEMBER, "that user is not a member");
            r->message = membershipMessage(MESSAGE_KIND_MEMBER_REMOVED, id, user->nick);
            st.appendMessage(stream, id.userId, r->message);
            r->members = st.memberIds(stream.id);
            st.removeMember(stream.id, user->id);
        },
        [this, session, requestId, r] {
            replyOk(session, requestId);
            announceStored(r->members, r->message);
        });
}

// ---- messages ----------------------------------------------------------------------------------

// A reply names an earlier message of the channel; an edit or a deletion names an earlier text
// message of the same user that is not deleted. Runs inside the write transaction.
void ChatService::checkReference(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
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
    if (target->senderId != userId)
        throw ProtocolError(ERROR_FORBIDDEN, "only its sender can edit or delete a message");
    if (target->message.deleted())
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "that message was deleted");
}

// An attachment message refers to a complete upload of its sender in its channel that no other
// message shows (so that recalling the message really removes the bytes). Inside the write.
void ChatService::checkUpload(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
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

void ChatService::send(const SessionPtr &session, std::uint64_t requestId, Send &send)
{
    const std::string name = send.channel();
    const SendCheck check = validateSend(send, session->identity());
    const bool toInbox = check.toInbox;
    const MessageKind kind = send.kind();
    const MembershipAction membershipAction = check.membershipAction;
    const std::uint64_t plainFileSize = check.plainFileSize;
    checkRate(session);

    struct Result {
        Message message;
        bool duplicate = false;
        std::vector<std::int64_t> members;
        std::string inboxDevice;
    };
    auto r = std::make_shared<Result>();
    const SessionIdentity id = session->identity();
    auto msg = std::make_shared<Message>();
    msg->set_sender(id.nick);
    msg->set_sender_device(id.deviceId);
    msg->set_client_msg_id(std::move(*send.mutable_client_msg_id()));
    msg->set_body(std::move(*send.mutable_body()));
    msg->set_encrypted(send.encrypted());
    msg->set_kind(kind);
    msg->set_ref_seq(send.ref_seq());
    msg->set_attachment_id(send.attachment_id());
    submitWrite(
        session, requestId,
        [r, id, name, toInbox, msg, plainFileSize, membershipAction](MessageStore &st) {
            if (auto previous = st.findByClientMsgId(id.userId, msg->client_msg_id())) {
                r->message = std::move(*previous);
                r->duplicate = true;
                return;
            }
            auto stream = st.findStream(name);
            if (!stream)
                throw ProtocolError(ERROR_NO_SUCH_CHANNEL,
                                    toInbox ? "no such device inbox" : "no such channel");
            if (toInbox) {
                if (stream->kind != StreamRecord::kInbox)
                    throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such device inbox");
                auto device = st.findDevice(stream->ownerDevice);
                if (!device || device->revoked)
                    throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "that device was revoked");
                // Keys go to one's own devices and to people one shares a channel with; a
                // stranger cannot fill someone's inbox.
                if (device->userId != id.userId && !st.shareAChannel(id.userId, device->userId))
                    throw ProtocolError(ERROR_FORBIDDEN, "you share no channel with this device's owner");
                if (st.inboxRowsFrom(stream->id, id.userId) >= limits::kMaxInboxRowsPerSender ||
                    st.inboxRows(stream->id) >= limits::kMaxInboxRows)
                    throw ProtocolError(ERROR_LIMIT_ABOVE_CAP,
                                        "this device has too many key shares waiting; try again once it has "
                                        "caught up");
                r->inboxDevice = stream->ownerDevice;
            } else {
                requireMember(st, *stream, id.userId);
                const bool membership = msg->kind() == MESSAGE_KIND_MEMBERSHIP;
                if (membership && stream->kind == CHANNEL_KIND_OPEN)
                    throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                        "open channels have no membership operations");
                if (stream->encrypted && !msg->encrypted() && !membership)
                    throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                        "this channel is encrypted: plaintext refused");
                checkReference(st, *stream, id.userId, *msg);
                if (msg->kind() == MESSAGE_KIND_ATTACHMENT)
                    checkUpload(st, *stream, id.userId, *msg, plainFileSize);
            }
            r->message = *msg;
            r->message.set_server_time_ms(ServerContext::nowMs());
            st.appendMessage(*stream, id.userId, r->message);
            if (r->message.kind() == MESSAGE_KIND_ATTACHMENT)
                st.markUploadReferenced(r->message.attachment_id());
            // An invitee's signed acceptance (or leave) answers its invitation.
            // At the cap of channels an acceptance is refused (rolled back with this job), while
            // a leave is stored and leaves the invitee an invitee.
            if (r->message.kind() == MESSAGE_KIND_MEMBERSHIP) {
                const bool full = st.membershipCount(id.userId) >= limits::kMaxChannelsPerUser;
                if (!full)
                    st.acceptMembership(stream->id, id.userId);
                else if (membershipAction == MEMBERSHIP_ACTION_ACCEPT &&
                         st.acceptMembership(stream->id, id.userId))
                    requireRoomForAChannel(st, id.userId);
            }
            if (r->message.kind() == MESSAGE_KIND_DELETE) {
                st.eraseMessage(*stream, r->message.ref_seq());
                // A recalled attachment's bytes go with it, in the same transaction.
                const auto target = st.findMessage(*stream, r->message.ref_seq());
                if (target && !target->message.attachment_id().empty())
                    st.deleteUpload(target->message.attachment_id());
            }
            if (!toInbox)
                r->members = st.memberIds(stream->id);
        },
        [this, session, requestId, r] {
            Frame f;
            f.set_request_id(requestId);
            auto *ack = f.mutable_send_ack();
            ack->set_channel(r->message.channel());
            ack->set_seq(r->message.seq());
            ack->set_client_msg_id(r->message.client_msg_id());
            ack->set_server_time_ms(r->message.server_time_ms());
            ack->set_duplicate(r->duplicate);
            session->sendFrame(f);
            HCHAT_DEBUG("%s %s seq %llu from %s: %zu body bytes%s%s",
                        r->duplicate ? "duplicate send to" : "committed", r->message.channel().c_str(),
                        static_cast<unsigned long long>(r->message.seq()), r->message.sender().c_str(),
                        r->message.body().size(), r->message.encrypted() ? ", encrypted" : "",
                        r->message.kind() == MESSAGE_KIND_KEY_SHARE ? ", key share" : "");
            if (r->duplicate) {
                m_ctx.metrics.duplicateSends.fetch_add(1, std::memory_order_relaxed);
                return;
            }
            m_ctx.metrics.messagesStored.fetch_add(1, std::memory_order_relaxed);
            if (!r->inboxDevice.empty())
                pushToDevice(r->inboxDevice, r->message);
            else
                fanOut(r->members, r->message);
        });
}

// Typing indicators: never stored, never answered; passed on (through the fan-out, so across
// gateways too) to the sessions of the channel's other members, at most once per 2 s per
// session and channel. The membership check is a read, off the I/O thread.
void ChatService::typing(const SessionPtr &session, std::uint64_t requestId, const Typing &typing)
{
    constexpr std::int64_t kTypingIntervalMs = 2000;
    const std::string name = typing.channel();
    requireStreamName(name, false);
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
                sendError(session, requestId, ERROR_NOT_MEMBER,
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

void ChatService::markRead(const SessionPtr &session, std::uint64_t requestId, const MarkRead &markRead)
{
    const std::string name = markRead.channel();
    // A device's acknowledgement of its own inbox is not rate limited: refusing it would only
    // leave key shares piling up at the gateway.
    if (NameRules::isInboxName(name))
        return acknowledgeInbox(session, requestId, markRead);
    if (!m_ctx.userLimits.takeSignal(session->identity().userId))
        throw ProtocolError(ERROR_RATE_LIMITED, "too many read markers; slow down");
    requireStreamName(name, false);
    struct Result {
        std::uint64_t seq = 0;
        std::vector<std::int64_t> receiptTo; // the other member of a direct channel
    };
    auto r = std::make_shared<Result>();
    const SessionIdentity id = session->identity();
    const std::uint64_t wanted = markRead.seq();
    const bool shareReceipt = markRead.share_receipt();
    submitWrite(
        session, requestId,
        [r, id, name, wanted, shareReceipt](MessageStore &st) {
            auto stream = requireStream(st, name);
            requireMember(st, stream, id.userId);
            st.setReadSeq(stream.id, id.userId, std::min(wanted, stream.maxSeq));
            r->seq = st.readSeq(stream.id, id.userId);
            if (shareReceipt && stream.kind == CHANNEL_KIND_DIRECT) {
                r->receiptTo = st.memberIds(stream.id);
                std::erase(r->receiptTo, id.userId);
            }
        },
        [this, session, requestId, r, name, id] {
            replyOk(session, requestId);
            Frame pushed;
            pushed.mutable_read_position()->set_channel(name);
            pushed.mutable_read_position()->set_seq(r->seq);
            m_ctx.fanout->toUsers({id.userId},
                                  std::make_shared<const std::string>(pushed.SerializeAsString()), false,
                                  session->id());
            if (!r->receiptTo.empty()) {
                Frame receipt;
                receipt.mutable_read_receipt()->set_channel(name);
                receipt.mutable_read_receipt()->set_nick(id.nick);
                receipt.mutable_read_receipt()->set_seq(r->seq);
                m_ctx.fanout->toUsers(
                    r->receiptTo, std::make_shared<const std::string>(receipt.SerializeAsString()), false);
            }
        });
}

// The device has stored its inbox up to seq (each key share opened or kept for later): the rows
// are deleted, so a key share lives at the gateway only until its device has it.
void ChatService::acknowledgeInbox(const SessionPtr &session, std::uint64_t requestId,
                                   const MarkRead &markRead)
{
    const std::string name = markRead.channel();
    const SessionIdentity id = session->identity();
    if (name != NameRules::inboxName(id.deviceId))
        throw ProtocolError(ERROR_FORBIDDEN, "only its own device may acknowledge an inbox");
    const std::uint64_t wanted = markRead.seq();
    submitWrite(
        session, requestId,
        [name, wanted](MessageStore &st) {
            auto stream = st.findStream(name);
            if (!stream || stream->kind != StreamRecord::kInbox)
                throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such device inbox");
            st.acknowledgeInbox(*stream, std::min(wanted, stream->maxSeq));
        },
        [session, requestId] { replyOk(session, requestId); });
}

} // namespace hchat::server
