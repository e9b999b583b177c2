#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>

namespace hchat::crypto {

// A fixed-size block of secret bytes in sodium_malloc'd memory (guard pages, not swapped where
// the OS allows, wiped by sodium_free on destruction). Move-only, so a secret has one owner.
// A null buffer (allocation failed, or default-constructed) has size() 0.
//
// Allocation costs a few pages and syscalls: hold long-lived secrets (identity keys, sender keys)
// here, not per-message temporaries (those live on the stack and are wiped with sodium_memzero).
class SecureBuffer {
public:
    SecureBuffer() = default;
    explicit SecureBuffer(std::size_t size); // zero-filled
    ~SecureBuffer();
    SecureBuffer(SecureBuffer &&other) noexcept;
    SecureBuffer &operator=(SecureBuffer &&other) noexcept;
    SecureBuffer(const SecureBuffer &) = delete;
    SecureBuffer &operator=(const SecureBuffer &) = delete;

    static SecureBuffer random(std::size_t size);
    static SecureBuffer copyOf(QByteArrayView bytes);

    bool isNull() const { return m_data == nullptr; }
    std::size_t size() const { return m_size; }
    unsigned char *data() { return m_data; }
    const unsigned char *data() const { return m_data; }
    QByteArrayView view() const;
    SecureBuffer clone() const;
    bool equals(const SecureBuffer &other) const; // constant time for equal sizes

    // A plain QByteArray copy, for APIs that need one (QtKeychain). The caller should wipe it
    // with wipe() as soon as it has been handed on.
    QByteArray toByteArray() const;
    static void wipe(QByteArray &bytes);

private:
    unsigned char *m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace hchat::crypto
