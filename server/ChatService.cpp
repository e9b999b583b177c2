#include "ChatService.h"

#include "Fanout.h"
#include "Limits.h"
#include "Log.h"
#include "ProtocolError.h"

namespace hchat::server {

using namespace hchat::v1;

namespace {

constexpr std::uint16_t kClosePolicy = 1008;
constexpr std::size_t kMaxFramesBeforeWelcome = 256;

} // namespace

ChatService::ChatService(ServerContext &ctx)
    : m_ctx(ctx), m_handshake(ctx, *this), m_channels(ctx, *this), m_messages(ctx, *this),
      m_moderation(ctx, *this)
{
}

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

void ChatService::announceRemoval(const std::vector<std::int64_t> &userIds, const std::string &channel,
                                  const std::string &reason)
{
    if (userIds.empty())
        return;
    Frame f;
    f.mutable_channel_updated()->mutable_channel()->set_name(channel);
    f.mutable_channel_updated()->set_removed(true);
    f.mutable_channel_updated()->set_reason(reason);
    m_ctx.fanout->toUsers(userIds, std::make_shared<const std::string>(f.SerializeAsString()), false);
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
        m_handshake.hello(session, frame.request_id(), frame.hello());
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
            m_channels.join(session, rid, frame.join());
            break;
        case Frame::kLeave:
            m_channels.leave(session, rid, frame.leave());
            break;
        case Frame::kCreateChannel:
            m_channels.createChannel(session, rid, frame.create_channel());
            break;
        case Frame::kInvite:
            m_channels.invite(session, rid, frame.invite());
            break;
        case Frame::kRemoveMember:
            m_channels.removeMember(session, rid, frame.remove_member());
            break;
        case Frame::kModerate:
            m_moderation.moderate(session, rid, frame.moderate());
            break;
        case Frame::kSend:
            m_messages.send(session, rid, *frame.mutable_send());
            break;
        case Frame::kMarkRead:
            m_messages.markRead(session, rid, frame.mark_read());
            break;
        case Frame::kTyping:
            m_channels.typing(session, rid, frame.typing());
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

void ChatService::submitWrite(const SessionPtr &session, std::uint64_t requestId, WriteJob job)
{
    auto outcome = std::make_shared<WriteOutcome>();
    const bool queued =
        m_ctx.writer.submit([job = std::move(job), outcome](MessageStore &st) { job(st, *outcome); },
                            [this, session, requestId, outcome](ErrorCode code, const std::string &msg) {
                                if (code != ERROR_CODE_UNSPECIFIED) {
                                    sendError(session, requestId, code, msg);
                                    return;
                                }
                                finishWrite(session, requestId, *outcome);
                            });
    if (!queued)
        sendError(session, requestId, ERROR_SHUTTING_DOWN, "the gateway is shutting down");
}

void ChatService::finishWrite(const SessionPtr &session, std::uint64_t requestId, WriteOutcome &outcome)
{
    Frame &reply = outcome.reply;
    reply.set_request_id(requestId);
    if (reply.body_case() == Frame::BODY_NOT_SET)
        reply.mutable_ok();
    session->sendFrame(reply);
    if (reply.has_send_ack())
        for (const auto &m : outcome.stored)
            HCHAT_DEBUG("%s %s seq %llu from %s: %zu body bytes%s%s",
                        outcome.duplicate ? "duplicate send to" : "committed", m.channel().c_str(),
                        static_cast<unsigned long long>(m.seq()), m.sender().c_str(), m.body().size(),
                        m.encrypted() ? ", encrypted" : "",
                        m.kind() == MESSAGE_KIND_KEY_SHARE ? ", key share" : "");
    for (const auto &notice : outcome.notices)
        if (!notice.userIds.empty())
            m_ctx.fanout->toUsers(notice.userIds,
                                  std::make_shared<const std::string>(notice.frame.SerializeAsString()),
                                  false, notice.skipAsker ? session->id() : 0);
    if (outcome.duplicate) {
        m_ctx.metrics.duplicateSends.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    m_ctx.metrics.messagesStored.fetch_add(outcome.stored.size(), std::memory_order_relaxed);
    for (const auto &m : outcome.stored) {
        if (outcome.inboxDevice.empty())
            fanOut(outcome.audience, m);
        else
            pushToDevice(outcome.inboxDevice, m);
    }
}

void ChatService::checkRate(const SessionPtr &session)
{
    if (!m_ctx.userLimits.takeChat(session->identity().userId))
        throw ProtocolError(ERROR_RATE_LIMITED, "rate limit exceeded; slow down");
}

} // namespace hchat::server
