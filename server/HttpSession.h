#pragma once

#include "BeastTypes.h"
#include "ConnectionLimiter.h"
#include "HttpApi.h"
#include "ServerContext.h"

#include <array>
#include <memory>
#include <optional>

namespace hchat::server {

// One HTTP connection (plain or TLS): reads requests with explicit header and body limits — a body
// above MAX_HTTP_BODY_BYTES is refused from its Content-Length, before it is read — answers them
// through HttpApi, keeps the connection alive, and hands a WebSocket upgrade on /ws over to
// WebSocketSession.
template <class Stream> class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
public:
    HttpSession(tcp::socket &&socket, net::ssl::context *ssl, ServerContext &ctx,
                std::shared_ptr<ConnectionLimiter::Slot> slot, std::string remoteAddress,
                bool internal = false);
    ~HttpSession();
    void run();

private:
    void onHandshake(beast::error_code ec);
    void doRead();
    void onHeader(beast::error_code ec, std::size_t);
    void onBody(beast::error_code ec, std::size_t);
    void respond(HttpResponse response, bool keepAlive, bool lingerAfter = false);
    void onWrite(bool close, bool linger, beast::error_code ec, std::size_t);
    void lingeringClose();
    void drain();
    void closeNow();

    Stream m_stream;
    ServerContext &m_ctx;
    std::shared_ptr<ConnectionLimiter::Slot> m_slot;
    std::string m_remoteAddress;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    std::shared_ptr<http::response<http::string_body>> m_response;
    std::unique_ptr<std::array<char, 16384>> m_scratch;
    bool m_upgraded = false;
    bool m_internal; // on the metrics listener
};

extern template class HttpSession<PlainStream>;
extern template class HttpSession<TlsStream>;

} // namespace hchat::server
