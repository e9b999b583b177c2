#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hchat::server {

// Slows password guessing down before a hash is queued.
//  - Per source (address or /64): registrations and failed password checks draw from a bucket of
//    `perMinute` a minute (bursts of twice that); an empty bucket refuses new attempts.
//  - Per account: from the 5th failure in a row on, the next attempt waits 1 s, 2 s, 4 s … up to
//    60 s, from any address; a success clears it. (A cap rather than a lock-out, so that a
//    stranger guessing cannot keep the owner out for long.)
// Thread-safe. Remembers a bounded number of sources and accounts.
class AuthThrottle {
public:
    using Clock = std::chrono::steady_clock;
    explicit AuthThrottle(double perMinute) : m_perMinute(perMinute) {}

    // 0 when an attempt may go ahead, else the seconds to wait.
    std::int64_t waitForSource(const std::string &source);
    std::int64_t waitForAccount(const std::string &account);
    void registered(const std::string &source) { charge(source); }
    // An attempt on an account is counted as a failure when it is queued (so that many queued at
    // once cannot all pass one back-off window); succeeded() clears the account again.
    void attempting(const std::string &account);
    void failed(const std::string &source);
    void succeeded(const std::string &account);

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point refilled;
    };
    struct Failures {
        unsigned count = 0;
        Clock::time_point last;
    };
    Bucket &bucket(const std::string &source, Clock::time_point now);
    void charge(const std::string &source);
    void forgetOld(Clock::time_point now);
    double burst() const { return 2 * m_perMinute; }

    std::mutex m_mutex;
    std::unordered_map<std::string, Bucket> m_sources;
    std::unordered_map<std::string, Failures> m_accounts;
    double m_perMinute;
};

} // namespace hchat::server
