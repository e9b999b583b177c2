#pragma once

#include "WorkerPool.h"

#include <functional>
#include <optional>
#include <string>

namespace hchat::server {

// Argon2id (crypto_pwhash_str) on a small bounded pool of its own: a hash costs ~0.1 s and 64 MiB
// (interactive) or ~1 s and 256 MiB (moderate), so it never runs on an I/O thread and at most
// `threads` run at once. Callbacks run on a hashing thread.
class PasswordHasher {
public:
    PasswordHasher(std::size_t threads, bool interactiveCost);

    // False when the queue is full (the caller answers "rate limited").
    bool hash(std::string password, std::function<void(std::optional<std::string>)> done);
    bool verify(std::string storedHash, std::string password, std::function<void(bool)> done);
    void stop() { m_pool.stop(); }

private:
    bool m_interactive;
    WorkerPool m_pool;
};

} // namespace hchat::server
