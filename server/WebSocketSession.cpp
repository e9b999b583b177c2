#include "WebSocketSession.h"

#include "ChatService.h"
#include "DeliveryOutbox.h"
#include "Limits.h"
#include "hchat/Version.h"

#include <algorithm>
#include <chrono>

namespace hchat::server {

namespace {
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kHelloTimeout = std::chrono::seconds(15);
// A session whose client does not read: past this much queued output it is closed (the client
// catches up by sync when it reconnects).
constexpr std::size_t kMaxQueuedBytes = 32 * 1024 * 1024;
} // namespace

template <class Stream>
WebSocketSession<Stream>::WebSocketSession(Stream &&stream, ServerContext &ctx,
                                           std::shared_ptr<ConnectionLimiter::Slot> slot,
                                           std::string remoteAddress)
    : ClientSession(std::move(remoteAddress)), m_ws(std::move(stream)), m_ctx(ctx), m_slot(std::move(slot)),
      m_authTimer(m_ws.get_executor()), m_idleTimer(m_ws.get_executor()), m_expiryTimer(m_ws.get_executor())
{
}

template <class Stream> WebSocketSession<Stream>::~WebSocketSession()
{
    m_ctx.registry.untrack(id(), identity().userId);
    if (m_counted)
        m_ctx.metrics.connections.fetch_sub(1);
}

template <class Stream> std::shared_ptr<WebSocketSession<Stream>> WebSocketSession<Stream>::self()
{
    return std::static_pointer_cast<WebSocketSession>(shared_from_this());
}

template <class Stream> void WebSocketSession<Stream>::run(HttpRequestMessage request)
{
    m_ws.next_layer().setOwner(weak_from_this());
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kHandshakeTimeout;
    // Beast's own idle timeout only backs ours up (watchIdle): it would drop the TCP connection
    // without a close frame, and it also ends a write the peer never reads.
    timeouts.idle_timeout = 2 * std::chrono::seconds(m_ctx.config.idleTimeoutSeconds) + kHandshakeTimeout;
    timeouts.keep_alive_pings = true; // any bytes received (pongs too) keep Beast's timer from firing
    m_ws.set_option(timeouts);
    m_ws.control_callback([this](websocket::frame_type, beast::string_view) {
        m_lastHeard = std::chrono::steady_clock::now(); // runs inside a read, which holds the session
    });
    m_ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
        res.set(http::field::server, std::string("hchat-gateway/") + hchat::kVersion);
    }));
    m_ws.read_message_max(limits::kMaxFrameBytes);
    m_ws.binary(true);
    m_ws.auto_fragment(false);
    m_ws.async_accept(request, beast::bind_front_handler(&WebSocketSession::onAccept, self()));
}

template <class Stream> void WebSocketSession<Stream>::onAccept(beast::error_code ec)
{
    if (ec)
        return;
    m_counted = true;
    m_ctx.metrics.connections.fetch_add(1);
    m_ctx.registry.track(shared_from_this());
    m_lastHeard = std::chrono::steady_clock::now();
    doRead();
    watchIdle();
    if (m_ctx.shuttingDown.load()) {
        authState = AuthState::Closing;
        m_ctx.chat->sendError(shared_from_this(), 0, hchat::v1::ERROR_SHUTTING_DOWN,
                              "the gateway is shutting down", false);
        closeSoon(1001);
        return;
    }
    m_authTimer.expires_after(kHelloTimeout);
    m_authTimer.async_wait(
        [weak = std::weak_ptr<ClientSession>(shared_from_this()), this](beast::error_code ec) {
            if (ec)
                return;
            if (auto s = weak.lock())
                m_ctx.chat->onAuthTimeout(s);
        });
}

template <class Stream> void WebSocketSession<Stream>::doRead()
{
    m_ws.async_read(m_buffer, beast::bind_front_handler(&WebSocketSession::onRead, self()));
}

template <class Stream> void WebSocketSession<Stream>::onRead(beast::error_code ec, std::size_t)
{
    if (ec) {
        if (ec == websocket::error::message_too_big)
            m_ctx.metrics.countError(hchat::v1::ERROR_TOO_LARGE);
        finish();
        return;
    }
    m_lastHeard = std::chrono::steady_clock::now();
    const auto data = m_buffer.data();
    m_ctx.chat->onMessage(shared_from_this(), m_ws.got_binary(), data.data(), data.size());
    // Released, not kept: an idle session holds no read buffer (Beast reads each frame's header
    // into its own small buffer first, so the next message allocates only when it arrives).
    m_buffer.clear();
    m_buffer.shrink_to_fit();
    if (authState == AuthState::Authenticated || authState == AuthState::Pending)
        m_authTimer.cancel();
    doRead();
}

template <class Stream> void WebSocketSession<Stream>::dispatch(std::function<void()> fn)
{
    if (auto *outbox = DeliveryOutbox::active()) {
        outbox->add({shared_from_this(), nullptr, false, std::move(fn)});
        return;
    }
    net::post(m_ws.get_executor(), std::move(fn));
}

template <class Stream> void WebSocketSession<Stream>::runNow(std::function<void()> fn)
{
    net::dispatch(m_ws.get_executor(), std::move(fn));
}

