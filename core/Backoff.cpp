#include "Backoff.h"

#include <algorithm>

namespace hchat {

// One word from the global generator is seed enough for jitter: securelySeeded() fills the whole
// Mersenne Twister state from the system's secure source (624 words, RDRAND or getrandom), and
// every sync pull makes a Backoff.
Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap)
    : m_base(base), m_cap(cap), m_rng(QRandomGenerator::global()->generate())
{
}

std::chrono::milliseconds Backoff::ceiling() const
{
    const qint64 cap = std::max<qint64>(0, m_cap.count());
    qint64 value = std::max<qint64>(0, m_base.count());
    for (int i = 0; i < m_attempts && value < cap; ++i)
        value *= 2;
    return std::chrono::milliseconds(std::min(value, cap));
}

std::chrono::milliseconds Backoff::next()
{
    const qint64 ceil = ceiling().count();
    ++m_attempts;
    if (ceil <= 0)
        return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(static_cast<qint64>(m_rng.bounded(static_cast<quint64>(ceil) + 1)));
}

} // namespace hchat
