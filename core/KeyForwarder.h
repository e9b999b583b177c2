#pragma once

#include "crypto/TrustStore.h"

#include <QObject>
#include <QString>

namespace hchat {

class HistoryStore;
class Outbox;
namespace crypto {
class ChannelCrypto;
}

// Issue 22: a new device of this account reads the encrypted history from before it existed.
// Once a device of the account is on its signed device list and trusted here, this device hands
// it every session it holds, from the earliest index it kept (ChannelCrypto::forwardHeldSessions),
// through the new device's inbox; once per device, remembered in the profile. Sessions made later
// reach it as key shares to any member device do.
class KeyForwarder : public QObject {
    Q_OBJECT
public:
    KeyForwarder(HistoryStore *store, Outbox *outbox, crypto::ChannelCrypto *crypto,
                 QObject *parent = nullptr);

    // Encryption is ready on this device: forward to trusted devices of the account not served yet
    // (an approval that happened while this device was closed, or a forward cut short).
    void catchUp();
    void onDeviceTrustChanged(const QString &nick, const QString &deviceId, crypto::TrustStore::State state);

signals:
    // deviceId got `sessions` forwarded sessions queued for its inbox.
    void forwarded(const QString &deviceId, int sessions);

private:
    void forwardTo(const QString &deviceId);

    HistoryStore *m_store;
    Outbox *m_outbox;
    crypto::ChannelCrypto *m_crypto;
};

} // namespace hchat
