#pragma once

#include "MessageStore.h"
#include "Metrics.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace hchat::server {

// The single writer. Write jobs queue up; one thread takes everything queued (up to a batch cap),
// runs each job in its own savepoint inside ONE transaction, commits, and only then tells each job
// how it ended (group commit: one fsync for many sends). If the commit fails, every job of the
// batch is told ERROR_STORAGE_FAILED and nothing of it is acknowledged.
class CommitWriter {
public:
    // Runs inside the transaction on the writer thread. Throw ProtocolError to refuse the job (its
    // writes are rolled back to its savepoint, the batch goes on).
    using Apply = std::function<void(MessageStore &)>;
    // Runs on the writer thread after the commit (or failure); ERROR_CODE_UNSPECIFIED = committed.
    // Must not block: post to a session's strand.
    using Done = std::function<void(hchat::v1::ErrorCode, const std::string &message)>;

    // maxQueued bounds the backlog: past it a job is answered ERROR_RATE_LIMITED at once (the
    // client sends it again later) instead of queueing without limit while the disk falls behind.
    CommitWriter(std::unique_ptr<MessageStore> store, Metrics &metrics, std::size_t maxBatch = 1024,
                 std::size_t maxQueued = 8192);
    ~CommitWriter();

    // Wraps the answering of each committed (or failed) batch: `answer` runs every job's Done, in
    // order, on the writer thread. The gateway collects what they send into a DeliveryOutbox here
    // and posts it once per I/O thread. Set before the first submit.
    using AnswerScope = std::function<void(const std::function<void()> &answer)>;
    void setAnswerScope(AnswerScope scope);

    // False when stopping: the job is neither run nor answered. When the queue is full the job
    // is not run and `done` is called before submit returns, with ERROR_RATE_LIMITED.
    bool submit(Apply apply, Done done);
    // Finishes the batch being committed, answers every job still queued with
    // ERROR_SHUTTING_DOWN (never run, never acknowledged: clients send them again after
    // reconnecting), then joins the writer thread. Bounded by one batch, whatever the backlog.
    void stop();
    // Nothing queued and no batch being committed or answered.
    bool idle();
    std::uint64_t submitted();

private:
    struct Job {
        Apply apply;
        Done done;
    };
    void run();
    void runBatch(std::deque<Job> &batch);
    static void refuse(std::deque<Job> &jobs);

    std::unique_ptr<MessageStore> m_store;
    Metrics &m_metrics;
    std::size_t m_maxBatch;
    std::size_t m_maxQueued;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Job> m_queue;
    bool m_stopping = false;
    bool m_busy = false;
    std::uint64_t m_submitted = 0; // a batch is out of the queue and not answered yet
    AnswerScope m_answerScope;
    std::thread m_thread;
};

} // namespace hchat::server
