#include "CommitWriter.h"

#include "ProtocolError.h"

#include <pthread.h>

#include <chrono>
#include <cstdio>
#include <vector>

namespace hchat::server {

CommitWriter::CommitWriter(std::unique_ptr<MessageStore> store, Metrics &metrics, std::size_t maxBatch,
                           std::size_t maxQueued)
    : m_store(std::move(store)), m_metrics(metrics), m_maxBatch(maxBatch), m_maxQueued(maxQueued)
{
    m_thread = std::thread([this] { run(); });
    // Named, so that profiles and /proc/<pid>/task tell the writer apart from the I/O threads.
    pthread_setname_np(m_thread.native_handle(), "hchat-writer");
}

CommitWriter::~CommitWriter()
{
    stop();
}

bool CommitWriter::submit(Apply apply, Done done)
{
    bool full = false;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return false;
        full = m_queue.size() >= m_maxQueued;
        if (!full) {
            m_queue.push_back(Job{std::move(apply), std::move(done)});
            ++m_submitted;
        }
    }
    if (full) {
        m_metrics.writesRefusedBusy.fetch_add(1, std::memory_order_relaxed);
        if (done)
            done(hchat::v1::ERROR_RATE_LIMITED, "the gateway is busy; retry shortly");
        return true;
    }
    m_cv.notify_one();
    return true;
}

void CommitWriter::setAnswerScope(AnswerScope scope)
{
    std::lock_guard lock(m_mutex);
    m_answerScope = std::move(scope);
}

std::uint64_t CommitWriter::submitted()
{
    std::lock_guard lock(m_mutex);
    return m_submitted;
}

bool CommitWriter::idle()
{
    std::lock_guard lock(m_mutex);
    return m_queue.empty() && !m_busy;
}

void CommitWriter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void CommitWriter::run()
{
    for (;;) {
        std::deque<Job> batch;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_stopping) {
                batch.swap(m_queue);
                lock.unlock();
                refuse(batch);
                return;
            }
            while (!m_queue.empty() && batch.size() < m_maxBatch) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
            m_busy = true;
        }
        runBatch(batch);
        batch.clear();
        std::lock_guard lock(m_mutex);
        m_busy = false;
    }
}

void CommitWriter::refuse(std::deque<Job> &jobs)
{
    for (auto &job : jobs) {
        try {
            if (job.done)
                job.done(hchat::v1::ERROR_SHUTTING_DOWN,
                         "the gateway is shutting down; send again after reconnecting");
        } catch (const std::exception &e) {
            std::fprintf(stderr, "hchat-gateway: completion failed: %s\n", e.what());
        }
    }
}

void CommitWriter::runBatch(std::deque<Job> &batch)
{
    struct Outcome {
        hchat::v1::ErrorCode code = hchat::v1::ERROR_CODE_UNSPECIFIED;
        std::string message;
    };
    std::vector<Outcome> outcomes(batch.size());
    const auto started = std::chrono::steady_clock::now();
    bool committed = false;
    std::string failure;
    try {
        m_store->beginWrite();
        for (std::size_t i = 0; i < batch.size(); ++i) {
            m_store->savepoint();
            try {
                batch[i].apply(*m_store);
                m_store->releaseSavepoint();
            } catch (const ProtocolError &e) {
                m_store->rollbackToSavepoint();
                outcomes[i] = {e.code(), e.what()};
            }
        }
        m_store->commit();
        committed = true;
    } catch (const std::exception &e) {
        failure = e.what();
        m_store->rollback();
    }
    m_metrics.observeStoreLatency(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (committed) {
        m_metrics.storeTransactions.fetch_add(1, std::memory_order_relaxed);
    } else {
        m_metrics.storeFailures.fetch_add(1, std::memory_order_relaxed);
        std::fprintf(stderr, "hchat-gateway: store transaction of %zu writes failed: %s\n", batch.size(),
                     failure.c_str());
        for (auto &o : outcomes)
            o = {hchat::v1::ERROR_STORAGE_FAILED, "the message store could not commit; nothing was stored"};
    }
    const auto answer = [&] {
        for (std::size_t i = 0; i < batch.size(); ++i) {
            try {
                if (batch[i].done)
                    batch[i].done(outcomes[i].code, outcomes[i].message);
            } catch (const std::exception &e) {
                std::fprintf(stderr, "hchat-gateway: completion failed: %s\n", e.what());
            }
        }
    };
    AnswerScope scope;
    {
        std::lock_guard lock(m_mutex);
        scope = m_answerScope;
    }
    if (scope)
        scope(answer);
    else
        answer();
}

} // namespace hchat::server
