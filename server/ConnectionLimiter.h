#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hchat::server {

// Counts open connections per remote address. acquire() hands out a slot that gives its place back
// when the last owner drops it; a slot past the limit is handed out too, marked refused, so that
// the connection can be answered with ERROR_TOO_MANY_CONNECTIONS before it is closed.
class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
public:
    class Slot {
    public:
        Slot(std::shared_ptr<ConnectionLimiter> owner, std::string address, bool refused)
            : m_owner(std::move(owner)), m_address(std::move(address)), m_refused(refused)
        {
        }
        ~Slot();
        Slot(const Slot &) = delete;
        Slot &operator=(const Slot &) = delete;
        bool refused() const { return m_refused; }
        const std::string &address() const { return m_address; }

    private:
        std::shared_ptr<ConnectionLimiter> m_owner;
        std::string m_address;
        bool m_refused;
    };

    explicit ConnectionLimiter(unsigned maxPerAddress) : m_max(maxPerAddress) {}
    std::shared_ptr<Slot> acquire(const std::string &address);

private:
    void release(const std::string &address);

    std::mutex m_mutex;
    std::unordered_map<std::string, unsigned> m_open;
    unsigned m_max;
};

} // namespace hchat::server
