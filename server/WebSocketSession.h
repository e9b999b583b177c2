#pragma once

#include "BeastTypes.h"
#include "ClientSession.h"
#include "ConnectionLimiter.h"
#include "CorkStream.h"
#include "ServerContext.h"

#include <memory>
#include <vector>

namespace hchat::server {

// One WebSocket connection (ws or wss) on /ws: one binary message = one Frame. Reads frames up to
// MAX_FRAME_BYTES and hands them to ChatService; writes through a queue (one write in flight), whose
// frames reach the connection through a CorkStream: the frames queued when a drain starts leave in
// one write (one system call) instead of one each;
// a handshake timeout; a ping after half the idle time of silence and a close frame (1001) after
// the whole of it; closes politely after an error, and when the session's token expires.
template <class Stream> class WebSocketSession final : public ClientSession {
public:
    WebSocketSession(Stream &&stream, ServerContext &ctx, std::shared_ptr<ConnectionLimiter::Slot> slot,
                     std::string remoteAddress);
    ~WebSocketSession() override;

    void run(HttpRequestMessage request);
    void dispatch(std::function<void()> fn) override;
    void runNow(std::function<void()> fn) override;
    void closeSoon(std::uint16_t closeCode) override;
    void expireAt(std::int64_t expiresMs) override;

protected:
    void enqueue(std::shared_ptr<const std::string> bytes, bool startWriting = true) override;
    void startWriting() override;

private:
    std::shared_ptr<WebSocketSession> self();
    void onAccept(beast::error_code ec);
    void doRead();
    void onRead(beast::error_code ec, std::size_t bytes);
    void doWrite();
    void onWrite(beast::error_code ec, std::size_t bytes);
    void doClose();
    void finish();
    void watchIdle();

    websocket::stream<CorkStream<Stream>> m_ws;
    ServerContext &m_ctx;
    std::shared_ptr<ConnectionLimiter::Slot> m_slot;
    beast::flat_buffer m_buffer;
    // The write queue: a vector read from its head (a deque would allocate 576 bytes per
    // session up front, idle or not). A null entry is a ping.
    struct WriteQueue {
        std::vector<std::shared_ptr<const std::string>> items;
        std::size_t head = 0;
        bool empty() const { return head == items.size(); }
        std::size_t size() const { return items.size() - head; }
        std::shared_ptr<const std::string> &front() { return items[head]; }
        void push_back(std::shared_ptr<const std::string> b) { items.push_back(std::move(b)); }
        void pop_back() { items.pop_back(); }
        void pop_front()
        {
            items[head++].reset();
            if (head == items.size())
                clear();
        }
        void clear()
        {
            items.clear();
            head = 0;
            if (items.capacity() > 64)
                items.shrink_to_fit();
        }
    };
    WriteQueue m_queue;
    std::size_t m_queuedBytes = 0;
    bool m_writing = false;
    bool m_closeRequested = false;
    bool m_closeSent = false;
    bool m_finished = false;
    bool m_counted = false;
    std::uint16_t m_closeCode = 1000;
    net::steady_timer m_authTimer;
    net::steady_timer m_idleTimer;
    net::steady_timer m_expiryTimer;
    std::chrono::steady_clock::time_point m_lastHeard;
    bool m_pingQueued = false;
    std::size_t m_corkLeft = 0; // frames of the current corked batch still to hand to Beast
};

extern template class WebSocketSession<PlainStream>;
extern template class WebSocketSession<TlsStream>;

} // namespace hchat::server
