#include "crypto/BatchVerifier.h"

#include "crypto/MessageCrypto.h"

#include <QThreadPool>

namespace hchat::crypto {

BatchVerifier::BatchVerifier(std::vector<QByteArray> envelopes, std::vector<QByteArray> keys)
    : m_envelopes(std::move(envelopes)), m_keys(std::move(keys)),
      m_state(std::make_unique<std::atomic<int>[]>(m_keys.size())),
      m_valid(std::make_unique<bool[]>(m_keys.size()))
{
    size_t work = 0;
    for (size_t i = 0; i < m_keys.size(); ++i) {
        m_valid[i] = false;
        const bool none = m_keys[i].isEmpty();
        m_state[i].store(none ? Done : Unclaimed, std::memory_order_relaxed);
        work += none ? 0 : 1;
    }
    if (work > 1)
        m_helped = QThreadPool::globalInstance()->tryStart([this] {
            helperRun();
            m_helperDone.release();
        });
}

BatchVerifier::~BatchVerifier()
{
    // Rows the caller never asked for are left to the helper; it stops at the end of the batch.
    if (m_helped)
        m_helperDone.acquire();
}

void BatchVerifier::helperRun()
{
    for (size_t i = 0; i < m_keys.size(); ++i)
        check(i);
}

void BatchVerifier::check(size_t i)
{
    int expected = Unclaimed;
    if (!m_state[i].compare_exchange_strong(expected, Claimed, std::memory_order_acquire))
        return;
    m_valid[i] = MessageCrypto::signatureValid(m_envelopes[i], m_keys[i]);
    m_state[i].store(Done, std::memory_order_release);
    m_state[i].notify_all();
}

QByteArray BatchVerifier::verifiedKey(size_t i)
{
    if (i >= m_keys.size())
        return {};
    check(i); // nobody took it yet: this thread checks it
    for (int s = m_state[i].load(std::memory_order_acquire); s != Done;
         s = m_state[i].load(std::memory_order_acquire))
        m_state[i].wait(s, std::memory_order_acquire); // the helper is checking it
    return m_valid[i] ? m_keys[i] : QByteArray();
}

} // namespace hchat::crypto
