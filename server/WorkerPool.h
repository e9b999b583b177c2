#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hchat::server {

// A fixed set of threads draining a bounded queue, for blocking work that must stay off the I/O
// threads (password hashing, store reads). A job gets the index of the worker that runs it.
class WorkerPool {
public:
    using Job = std::function<void(std::size_t worker)>;

    WorkerPool(std::size_t threads, std::size_t maxQueued, std::function<void(std::size_t)> threadInit = {});
    ~WorkerPool();
    WorkerPool(const WorkerPool &) = delete;
    WorkerPool &operator=(const WorkerPool &) = delete;

    // False when the queue is full or the pool is stopping (the job is not run).
    bool submit(Job job);
    // Runs what is queued, then joins the threads.
    void stop();
    std::size_t threadCount() const { return m_threads.size(); }
    // Nothing queued and nothing running (tests and fuzzing wait for quiet with it).
    bool idle();
    std::uint64_t submitted(); // jobs taken so far

private:
    void run(std::size_t index);

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Job> m_queue;
    std::vector<std::thread> m_threads;
    std::function<void(std::size_t)> m_threadInit;
    std::size_t m_maxQueued;
    std::size_t m_running = 0;
    std::uint64_t m_submitted = 0;
    bool m_stopping = false;
};

} // namespace hchat::server
