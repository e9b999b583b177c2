#include "crypto/IdentityStore.h"

namespace hchat::crypto {

IdentityStore::~IdentityStore() = default;

std::optional<DeviceIdentity> IdentityStore::takeIdentity(const QString &account)
{
    auto it = m_loaded.find(account);
    if (it == m_loaded.end())
        return std::nullopt;
    std::optional<DeviceIdentity> id(std::move(it->second));
    m_loaded.erase(it);
    return id;
}

void IdentityStore::deliverLoaded(const QString &account, std::optional<DeviceIdentity> identity)
{
    m_loaded.erase(account);
    const bool found = identity.has_value();
    if (found)
        m_loaded.emplace(account, std::move(*identity));
    emit identityLoaded(account, found);
}

} // namespace hchat::crypto
