#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace hchat::server {

// Argon2id (crypto_pwhash_str) on a small pool of its own: a hash costs ~0.1 s and 64 MiB
// (interactive) or ~1 s and 256 MiB (moderate), so it never runs on an I/O thread and at most
// `threads` run at once.
//
// Work is queued per source (an address or /64) and served round-robin, each source holding at
// most `perSource` jobs: one address sending hundreds of logins delays another's login by at most
// one hash per worker, instead of its whole queue. Callbacks run on a hashing thread.
class PasswordHasher {
public:
    static constexpr std::size_t kMaxQueued = 256;
    enum class Queued { Yes, SourceBusy, Full };

    // Argon2id cost. Minimal (8 KiB, one pass) is for fuzzing only: the gateway's options offer
    // moderate and interactive.
    enum class Cost { Moderate, Interactive, Minimal };
    PasswordHasher(std::size_t threads, bool interactiveCost, std::size_t perSource = 4);
    PasswordHasher(std::size_t threads, Cost cost, std::size_t perSource);
    ~PasswordHasher();
    PasswordHasher(const PasswordHasher &) = delete;
    PasswordHasher &operator=(const PasswordHasher &) = delete;

    Queued hash(const std::string &source, std::string password,
                std::function<void(std::optional<std::string>)> done);
    Queued verify(const std::string &source, std::string storedHash, std::string password,
                  std::function<void(bool)> done);
    // Verifies against a hash of nothing, at the same cost, and answers false: a login for a nick
    // that does not exist takes as long as one with a wrong password.
    Queued verifyUnknown(const std::string &source, std::string password, std::function<void(bool)> done);
    void stop();
    bool idle();
    std::uint64_t submitted();

private:
    using Job = std::function<void()>;
    Queued submit(const std::string &source, Job job);
    void run();
    std::string hashNow(std::string &password) const;
    const std::string &dummyHash();

    Cost m_cost;
    std::size_t m_perSource;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::unordered_map<std::string, std::deque<Job>> m_queues;
    std::unordered_map<std::string, std::size_t> m_held; // queued or running, per source
    std::deque<std::string> m_turns;                     // sources with queued work, in serving order
    std::size_t m_queued = 0;
    std::uint64_t m_submitted = 0;
    bool m_stopping = false;
    std::once_flag m_dummyOnce;
    std::string m_dummy;
    std::vector<std::thread> m_threads;
};

} // namespace hchat::server
