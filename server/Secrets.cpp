#include "Secrets.h"

#include <sodium.h>

namespace hchat::server {
namespace {
std::string randomHex(std::size_t bytes)
{
    unsigned char raw[64];
    randombytes_buf(raw, bytes);
    std::string hex(bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), raw, bytes);
    hex.pop_back();
    return hex;
}
} // namespace

std::string Secrets::newToken()
{
    return randomHex(32);
}
std::string Secrets::newDeviceId()
{
    return randomHex(16);
}

std::string Secrets::newUploadId()
{
    return randomHex(16);
}

std::string Secrets::tokenHash(const std::string &token)
{
    unsigned char out[32];
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char *>(token.data()), token.size(),
                       nullptr, 0);
    return std::string(reinterpret_cast<const char *>(out), sizeof out);
}

} // namespace hchat::server
