#pragma once

#include "Fanout.h"
#include "Metrics.h"
#include "PushSequencer.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

struct redisContext; // hiredis

namespace hchat::server {

// Fan-out across gateways through Redis pub/sub (hiredis). Every event is delivered to this
// gateway's sessions at once (through `local`) and published once on one Redis channel; every
// other gateway's subscriber delivers it to its own sessions, and ignores what it published itself.
//
// Two threads of its own, never the I/O threads: a publisher (a bounded queue, pipelined PUBLISH)
// and a subscriber that reconnects and resubscribes with backoff (100 ms doubling to 2 s) after
// Redis restarts or drops the connection. What is published while Redis is unreachable is dropped
// and counted: clients heal by pulling (a pushed seq above their max + 1, or their reconnect).
// Pushed messages reach the sessions in seq order per stream, whichever gateway stored them
// (PushSequencer).
//
// Whoever can write to the Redis channel could otherwise push to every client and cut sessions:
// with a key (--fanout-key-file, shared by the gateways) every envelope carries a MAC and its
// time, and envelopes without a valid MAC, or older than a minute, are dropped and counted.
// Credentials in the URL (redis://[USER]:PASSWORD@HOST:PORT) are sent with AUTH on every
// connection.
class RedisFanout final : public Fanout {
public:
    static constexpr const char *kChannel = "hchat:fanout";
    static constexpr std::size_t kMaxQueued = 100000;

    static bool isUrl(const std::string &url);
    // The URL with its password replaced by "***", for logs.
    static std::string redact(const std::string &url);

    // url: redis://[[USER]:PASSWORD@]HOST[:PORT][/…]. key: 32 bytes or empty (no MAC). Throws
    // std::invalid_argument for a malformed URL; does not require Redis to be up (the threads
    // keep trying).
    RedisFanout(Fanout &local, Metrics &metrics, const std::string &url, std::string key = {});
    ~RedisFanout() override;
    RedisFanout(const RedisFanout &) = delete;
    RedisFanout &operator=(const RedisFanout &) = delete;

    void toUsers(const std::vector<std::int64_t> &userIds, std::shared_ptr<const std::string> frame,
                 bool countAsPush, std::uint64_t exceptSession = 0) override;
    void toDevice(const std::string &deviceId, std::shared_ptr<const std::string> frame,
                  bool countAsPush) override;
    void closeSessions(const SessionCut &cut) override;
    void stop() override;

    const std::string &endpoint() const { return m_endpoint; }

private:
    void publish(std::string envelope);
    void runPublisher();
    void runSubscriber();
    void onEnvelope(const char *data, std::size_t size);
    // The envelope as published: with a key, "HF2" | MAC | time | the "HF1" envelope's body.
    std::string seal(std::string envelope) const;
    // Connects and authenticates; null with `error` set on failure.
    struct ContextDeleter {
        void operator()(::redisContext *c) const;
    };
    std::unique_ptr<::redisContext, ContextDeleter> connect(std::string &error) const;
    // Delivers through the sequencer when the frame is a pushed message, else at once.
    void deliverLocally(const std::shared_ptr<const std::string> &frame, std::function<void()> deliver);
    bool sleepFor(std::chrono::milliseconds delay);

    Fanout &m_local;
    Metrics &m_metrics;
    std::string m_host;
    int m_port = 6379;
    std::string m_endpoint;
    std::string m_user;
    std::string m_password;
    std::string m_key;
    std::string m_origin; // 16 random bytes naming this gateway process
    PushSequencer m_sequencer{std::chrono::milliseconds(500)};

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::string> m_queue;
    bool m_stopping = false;
    int m_subscriberFd = -1; // guarded by m_mutex; shut down to wake the blocked subscriber
    std::thread m_publisher;
    std::thread m_subscriber;
};

} // namespace hchat::server
