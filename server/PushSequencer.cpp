#include "PushSequencer.h"

#include <cstdio>
#include <exception>

namespace hchat::server {

namespace {
void safely(const PushSequencer::Deliver &deliver)
{
    try {
        deliver();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "hchat-gateway: push delivery failed: %s\n", e.what());
    }
}
} // namespace

PushSequencer::PushSequencer(std::chrono::milliseconds hold) : m_hold(hold)
{
    m_thread = std::thread([this] { run(); });
}

PushSequencer::~PushSequencer()
{
    stop();
}

void PushSequencer::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

std::uint64_t PushSequencer::releasedByTimeout() const
{
    std::lock_guard lock(m_mutex);
    return m_releasedByTimeout;
}

void PushSequencer::flushInOrder(Stream &s)
{
    for (auto it = s.held.begin(); it != s.held.end() && it->first <= s.next;) {
        if (it->first == s.next)
            ++s.next;
        safely(it->second.deliver);
        it = s.held.erase(it);
    }
}

void PushSequencer::offer(const std::string &stream, std::uint64_t seq, Deliver deliver)
{
    std::unique_lock lock(m_mutex);
    Stream &s = m_streams[stream];
    if (s.next == 0 || seq == s.next || seq < s.next) {
        // First seen (a baseline), in order, or late (delivered rather than dropped).
        if (seq >= s.next)
            s.next = seq + 1;
        safely(deliver);
        flushInOrder(s);
        return;
    }
    const bool wasEmpty = s.held.empty();
    s.held.emplace(seq, Held{std::chrono::steady_clock::now() + m_hold, std::move(deliver)});
    lock.unlock();
    if (wasEmpty)
        m_cv.notify_one();
}

void PushSequencer::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        auto now = std::chrono::steady_clock::now();
        auto earliest = now + std::chrono::seconds(1);
        for (auto &[name, s] : m_streams) {
            if (s.held.empty())
                continue;
            const auto deadline = s.held.begin()->second.deadline;
            if (deadline <= now) {
                // The missing seq did not come: give up waiting for it.
                ++m_releasedByTimeout;
                s.next = s.held.begin()->first;
                flushInOrder(s);
                if (!s.held.empty())
                    earliest = std::min(earliest, s.held.begin()->second.deadline);
            } else {
                earliest = std::min(earliest, deadline);
            }
        }
        m_cv.wait_until(lock, earliest);
    }
    for (auto &[name, s] : m_streams)
        for (auto &[seq, h] : s.held)
            safely(h.deliver);
    m_streams.clear();
}

} // namespace hchat::server
