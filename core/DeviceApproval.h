#pragma once

#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

namespace hchat {

class GatewayHttp;
namespace crypto {
class ChannelCrypto;
class DeviceList;
} // namespace crypto

// This account's signed device list, from this device's side (crypto::DeviceList):
//   - the account's first device publishes the first list (itself, and the devices of the account
//     it already trusted before lists existed);
//   - a device that is not on the list waits (state Waiting) and shows its approval code; once
//     another device of the account puts it on the list, it is Approved;
//   - an approved device asks its user about each device of the account that waits
//     (approvalRequested, with the code that device shows) and, when the user confirms the code,
//     publishes the list with it (approve); removing a device publishes the list without it.
// The gateway keeps the newest list and pushes DevicesChanged to the account's sessions, which
// then fetch the own account's keys again (refetch) and call ownKeysFetched().
class DeviceApproval : public QObject {
    Q_OBJECT
public:
    enum class State { Unknown, Approved, Waiting };
    Q_ENUM(State)
    using Done = std::function<void(bool ok, const QString &error)>;

    DeviceApproval(GatewayHttp *http, crypto::ChannelCrypto *crypto, std::function<void()> refetchOwnKeys,
                   QObject *parent = nullptr);

    // The device keys are published: look at the account's list.
    void start();
    // The own account's keys and list were fetched and applied.
    void ownKeysFetched();

    State state() const { return m_state; }
    // The code this device shows while it waits (empty before encryption is set up).
    QString ownCode() const;
    // Devices of this account waiting for approval (by this device's knowledge).
    QStringList waitingDevices() const;
    QString codeOf(const QString &deviceId) const;

    // shownCode: the code the user compared with the other screen; refused if it is not that
    // device's code.
    void approve(const QString &deviceId, const QString &shownCode, Done done);
    // Publishes the list without deviceId (a revocation the peers can check); done(true) at once
    // when the list does not hold it.
    void removeFromList(const QString &deviceId, Done done);

signals:
    void stateChanged(hchat::DeviceApproval::State state);
    void approvalRequested(const QString &deviceId, const QString &code);

private:
    void publish(const crypto::DeviceList &list, Done done);
    void setState(State state);

    GatewayHttp *m_http;
    crypto::ChannelCrypto *m_crypto;
    std::function<void()> m_refetch;
    State m_state = State::Unknown;
    bool m_started = false;
    bool m_publishingFirst = false;
    bool m_firstListTried = false;
    QSet<QString> m_announced;
};

} // namespace hchat
