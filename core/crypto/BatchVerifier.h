#pragma once

#include <QByteArray>
#include <QSemaphore>

#include <atomic>
#include <memory>
#include <vector>

namespace hchat::crypto {

// Checks the signatures of a batch's encrypted messages while the caller decrypts them in order
// (Ed25519 verification is most of an encrypted catch-up's work and needs no state). Rows are
// taken in order from one shared cursor by a pool thread and by the caller: when the caller needs
// a row that is not checked yet, it checks the next row nobody has taken instead of waiting, so
// both cores verify until the batch is done. libsodium is thread-safe; the pool thread reads only
// copies made here.
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
    // Takes the next row from the cursor and checks it; false when none is left.
    bool checkNext();
    void helperRun();

    std::vector<QByteArray> m_envelopes;
    std::vector<QByteArray> m_keys;
    std::atomic<size_t> m_cursor{0};
    std::unique_ptr<std::atomic<int>[]> m_done; // 1 once m_valid[i] is written
    std::unique_ptr<bool[]> m_valid;            // written before Done is published
    QSemaphore m_helperDone;
    bool m_helped = false;
};

} // namespace hchat::crypto
