#include "AuthThrottle.h"

#include <algorithm>
#include <cmath>

namespace hchat::server {

namespace {
constexpr unsigned kFreeFailures = 5;
constexpr std::int64_t kMaxAccountWaitSeconds = 60;
constexpr std::size_t kRemembered = 65536;
constexpr auto kForgetAfter = std::chrono::minutes(15);
} // namespace

AuthThrottle::Bucket &AuthThrottle::bucket(const std::string &source, Clock::time_point now)
{
    auto [it, fresh] = m_sources.try_emplace(source);
    Bucket &b = it->second;
    if (fresh) {
        b.tokens = burst();
    } else {
        const double minutes = std::chrono::duration<double>(now - b.refilled).count() / 60.0;
        b.tokens = std::min(burst(), b.tokens + minutes * m_perMinute);
    }
    b.refilled = now;
    return b;
}

std::int64_t AuthThrottle::waitForSource(const std::string &source)
{
    if (m_perMinute <= 0)
        return 0;
    std::lock_guard lock(m_mutex);
    const Bucket &b = bucket(source, Clock::now());
    if (b.tokens >= 1.0)
        return 0;
    return std::max<std::int64_t>(1, std::llround(std::ceil((1.0 - b.tokens) * 60.0 / m_perMinute)));
}

std::int64_t AuthThrottle::waitForAccount(const std::string &account)
{
    std::lock_guard lock(m_mutex);
    auto it = m_accounts.find(account);
    if (it == m_accounts.end() || it->second.count < kFreeFailures)
        return 0;
    const unsigned doublings = std::min(it->second.count - kFreeFailures, 6u);
    const auto wait = std::chrono::seconds(std::min<std::int64_t>(1LL << doublings, kMaxAccountWaitSeconds));
    const auto ready = it->second.last + wait;
    const auto now = Clock::now();
    if (now >= ready)
        return 0;
    return std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(ready - now).count());
}

void AuthThrottle::charge(const std::string &source)
{
    if (m_perMinute <= 0)
        return;
    std::lock_guard lock(m_mutex);
    const auto now = Clock::now();
    forgetOld(now);
    if (m_sources.size() > 4 * kRemembered)
        m_sources.clear();
    Bucket &b = bucket(source, now);
    b.tokens = std::max(0.0, b.tokens - 1.0);
}

void AuthThrottle::failed(const std::string &source)
{
    charge(source);
}

void AuthThrottle::attempting(const std::string &account)
{
    std::lock_guard lock(m_mutex);
    // Guesses at many nicks from many addresses could grow this without end: past four times
    // what is remembered, back-offs start over rather than memory running out.
    if (m_accounts.size() > 4 * kRemembered)
        m_accounts.clear();
    auto &f = m_accounts[account];
    ++f.count;
    f.last = Clock::now();
}

void AuthThrottle::succeeded(const std::string &account)
{
    std::lock_guard lock(m_mutex);
    m_accounts.erase(account);
}

// Past kRemembered entries, those with nothing to hold against them go.
void AuthThrottle::forgetOld(Clock::time_point now)
{
    if (m_sources.size() > kRemembered)
        std::erase_if(m_sources, [&](const auto &e) { return now - e.second.refilled > kForgetAfter; });
    if (m_accounts.size() > kRemembered)
        std::erase_if(m_accounts, [&](const auto &e) { return now - e.second.last > kForgetAfter; });
}

} // namespace hchat::server
