#pragma once

#include "DeviceApproval.h"
#include "IncomingBatch.h"
#include "StoredMessage.h"
#include "crypto/TrustStore.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>

namespace hchat::crypto {
class ChannelCrypto;
class DeviceIdentity;
class IdentityStore;
} // namespace hchat::crypto

namespace hchat {

class AccountSession;
class GatewayHttp;
class GatewayRequests;
class HistoryStore;
class InboundCrypto;
class KeyForwarder;
class RecoveryBackup;
class MembershipPoster;
class Outbox;
class PrekeySupply;
class PushChannel;
class SyncEngine;

// End-to-end encryption on this device: loads (or makes) the device identity from its
// IdentityStore after each Welcome, opens the channel crypto in the profile, publishes the
// device's keys, fetches others' keys (batched), and owns the parts that act on received rows
// (InboundCrypto, the E2EE stage of the received path), signed membership (MembershipPoster),
// one-time prekeys (PrekeySupply) and the account's signed device list (DeviceApproval).
class E2eeCoordinator : public QObject {
    Q_OBJECT
public:
    E2eeCoordinator(HistoryStore *store, GatewayHttp *http, const PushChannel *push,
                    GatewayRequests *requests, Outbox *outbox, const SyncEngine *engine,
                    const AccountSession *account, QObject *parent = nullptr);
    ~E2eeCoordinator() override;

    crypto::ChannelCrypto *crypto() const { return m_crypto; }
    InboundCrypto *inbound() const { return m_inbound; }
    MembershipPoster *membership() const { return m_membership; }
    KeyForwarder *forwarder() const { return m_forwarder; }
    RecoveryBackup *recoveryBackup() const { return m_backup; }
    bool isReady() const;

    void setIdentityStore(std::unique_ptr<crypto::IdentityStore> store);
    crypto::IdentityStore *identityStore() const { return m_identityStore.get(); }
    void setProfileDirectory(const QString &dir);
    void loadIdentityNow();
    // A Welcome: publish the keys if the identity is open, else load it.
    void sessionStarted();
    // A stage of the received path (SyncEngine): the rows about to be stored, completed in place.
    void prepareBatch(IncomingBatch &batch);

    quint64 fetchKeys(const QStringList &nicks);
    void queueKeyFetch(const QString &nick);
    // The account's device list changed (DEVICES_CHANGED): its keys are fetched again.
    void ownDevicesChanged();
    bool acceptDevice(const QString &nick, const QString &deviceId);
    QString safetyNumber(const QString &nick) const;
    bool markVerified(const QString &nick, const QString &shownNumber, QString *error);
    crypto::TrustStore::State trustState(const QString &nick) const;

    DeviceApproval *deviceApproval() const { return m_deviceApproval; }
    quint64 approveDevice(const QString &deviceId, const QString &shownCode);
    // Before another device is revoked: the signed list without it (nothing to sign when the
    // identity is not open).
    void removeFromDeviceList(const QString &deviceId, DeviceApproval::Done done);

signals:
    void encryptionReady();
    void identityUnavailable(const QString &message);
    void messagesDecrypted(const QString &channel, const QList<quint64> &seqs);
    void messagesAmended(const QString &channel, const QList<quint64> &seqs);
    void deviceTrustChanged(const QString &nick, const QString &deviceId,
                            hchat::crypto::TrustStore::State state);
    void keysFetched(const QStringList &nicks);
    void errorOccurred(const QString &message);

private:
    void onIdentityLoaded(const QString &account, bool found);
    void openCrypto(crypto::DeviceIdentity identity);
    void publishKeys();

    HistoryStore *m_store;
    GatewayHttp *m_http;
    const PushChannel *m_push;
    GatewayRequests *m_requests;
    const AccountSession *m_account;
    std::unique_ptr<crypto::IdentityStore> m_identityStore;
    crypto::ChannelCrypto *m_crypto;
    InboundCrypto *m_inbound;
    MembershipPoster *m_membership;
    PrekeySupply *m_prekeySupply;
    KeyForwarder *m_forwarder;
    RecoveryBackup *m_backup;
    DeviceApproval *m_deviceApproval;
    QString m_dataDir;
    bool m_identityLoading = false;
    QSet<QString> m_keyFetchQueue;
    QTimer m_keyFetchTimer; // gathers the nicks of a burst into one request
};

} // namespace hchat
