#include "RefusedConnection.h"

#include <atomic>

namespace hchat::server {

namespace {
constexpr int kMaxLingering = 256;
constexpr auto kLinger = std::chrono::milliseconds(500);
std::atomic<int> g_lingering{0};
} // namespace

RefusedConnection::RefusedConnection(tcp::socket &&socket, std::string answer)
    : m_stream(std::move(socket)), m_answer(std::move(answer))
{
}

RefusedConnection::~RefusedConnection()
{
    if (m_counted)
        g_lingering.fetch_sub(1);
}

std::string RefusedConnection::httpAnswer(unsigned status, const std::string &contentType,
                                          const std::string &body)
{
    const char *reason = status == 429 ? "Too Many Requests" : "Service Unavailable";
    return "HTTP/1.1 " + std::to_string(status) + " " + reason +
           "\r\nServer: hchat-gateway\r\nConnection: close\r\nContent-Type: " + contentType +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

void RefusedConnection::run()
{
    auto &socket = m_stream.socket();
    beast::error_code ec;
    if (m_answer.empty()) {
        socket.close(ec);
        return;
    }
    if (g_lingering.fetch_add(1) >= kMaxLingering) {
        g_lingering.fetch_sub(1);
        socket.close(ec);
        return;
    }
    m_counted = true;
    // A fresh socket's send buffer takes a few hundred bytes at once: no waiting on the peer.
    socket.non_blocking(true, ec);
    if (!ec)
        socket.write_some(net::buffer(m_answer), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    m_stream.expires_after(kLinger);
    drain();
}

void RefusedConnection::drain()
{
    m_stream.async_read_some(net::buffer(m_scratch),
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                 if (ec) {
                                     beast::error_code ignored;
                                     self->m_stream.socket().close(ignored);
                                     return;
                                 }
                                 self->drain();
                             });
}

} // namespace hchat::server
