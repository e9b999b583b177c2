#pragma once

#include "crypto/IdentityStore.h"

namespace hchat::crypto {

// The identity secret in the OS keychain through QtKeychain (Secret Service / KWallet on Linux).
// The insecure plain-text fallback is OFF: with no keychain, identityError says so and nothing is
// written anywhere — the caller then offers PassphraseIdentityStore.
// Entry: service "HChat", key "device-identity:<account>", binary data "HCID" 0x01 ‖ 64-byte secret.
class KeychainIdentityStore : public IdentityStore {
    Q_OBJECT
public:
    explicit KeychainIdentityStore(const QString &service = QStringLiteral("HChat"), QObject *parent = nullptr);

    void loadIdentity(const QString &account) override;
    void saveIdentity(const QString &account, const DeviceIdentity &identity) override;
    void removeIdentity(const QString &account) override;

    static QString entryKey(const QString &account);

private:
    QString m_service;
};

} // namespace hchat::crypto
