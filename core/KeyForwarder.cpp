#include "KeyForwarder.h"

#include "CoreLogging.h"
#include "HistoryStore.h"
#include "Outbox.h"
#include "crypto/ChannelCrypto.h"

namespace hchat {

KeyForwarder::KeyForwarder(HistoryStore *store, Outbox *outbox, crypto::ChannelCrypto *crypto,
                           QObject *parent)
    : QObject(parent), m_store(store), m_outbox(outbox), m_crypto(crypto)
{
}

void KeyForwarder::catchUp()
{
    if (!m_crypto->isOpen())
        return;
    for (const crypto::TrustStore::Device &d : m_crypto->trust().devices(m_crypto->nick()))
        onDeviceTrustChanged(d.nick, d.deviceId, d.state());
}

void KeyForwarder::onDeviceTrustChanged(const QString &nick, const QString &deviceId,
                                        crypto::TrustStore::State state)
{
    using State = crypto::TrustStore::State;
    if (!m_crypto->isOpen() || nick.compare(m_crypto->nick(), Qt::CaseInsensitive) != 0 ||
        deviceId == m_crypto->deviceId() || (state != State::Trusted && state != State::Verified))
        return;
    if (m_store->settings().forwardedDevices().contains(deviceId))
        return;
    forwardTo(deviceId);
}

void KeyForwarder::forwardTo(const QString &deviceId)
{
    const QList<crypto::ChannelCrypto::OutgoingShare> shares = m_crypto->forwardHeldSessions(deviceId);
    if (shares.isEmpty())
        return; // not on the account's list, or nothing held yet: asked again on the next change
    // Queued before they are remembered as sent: a crash in between forwards again (a session
    // received twice is kept once).
    int queued = 0;
    for (const auto &share : shares) {
        QString error;
        if (m_outbox->enqueue(share.stream, share.clientMsgId, share.body, MessageKind::KeyShare, false, {},
                              &error) == 0) {
            qCWarning(lcClient).noquote()
                << "could not queue a forwarded key for" << deviceId << ":" << error;
            return;
        }
        ++queued;
    }
    QStringList done = m_store->settings().forwardedDevices();
    done.append(deviceId);
    m_store->settings().setForwardedDevices(done);
    emit forwarded(deviceId, queued);
}

} // namespace hchat
