#pragma once

#include <cstdint>
#include <string>

namespace hchat::server {

// Which WebSocket sessions a revocation ends (Fanout::closeSessions), on every gateway: those of
// one device, of one token, or of one user except those of one token. Each gets
// Error ERROR_BAD_TOKEN (request id 0) with `reason`, then close code 1008.
struct SessionCut {
    enum class By : char { Device = 'd', Token = 't', User = 'u' };
    By by = By::Device;
    std::string key;             // Device: the device id; Token: the token hash
    std::int64_t userId = 0;     // User
    std::string exceptTokenHash; // User: sessions of this token stay (empty: none stays)
    std::string reason;          // for humans; never a secret
};

} // namespace hchat::server
