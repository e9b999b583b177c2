#include "DeviceApproval.h"

#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/DeviceList.h"
#include "hchat.pb.h"

namespace hchat {

DeviceApproval::DeviceApproval(GatewayHttp *http, crypto::ChannelCrypto *crypto, std::function<void()> refetchOwnKeys,
                               QObject *parent)
    : QObject(parent), m_http(http), m_crypto(crypto), m_refetch(std::move(refetchOwnKeys))
{
}

void DeviceApproval::start()
{
    m_started = true;
    m_firstListTried = false;
    m_refetch();
}

QString DeviceApproval::ownCode() const
{
    const auto *identity = m_crypto->identity();
    return identity ? crypto::DeviceList::approvalCode(identity->identityKey()) : QString();
}

QStringList DeviceApproval::waitingDevices() const
{
    QStringList out;
    const auto list = m_crypto->deviceList(m_crypto->nick());
    if (!list)
        return out;
    for (const auto &d : m_crypto->trust().devices(m_crypto->nick()))
        if (!d.revoked && d.trustedKey.isEmpty() && !d.pendingKey.isEmpty() && !list->contains(d.deviceId) &&
            d.deviceId != m_crypto->deviceId())
            out << d.deviceId;
    return out;
}

QString DeviceApproval::codeOf(const QString &deviceId) const
{
    for (const auto &d : m_crypto->trust().devices(m_crypto->nick()))
        if (d.deviceId == deviceId)
            return crypto::DeviceList::approvalCode(d.trustedKey.isEmpty() ? d.pendingKey : d.trustedKey);
    return {};
}

void DeviceApproval::ownKeysFetched()
{
    if (!m_started || !m_crypto->identity())
        return;
    const auto list = m_crypto->deviceList(m_crypto->nick()); // taken only when it names this device
    const auto &without = m_crypto->ownListWithoutThisDevice();
    if (without && (!list || without->generation() > list->generation())) {
        setState(State::Waiting);
        return;
    }
    if (!list) {
        // No list yet: this is the account's first device (or the first with lists). Tried once
        // per connection: a gateway that refuses it and hides the stored list gets no loop.
        if (m_publishingFirst || m_firstListTried)
            return;
        m_firstListTried = true;
        QString error;
        const auto first = m_crypto->makeOwnDeviceList({}, {}, &error);
        if (!first) {
            qCWarning(lcClient).noquote() << "could not make the account's first device list:" << error;
            return;
        }
        m_publishingFirst = true;
        publish(*first, [this](bool, const QString &) { m_publishingFirst = false; });
        return;
    }
    const bool onIt = list->keyOf(m_crypto->deviceId()) == m_crypto->identity()->identityKey();
    setState(onIt ? State::Approved : State::Waiting);
    if (!onIt)
        return;
    for (const QString &id : waitingDevices()) {
        if (m_announced.contains(id))
            continue;
        m_announced.insert(id);
        emit approvalRequested(id, codeOf(id));
    }
}

void DeviceApproval::approve(const QString &deviceId, const QString &shownCode, Done done)
{
    if (m_state != State::Approved)
        return done(false, tr("This device is not approved itself yet, so it cannot approve others."));
    if (!waitingDevices().contains(deviceId))
        return done(false, tr("No device %1 is waiting for approval.").arg(deviceId));
    auto digits = [](QString s) { return s.remove(QLatin1Char(' ')); };
    if (digits(shownCode) != digits(codeOf(deviceId)))
        return done(false, tr("The code does not match that device's code; it was not approved."));
    QString error;
    const auto list = m_crypto->makeOwnDeviceList({deviceId}, {}, &error);
    if (!list)
        return done(false, error);
    publish(*list, std::move(done));
}

void DeviceApproval::removeFromList(const QString &deviceId, Done done)
{
    const auto held = m_crypto->deviceList(m_crypto->nick());
    if (!held || !held->contains(deviceId) || m_state != State::Approved)
        return done(true, {});
    QString error;
    const auto list = m_crypto->makeOwnDeviceList({}, {deviceId}, &error);
    if (!list)
        return done(false, error);
    publish(*list, std::move(done));
}

void DeviceApproval::publish(const crypto::DeviceList &list, Done done)
{
    hchat::v1::SignedDeviceList proto;
    list.toProto(&proto);
    const quint64 generation = list.generation();
    m_http->post(QStringLiteral("/v1/keys/devicelist"), proto, [this, generation, done](const GatewayHttp::Result &r) {
        if (r.ok)
            qCInfo(lcClient) << "published the account's device list, generation" << generation;
        else
            qCWarning(lcClient).noquote() << "publishing the device list failed:" << r.error;
        m_refetch(); // the stored list, ours or a newer one, decides
        if (done)
            done(r.ok, r.ok ? QString() : tr("Could not publish the device list: %1").arg(r.error));
    });
}

void DeviceApproval::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    qCInfo(lcClient) << "device approval" << state;
    emit stateChanged(state);
}

} // namespace hchat
