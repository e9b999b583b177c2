#pragma once

#include "TokenBucket.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace hchat::server {

// Rate limits per user, shared by all of the user's sessions on this gateway (one user opening
// more sessions gets no more throughput): `chat` for what writes or fans out (Send, Join, Leave,
// CreateChannel, Invite, RemoveMember), `signals` for the small frequent frames (MarkRead,
// Typing). Thread-safe; sharded by user so that I/O threads rarely meet on a lock.
class UserRateLimits {
public:
    UserRateLimits(double chatPerSecond, double signalsPerSecond);
    bool takeChat(std::int64_t userId) { return take(userId, false); }
    bool takeSignal(std::int64_t userId) { return take(userId, true); }

private:
    struct Buckets {
        TokenBucket chat;
        TokenBucket small; // MarkRead, Typing
        std::chrono::steady_clock::time_point lastUsed;
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::int64_t, Buckets> users;
        std::chrono::steady_clock::time_point lastSweep;
    };
    bool take(std::int64_t userId, bool signal);

    double m_chatRate;
    double m_signalRate;
    std::array<Shard, 16> m_shards;
};

} // namespace hchat::server
