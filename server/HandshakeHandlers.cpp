#include "HandshakeHandlers.h"

#include "ChannelPages.h"
#include "ChatService.h"
#include "Limits.h"
#include "Log.h"
#include "NameRules.h"
#include "Secrets.h"
#include "hchat/Version.h"

#include <cstdio>

namespace hchat::server {

using namespace hchat::v1;

void HandshakeHandlers::refuse(const SessionPtr &session, std::uint64_t requestId, ErrorCode code,
                               const std::string &message)
{
    session->authState = ClientSession::AuthState::Closing;
    m_chat.sendError(session, requestId, code, message, true);
}

void HandshakeHandlers::hello(const SessionPtr &session, std::uint64_t requestId, const Hello &hello)
{
    if (hello.protocol_version() != PROTOCOL_VERSION_CURRENT)
        return refuse(session, requestId, ERROR_UNSUPPORTED_VERSION,
                      "this gateway speaks protocol version 1");
    if (hello.token().empty() || hello.token().size() > 256)
        return refuse(session, requestId, ERROR_BAD_TOKEN, "unknown token");
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
            if (code != ERROR_CODE_UNSPECIFIED)
                return refuse(session, requestId, code,
                              code == ERROR_TOKEN_EXPIRED ? "token expired; log in again" : "unknown token");
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
    if (!queued)
        refuse(session, requestId, ERROR_SHUTTING_DOWN, "the gateway is shutting down");
}

void HandshakeHandlers::welcome(const SessionPtr &session, std::uint64_t requestId)
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
            w->set_admin(st.community().standing(id.userId).admin);
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
            if (code != ERROR_CODE_UNSPECIFIED)
                return refuse(session, requestId, code,
                              code == ERROR_BAD_TOKEN ? "unknown token" : "internal error");
            session->sendFrame(f);
            session->authState = ClientSession::AuthState::Authenticated;
            session->openPushes();
            auto pending = std::move(session->framesBeforeWelcome);
            session->framesBeforeWelcome.clear();
            for (auto &frame : pending)
                m_chat.dispatchFrame(session, frame);
        });
    });
    if (!queued)
        return refuse(session, requestId, ERROR_SHUTTING_DOWN, "the gateway is shutting down");
    m_ctx.writer.submit(
        [deviceId = id.deviceId](MessageStore &st) { st.touchDevice(deviceId, {}, ServerContext::nowMs()); },
        {});
}

} // namespace hchat::server
