#pragma once

#include "TokenVault.h"

#include <QHash>

namespace hchat {

// A TokenVault that keeps tokens in memory only (tests, and the headless probe). Answers are
// queued, like a real keychain's.
class MemoryTokenVault : public TokenVault {
    Q_OBJECT
public:
    using TokenVault::TokenVault;

    void readToken(const QString &account) override;
    void writeToken(const QString &account, const QString &token) override;
    void removeToken(const QString &account) override;

    QHash<QString, QString> tokens() const { return m_tokens; }

private:
    QHash<QString, QString> m_tokens;
};

} // namespace hchat
