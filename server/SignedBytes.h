#pragma once

#include <cstdint>
#include <string>

namespace hchat::server {

// Signed bytes as the client's CanonicalBytes builds them: a domain string, then each field as a
// 32-bit big-endian length and its bytes (integers as 4 or 8 big-endian bytes).
class SignedBytes {
public:
    explicit SignedBytes(const std::string &domain) { add(domain); }
    SignedBytes &add(const std::string &field);
    SignedBytes &u32(std::uint32_t v) { return bigEndian(v, 4); }
    SignedBytes &u64(std::uint64_t v) { return bigEndian(v, 8); }
    // An Ed25519 signature of these bytes by publicKey.
    bool verify(const std::string &signature, const std::string &publicKey) const;

private:
    SignedBytes &bigEndian(std::uint64_t v, int bytes);
    std::string m_bytes;
};

} // namespace hchat::server
