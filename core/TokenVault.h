#pragma once

#include <QObject>
#include <QString>

namespace hchat {

// Where the session token lives. Asynchronous, because OS keychains are: each call answers with
// exactly one signal (tokenRead / tokenWritten / tokenRemoved, or vaultError). The production
// implementation is KeychainTokenVault; tests that are not about the keychain use
// MemoryTokenVault. `account` names the entry (Client uses "<nick>@<host:port>").
class TokenVault : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~TokenVault() override = default;

    virtual void readToken(const QString &account) = 0;
    virtual void writeToken(const QString &account, const QString &token) = 0;
    virtual void removeToken(const QString &account) = 0;

signals:
    void tokenRead(const QString &account, const QString &token); // empty: nothing stored
    void tokenWritten(const QString &account);
    void tokenRemoved(const QString &account);
    void vaultError(const QString &account, const QString &message);
};

} // namespace hchat
