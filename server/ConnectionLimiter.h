#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hchat::server {

// Decides at accept time, before a byte is read or a TLS handshake is spent, whether a connection
// is served: at most `perSource` open connections per source, `total` in all, and new connections
// from one source at no more than `acceptsPerSecond` (bursts of twice that). A source is an IPv4
// address or an IPv6 /64 (one customer's prefix; counting single v6 addresses would let one host
// open as many connections as it has addresses).
class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
public:
    struct Limits {
        unsigned perSource = 256;
        unsigned total = 10000;
        double acceptsPerSecond = 100; // 0: no limit
    };
    enum class Refusal { None, PerSource, Total, AcceptRate };

    // The place of one admitted connection; gives it back when the last owner drops it.
    class Slot {
    public:
        Slot(std::shared_ptr<ConnectionLimiter> owner, std::string source)
            : m_owner(std::move(owner)), m_source(std::move(source))
        {
        }
        ~Slot();
        Slot(const Slot &) = delete;
        Slot &operator=(const Slot &) = delete;
        const std::string &source() const { return m_source; }

    private:
        std::shared_ptr<ConnectionLimiter> m_owner;
        std::string m_source;
    };

    struct Admission {
        std::shared_ptr<Slot> slot; // null when refused
        Refusal refusal = Refusal::None;
    };

    explicit ConnectionLimiter(Limits limits) : m_limits(limits) {}
    Admission admit(const std::string &source);

    // "203.0.113.7" for IPv4 (and v4-mapped IPv6), "2001:db8:1:2::/64" for IPv6.
    static std::string sourceOf(const std::string &address);

private:
    struct Source {
        unsigned open = 0;
        double tokens = 0;
        std::chrono::steady_clock::time_point refilled;
    };
    void release(const std::string &source);
    bool takeAcceptToken(Source &s, std::chrono::steady_clock::time_point now) const;
    void forgetIdleSources(std::chrono::steady_clock::time_point now);

    std::mutex m_mutex;
    std::unordered_map<std::string, Source> m_sources;
    unsigned m_total = 0;
    std::chrono::steady_clock::time_point m_lastSweep;
    Limits m_limits;
};

} // namespace hchat::server
