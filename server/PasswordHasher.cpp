#include "PasswordHasher.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <exception>

namespace hchat::server {

PasswordHasher::PasswordHasher(std::size_t threads, bool interactiveCost, std::size_t perSource)
    : PasswordHasher(threads, interactiveCost ? Cost::Interactive : Cost::Moderate, perSource)
{
}

PasswordHasher::PasswordHasher(std::size_t threads, Cost cost, std::size_t perSource)
    : m_cost(cost), m_perSource(std::max<std::size_t>(1, perSource))
{
    for (std::size_t i = 0; i < threads; ++i)
        m_threads.emplace_back([this] { run(); });
    // Ready before the first unknown nick asks, so that even that one takes no longer.
    submit({}, [this] { dummyHash(); });
}

PasswordHasher::~PasswordHasher()
{
    stop();
}

bool PasswordHasher::idle()
{
    std::lock_guard lock(m_mutex);
    return m_held.empty(); // counts queued and running jobs
}

std::uint64_t PasswordHasher::submitted()
{
    std::lock_guard lock(m_mutex);
    return m_submitted;
}

void PasswordHasher::stop()
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

PasswordHasher::Queued PasswordHasher::submit(const std::string &source, Job job)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_queued >= kMaxQueued)
            return Queued::Full;
        auto &held = m_held[source];
        if (held >= m_perSource)
            return Queued::SourceBusy;
        ++held;
        auto &queue = m_queues[source];
        if (queue.empty())
            m_turns.push_back(source);
        queue.push_back(std::move(job));
        ++m_queued;
        ++m_submitted;
    }
    m_cv.notify_one();
    return Queued::Yes;
}

void PasswordHasher::run()
{
    for (;;) {
        Job job;
        std::string source;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stopping || !m_turns.empty(); });
            if (m_turns.empty())
                return; // stopping, and everything queued has been run
            source = std::move(m_turns.front());
            m_turns.pop_front();
            auto it = m_queues.find(source);
            job = std::move(it->second.front());
            it->second.pop_front();
            if (it->second.empty())
                m_queues.erase(it);
            else
                m_turns.push_back(source); // its next job waits for every other source's turn
            --m_queued;
        }
        try {
            job();
        } catch (const std::exception &e) {
            std::fprintf(stderr, "hchat-gateway: password job failed: %s\n", e.what());
        }
        std::lock_guard lock(m_mutex);
        if (auto it = m_held.find(source); it != m_held.end() && --it->second == 0)
            m_held.erase(it);
    }
}

std::string PasswordHasher::hashNow(std::string &password) const
{
    char out[crypto_pwhash_STRBYTES];
    const auto ops = m_cost == Cost::Minimal       ? crypto_pwhash_OPSLIMIT_MIN
                     : m_cost == Cost::Interactive ? crypto_pwhash_OPSLIMIT_INTERACTIVE
                                                   : crypto_pwhash_OPSLIMIT_MODERATE;
    const auto mem = m_cost == Cost::Minimal       ? crypto_pwhash_MEMLIMIT_MIN
                     : m_cost == Cost::Interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE
                                                   : crypto_pwhash_MEMLIMIT_MODERATE;
    const int rc = crypto_pwhash_str(out, password.data(), password.size(), ops, mem);
    sodium_memzero(password.data(), password.size());
    return rc == 0 ? std::string(out) : std::string();
}

const std::string &PasswordHasher::dummyHash()
{
    std::call_once(m_dummyOnce, [this] {
        std::string nothing = "no such user";
        m_dummy = hashNow(nothing);
    });
    return m_dummy;
}

PasswordHasher::Queued PasswordHasher::hash(const std::string &source, std::string password,
                                            std::function<void(std::optional<std::string>)> done)
{
    return submit(source, [this, password = std::move(password), done = std::move(done)]() mutable {
        std::string out = hashNow(password);
        if (out.empty())
            done(std::nullopt);
        else
            done(std::move(out));
    });
}

PasswordHasher::Queued PasswordHasher::verify(const std::string &source, std::string storedHash,
                                              std::string password, std::function<void(bool)> done)
{
    return submit(source, [storedHash = std::move(storedHash), password = std::move(password),
                           done = std::move(done)]() mutable {
        const bool ok = crypto_pwhash_str_verify(storedHash.c_str(), password.data(), password.size()) == 0;
        sodium_memzero(password.data(), password.size());
        done(ok);
    });
}

PasswordHasher::Queued PasswordHasher::verifyUnknown(const std::string &source, std::string password,
                                                     std::function<void(bool)> done)
{
    return submit(source, [this, password = std::move(password), done = std::move(done)]() mutable {
        const std::string &dummy = dummyHash();
        [[maybe_unused]] const int ignored =
            crypto_pwhash_str_verify(dummy.c_str(), password.data(), password.size());
        sodium_memzero(password.data(), password.size());
        done(false);
    });
}

} // namespace hchat::server
