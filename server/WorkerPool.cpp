#include "WorkerPool.h"

#include <cstdio>
#include <exception>

namespace hchat::server {

WorkerPool::WorkerPool(std::size_t threads, std::size_t maxQueued,
                       std::function<void(std::size_t)> threadInit)
    : m_threadInit(std::move(threadInit)), m_maxQueued(maxQueued)
{
    for (std::size_t i = 0; i < threads; ++i)
        m_threads.emplace_back([this, i] { run(i); });
}

WorkerPool::~WorkerPool()
{
    stop();
}

bool WorkerPool::submit(Job job)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_queue.size() >= m_maxQueued)
            return false;
        m_queue.push_back(std::move(job));
        ++m_submitted;
    }
    m_cv.notify_one();
    return true;
}

bool WorkerPool::idle()
{
    std::lock_guard lock(m_mutex);
    return m_queue.empty() && m_running == 0;
}

std::uint64_t WorkerPool::submitted()
{
    std::lock_guard lock(m_mutex);
    return m_submitted;
}

void WorkerPool::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    for (auto &t : m_threads)
        if (t.joinable())
            t.join();
}

void WorkerPool::run(std::size_t index)
{
    if (m_threadInit)
        m_threadInit(index);
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return;
            job = std::move(m_queue.front());
            m_queue.pop_front();
            ++m_running;
        }
        try {
            job(index);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "hchat-gateway: worker job failed: %s\n", e.what());
        }
        job = nullptr; // what the job holds goes before it counts as done
        std::lock_guard lock(m_mutex);
        --m_running;
    }
}

} // namespace hchat::server
