#pragma once

#include "BeastTypes.h"
#include "ClientSession.h"
#include "ConnectionLimiter.h"
#include "ServerContext.h"

#include <deque>
#include <memory>

namespace hchat::server {

// One WebSocket connection (ws or wss) on /ws: one binary message = one Frame. Reads frames up to
// MAX_FRAME_BYTES and hands them to ChatService; writes through a queue (one write in flight);
// handshake and idle timeouts with keep-alive pings; closes politely after an error.
template <class Stream> class WebSocketSession final : public ClientSession {
public:
    WebSocketSession(Stream &&stream, ServerContext &ctx, std::shared_ptr<ConnectionLimiter::Slot> slot,
                     std::string remoteAddress);
    ~WebSocketSession() override;

    void run(HttpRequestMessage request);
    void dispatch(std::function<void()> fn) override;
    void closeSoon(std::uint16_t closeCode) override;

protected:
    void enqueue(std::shared_ptr<const std::string> bytes) override;

private:
    std::shared_ptr<WebSocketSession> self();
    void onAccept(beast::error_code ec);
    void doRead();
    void onRead(beast::error_code ec, std::size_t bytes);
    void doWrite();
    void onWrite(beast::error_code ec, std::size_t bytes);
    void doClose();
    void finish();

    websocket::stream<Stream> m_ws;
    ServerContext &m_ctx;
    std::shared_ptr<ConnectionLimiter::Slot> m_slot;
    beast::flat_buffer m_buffer;
    std::deque<std::shared_ptr<const std::string>> m_queue;
    std::size_t m_queuedBytes = 0;
    bool m_writing = false;
    bool m_closeRequested = false;
    bool m_closeSent = false;
    bool m_finished = false;
    bool m_counted = false;
    std::uint16_t m_closeCode = 1000;
    net::steady_timer m_authTimer;
};

extern template class WebSocketSession<PlainStream>;
extern template class WebSocketSession<TlsStream>;

} // namespace hchat::server
