#pragma once

#include "ChatService.h"
#include "ClientSession.h"
#include "CommitWriter.h"
#include "HttpApi.h"
#include "LocalFanout.h"
#include "Metrics.h"
#include "PasswordHasher.h"
#include "ServerContext.h"
#include "SessionRegistry.h"
#include "StoreReaders.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace hchat::fuzz {

class DatabaseSnapshot;

// What the gateway fixture is seeded with (the seed corpora use the same names).
struct GatewayUser {
    const char *nick;
    const char *deviceId;
    const char *token;
};
inline constexpr GatewayUser kAlice{"alice", "a1000000000000000000000000000001", "alice-token"};
inline constexpr GatewayUser kBob{"bob", "b0b00000000000000000000000000002", "bob-token"};
inline constexpr GatewayUser kCarol{"carol", "ca000000000000000000000000000003", "carol-token"};
inline constexpr const char *kExpiredToken = "expired-token"; // alice's, expired
inline constexpr const char *kPassword = "correct horse";     // every seeded user's password

// The strand every fuzz session runs on: what the gateway posts to a session is queued here and
// run on the fuzzing thread by GatewayFixture::quiesce().
class FuzzStrand {
public:
    void post(std::function<void()> fn);
    std::size_t runQueued();
    std::uint64_t posted();

private:
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_queue;
    std::uint64_t m_posted = 0;
};

// A WebSocket client as ChatService sees it, without a socket. Every frame the gateway writes to
// it must parse as a Frame.
class FuzzSession final : public server::ClientSession {
public:
    explicit FuzzSession(FuzzStrand &strand) : ClientSession("127.0.0.1"), m_strand(strand) {}
    void dispatch(std::function<void()> fn) override { m_strand.post(std::move(fn)); }
    // The fixture has no DeliveryLanes (nothing calls this): the strand's queue keeps the order.
    void runNow(std::function<void()> fn) override { m_strand.post(std::move(fn)); }
    void closeSoon(std::uint16_t) override { closed = true; }
    bool closed = false;
    std::uint64_t framesOut = 0;

protected:
    // Frames are checked as they are queued; there is no write to start.
    void enqueue(std::shared_ptr<const std::string> bytes, bool startWriting = true) override;
    void startWriting() override {}

private:
    FuzzStrand &m_strand;
};

// The gateway's services as Gateway wires them (ServerContext, ChatService, HttpApi, commit
// writer, store readers, password hasher, in-process fan-out) on a real SQLite store in a scratch
// directory (tmpfs when there is one), without the listener. Seeded with alice, bob and carol, each with a
// device, an inbox and a token; the channels "general" (open), "secret" (invite-only, encrypted) and
// "@alice+bob".
class GatewayFixture {
public:
    explicit GatewayFixture(const char *name);
    ~GatewayFixture();

    // Runs fn in the commit writer (one transaction) and waits for it.
    void write(const std::function<void(server::MessageStore &)> &fn);
    // Waits until the readers, the hasher and the writer are idle and nothing is queued on the
    // strand (running what is).
    void quiesce();
    // A new session on the strand, tracked by the registry like an accepted WebSocket.
    std::shared_ptr<FuzzSession> connect();
    void disconnect(const std::shared_ptr<FuzzSession> &session);
    // Sends Hello with token and waits for the answer.
    void hello(const std::shared_ptr<FuzzSession> &session, const std::string &token);
    // Creates a user (password kPassword) with a device, its inbox and a token, and makes it a
    // member of "general" and "secret".
    void addUser(const std::string &nick, const std::string &deviceId, const std::string &token,
                 std::int64_t expiresMs);
    // What the store holds now becomes what reset() restores (the constructor's seed until then).
    void keepAsSeed();
    // Waits until idle and puts the store back as seeded (DatabaseSnapshot), so that every input
    // starts from the same, small store.
    void reset();

    server::ServerContext &ctx() { return *m_ctx; }
    server::ChatService &chat() { return *m_chat; }
    server::HttpApi &api() { return *m_api; }

private:
    void barrierReaders();
    void barrierWriter();
    void barrierHasher();

    std::string m_passwordHash;
    // Per pool, how many of its jobs quiesce() knows to be done (see there).
    std::uint64_t m_readersSettled = 0;
    std::uint64_t m_hasherSettled = 0;
    std::uint64_t m_writerSettled = 0;
    server::GatewayConfig m_config;
    server::Metrics m_metrics;
    server::SessionRegistry m_registry;
    FuzzStrand m_strand;
    std::unique_ptr<server::LocalFanout> m_fanout;
    std::unique_ptr<server::CommitWriter> m_writer;
    std::unique_ptr<server::StoreReaders> m_readers;
    std::unique_ptr<server::PasswordHasher> m_hasher;
    std::unique_ptr<server::AuthThrottle> m_throttle;
    std::unique_ptr<server::UserRateLimits> m_userLimits;
    std::unique_ptr<server::ServerContext> m_ctx;
    std::unique_ptr<server::ChatService> m_chat;
    std::unique_ptr<server::HttpApi> m_api;
    std::unique_ptr<DatabaseSnapshot> m_snapshot;
};

} // namespace hchat::fuzz
