#include "HttpSession.h"
#include "Log.h"

#include "ChatService.h"
#include "Limits.h"
#include "WebSocketSession.h"

#include <algorithm>
#include <chrono>

namespace hchat::server {

namespace {
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr auto kLingerTimeout = std::chrono::seconds(2);

template <class Stream> Stream makeStream(tcp::socket &&socket, net::ssl::context *ssl)
{
    if constexpr (std::is_same_v<Stream, TlsStream>)
        return TlsStream(std::move(socket), *ssl);
    else
        return PlainStream(std::move(socket));
}
} // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(tcp::socket &&socket, net::ssl::context *ssl, ServerContext &ctx,
                                 std::shared_ptr<ConnectionLimiter::Slot> slot, std::string remoteAddress,
                                 bool internal)
    : m_stream(makeStream<Stream>(std::move(socket), ssl)), m_ctx(ctx), m_slot(std::move(slot)),
      m_remoteAddress(std::move(remoteAddress)), m_internal(internal)
{
    m_ctx.metrics.httpConnections.fetch_add(1);
}

template <class Stream> HttpSession<Stream>::~HttpSession()
{
    m_ctx.metrics.httpConnections.fetch_sub(1);
}

template <class Stream> void HttpSession<Stream>::run()
{
    // Start on the connection's strand.
    net::dispatch(m_stream.get_executor(), [self = this->shared_from_this()] {
        if constexpr (std::is_same_v<Stream, TlsStream>) {
            beast::get_lowest_layer(self->m_stream).expires_after(std::chrono::seconds(10));
            self->m_stream.async_handshake(net::ssl::stream_base::server,
                                           beast::bind_front_handler(&HttpSession::onHandshake, self));
        } else {
            self->doRead();
        }
    });
}

template <class Stream> void HttpSession<Stream>::onHandshake(beast::error_code ec)
{
    if (ec)
        return; // a failed TLS handshake: nothing to answer
    doRead();
}

template <class Stream> void HttpSession<Stream>::doRead()
{
    m_parser.emplace();
    m_parser->header_limit(16 * 1024);
    m_parser->body_limit(limits::kMaxHttpBodyBytes);
    beast::get_lowest_layer(m_stream).expires_after(kRequestTimeout);
    http::async_read_header(m_stream, m_buffer, *m_parser,
                            beast::bind_front_handler(&HttpSession::onHeader, this->shared_from_this()));
}

template <class Stream> void HttpSession<Stream>::onHeader(beast::error_code ec, std::size_t)
{
    if (ec == http::error::body_limit) {
        // Content-Length above the limit: refused before a byte of the body is read.
        respond(m_ctx.api->error(hchat::v1::ERROR_TOO_LARGE, "request body above 1048576 bytes"), false,
                true);
        return;
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset || ec == net::error::eof) {
        closeNow();
        return;
    }
    if (ec) {
        respond(m_ctx.api->error(hchat::v1::ERROR_MALFORMED, "malformed HTTP request"), false, true);
        return;
    }
    auto &req = m_parser->get();
    if (websocket::is_upgrade(req)) {
        if (req.target() != "/ws" || m_internal) {
            respond(m_ctx.api->error(hchat::v1::ERROR_NOT_FOUND, "WebSocket is served on /ws"), false);
            return;
        }
        m_upgraded = true;
        beast::get_lowest_layer(m_stream).expires_never();
        std::make_shared<WebSocketSession<Stream>>(std::move(m_stream), m_ctx, std::move(m_slot),
                                                   std::move(m_remoteAddress))
            ->run(m_parser->release());
        return;
    }
    if (auto len = m_parser->content_length(); len && *len > limits::kMaxHttpBodyBytes) {
        respond(m_ctx.api->error(hchat::v1::ERROR_TOO_LARGE, "request body above 1048576 bytes"), false,
                true);
        return;
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
        // curl and others wait for this before sending a body.
        auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
        http::async_write(m_stream, *cont,
                          [self = this->shared_from_this(), cont](beast::error_code ec, std::size_t) {
                              if (ec)
                                  return self->closeNow();
                              http::async_read(self->m_stream, self->m_buffer, *self->m_parser,
                                               beast::bind_front_handler(&HttpSession::onBody, self));
                          });
        return;
    }
    http::async_read(m_stream, m_buffer, *m_parser,
                     beast::bind_front_handler(&HttpSession::onBody, this->shared_from_this()));
}

