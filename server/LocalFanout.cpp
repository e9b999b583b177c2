#include "LocalFanout.h"

namespace hchat::server {

void LocalFanout::toUsers(const std::vector<std::int64_t> &userIds, std::shared_ptr<const std::string> frame,
                          bool countAsPush, std::uint64_t exceptSession)
{
    for (auto &s : m_registry.ofUsers(userIds)) {
        if (exceptSession != 0 && s->id() == exceptSession)
            continue;
        s->deliver(frame, true);
        if (countAsPush)
            m_metrics.pushesSent.fetch_add(1, std::memory_order_relaxed);
    }
}

void LocalFanout::toDevice(const std::string &deviceId, std::shared_ptr<const std::string> frame, bool countAsPush)
{
    for (auto &s : m_registry.ofDevice(deviceId)) {
        s->deliver(frame, true);
        if (countAsPush)
            m_metrics.pushesSent.fetch_add(1, std::memory_order_relaxed);
    }
}

} // namespace hchat::server
