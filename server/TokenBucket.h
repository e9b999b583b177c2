#pragma once

#include <algorithm>
#include <chrono>

namespace hchat::server {

// A token bucket: `rate` tokens per second, holding at most `burst`. Not thread-safe (one per
// session, used on its strand).
class TokenBucket {
public:
    TokenBucket(double rate = 0, double burst = 0) { reset(rate, burst); }

    void reset(double rate, double burst)
    {
        m_rate = rate;
        m_burst = std::max(1.0, burst);
        m_tokens = m_burst;
        m_last = std::chrono::steady_clock::now();
    }

    // Takes one token; false when the bucket is empty. A rate of 0 never limits.
    bool take()
    {
        if (m_rate <= 0)
            return true;
        const auto now = std::chrono::steady_clock::now();
        const double elapsed = std::chrono::duration<double>(now - m_last).count();
        m_last = now;
        m_tokens = std::min(m_burst, m_tokens + elapsed * m_rate);
        if (m_tokens < 1.0)
            return false;
        m_tokens -= 1.0;
        return true;
    }

private:
    double m_rate = 0;
    double m_burst = 1;
    double m_tokens = 1;
    std::chrono::steady_clock::time_point m_last;
};

} // namespace hchat::server
