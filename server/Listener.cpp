#include "Listener.h"

#include "HttpApi.h"
#include "HttpSession.h"
#include "RefusedConnection.h"

#include <cstdio>

namespace hchat::server {

Listener::Listener(net::io_context &ioc, ServerContext &ctx, net::ssl::context *ssl, bool internal,
                   std::shared_ptr<ConnectionLimiter> limiter)
    : m_ioc(ioc), m_ctx(ctx), m_ssl(ssl), m_internal(internal),
      m_limiter(limiter ? std::move(limiter) : ctx.limiter), m_acceptor(net::make_strand(ioc)),
      m_retry(m_acceptor.get_executor())
{
}

void Listener::open(const tcp::endpoint &endpoint)
{
    m_acceptor.open(endpoint.protocol());
    m_acceptor.set_option(net::socket_base::reuse_address(true));
    m_acceptor.bind(endpoint);
    m_acceptor.listen(net::socket_base::max_listen_connections);
}

void Listener::start()
{
    net::dispatch(m_acceptor.get_executor(), [self = shared_from_this()] { self->doAccept(); });
}

void Listener::stop()
{
    net::post(m_acceptor.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->m_acceptor.close(ignored);
        self->m_retry.cancel();
    });
}

void Listener::doAccept()
{
    m_acceptor.async_accept(net::make_strand(m_ioc),
                            beast::bind_front_handler(&Listener::onAccept, shared_from_this()));
}

void Listener::onAccept(beast::error_code ec, tcp::socket socket)
{
    if (!m_acceptor.is_open())
        return;
    if (ec) {
        // Out of file descriptors and the like: do not spin; try again shortly.
        std::fprintf(stderr, "hchat-gateway: accept failed: %s\n", ec.message().c_str());
        m_retry.expires_after(std::chrono::milliseconds(100));
        m_retry.async_wait([self = shared_from_this()](beast::error_code e) {
            if (!e && self->m_acceptor.is_open())
                self->doAccept();
        });
        return;
    }
    beast::error_code addrEc;
    const auto remote = socket.remote_endpoint(addrEc);
    const std::string address = addrEc ? std::string("?") : remote.address().to_string();
    auto admission = m_limiter->admit(ConnectionLimiter::sourceOf(address));
    if (!admission.slot) {
        refuse(std::move(socket), admission.refusal);
        doAccept();
        return;
    }
    socket.set_option(tcp::no_delay(true), addrEc);
    if (m_ssl)
        std::make_shared<HttpSession<TlsStream>>(std::move(socket), m_ssl, m_ctx, std::move(admission.slot),
                                                 address)
            ->run();
    else
        std::make_shared<HttpSession<PlainStream>>(std::move(socket), nullptr, m_ctx,
                                                   std::move(admission.slot), address, m_internal)
            ->run();
    doAccept();
}

void Listener::refuse(tcp::socket socket, ConnectionLimiter::Refusal refusal)
{
    m_ctx.metrics.refusedConnections.fetch_add(1, std::memory_order_relaxed);
    std::string answer;
    if (!m_ssl) {
        const bool rate = refusal == ConnectionLimiter::Refusal::AcceptRate;
        const HttpResponse r =
            rate ? m_ctx.api->error(hchat::v1::ERROR_RATE_LIMITED,
                                    "too many new connections from your address; "
                                    "retry shortly")
                 : m_ctx.api->error(hchat::v1::ERROR_TOO_MANY_CONNECTIONS,
                                    refusal == ConnectionLimiter::Refusal::Total
                                        ? "the gateway is serving as many connections as it can"
                                        : "too many connections from your address");
        answer = RefusedConnection::httpAnswer(r.status, r.contentType, r.body);
    }
    std::make_shared<RefusedConnection>(std::move(socket), std::move(answer))->run();
}

} // namespace hchat::server
