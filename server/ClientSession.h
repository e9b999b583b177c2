#pragma once

#include "DeliveryOutbox.h"
#include "hchat.pb.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace hchat::server {

struct SessionIdentity {
    std::int64_t userId = 0;
    std::string nick;
    std::string deviceId;
    std::string tokenHash;
};

// One client connection as the chat logic sees it, whatever carries it (ws or wss). Everything
// marked "strand" runs on the session's strand only; deliver() and closeSoon() may be called from
// any thread.
class ClientSession : public std::enable_shared_from_this<ClientSession> {
public:
    enum class AuthState { New, Pending, Authenticated, Closing };

    explicit ClientSession(std::string remoteAddress);
    virtual ~ClientSession() = default;
    ClientSession(const ClientSession &) = delete;
    ClientSession &operator=(const ClientSession &) = delete;

    std::uint64_t id() const { return m_id; }
    const std::string &remoteAddress() const { return m_remoteAddress; }

    // Queue a serialised Frame. Pushes are held back until the session's Welcome went out. On the
    // commit writer's thread, while it answers a batch, the frame goes through the writer's
    // DeliveryOutbox (one post per I/O thread for the whole batch).
    void deliver(std::shared_ptr<const std::string> bytes, bool push);
    // From a DeliveryLanes lane (an I/O thread): this session's items, in order, on its strand at
    // once when it is free; the frames are queued together, so that they leave in one write.
    void deliverBatchNow(std::vector<DeliveryItem> items);
    void sendFrame(const hchat::v1::Frame &frame, bool push = false);
    // Runs fn on the session's strand, later (a post; through the DeliveryOutbox while one
    // collects on this thread).
    virtual void dispatch(std::function<void()> fn) = 0;
    // Runs fn on the session's strand, at once when the caller is an I/O thread and the strand is
    // free, else queued on it.
    virtual void runNow(std::function<void()> fn) = 0;
    // Close the WebSocket politely once what is queued has been written.
    virtual void closeSoon(std::uint16_t closeCode) = 0;
    // Strand: end the session when its token expires (ChatService::onTokenExpired).
    virtual void expireAt(std::int64_t /*expiresMs*/) {}

    // Strand: let held pushes through (after Welcome).
    void openPushes();

    // Identity: written on the strand before the session is registered, read-only afterwards.
    const SessionIdentity &identity() const { return m_identity; }
    void setIdentity(SessionIdentity identity) { m_identity = std::move(identity); }

    // Strand state used by ChatService.
    AuthState authState = AuthState::New;
    // A vector, not a deque: libstdc++'s deque allocates a map and a 512-byte node even when empty,
    // and almost every session keeps this empty for its whole life.
    std::vector<hchat::v1::Frame> framesBeforeWelcome;
    std::unordered_map<std::string, std::int64_t> lastTypingMs; // per channel, for the typing limit

protected:
    // Strand: put bytes on the write queue; with startWriting false the write starts at the next
    // startWriting() (several frames queued together).
    virtual void enqueue(std::shared_ptr<const std::string> bytes, bool startWriting = true) = 0;
    // Strand: starts writing what is queued, if no write is under way.
    virtual void startWriting() = 0;

private:
    // Strand: queue bytes, or hold a push back until Welcome.
    void accept(std::shared_ptr<const std::string> bytes, bool push, bool startWriting = true);

    static std::atomic<std::uint64_t> s_nextId;
    std::uint64_t m_id;
    std::string m_remoteAddress;
    SessionIdentity m_identity;
    bool m_pushesOpen = false;
    std::vector<std::shared_ptr<const std::string>> m_heldPushes;
};

} // namespace hchat::server
