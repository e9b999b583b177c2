#pragma once

#include "Fanout.h"
#include "Metrics.h"
#include "SessionRegistry.h"

namespace hchat::server {

// The in-process fan-out (the default): looks the sessions up in the registry and queues the
// frame on each.
class LocalFanout final : public Fanout {
public:
    LocalFanout(SessionRegistry &registry, Metrics &metrics) : m_registry(registry), m_metrics(metrics) {}

    void toUsers(const std::vector<std::int64_t> &userIds, std::shared_ptr<const std::string> frame,
                 bool countAsPush, std::uint64_t exceptSession = 0) override;
    void toDevice(const std::string &deviceId, std::shared_ptr<const std::string> frame,
                  bool countAsPush) override;
    void closeSessions(const SessionCut &cut) override;

private:
    SessionRegistry &m_registry;
    Metrics &m_metrics;
};

} // namespace hchat::server
