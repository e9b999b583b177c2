#include "PasswordHasher.h"

#include <sodium.h>

namespace hchat::server {

PasswordHasher::PasswordHasher(std::size_t threads, bool interactiveCost)
    : m_interactive(interactiveCost), m_pool(threads, 256)
{
}

bool PasswordHasher::hash(std::string password, std::function<void(std::optional<std::string>)> done)
{
    return m_pool.submit([this, password = std::move(password), done = std::move(done)](std::size_t) mutable {
        char out[crypto_pwhash_STRBYTES];
        const auto ops = m_interactive ? crypto_pwhash_OPSLIMIT_INTERACTIVE : crypto_pwhash_OPSLIMIT_MODERATE;
        const auto mem = m_interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE : crypto_pwhash_MEMLIMIT_MODERATE;
        const int rc = crypto_pwhash_str(out, password.data(), password.size(), ops, mem);
        sodium_memzero(password.data(), password.size());
        if (rc != 0)
            done(std::nullopt);
        else
            done(std::string(out));
    });
}

bool PasswordHasher::verify(std::string storedHash, std::string password, std::function<void(bool)> done)
{
    return m_pool.submit([storedHash = std::move(storedHash), password = std::move(password),
                          done = std::move(done)](std::size_t) mutable {
        const bool ok = crypto_pwhash_str_verify(storedHash.c_str(), password.data(), password.size()) == 0;
        sodium_memzero(password.data(), password.size());
        done(ok);
    });
}

} // namespace hchat::server