template <class Stream>
void WebSocketSession<Stream>::enqueue(std::shared_ptr<const std::string> bytes, bool startWriting)
{
    if (m_finished || m_closeSent)
        return;
    m_queuedBytes += bytes->size();
    m_queue.push_back(std::move(bytes));
    if (m_queuedBytes > kMaxQueuedBytes) {
        // The client does not keep up: drop what is queued (it will sync) and close.
        while (m_queue.size() > (m_writing ? 1u : 0u))
            m_queue.pop_back();
        m_queuedBytes = 0;
        closeSoon(1008);
        return;
    }
    if (startWriting && !m_writing)
        doWrite();
}

template <class Stream> void WebSocketSession<Stream>::startWriting()
{
    if (!m_writing && !m_queue.empty() && !m_finished && !m_closeSent)
        doWrite();
}

template <class Stream> void WebSocketSession<Stream>::doWrite()
{
    if (m_queue.empty()) {
        m_corkLeft = 0;
        m_ws.next_layer().uncork();
        if (m_closeRequested)
            doClose();
        return;
    }
    // Several frames waiting: hand them all to Beast before the buffer goes out, so that they
    // leave in one write. The batch is the queue as it is now; frames queued meanwhile go in the
    // next one (a busy session still writes at least every batch).
    if (m_corkLeft == 0 && m_queue.size() > 1) {
        m_corkLeft = m_queue.size();
        m_ws.next_layer().cork();
    }
    m_writing = true;
    if (!m_queue.front()) {
        m_pingQueued = false;
        m_ws.async_ping({}, [s = self()](beast::error_code ec) { s->onWrite(ec, 0); });
        return;
    }
    m_ws.async_write(net::buffer(*m_queue.front()),
                     beast::bind_front_handler(&WebSocketSession::onWrite, self()));
}

template <class Stream> void WebSocketSession<Stream>::onWrite(beast::error_code ec, std::size_t)
{
    m_writing = false;
    if (!m_queue.empty()) {
        if (m_queue.front())
            m_queuedBytes -= std::min(m_queuedBytes, m_queue.front()->size());
        m_queue.pop_front();
    }
    if (m_corkLeft > 0 && --m_corkLeft == 0)
        m_ws.next_layer().uncork();
    if (ec) {
        m_queue.clear();
        finish();
        return;
    }
    doWrite();
}

template <class Stream> void WebSocketSession<Stream>::closeSoon(std::uint16_t closeCode)
{
    if (auto *outbox = DeliveryOutbox::active()) {
        // After what the outbox already holds for this session (an error frame, say).
        outbox->add(
            {shared_from_this(), nullptr, false, [s = self(), closeCode] { s->closeSoon(closeCode); }});
        return;
    }
    net::post(m_ws.get_executor(), [s = self(), closeCode] {
        if (s->m_closeRequested || s->m_finished)
            return;
        s->m_closeRequested = true;
        s->m_closeCode = closeCode;
        if (!s->m_writing)
            s->doWrite();
    });
}

template <class Stream> void WebSocketSession<Stream>::doClose()
{
    if (m_closeSent || m_finished)
        return;
    m_closeSent = true;
    m_ws.async_close(websocket::close_reason(m_closeCode), [s = self()](beast::error_code) {
        // The read loop ends when the peer answers the close (or the timeout fires).
    });
}

template <class Stream> void WebSocketSession<Stream>::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    authState = AuthState::Closing;
    m_authTimer.cancel();
    m_idleTimer.cancel();
    m_expiryTimer.cancel();
    m_ctx.registry.untrack(id(), identity().userId);
}

// Silence for half the idle time: a ping (queued like a frame, so writes never overlap); for the
// whole of it: a close frame, so that the client learns why (1001) instead of seeing the
// connection drop (1006).
template <class Stream> void WebSocketSession<Stream>::watchIdle()
{
    const auto idle = std::chrono::seconds(m_ctx.config.idleTimeoutSeconds);
    const auto silent = std::chrono::steady_clock::now() - m_lastHeard;
    if (silent >= idle) {
        closeSoon(1001);
        return;
    }
    if (silent >= idle / 2 && !m_pingQueued && !m_closeRequested) {
        m_pingQueued = true;
        m_queue.push_back(nullptr);
        if (!m_writing)
            doWrite();
    }
    const auto next = silent >= idle / 2 ? idle - silent : idle / 2 - silent;
    m_idleTimer.expires_after(
        std::max<std::chrono::steady_clock::duration>(next, std::chrono::milliseconds(10)));
    m_idleTimer.async_wait([s = self()](beast::error_code ec) {
        if (!ec && !s->m_finished)
            s->watchIdle();
    });
}

template <class Stream> void WebSocketSession<Stream>::expireAt(std::int64_t expiresMs)
{
    // Clamped to 20 years: a token stored with a far-off expiry must not overflow the timer.
    constexpr std::int64_t kFarMs = 20LL * 366 * 24 * 3600 * 1000;
    m_expiryTimer.expires_after(
        std::chrono::milliseconds(std::clamp<std::int64_t>(expiresMs - ServerContext::nowMs(), 0, kFarMs)));
    m_expiryTimer.async_wait(
        [weak = std::weak_ptr<ClientSession>(shared_from_this()), this](beast::error_code ec) {
            if (ec)
                return;
            if (auto s = weak.lock())
                m_ctx.chat->onTokenExpired(s);
        });
}

template class WebSocketSession<PlainStream>;
template class WebSocketSession<TlsStream>;

} // namespace hchat::server
