#include "StoreReaders.h"

namespace hchat::server {

StoreReaders::StoreReaders(const std::function<std::unique_ptr<MessageStore>()> &factory, std::size_t threads)
{
    for (std::size_t i = 0; i < threads; ++i)
        m_stores.push_back(factory());
    m_pool = std::make_unique<WorkerPool>(threads, 100000);
}

StoreReaders::~StoreReaders()
{
    stop();
}

bool StoreReaders::submit(Job job)
{
    return m_pool->submit([this, job = std::move(job)](std::size_t worker) {
        MessageStore &store = *m_stores[worker];
        store.beginRead();
        try {
            job(store);
        } catch (...) {
            store.rollback();
            throw;
        }
        store.rollback(); // read-only: nothing to commit
    });
}

void StoreReaders::stop()
{
    if (m_pool)
        m_pool->stop();
}

} // namespace hchat::server
