#include "crypto/Sodium.h"

#include "crypto/CryptoLogging.h"

#include <sodium.h>

namespace hchat::crypto {

bool Sodium::ensureInitialized()
{
    // A function-local static is initialised exactly once, even with concurrent callers.
    static const bool ok = [] {
        const bool good = sodium_init() >= 0;
        if (!good)
            qCCritical(lcCrypto) << "libsodium failed to initialise; encryption is unavailable";
        return good;
    }();
    return ok;
}

} // namespace hchat::crypto
