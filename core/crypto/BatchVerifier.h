#pragma once

#include <QByteArray>
#include <QSemaphore>

#include <atomic>
#include <memory>
#include <vector>

namespace hchat::crypto {

// Checks the signatures of a batch's encrypted messages while the caller decrypts them in order
// (Ed25519 verification is most of an encrypted catch-up's work and needs no state): a pool
// thread takes the rows from the front; when the caller reaches a row nobody has taken yet, it
// checks that one itself, so both cores work until the batch is done. libsodium is thread-safe;
// the pool thread reads only copies made here.
class BatchVerifier {
public:
    // envelopes[i] is checked under keys[i] (empty key: nothing to check for that row).
    BatchVerifier(std::vector<QByteArray> envelopes, std::vector<QByteArray> keys);
    ~BatchVerifier(); // waits for the pool thread
    BatchVerifier(const BatchVerifier &) = delete;
    BatchVerifier &operator=(const BatchVerifier &) = delete;

    // The key row i's signature verified under, or empty (no key, or it does not verify).
    QByteArray verifiedKey(size_t i);

private:
    enum State : int { Unclaimed, Claimed, Done };
    void check(size_t i);
    void helperRun();

    std::vector<QByteArray> m_envelopes;
    std::vector<QByteArray> m_keys;
    std::unique_ptr<std::atomic<int>[]> m_state;
    std::unique_ptr<bool[]> m_valid; // written before Done is published
    QSemaphore m_helperDone;
    bool m_helped = false;
};

} // namespace hchat::crypto
