#include "SessionRegistry.h"

namespace hchat::server {

void SessionRegistry::track(const std::shared_ptr<ClientSession> &session)
{
    std::lock_guard lock(m_mutex);
    m_all[session->id()] = session;
}

void SessionRegistry::untrack(std::uint64_t sessionId, std::int64_t userId)
{
    std::lock_guard lock(m_mutex);
    m_all.erase(sessionId);
    if (auto d = m_deviceOf.find(sessionId); d != m_deviceOf.end()) {
        if (auto it = m_byDevice.find(d->second); it != m_byDevice.end()) {
            it->second.erase(sessionId);
            if (it->second.empty())
                m_byDevice.erase(it);
        }
        m_deviceOf.erase(d);
    }
    if (auto it = m_byUser.find(userId); it != m_byUser.end()) {
        it->second.erase(sessionId);
        if (it->second.empty())
            m_byUser.erase(it);
    }
}

void SessionRegistry::addAuthenticated(const std::shared_ptr<ClientSession> &session)
{
    std::lock_guard lock(m_mutex);
    m_byUser[session->identity().userId][session->id()] = session;
    m_byDevice[session->identity().deviceId][session->id()] = session;
    m_deviceOf[session->id()] = session->identity().deviceId;
}

std::vector<std::shared_ptr<ClientSession>> SessionRegistry::ofUsers(const std::vector<std::int64_t> &userIds)
{
    std::vector<std::shared_ptr<ClientSession>> out;
    std::lock_guard lock(m_mutex);
    for (auto uid : userIds) {
        auto it = m_byUser.find(uid);
        if (it == m_byUser.end())
            continue;
        for (auto &[id, weak] : it->second)
            if (auto s = weak.lock())
                out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::shared_ptr<ClientSession>> SessionRegistry::ofDevice(const std::string &deviceId)
{
    std::vector<std::shared_ptr<ClientSession>> out;
    std::lock_guard lock(m_mutex);
    if (auto it = m_byDevice.find(deviceId); it != m_byDevice.end())
        for (auto &[id, weak] : it->second)
            if (auto s = weak.lock())
                out.push_back(std::move(s));
    return out;
}

std::vector<std::shared_ptr<ClientSession>> SessionRegistry::withToken(const std::string &tokenHash)
{
    std::vector<std::shared_ptr<ClientSession>> out;
    std::lock_guard lock(m_mutex);
    for (auto &[uid, sessions] : m_byUser)
        for (auto &[id, weak] : sessions)
            if (auto s = weak.lock(); s && s->identity().tokenHash == tokenHash)
                out.push_back(std::move(s));
    return out;
}

std::vector<std::shared_ptr<ClientSession>> SessionRegistry::all()
{
    std::vector<std::shared_ptr<ClientSession>> out;
    std::lock_guard lock(m_mutex);
    for (auto &[id, weak] : m_all)
        if (auto s = weak.lock())
            out.push_back(std::move(s));
    return out;
}

std::size_t SessionRegistry::size()
{
    std::lock_guard lock(m_mutex);
    return m_all.size();
}

} // namespace hchat::server
