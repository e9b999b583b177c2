#pragma once

#include "BeastTypes.h"
#include "ServerContext.h"

#include <memory>

namespace hchat::server {

// Accepts TCP connections on the one port and starts an HttpSession (plain or TLS) for each, after
// admission by the ConnectionLimiter; refused connections are answered and closed right there.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    // internal: the metrics listener (plain HTTP, /metrics and /healthz only).
    // limiter: null for the context's own.
    Listener(net::io_context &ioc, ServerContext &ctx, net::ssl::context *ssl, bool internal = false,
             std::shared_ptr<ConnectionLimiter> limiter = nullptr);
    // Binds and listens; throws boost::system::system_error on failure.
    void open(const tcp::endpoint &endpoint);
    tcp::endpoint localEndpoint() const { return m_acceptor.local_endpoint(); }
    void start();
    void stop(); // any thread

private:
    void doAccept();
    void onAccept(beast::error_code ec, tcp::socket socket);
    void refuse(tcp::socket socket, ConnectionLimiter::Refusal refusal);

    net::io_context &m_ioc;
    ServerContext &m_ctx;
    net::ssl::context *m_ssl;
    bool m_internal;
    std::shared_ptr<ConnectionLimiter> m_limiter;
    tcp::acceptor m_acceptor;
    net::steady_timer m_retry;
};

} // namespace hchat::server
