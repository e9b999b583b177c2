#include "crypto/BatchVerifier.h"

#include "crypto/MessageCrypto.h"

#include <QThreadPool>

namespace hchat::crypto {

BatchVerifier::BatchVerifier(std::vector<QByteArray> envelopes, std::vector<QByteArray> keys)
    : m_envelopes(std::move(envelopes)), m_keys(std::move(keys)),
      m_done(std::make_unique<std::atomic<int>[]>(m_keys.size())),
      m_valid(std::make_unique<bool[]>(m_keys.size()))
{
    size_t work = 0;
    for (size_t i = 0; i < m_keys.size(); ++i) {
        m_valid[i] = false;
        m_done[i].store(0, std::memory_order_relaxed);
        work += m_keys[i].isEmpty() ? 0 : 1;
    }
    if (work > 1)
        m_helped = QThreadPool::globalInstance()->tryStart([this] {
            helperRun();
            m_helperDone.release();
        });
}

BatchVerifier::~BatchVerifier()
{
    if (m_helped)
        m_helperDone.acquire();
}

void BatchVerifier::helperRun()
{
    while (checkNext()) {
    }
}

bool BatchVerifier::checkNext()
{
    const size_t i = m_cursor.fetch_add(1, std::memory_order_relaxed);
    if (i >= m_keys.size())
        return false;
    m_valid[i] = !m_keys[i].isEmpty() && MessageCrypto::signatureValid(m_envelopes[i], m_keys[i]);
    m_done[i].store(1, std::memory_order_release);
    m_done[i].notify_all();
    return true;
}

QByteArray BatchVerifier::verifiedKey(size_t i)
{
    if (i >= m_keys.size())
        return {};
    // Rows are taken in order, so row i is either taken (being checked) or will be by this loop.
    while (m_done[i].load(std::memory_order_acquire) == 0) {
        if (!checkNext())
            m_done[i].wait(0, std::memory_order_acquire); // the helper is checking it
    }
    return m_valid[i] ? m_keys[i] : QByteArray();
}

} // namespace hchat::crypto