template <class Stream> void HttpSession<Stream>::onBody(beast::error_code ec, std::size_t)
{
    if (ec == http::error::body_limit) {
        respond(m_ctx.api->error(hchat::v1::ERROR_TOO_LARGE, "request body above 1048576 bytes"), false,
                true);
        return;
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
        // A body the parser refuses (a chunk size that is not hex, a bad chunk extension …).
        respond(m_ctx.api->error(hchat::v1::ERROR_MALFORMED, "malformed HTTP request body"), false, true);
        return;
    }
    if (ec) {
        closeNow();
        return;
    }
    auto req = m_parser->release();
    const bool keepAlive = req.keep_alive();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    if (auto it = req.find(http::field::authorization); it != req.end())
        request.authorization = std::string(it->value());
    if (auto it = req.find("Upload-Offset"); it != req.end()) {
        request.uploadOffset = std::string(it->value());
        request.hasUploadOffset = true;
    }
    if (auto it = req.find(http::field::range); it != req.end())
        request.range = std::string(it->value());
    request.body = std::move(req.body());
    request.source = m_slot->source();
    request.internal = m_internal;
    beast::get_lowest_layer(m_stream).expires_never();
    std::string what;
    if (log::enabled(log::Level::Debug))
        what = request.method + " " +
               request.target.substr(0, std::min<std::size_t>(request.target.find('?'), 128));
    m_ctx.api->handle(std::move(request), [self = this->shared_from_this(), keepAlive,
                                           what = std::move(what)](HttpResponse response) mutable {
        HCHAT_DEBUG("http %s from %s -> %d (%zu bytes)", what.c_str(), self->m_remoteAddress.c_str(),
                    response.status, response.body.size());
        net::post(self->m_stream.get_executor(), [self, keepAlive, response = std::move(response)]() mutable {
            self->respond(std::move(response), keepAlive && !self->m_ctx.shuttingDown.load());
        });
    });
}

template <class Stream> void HttpSession<Stream>::respond(HttpResponse r, bool keepAlive, bool lingerAfter)
{
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "hchat-gateway");
    res->set(http::field::content_type, r.contentType);
    if (!r.contentRange.empty())
        res->set(http::field::content_range, r.contentRange);
    res->keep_alive(keepAlive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    m_response = res;
    beast::get_lowest_layer(m_stream).expires_after(kRequestTimeout);
    http::async_write(
        m_stream, *res,
        beast::bind_front_handler(&HttpSession::onWrite, this->shared_from_this(), !keepAlive, lingerAfter));
}

template <class Stream>
void HttpSession<Stream>::onWrite(bool close, bool linger, beast::error_code ec, std::size_t)
{
    m_response.reset();
    if (ec) {
        closeNow();
        return;
    }
    if (linger) {
        lingeringClose();
        return;
    }
    if (close) {
        closeNow();
        return;
    }
    doRead();
}

// After refusing a request whose body was not read: stop sending, then read and discard what the
// client still sends for a short while (in a fixed 16 KiB buffer), so that our answer is not lost
// to a TCP reset, then close.
template <class Stream> void HttpSession<Stream>::lingeringClose()
{
    auto &tcpStream = beast::get_lowest_layer(m_stream);
    beast::error_code ignored;
    tcpStream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcpStream.expires_after(kLingerTimeout);
    m_scratch = std::make_unique<std::array<char, 16384>>();
    drain();
}

template <class Stream> void HttpSession<Stream>::drain()
{
    beast::get_lowest_layer(m_stream).async_read_some(
        net::buffer(*m_scratch), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                self->closeNow();
                return;
            }
            self->drain();
        });
}

template <class Stream> void HttpSession<Stream>::closeNow()
{
    beast::error_code ignored;
    auto &tcpStream = beast::get_lowest_layer(m_stream);
    tcpStream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcpStream.close();
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

} // namespace hchat::server
