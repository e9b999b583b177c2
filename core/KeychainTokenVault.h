#pragma once

#include "TokenVault.h"

namespace hchat {

// The session token in the OS keychain through QtKeychain (Secret Service / KWallet on Linux,
// Keychain on macOS, Credential Store on Windows). The insecure plain-text fallback is OFF: with
// no keychain, vaultError() says so and nothing is written anywhere.
class KeychainTokenVault : public TokenVault {
    Q_OBJECT
public:
    explicit KeychainTokenVault(const QString &service = QStringLiteral("HChat"), QObject *parent = nullptr);

    void readToken(const QString &account) override;
    void writeToken(const QString &account, const QString &token) override;
    void removeToken(const QString &account) override;

    QString service() const { return m_service; }

private:
    QString m_service;
};

} // namespace hchat
