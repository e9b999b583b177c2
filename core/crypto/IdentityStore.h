#pragma once

#include "crypto/DeviceIdentity.h"

#include <QObject>
#include <QString>

#include <map>
#include <optional>

namespace hchat::crypto {

// Where a device identity's secret is kept at rest, per account ("<nick>@<host:port>", as
// Client::accountKey()). Asynchronous: every call ends with exactly one signal for that account —
// identityLoaded / identitySaved / identityRemoved, or identityError with a message for the user.
// A loaded identity is handed over by takeIdentity() (it is move-only and secret, so it does not
// travel through signal arguments).
class IdentityStore : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~IdentityStore() override;

    virtual void loadIdentity(const QString &account) = 0;
    virtual void saveIdentity(const QString &account, const DeviceIdentity &identity) = 0;
    virtual void removeIdentity(const QString &account) = 0;

    // The identity of the last identityLoaded(account, true); nullopt once taken or if none.
    std::optional<DeviceIdentity> takeIdentity(const QString &account);

signals:
    void identityLoaded(const QString &account, bool found);
    void identitySaved(const QString &account);
    void identityRemoved(const QString &account);
    void identityError(const QString &account, const QString &message);

protected:
    // Keeps the identity for takeIdentity() and emits identityLoaded.
    void deliverLoaded(const QString &account, std::optional<DeviceIdentity> identity);

private:
    std::map<QString, DeviceIdentity> m_loaded;
};

} // namespace hchat::crypto
