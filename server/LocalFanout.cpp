#include "LocalFanout.h"

#include "hchat.pb.h"

namespace hchat::server {

namespace {
constexpr std::uint16_t kClosePolicy = 1008;
} // namespace

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

void LocalFanout::toDevice(const std::string &deviceId, std::shared_ptr<const std::string> frame,
                           bool countAsPush)
{
    for (auto &s : m_registry.ofDevice(deviceId)) {
        s->deliver(frame, true);
        if (countAsPush)
            m_metrics.pushesSent.fetch_add(1, std::memory_order_relaxed);
    }
}

void LocalFanout::closeSessions(const SessionCut &cut)
{
    std::vector<std::shared_ptr<ClientSession>> sessions;
    switch (cut.by) {
    case SessionCut::By::Device:
        sessions = m_registry.ofDevice(cut.key);
        break;
    case SessionCut::By::Token:
        sessions = m_registry.withToken(cut.key);
        break;
    case SessionCut::By::User:
        for (auto &s : m_registry.ofUsers({cut.userId}))
            if (cut.exceptTokenHash.empty() || s->identity().tokenHash != cut.exceptTokenHash)
                sessions.push_back(std::move(s));
        break;
    }
    if (sessions.empty())
        return;
    hchat::v1::Frame f;
    f.mutable_error()->set_code(hchat::v1::ERROR_BAD_TOKEN);
    f.mutable_error()->set_message(cut.reason);
    auto bytes = std::make_shared<const std::string>(f.SerializeAsString());
    for (auto &s : sessions) {
        m_metrics.countError(hchat::v1::ERROR_BAD_TOKEN);
        s->deliver(bytes, false);
        // On the strand, after the error: nothing the session sends from now on is handled.
        s->dispatch([s] {
            s->authState = ClientSession::AuthState::Closing;
            s->framesBeforeWelcome.clear();
        });
        s->closeSoon(kClosePolicy);
    }
}

} // namespace hchat::server
