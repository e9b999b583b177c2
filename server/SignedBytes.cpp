#include "SignedBytes.h"

#include <sodium.h>

namespace hchat::server {

SignedBytes &SignedBytes::add(const std::string &field)
{
    u32(std::uint32_t(field.size()));
    m_bytes += field;
    return *this;
}

SignedBytes &SignedBytes::bigEndian(std::uint64_t v, int bytes)
{
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
        m_bytes.push_back(char((v >> shift) & 0xff));
    return *this;
}

bool SignedBytes::verify(const std::string &signature, const std::string &publicKey) const
{
    return signature.size() == crypto_sign_BYTES && publicKey.size() == crypto_sign_PUBLICKEYBYTES &&
           crypto_sign_verify_detached(reinterpret_cast<const unsigned char *>(signature.data()),
                                       reinterpret_cast<const unsigned char *>(m_bytes.data()),
                                       m_bytes.size(),
                                       reinterpret_cast<const unsigned char *>(publicKey.data())) == 0;
}

} // namespace hchat::server
