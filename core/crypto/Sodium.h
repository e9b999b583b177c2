#pragma once

namespace hchat::crypto {

// libsodium initialisation. Every entry point of core/crypto calls ensureInitialized(); it runs
// sodium_init() once per process (thread-safe) and is free afterwards.
class Sodium {
public:
    static bool ensureInitialized();
};

} // namespace hchat::crypto
