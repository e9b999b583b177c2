#include "ConnectionLimiter.h"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace hchat::server {

namespace {
constexpr std::size_t kSweepAbove = 4096; // sources remembered before idle ones are forgotten
}

ConnectionLimiter::Slot::~Slot()
{
    m_owner->release(m_source);
}

std::string ConnectionLimiter::sourceOf(const std::string &address)
{
    boost::system::error_code ec;
    auto ip = boost::asio::ip::make_address(address, ec);
    if (ec)
        return address;
    if (ip.is_v6() && ip.to_v6().is_v4_mapped())
        ip = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6());
    if (ip.is_v4())
        return ip.to_string();
    auto bytes = ip.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

bool ConnectionLimiter::takeAcceptToken(Source &s, std::chrono::steady_clock::time_point now) const
{
    const double rate = m_limits.acceptsPerSecond;
    if (rate <= 0)
        return true;
    const double burst = std::max(1.0, 2 * rate);
    const double elapsed = std::chrono::duration<double>(now - s.refilled).count();
    s.tokens = std::min(burst, s.tokens + elapsed * rate);
    s.refilled = now;
    if (s.tokens < 1.0)
        return false;
    s.tokens -= 1.0;
    return true;
}

// A source with nothing open whose bucket is full again carries no state worth keeping.
void ConnectionLimiter::forgetIdleSources(std::chrono::steady_clock::time_point now)
{
    if (m_sources.size() < kSweepAbove || now - m_lastSweep < std::chrono::seconds(1))
        return;
    m_lastSweep = now;
    const double rate = m_limits.acceptsPerSecond;
    const double burst = std::max(1.0, 2 * rate);
    for (auto it = m_sources.begin(); it != m_sources.end();) {
        const double refill = std::chrono::duration<double>(now - it->second.refilled).count() * rate;
        if (it->second.open == 0 && (rate <= 0 || it->second.tokens + refill >= burst))
            it = m_sources.erase(it);
        else
            ++it;
    }
}

ConnectionLimiter::Admission ConnectionLimiter::admit(const std::string &source)
{
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(m_mutex);
    forgetIdleSources(now);
    auto [it, fresh] = m_sources.try_emplace(source);
    Source &s = it->second;
    if (fresh) {
        s.tokens = std::max(1.0, 2 * m_limits.acceptsPerSecond);
        s.refilled = now;
    }
    if (!takeAcceptToken(s, now))
        return {nullptr, Refusal::AcceptRate};
    if (s.open >= m_limits.perSource)
        return {nullptr, Refusal::PerSource};
    if (m_total >= m_limits.total)
        return {nullptr, Refusal::Total};
    ++s.open;
    ++m_total;
    return {std::make_shared<Slot>(shared_from_this(), source), Refusal::None};
}

void ConnectionLimiter::release(const std::string &source)
{
    std::lock_guard lock(m_mutex);
    --m_total;
    auto it = m_sources.find(source);
    if (it != m_sources.end() && it->second.open > 0)
        --it->second.open;
}

} // namespace hchat::server
