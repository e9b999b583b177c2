#pragma once

#include <string>

namespace hchat::server {

// Random tokens and ids, and the one-way hash under which tokens are stored (BLAKE2b-256).
class Secrets {
public:
    static std::string newToken();                          // 32 random bytes, lower-case hex
    static std::string newDeviceId();                       // 16 random bytes, lower-case hex
    static std::string newUploadId();                       // 16 random bytes, lower-case hex
    static std::string tokenHash(const std::string &token); // 32 raw bytes
};

} // namespace hchat::server
