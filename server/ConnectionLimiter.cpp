#include "ConnectionLimiter.h"

namespace hchat::server {

ConnectionLimiter::Slot::~Slot()
{
    if (!m_refused)
        m_owner->release(m_address);
}

std::shared_ptr<ConnectionLimiter::Slot> ConnectionLimiter::acquire(const std::string &address)
{
    bool refused = false;
    {
        std::lock_guard lock(m_mutex);
        auto &n = m_open[address];
        if (n >= m_max)
            refused = true;
        else
            ++n;
    }
    return std::make_shared<Slot>(shared_from_this(), address, refused);
}

void ConnectionLimiter::release(const std::string &address)
{
    std::lock_guard lock(m_mutex);
    auto it = m_open.find(address);
    if (it != m_open.end() && --it->second == 0)
        m_open.erase(it);
}

} // namespace hchat::server
