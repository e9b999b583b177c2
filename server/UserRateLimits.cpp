#include "UserRateLimits.h"

#include <algorithm>

namespace hchat::server {

namespace {
constexpr std::size_t kSweepAbove = 4096;               // users remembered per shard before sweeping
constexpr auto kForgetAfter = std::chrono::seconds(60); // full again by then at any sane rate
} // namespace

UserRateLimits::UserRateLimits(double chatPerSecond, double signalsPerSecond)
    : m_chatRate(chatPerSecond), m_signalRate(signalsPerSecond)
{
}

bool UserRateLimits::take(std::int64_t userId, bool signal)
{
    const double rate = signal ? m_signalRate : m_chatRate;
    if (rate <= 0)
        return true;
    Shard &shard = m_shards[static_cast<std::uint64_t>(userId) % m_shards.size()];
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(shard.mutex);
    if (shard.users.size() > kSweepAbove && now - shard.lastSweep > std::chrono::seconds(1)) {
        shard.lastSweep = now;
        std::erase_if(shard.users, [&](const auto &e) { return now - e.second.lastUsed > kForgetAfter; });
    }
    auto [it, fresh] = shard.users.try_emplace(userId);
    Buckets &b = it->second;
    if (fresh) {
        b.chat.reset(m_chatRate, std::max(10.0, 2 * m_chatRate));
        // Bursts of ten seconds' worth: a client marks every channel it read elsewhere at once
        // after reconnecting.
        b.small.reset(m_signalRate, std::max(10.0, 10 * m_signalRate));
    }
    b.lastUsed = now;
    return signal ? b.small.take() : b.chat.take();
}

} // namespace hchat::server
