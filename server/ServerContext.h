#pragma once

#include "AuthThrottle.h"
#include "CommitWriter.h"
#include "ConnectionLimiter.h"
#include "GatewayConfig.h"
#include "Metrics.h"
#include "PasswordHasher.h"
#include "SessionRegistry.h"
#include "StoreReaders.h"
#include "UserRateLimits.h"

#include <atomic>
#include <chrono>
#include <memory>

namespace hchat::server {

class ChatService;
class Fanout;
class HttpApi;

// The services every request handler shares; owned by Gateway, outlives every session.
struct ServerContext {
    const GatewayConfig &config;
    Metrics &metrics;
    CommitWriter &writer;
    StoreReaders &readers;
    PasswordHasher &hasher;
    AuthThrottle &authThrottle;
    UserRateLimits &userLimits;
    SessionRegistry &registry;
    std::shared_ptr<ConnectionLimiter> limiter;
    std::atomic<bool> shuttingDown{false};
    ChatService *chat = nullptr;
    HttpApi *api = nullptr;
    Fanout *fanout = nullptr; // where pushes go (in-process, or Redis across gateways)

    static std::int64_t nowMs()
    {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

} // namespace hchat::server
