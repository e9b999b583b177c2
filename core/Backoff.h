#pragma once

#include <QRandomGenerator>

#include <chrono>

namespace hchat {

// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
// the n-th delay is uniform in [0, min(cap, base * 2^n)]. reset() after a success starts again at
// n = 0. A seed makes the sequence reproducible in tests.
class Backoff {
public:
    Backoff(std::chrono::milliseconds base = std::chrono::milliseconds(500),
            std::chrono::milliseconds cap = std::chrono::seconds(30));

    void setBase(std::chrono::milliseconds base) { m_base = base; }
    void setCap(std::chrono::milliseconds cap) { m_cap = cap; }
    void setSeed(quint32 seed) { m_rng.seed(seed); }
    std::chrono::milliseconds base() const { return m_base; }
    std::chrono::milliseconds cap() const { return m_cap; }

    // The upper bound of the next delay: min(cap, base * 2^attempts).
    std::chrono::milliseconds ceiling() const;
    // A delay uniform in [0, ceiling()], then counts one more attempt.
    std::chrono::milliseconds next();
    void reset() { m_attempts = 0; }
    int attempts() const { return m_attempts; }

private:
    std::chrono::milliseconds m_base;
    std::chrono::milliseconds m_cap;
    int m_attempts = 0;
    QRandomGenerator m_rng;
};

} // namespace hchat
