#include "E2eeCoordinator.h"

#include "AccountSession.h"
#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "GatewayRequests.h"
#include "HistoryStore.h"
#include "InboundCrypto.h"
#include "KeyForwarder.h"
#include "MembershipPoster.h"
#include "PrekeySupply.h"
#include "PushChannel.h"
#include "RecoveryBackup.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/IdentityStore.h"
#include "crypto/SafetyNumber.h"
#include "hchat.pb.h"

#include <QPointer>

namespace hchat {

E2eeCoordinator::E2eeCoordinator(HistoryStore *store, GatewayHttp *http, const PushChannel *push,
                                 GatewayRequests *requests, Outbox *outbox, const SyncEngine *engine,
                                 const AccountSession *account, QObject *parent)
    : QObject(parent), m_store(store), m_http(http), m_push(push), m_requests(requests), m_account(account),
      m_crypto(new crypto::ChannelCrypto(this)), m_inbound(new InboundCrypto(store, m_crypto, engine, this)),
      m_membership(new MembershipPoster(store, outbox, m_crypto, this)),
      m_prekeySupply(new PrekeySupply(http, m_crypto, this)),
      m_forwarder(new KeyForwarder(store, outbox, m_crypto, this)),
      m_backup(new RecoveryBackup(http, m_crypto, this)),
      m_deviceApproval(new DeviceApproval(
          http, m_crypto, [this] { fetchKeys({m_account->nick()}); }, this))
{
    connect(m_crypto, &crypto::ChannelCrypto::membershipNeedsKeys, this, &E2eeCoordinator::queueKeyFetch);
    connect(m_crypto, &crypto::ChannelCrypto::messagesUnblocked, m_inbound,
            &InboundCrypto::onMessagesUnblocked);
    connect(m_crypto, &crypto::ChannelCrypto::deviceTrustChanged, this, &E2eeCoordinator::deviceTrustChanged);
    connect(m_crypto, &crypto::ChannelCrypto::deviceTrustChanged, m_forwarder,
            &KeyForwarder::onDeviceTrustChanged);
    connect(m_inbound, &InboundCrypto::messagesDecrypted, this, &E2eeCoordinator::messagesDecrypted);
    connect(m_inbound, &InboundCrypto::messagesAmended, this, &E2eeCoordinator::messagesAmended);
    connect(m_inbound, &InboundCrypto::keysWanted, this, &E2eeCoordinator::queueKeyFetch);
    connect(
        m_inbound, &InboundCrypto::genesisDue, m_membership,
        [this](const QString &channel) { m_membership->postGenesis(channel); }, Qt::QueuedConnection);
    m_store->setSignedModeratorCheck([crypto = QPointer<crypto::ChannelCrypto>(m_crypto)](
                                         const QString &channel, const QString &deleter, quint64 seq) {
        return crypto && crypto->wasModeratorAt(channel, deleter, seq);
    });
    m_keyFetchTimer.setSingleShot(true);
    m_keyFetchTimer.setInterval(20);
    connect(&m_keyFetchTimer, &QTimer::timeout, this, [this] {
        QStringList nicks(m_keyFetchQueue.cbegin(), m_keyFetchQueue.cend());
        m_keyFetchQueue.clear();
        if (!nicks.isEmpty())
            fetchKeys(nicks);
    });
}

void E2eeCoordinator::setProfileDirectory(const QString &dir)
{
    m_dataDir = dir;
    m_backup->setProfileDirectory(dir);
}

E2eeCoordinator::~E2eeCoordinator()
{
    // No signals from a half-destroyed coordinator.
    m_crypto->disconnect(this);
    if (m_identityStore)
        m_identityStore->disconnect(this);
}

bool E2eeCoordinator::isReady() const
{
    return m_crypto->isOpen();
}

void E2eeCoordinator::prepareBatch(IncomingBatch &batch)
{
    m_inbound->prepare(batch);
}

void E2eeCoordinator::setIdentityStore(std::unique_ptr<crypto::IdentityStore> owned)
{
    if (m_identityStore) {
        m_identityStore->disconnect(this);
        // It may be the sender of what is running now; parented, it still goes with this object
        // if no event loop runs again.
        crypto::IdentityStore *old = m_identityStore.release();
        old->setParent(this);
        old->deleteLater();
    }
    m_identityStore = std::move(owned);
    m_identityLoading = false;
    crypto::IdentityStore *store = m_identityStore.get();
    if (!store)
        return;
    connect(store, &crypto::IdentityStore::identityLoaded, this, &E2eeCoordinator::onIdentityLoaded);
    connect(store, &crypto::IdentityStore::identityError, this,
            [this](const QString &account, const QString &message) {
                if (account != m_account->accountKey() || !m_identityLoading)
                    return;
                m_identityLoading = false;
                qCWarning(lcClient).noquote() << "device identity unavailable:" << message;
                emit identityUnavailable(message);
            });
}

void E2eeCoordinator::loadIdentityNow()
{
    if (!m_identityStore || isReady() || m_identityLoading || m_account->nick().isEmpty() ||
        m_account->deviceId().isEmpty())
        return;
    m_identityLoading = true;
    m_identityStore->loadIdentity(m_account->accountKey());
}

void E2eeCoordinator::sessionStarted()
{
    if (isReady())
        publishKeys();
    else
        loadIdentityNow();
}

void E2eeCoordinator::onIdentityLoaded(const QString &account, bool found)
{
    if (account != m_account->accountKey() || !m_identityLoading)
        return;
    m_identityLoading = false;
    std::optional<crypto::DeviceIdentity> id = found ? m_identityStore->takeIdentity(account) : std::nullopt;
    if (!id) {
        id = crypto::DeviceIdentity::generate();
        if (!id) {
            emit errorOccurred(tr("Could not create a device identity."));
            return;
        }
        qCInfo(lcClient) << "made a new device identity";
        m_identityStore->saveIdentity(account, *id);
    }
    openCrypto(std::move(*id));
}

void E2eeCoordinator::openCrypto(crypto::DeviceIdentity identity)
{
    if (!m_crypto->open(m_dataDir, std::move(identity), m_account->nick(), m_account->deviceId())) {
        qCWarning(lcClient).noquote() << "E2EE state could not be opened:" << m_crypto->lastError();
        emit errorOccurred(tr("End-to-end encryption could not start: %1").arg(m_crypto->lastError()));
        return;
    }
    // What arrived before the identity was here: memberships first, then the inbox.
    m_inbound->catchUp();
    QStringList nicks;
    for (const ChannelRecord &c : m_store->channels(true))
        if (c.encrypted)
            nicks << m_crypto->members(c.name);
    for (const QString &n : nicks)
        queueKeyFetch(n);
    if (m_push->isConnected())
        publishKeys();
    qCInfo(lcClient) << "end-to-end encryption ready";
    m_forwarder->catchUp();
    m_backup->cryptoReady();
    emit encryptionReady();
}

void E2eeCoordinator::publishKeys()
{
    hchat::v1::DeviceKeys keys;
    m_crypto->fillPublishRecord(&keys);
    m_http->post(QStringLiteral("/v1/keys/publish"), keys, [this](const GatewayHttp::Result &r) {
        if (!r.ok) {
            qCWarning(lcClient).noquote() << "publishing the device keys failed:" << r.error;
            emit errorOccurred(tr("Could not publish this device's keys: %1").arg(r.error));
            return;
        }
        m_prekeySupply->start();
        m_deviceApproval->start();
    });
}

quint64 E2eeCoordinator::approveDevice(const QString &deviceId, const QString &shownCode)
{
    const quint64 id = m_requests->nextId();
    if (!isReady()) {
        m_requests->finishLater(id, false, tr("Encryption is not ready."));
        return id;
    }
    m_deviceApproval->approve(deviceId, shownCode, [this, id](bool ok, const QString &error) {
        m_requests->finishLater(id, ok, error);
    });
    return id;
}

void E2eeCoordinator::removeFromDeviceList(const QString &deviceId, DeviceApproval::Done done)
{
    if (isReady())
        m_deviceApproval->removeFromList(deviceId, std::move(done));
    else
        done(true, {});
}

void E2eeCoordinator::ownDevicesChanged()
{
    if (isReady())
        fetchKeys({m_account->nick()});
}

quint64 E2eeCoordinator::fetchKeys(const QStringList &nicks)
{
    const quint64 id = m_requests->nextId();
    hchat::v1::KeysRequest req;
    QStringList asked;
    for (const QString &n : nicks) {
        if (n.isEmpty() || asked.contains(n, Qt::CaseInsensitive))
            continue;
        asked << n;
        req.add_nicks(n.toStdString());
    }
    if (asked.isEmpty() || !isReady()) {
        m_requests->finishLater(id, asked.isEmpty(),
                                asked.isEmpty() ? QString() : tr("Encryption is not ready."));
        return id;
    }
    m_http->post(QStringLiteral("/v1/keys/fetch"), req, [this, id, asked](const GatewayHttp::Result &r) {
        hchat::v1::KeysResponse resp;
        bool ok = r.ok && resp.ParseFromArray(r.body.constData(), static_cast<int>(r.body.size()));
        if (ok) {
            m_crypto->applyDeviceKeys(resp, asked);
            m_inbound->retryKeyShares();
            if (asked.contains(m_account->nick(), Qt::CaseInsensitive))
                m_deviceApproval->ownKeysFetched();
            emit keysFetched(asked);
        } else {
            qCWarning(lcClient).noquote() << "key fetch failed:" << r.error;
        }
        m_requests->finish(
            id, ok,
            ok ? QString() : (r.error.isEmpty() ? tr("The key directory's answer did not parse.") : r.error));
    });
    return id;
}

void E2eeCoordinator::queueKeyFetch(const QString &nick)
{
    if (nick.isEmpty() || !isReady())
        return;
    m_keyFetchQueue.insert(nick.toLower());
    if (!m_keyFetchTimer.isActive())
        m_keyFetchTimer.start();
}

bool E2eeCoordinator::acceptDevice(const QString &nick, const QString &deviceId)
{
    return isReady() && m_crypto->trust().accept(nick, deviceId);
}

QString E2eeCoordinator::safetyNumber(const QString &nick) const
{
    if (!isReady())
        return {};
    const QString own = m_account->nick();
    QList<QByteArray> mine{m_crypto->identity()->identityKey()};
    for (const QByteArray &key : m_crypto->trust().safetyKeys(own))
        if (!mine.contains(key))
            mine << key;
    const QList<QByteArray> theirs = m_crypto->trust().safetyKeys(nick);
    if (theirs.isEmpty())
        return {};
    return crypto::SafetyNumber::compute(own, mine, nick, theirs);
}

bool E2eeCoordinator::markVerified(const QString &nick, const QString &shownNumber, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (!isReady())
        return fail(tr("End-to-end encryption is not ready on this device yet."));
    if (shownNumber.isEmpty() || safetyNumber(nick) != shownNumber)
        return fail(
            tr("The keys of %1 changed since this number was shown: compare the new number.").arg(nick));
    if (!m_crypto->trust().markUserVerified(nick, m_crypto->trust().safetyKeys(nick)))
        return fail(tr("No trusted device of %1 to mark as verified.").arg(nick));
    return true;
}

crypto::TrustStore::State E2eeCoordinator::trustState(const QString &nick) const
{
    using S = crypto::TrustStore::State;
    if (!isReady())
        return S::Unknown;
    const auto devices = m_crypto->trust().devices(nick);
    if (devices.isEmpty())
        return S::Unknown;
    auto rank = [](S s) {
        switch (s) {
        case S::Changed:
            return 0;
        case S::NewDevice:
            return 1;
        case S::Unknown:
            return 2;
        case S::Trusted:
            return 3;
        case S::Verified:
            return 4;
        case S::Revoked:
            return 5; // gone from the account: says nothing about the others
        }
        return 2;
    };
    S worst = S::Revoked;
    for (const auto &d : devices)
        if (rank(d.state()) < rank(worst))
            worst = d.state();
    return worst == S::Revoked ? S::Unknown : worst;
}

} // namespace hchat
