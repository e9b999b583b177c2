#pragma once

#include "MessageStore.h"
#include "WorkerPool.h"

#include <functional>
#include <memory>
#include <vector>

namespace hchat::server {

// Store reads off the I/O threads: a few threads, each with its own read connection (SQLite in WAL
// mode lets them read while the writer commits). Each job runs inside one read transaction.
class StoreReaders {
public:
    using Job = std::function<void(MessageStore &)>;
    StoreReaders(const std::function<std::unique_ptr<MessageStore>()> &factory, std::size_t threads);
    ~StoreReaders();

    // False if the queue is full or the pool is stopping (the job does not run).
    bool submit(Job job);
    bool idle() { return m_pool->idle(); }
    std::uint64_t submitted() { return m_pool->submitted(); }
    void stop();

private:
    std::vector<std::unique_ptr<MessageStore>> m_stores;
    std::unique_ptr<WorkerPool> m_pool;
};

} // namespace hchat::server
