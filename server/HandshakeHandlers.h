#pragma once

#include "ClientSession.h"
#include "ServerContext.h"

#include <cstdint>
#include <memory>

namespace hchat::server {

class ChatService;

// A session's authentication: Hello (its token looked up off the I/O thread), then the Welcome
// with the user's channels, invitations and inbox, after which the frames held meanwhile run.
class HandshakeHandlers {
public:
    using SessionPtr = std::shared_ptr<ClientSession>;

    HandshakeHandlers(ServerContext &ctx, ChatService &chat) : m_ctx(ctx), m_chat(chat) {}

    void hello(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Hello &hello);

private:
    void welcome(const SessionPtr &session, std::uint64_t requestId);
    // Closes the session with an error, as every failed handshake does.
    void refuse(const SessionPtr &session, std::uint64_t requestId, hchat::v1::ErrorCode code,
                const std::string &message);

    ServerContext &m_ctx;
    ChatService &m_chat;
};

} // namespace hchat::server
