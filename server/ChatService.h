#pragma once

#include "ChannelHandlers.h"
#include "ClientSession.h"
#include "HandshakeHandlers.h"
#include "MessageHandlers.h"
#include "MessageStore.h"
#include "ModerationHandlers.h"
#include "ServerContext.h"
#include "WriteOutcome.h"

#include <functional>
#include <memory>

namespace hchat::server {

// The chat protocol on WebSocket frames, independent of the transport: authentication (Hello →
// Welcome), channels and membership, Send → store → SendAck → Push fan-out, read positions.
// This front decodes frames, keeps each session's authentication state and dispatches to the
// handlers (HandshakeHandlers, ChannelHandlers, MessageHandlers); it holds what they share:
// errors, the end of every write, pushes and session cuts. Entry points run on the session's
// strand; store work goes to the commit writer (writes) or the store readers (reads), and
// answers come back through ClientSession::deliver.
class ChatService {
public:
    using SessionPtr = std::shared_ptr<ClientSession>;
    // A write: runs inside the commit writer's transaction and tells in `outcome` how it ended.
    // Throw ProtocolError to refuse it (its writes are rolled back, the asker gets the error).
    using WriteJob = std::function<void(MessageStore &, WriteOutcome &outcome)>;

    explicit ChatService(ServerContext &ctx);

    // One WebSocket message as read from the connection: a binary message holds one Frame.
    void onMessage(const SessionPtr &session, bool binary, const void *data, std::size_t size);
    void onFrame(const SessionPtr &session, hchat::v1::Frame frame);
    // A WebSocket message that is not a Frame (a text message, bytes that do not parse).
    void onMalformed(const SessionPtr &session, const std::string &why);
    // The session sent no Hello in time.
    void onAuthTimeout(const SessionPtr &session);
    void onTokenExpired(const SessionPtr &session);
    // Strand: a frame of an authenticated session (also those it sent before its Welcome).
    void dispatchFrame(const SessionPtr &session, hchat::v1::Frame &frame);

    // Any thread.
    void sendError(const SessionPtr &session, std::uint64_t requestId, hchat::v1::ErrorCode code,
                   const std::string &message, bool close = false);
    void fanOut(const std::vector<std::int64_t> &userIds, const hchat::v1::Message &message);
    // A stored message counted and pushed to its channel's members.
    void announceStored(const std::vector<std::int64_t> &members, const hchat::v1::Message &message);
    void pushToDevice(const std::string &deviceId, const hchat::v1::Message &message);
    // Tells these users' sessions they are no longer in `channel` (a ChannelUpdated, removed).
    void announceRemoval(const std::vector<std::int64_t> &userIds, const std::string &channel,
                         const std::string &reason);
    // Close every session of a device or a token (revocation, logout).
    void closeDeviceSessions(const std::string &deviceId);
    void closeTokenSessions(const std::string &tokenHash);
    // Every session of a user but those of exceptTokenHash (empty: all), on every gateway.
    void closeUserSessions(std::int64_t userId, const std::string &exceptTokenHash,
                           const std::string &reason);

    // Runs `job` in the commit writer; once it committed, its outcome is acted on (the answer,
    // then the notices, then the stored messages counted and pushed); a refused or failed write
    // answers its error.
    void submitWrite(const SessionPtr &session, std::uint64_t requestId, WriteJob job);
    // Throws ERROR_RATE_LIMITED once the user is past its chat rate.
    void checkRate(const SessionPtr &session);

private:
    void finishWrite(const SessionPtr &session, std::uint64_t requestId, WriteOutcome &outcome);

    ServerContext &m_ctx;
    HandshakeHandlers m_handshake;
    ChannelHandlers m_channels;
    MessageHandlers m_messages;
    ModerationHandlers m_moderation;
};

} // namespace hchat::server
