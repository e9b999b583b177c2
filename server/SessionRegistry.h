#pragma once

#include "ClientSession.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace hchat::server {

// Who is online: every live WebSocket session, and the authenticated ones by user. Shared by all
// I/O threads and the commit writer (fan-out) behind one mutex; holds weak references only.
class SessionRegistry {
public:
    void track(const std::shared_ptr<ClientSession> &session);
    void untrack(std::uint64_t sessionId, std::int64_t userId);
    void addAuthenticated(const std::shared_ptr<ClientSession> &session);

    std::vector<std::shared_ptr<ClientSession>> ofUsers(const std::vector<std::int64_t> &userIds);
    std::vector<std::shared_ptr<ClientSession>> ofDevice(const std::string &deviceId);
    std::vector<std::shared_ptr<ClientSession>> withToken(const std::string &tokenHash);
    std::vector<std::shared_ptr<ClientSession>> all();
    std::size_t size();

private:
    std::mutex m_mutex;
    std::unordered_map<std::uint64_t, std::weak_ptr<ClientSession>> m_all;
    std::unordered_map<std::int64_t, std::unordered_map<std::uint64_t, std::weak_ptr<ClientSession>>>
        m_byUser;
    std::unordered_map<std::string, std::unordered_map<std::uint64_t, std::weak_ptr<ClientSession>>>
        m_byDevice;
    std::unordered_map<std::uint64_t, std::string> m_deviceOf;
};

} // namespace hchat::server
