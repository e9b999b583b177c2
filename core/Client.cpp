#include "Client.h"

#include "MembershipPoster.h"
#include "PrekeySupply.h"
#include "crypto/DeviceList.h"

#include <QDateTime>

#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "HistoryStore.h"
#include "InboundCrypto.h"
#include "KeychainTokenVault.h"
#include "Outbox.h"
#include "PushChannel.h"
#include "SyncEngine.h"
#include "SyncPuller.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/IdentityStore.h"
#include "crypto/KeychainIdentityStore.h"
#include "crypto/SafetyNumber.h"
#include "hchat.pb.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QSysInfo>

namespace hchat {

namespace {
constexpr int kGenesisWaitMs = 15000;

QString errorText(const hchat::v1::Frame &answer, const QString &fallback)
{
    if (answer.has_error() && !answer.error().message().empty())
        return QString::fromStdString(answer.error().message());
    return fallback;
}
} // namespace

Client::Client(QObject *parent) : QObject(parent)
{
    init(new KeychainTokenVault(QStringLiteral("HChat"), this));
    setIdentityStore(std::make_unique<crypto::KeychainIdentityStore>(QStringLiteral("HChat")));
}

Client::Client(std::unique_ptr<TokenVault> vault, QObject *parent) : QObject(parent)
{
    if (!vault)
        vault = std::make_unique<KeychainTokenVault>(QStringLiteral("HChat"));
    vault->setParent(this);
    init(vault.release());
}

Client::~Client()
{
    // No signals from a half-destroyed facade.
    m_push->disconnect(this);
    m_engine->disconnect(this);
    m_outbox->disconnect(this);
    m_crypto->disconnect(this);
    if (m_identityStore)
        m_identityStore->disconnect(this);
    m_push->stop();
    m_puller->cancelAll();
}

void Client::init(TokenVault *vault)
{
    qRegisterMetaType<hchat::StoredMessage>();
    qRegisterMetaType<hchat::CatchUpReport>();
    qRegisterMetaType<hchat::OutboxEntry::State>();
    qRegisterMetaType<hchat::ConnectionState>();
    qRegisterMetaType<hchat::AccountDevice>();
    qRegisterMetaType<QList<hchat::AccountDevice>>();
    m_vault = vault;
    m_nam = new QNetworkAccessManager(this);
    m_http = new GatewayHttp(m_nam, this);
    m_store = new HistoryStore(this);
    m_push = new PushChannel(this);
    m_puller = new SyncPuller(m_http, this);
    m_engine = new SyncEngine(m_store, m_puller, this);
    m_outbox = new Outbox(m_store, m_push, this);
    m_crypto = new crypto::ChannelCrypto(this);
    m_transfers = new AttachmentTransfers(m_store, m_http, this);
    m_transfers->setMessageSender([this](const HistoryStore::PendingUpload &upload,
                                         const AttachmentInfo &info,
                                         QString *error) { return enqueueAttachment(upload, info, error); });
    // A dead push link usually means dead pooled HTTP connections too: the catch-up pull must not
    // wait for one of them to time out (30 s) before it opens a fresh one.
    connect(m_push, &PushChannel::disconnected, m_nam, &QNetworkAccessManager::clearConnectionCache);
    m_engine->setInsertedHook([this](const QString &stream, QList<StoredMessage> &rows) {
        noteDeletedUsers(rows);
        m_inbound->process(stream, &rows);
    });
    m_membership = new MembershipPoster(m_store, m_outbox, m_crypto, this);
    m_prekeySupply = new PrekeySupply(m_http, m_crypto, this);
    m_deviceApproval = new DeviceApproval(
        m_http, m_crypto, [this] { fetchKeys({m_nick}); }, this);
    connect(m_deviceApproval, &DeviceApproval::stateChanged, this, &Client::deviceApprovalChanged);
    connect(m_deviceApproval, &DeviceApproval::approvalRequested, this, &Client::deviceAwaitsApproval);
    // The inbox rows this device holds (durably) are acknowledged, and the gateway deletes them.
    m_inboxAckTimer.setSingleShot(true);
    m_inboxAckTimer.setInterval(200);
    connect(&m_inboxAckTimer, &QTimer::timeout, this, &Client::acknowledgeInbox);
    connect(m_crypto, &crypto::ChannelCrypto::membershipChanged, this, &Client::onMembershipChanged);
    connect(m_crypto, &crypto::ChannelCrypto::membershipRejected, this, &Client::onMembershipRejected);
    connect(m_crypto, &crypto::ChannelCrypto::membershipNeedsKeys, this, &Client::queueKeyFetch);
    m_inbound = new InboundCrypto(m_store, m_crypto, m_engine, this);
    connect(m_crypto, &crypto::ChannelCrypto::messagesUnblocked, m_inbound,
            &InboundCrypto::onMessagesUnblocked);
    connect(m_inbound, &InboundCrypto::messagesDecrypted, this, &Client::messagesDecrypted);
    connect(m_inbound, &InboundCrypto::messagesAmended, this,
            [this](const QString &channel, const QList<quint64> &seqs) {
                forgetDeletedAttachments(channel, seqs);
                emit messagesChanged(channel, seqs);
            });
    connect(m_inbound, &InboundCrypto::keysWanted, this, &Client::queueKeyFetch);
    connect(
        m_inbound, &InboundCrypto::genesisDue, m_membership,
        [this](const QString &channel) { m_membership->postGenesis(channel); }, Qt::QueuedConnection);
    connect(m_crypto, &crypto::ChannelCrypto::deviceTrustChanged, this, &Client::deviceTrustChanged);
    m_keyFetchTimer.setSingleShot(true);
    m_keyFetchTimer.setInterval(20);
    connect(&m_keyFetchTimer, &QTimer::timeout, this, [this] {
        QStringList nicks(m_keyFetchQueue.cbegin(), m_keyFetchQueue.cend());
        m_keyFetchQueue.clear();
        if (!nicks.isEmpty())
            fetchKeys(nicks);
    });

    m_unreadTimer.setSingleShot(true);
    m_unreadTimer.setInterval(50);
    connect(&m_unreadTimer, &QTimer::timeout, this, [this] {
        const auto dirty = std::exchange(m_unreadDirty, {});
        for (const QString &c : dirty)
            emit unreadChanged(c, m_store->unreadCount(c));
    });

    connect(m_push, &PushChannel::stateChanged, this, &Client::updateState);
    connect(m_push, &PushChannel::welcomed, this, &Client::onWelcomed);
    connect(m_push, &PushChannel::pushed, this, &Client::onPushed);
    connect(m_push, &PushChannel::errorOccurred, this, &Client::errorOccurred);
    connect(m_push, &PushChannel::malformedFrame, this, [this](const QString &why) {
        emit errorOccurred(why);
        m_engine->resyncAll();
    });
    connect(m_push, &PushChannel::disconnected, this, [this] {
        m_engine->stop();
        updateState();
    });
    connect(this, &Client::signedOut, m_transfers, [this] { m_transfers->setOnline(false); });
    connect(this, &Client::encryptionReady, m_transfers, [this] {
        if (m_welcomeHandled)
            m_transfers->setOnline(true); // uploads whose message waited for the keys
    });
    connect(m_push, &PushChannel::authenticationFailed, this, [this](int, const QString &message) {
        m_transfers->setOnline(false);
        m_engine->stop();
        m_token.clear();
        if (!m_nick.isEmpty())
            m_vault->removeToken(accountKey());
        updateState();
        emit signInRequired(
            tr("The gateway did not accept the session (%1). Please sign in again.").arg(message));
    });

    connect(m_engine, &SyncEngine::catchUpStarted, this, [this] {
        m_catchUpDone = 0;
        m_catchUpTotal = 0;
        updateState();
    });
    connect(m_engine, &SyncEngine::catchUpProgress, this, [this](quint64 done, quint64 total) {
        m_catchUpDone = done;
        m_catchUpTotal = total;
        emit catchUpProgress(done, total);
    });
    connect(m_engine, &SyncEngine::catchUpFinished, this, [this](const CatchUpReport &report) {
        m_inboxAckTimer.start(); // what the catch-up brought into the inbox
        updateState();
        emit catchUpFinished(report);
    });
    connect(m_engine, &SyncEngine::messagesStored, this,
            [this](const QString &channel, quint64 first, quint64 last) {
                if (channel == m_engine->inboxStream()) {
                    if (!m_inboxAckTimer.isActive())
                        m_inboxAckTimer.start();
                    return;
                }
                emit messagesStored(channel, first, last);
                markUnreadDirty(channel);
            });
    connect(m_engine, &SyncEngine::liveMessage, this, &Client::messageReceived);
    connect(m_engine, &SyncEngine::messagesAmended, this,
            [this](const QString &channel, const QList<quint64> &seqs) {
                forgetDeletedAttachments(channel, seqs);
                emit messagesChanged(channel, seqs);
                markUnreadDirty(channel);
            });
    connect(m_engine, &SyncEngine::channelsChanged, this, &Client::channelsChanged);
    connect(m_engine, &SyncEngine::readPositionChanged, this,
            [this](const QString &channel, quint64) { markUnreadDirty(channel); });
    connect(m_engine, &SyncEngine::syncError, this, &Client::errorOccurred);
    connect(m_outbox, &Outbox::entryChanged, this, &Client::outboxChanged);

    connect(m_vault, &TokenVault::tokenRead, this, [this](const QString &account, const QString &token) {
        if (account != m_pendingResumeAccount)
            return;
        m_pendingResumeAccount.clear();
        if (token.isEmpty()) {
            emit signInRequired(tr("Please sign in."));
            return;
        }
        startSession(token);
    });
    connect(m_vault, &TokenVault::vaultError, this, [this](const QString &account, const QString &message) {
        emit errorOccurred(message);
        if (account == m_pendingResumeAccount) {
            m_pendingResumeAccount.clear();
            emit signInRequired(message);
        }
    });
}

bool Client::openProfile(const QString &dataDir, crypto::SecureBuffer historyKey)
{
    QDir().mkpath(dataDir);
    // The profile holds the decrypted history, the search index, drafts and file keys: the
    // user's alone (0700), whatever the umask; its files too (0600), also in older profiles.
    QFile::setPermissions(dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    m_dataDir = dataDir;
    if (!m_store->open(QDir(dataDir).filePath(QStringLiteral("history.sqlite")), std::move(historyKey))) {
        m_lastError = m_store->lastError();
        return false;
    }
    for (const QFileInfo &f : QDir(dataDir).entryInfoList(QDir::Files | QDir::Hidden))
        QFile::setPermissions(f.filePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    m_nick = m_store->value(QStringLiteral("nick"));
    m_deviceId = m_store->value(QStringLiteral("device_id"));
    m_deletedUsers.clear();
    for (const QString &n :
         m_store->value(QStringLiteral("deleted_users")).split(QLatin1Char(' '), Qt::SkipEmptyParts))
        m_deletedUsers.insert(n);
    m_store->setOwnNick(m_nick);
    m_engine->setOwnNick(m_nick);
    m_transfers->setDirectory(QDir(dataDir).filePath(QStringLiteral("attachments")));
    if (!m_deviceId.isEmpty())
        m_engine->setInboxStream(QLatin1Char('~') + m_deviceId);
    m_cleartext.setAllowed(
        m_store->value(QStringLiteral("cleartext_gateways")).split(QLatin1Char(' '), Qt::SkipEmptyParts));
    m_http->setCleartextPolicy(m_cleartext);
    m_push->setCleartextPolicy(m_cleartext);
    if (m_urls.isEmpty()) {
        const QStringList saved =
            m_store->value(QStringLiteral("gateway_urls")).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QList<QUrl> urls;
        for (const auto &u : saved)
            urls << QUrl(u);
        if (!urls.isEmpty())
            setGatewayUrls(urls);
    }
    return true;
}

bool Client::setMuted(const QString &channel, bool muted)
{
    return m_store->setMuted(channel, muted);
}

bool Client::setDraft(const QString &channel, const QString &text)
{
    return m_store->setDraft(channel, text);
}

void Client::setGatewayUrls(const QList<QUrl> &urls)
{
    m_urls = urls;
    m_push->setUrls(urls);
    if (!urls.isEmpty())
        m_http->setBaseUrl(GatewayHttp::httpBaseFromWebSocketUrl(urls.first()));
    if (m_store->isOpen()) {
        QStringList s;
        for (const auto &u : urls)
            s << u.toString();
        m_store->setValue(QStringLiteral("gateway_urls"), s.join(QLatin1Char(' ')));
    }
}

void Client::allowCleartext(const QUrl &gateway)
{
    if (!CleartextPolicy::needsConsent(gateway) || m_cleartext.permits(gateway))
        return;
    qCWarning(lcClient).noquote() << "the user allowed cleartext to" << CleartextPolicy::authority(gateway);
    m_cleartext.allow(CleartextPolicy::authority(gateway));
    m_http->setCleartextPolicy(m_cleartext);
    m_push->setCleartextPolicy(m_cleartext);
    if (m_store->isOpen()) {
        QStringList allowed = m_cleartext.allowed();
        allowed.sort();
        m_store->setValue(QStringLiteral("cleartext_gateways"), allowed.join(QLatin1Char(' ')));
    }
}

void Client::setPinnedCertificate(const QSslCertificate &certificate)
{
    m_push->setPinnedCertificate(certificate);
    m_http->setSslConfiguration(m_push->sslConfiguration());
}

QString Client::accountKey() const
{
    const QUrl u = m_urls.isEmpty() ? QUrl() : m_urls.first();
    return QStringLiteral("%1@%2:%3").arg(m_nick.toLower(), u.host()).arg(u.port());
}

void Client::finishLater(quint64 id, bool ok, const QString &error)
{
    QMetaObject::invokeMethod(
        this, [this, id, ok, error] { emit requestFinished(id, ok, error); }, Qt::QueuedConnection);
}

void Client::postWithFailover(const QString &path, const QByteArray &body,
                              std::function<void(bool, int, const QString &, const QByteArray &)> done,
                              int urlIndex)
{
    if (m_urls.isEmpty()) {
        done(false, 0, tr("No gateway address is configured."), {});
        return;
    }
    m_http->setBaseUrl(GatewayHttp::httpBaseFromWebSocketUrl(m_urls.at(urlIndex)));
    m_http->post(path, body, [this, path, body, done, urlIndex](const GatewayHttp::Result &r) {
        if (r.networkError() && urlIndex + 1 < m_urls.size()) {
            postWithFailover(path, body, done, urlIndex + 1);
            return;
        }
        done(r.ok, r.errorCode, r.error, r.body);
    });
}

quint64 Client::registerAccount(const QString &nick, const QString &password)
{
    const quint64 id = nextRequestId();
    hchat::v1::RegisterRequest req;
    req.set_nick(nick.toStdString());
    req.set_password(password.toStdString());
    const std::string bytes = req.SerializeAsString();
    postWithFailover(QStringLiteral("/v1/register"), QByteArray::fromStdString(bytes),
                     [this, id](bool ok, int, const QString &error, const QByteArray &) {
                         emit requestFinished(id, ok, error);
                     });
    return id;
}

quint64 Client::logIn(const QString &nick, const QString &password, const QString &deviceName)
{
    const quint64 id = nextRequestId();
    hchat::v1::LoginRequest req;
    req.set_nick(nick.toStdString());
    req.set_password(password.toStdString());
    req.set_device_name(
        (deviceName.isEmpty() ? QSysInfo::machineHostName() : deviceName).left(64).toStdString());
    if (!m_deviceId.isEmpty() && m_nick.compare(nick, Qt::CaseInsensitive) == 0)
        req.set_device_id(m_deviceId.toStdString());
    const std::string bytes = req.SerializeAsString();
    m_http->setToken({});
    postWithFailover(QStringLiteral("/v1/login"), QByteArray::fromStdString(bytes),
                     [this, id](bool ok, int, const QString &error, const QByteArray &body) {
                         hchat::v1::LoginResponse resp;
                         if (ok && !resp.ParseFromArray(body.constData(), static_cast<int>(body.size()))) {
                             ok = false;
                         }
                         if (!ok) {
                             emit requestFinished(id, false,
                                                  error.isEmpty() ? tr("The gateway's answer did not parse.")
                                                                  : error);
                             return;
                         }
                         m_nick = QString::fromStdString(resp.nick());
                         m_deviceId = QString::fromStdString(resp.device_id());
                         if (m_store->isOpen()) {
                             m_store->setValue(QStringLiteral("nick"), m_nick);
                             m_store->setValue(QStringLiteral("device_id"), m_deviceId);
                         }
                         m_store->setOwnNick(m_nick);
                         m_engine->setOwnNick(m_nick);
                         m_engine->setInboxStream(QLatin1Char('~') + m_deviceId);
                         const QString token = QString::fromStdString(resp.token());
                         m_vault->writeToken(accountKey(), token);
                         startSession(token);
                         emit requestFinished(id, true, {});
                         emit signedIn(m_nick);
                     });
    return id;
}

void Client::resumeSession()
{
    if (m_nick.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this] { emit signInRequired(tr("Please sign in.")); }, Qt::QueuedConnection);
        return;
    }
    m_pendingResumeAccount = accountKey();
    m_vault->readToken(m_pendingResumeAccount);
}

void Client::startSession(const QString &token)
{
    m_token = token;
    m_http->setToken(token);
    m_push->setToken(token);
    m_push->setUrls(m_urls);
    m_push->stop();
    m_push->start();
    updateState();
}

quint64 Client::logOut()
{
    const quint64 id = nextRequestId();
    const QString account = accountKey();
    m_push->stop();
    m_engine->stop();
    auto finish = [this, id, account](bool ok, const QString &error) {
        m_vault->removeToken(account);
        m_token.clear();
        m_http->setToken({});
        updateState();
        emit requestFinished(id, ok, error);
        emit signedOut();
    };
    if (m_token.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [finish] { finish(true, {}); }, Qt::QueuedConnection);
        return id;
    }
    postWithFailover(QStringLiteral("/v1/logout"), {},
                     [finish](bool ok, int, const QString &error, const QByteArray &) { finish(ok, error); });
    return id;
}

quint64 Client::listDevices()
{
    const quint64 id = nextRequestId();
    if (m_token.isEmpty()) {
        finishLater(id, false, tr("Not signed in."));
        return id;
    }
    postWithFailover(QStringLiteral("/v1/devices"), {},
                     [this, id](bool ok, int, const QString &error, const QByteArray &body) {
                         hchat::v1::DeviceList list;
                         if (ok && !list.ParseFromArray(body.constData(), int(body.size()))) {
                             emit requestFinished(id, false, tr("The gateway's device list did not parse."));
                             return;
                         }
                         if (ok) {
                             QList<AccountDevice> devices;
                             for (const auto &d : list.devices()) {
                                 AccountDevice a;
                                 a.deviceId = QString::fromStdString(d.device_id());
                                 a.name = QString::fromStdString(d.name());
                                 a.created = QDateTime::fromMSecsSinceEpoch(d.created_ms());
                                 if (d.last_seen_ms() > 0)
                                     a.lastActive = QDateTime::fromMSecsSinceEpoch(d.last_seen_ms());
                                 a.current = d.current();
                                 devices.append(a);
                             }
                             emit devicesListed(devices);
                         }
                         emit requestFinished(id, ok, error);
                     });
    return id;
}

quint64 Client::revokeDevice(const QString &deviceId)
{
    const quint64 id = nextRequestId();
    if (m_token.isEmpty() || deviceId.isEmpty()) {
        finishLater(id, false, m_token.isEmpty() ? tr("Not signed in.") : tr("No device given."));
        return id;
    }
    if (deviceId == m_deviceId) {
        finishLater(id, false, tr("This device signs out with Sign out, not by revoking itself."));
        return id;
    }
    // The signed list without it first, so that peers revoke it on the account's word, not only
    // because the gateway's directory stopped listing it.
    auto revokeAtGateway = [this, id, deviceId](bool listed, const QString &listError) {
        if (!listed) {
            finishLater(id, false, listError);
            return;
        }
        hchat::v1::RevokeDevice req;
        req.set_device_id(deviceId.toStdString());
        postWithFailover(QStringLiteral("/v1/devices/revoke"),
                         QByteArray::fromStdString(req.SerializeAsString()),
                         [this, id](bool ok, int, const QString &error, const QByteArray &) {
                             emit requestFinished(id, ok, error);
                         });
    };
    if (isEncryptionReady())
        m_deviceApproval->removeFromList(deviceId, revokeAtGateway);
    else
        revokeAtGateway(true, {});
    return id;
}

void Client::disconnectFromGateway()
{
    m_push->stop();
    m_engine->stop();
    updateState();
}

void Client::reconnectNow()
{
    m_push->reconnectNow();
}

// ---- WebSocket requests ------------------------------------------------------------------------

quint64 Client::wsRequest(hchat::v1::Frame &frame,
                          std::function<void(quint64, const hchat::v1::Frame &)> onAnswer)
{
    const quint64 id = nextRequestId();
    const quint64 rid =
        m_push->sendRequest(frame, [id, onAnswer](const hchat::v1::Frame &answer) { onAnswer(id, answer); });
    if (rid == 0)
        finishLater(id, false, tr("Not connected to the gateway."));
    return id;
}

quint64 Client::joinChannel(const QString &channel)
{
    hchat::v1::Frame f;
    f.mutable_join()->set_channel(channel.toStdString());
    return wsRequest(f, [this](quint64 id, const hchat::v1::Frame &a) {
        if (a.has_channel_joined())
            m_engine->handleChannelJoined(a.channel_joined().channel());
        const bool ok = a.has_channel_joined() || a.has_ok();
        emit requestFinished(id, ok, ok ? QString() : errorText(a, tr("Could not join.")));
    });
}

quint64 Client::leaveChannel(const QString &channel)
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    // The others must see the signed LEAVE: it goes while this user can still post there.
    const bool signedLeave = hasSignedMembership(channel) && membership &&
                             (membership->isMember(m_nick) || membership->isInvited(m_nick));
    hchat::v1::Frame f;
    f.mutable_leave()->set_channel(channel.toStdString());
    return membershipRequest(signedLeave, channel, crypto::MembershipOp::Action::Leave, {}, f,
                             tr("Could not leave."), [this, channel] {
                                 m_puller->cancel(channel);
                                 m_store->setChannelJoined(channel, false);
                                 emit channelsChanged();
                             });
}

quint64 Client::createChannel(const QString &channel, ChannelRecord::Kind kind, const QStringList &members)
{
    hchat::v1::Frame f;
    auto *c = f.mutable_create_channel();
    c->set_channel(channel.toStdString());
    c->set_kind(static_cast<hchat::v1::ChannelKind>(kind));
    c->set_encrypted(kind != ChannelRecord::Kind::Open);
    for (const auto &m : members)
        c->add_members(m.toStdString());
    // Its genesis (signed, naming these as the first invitees) follows the channel's creation.
    if (kind != ChannelRecord::Kind::Open)
        m_membership->rememberFirstInvitees(channel, members);
    return wsRequest(f, [this, channel, kind](quint64 id, const hchat::v1::Frame &a) {
        if (a.has_channel_joined())
            m_engine->handleChannelJoined(a.channel_joined().channel());
        const bool ok = a.has_channel_joined() || a.has_ok();
        if (ok && kind != ChannelRecord::Kind::Open)
            return finishWithGenesis(id, channel);
        emit requestFinished(id, ok, ok ? QString() : errorText(a, tr("Could not create the channel.")));
    });
}

bool Client::hasSignedMembership(const QString &channel) const
{
    // Before its genesis (the creator's key still locked) nobody holds keys there yet: the
    // gateway's requests alone do no harm, and the genesis names who is invited.
    const auto rec = m_store->channel(channel);
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    return rec && rec->encrypted && membership && membership->hasGenesis() && !membership->isLegacy();
}

quint64 Client::postThenRequest(const QString &channel, crypto::MembershipOp::Action action,
                                const QString &subject, std::function<void(quint64 id)> send)
{
    const quint64 id = nextRequestId();
    QString error;
    if (!isEncryptionReady()) {
        finishLater(id, false, tr("End-to-end encryption is not ready on this device yet."));
        return id;
    }
    if (!m_membership->post(
            channel, action, subject, {},
            [this, id, send = std::move(send)](bool ok, const QString &why) {
                if (ok)
                    send(id);
                else
                    emit requestFinished(id, false, why);
            },
            &error))
        finishLater(id, false, error);
    return id;
}

QString Client::invitationFrom(const QString &channel) const
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    return membership && membership->isInvited(m_nick) ? membership->inviterOf(m_nick) : QString();
}

quint64 Client::acceptInvitation(const QString &channel)
{
    const quint64 id = nextRequestId();
    QString error;
    if (!isEncryptionReady())
        error = tr("End-to-end encryption is not ready on this device yet.");
    else if (invitationFrom(channel).isEmpty())
        error = tr("There is no invitation to %1.").arg(channel);
    else if (m_membership->post(
                 channel, crypto::MembershipOp::Action::Accept, {}, {},
                 [this, id](bool ok, const QString &why) { emit requestFinished(id, ok, why); }, &error))
        return id;
    finishLater(id, false, error);
    return id;
}

quint64 Client::declineInvitation(const QString &channel)
{
    return leaveChannel(channel);
}

void Client::onMembershipChanged(const QString &channel)
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    if (membership && membership->hasGenesis())
        for (quint64 id : m_awaitingGenesis.take(channel))
            emit requestFinished(id, true, {});
    emit invitationsChanged(channel);
}

// A new private or direct channel is ready once its signed genesis is back from the gateway and
// applied here: only then can this device write there. The creator's device posts it when the
// channel's CHANNEL_CREATED row comes back (processCryptoRow), whoever asked to open it.
void Client::finishWithGenesis(quint64 id, const QString &channel)
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    if (!isEncryptionReady() || (membership && (membership->hasGenesis() || membership->isLegacy()))) {
        emit requestFinished(id, true, {}); // (a locked key: the genesis follows when it is unlocked)
        return;
    }
    m_awaitingGenesis[channel].append(id);
    // The channel exists either way; a genesis that takes long (its creator offline) must not
    // leave the request open.
    QTimer::singleShot(kGenesisWaitMs, this, [this, id, channel] {
        auto it = m_awaitingGenesis.find(channel);
        if (it != m_awaitingGenesis.end() && it->removeAll(id) > 0) {
            if (it->isEmpty())
                m_awaitingGenesis.erase(it);
            emit requestFinished(id, true, {});
        }
    });
}

// A refused operation, or a gateway row no member's operation explains: the row shows why.
void Client::onMembershipRejected(const QString &channel, quint64 seq, const QString &reason)
{
    if (!m_store->setDecryption(channel, seq, StoredMessage::CryptoState::Undecryptable, {}, reason))
        qCWarning(lcClient).noquote() << "could not mark" << channel << seq << ":" << m_store->lastError();
    emit messagesChanged(channel, {seq});
    emit encryptionWarning(channel, reason);
}

quint64 Client::invite(const QString &channel, const QString &nick)
{
    hchat::v1::Frame f;
    f.mutable_invite()->set_channel(channel.toStdString());
    f.mutable_invite()->set_nick(nick.toStdString());
    return membershipRequest(hasSignedMembership(channel), channel, crypto::MembershipOp::Action::Add, nick,
                             f, tr("Could not invite."));
}

quint64 Client::removeMember(const QString &channel, const QString &nick)
{
    hchat::v1::Frame f;
    f.mutable_remove_member()->set_channel(channel.toStdString());
    f.mutable_remove_member()->set_nick(nick.toStdString());
    return membershipRequest(hasSignedMembership(channel), channel, crypto::MembershipOp::Action::Remove,
                             nick, f, tr("Could not remove the member."));
}

// The gateway request of a membership change; where the channel's membership is signed, only
// after this device's signed operation for it is stored.
quint64 Client::membershipRequest(bool signedFirst, const QString &channel,
                                  crypto::MembershipOp::Action action, const QString &subject,
                                  const hchat::v1::Frame &frame, const QString &failure,
                                  std::function<void()> onDone)
{
    auto answer = [this, failure, onDone](quint64 id, const hchat::v1::Frame &a) {
        const bool ok = !a.has_error();
        if (ok && onDone)
            onDone();
        emit requestFinished(id, ok, ok ? QString() : errorText(a, failure));
    };
    hchat::v1::Frame request = frame;
    if (!signedFirst)
        return wsRequest(request, answer);
    return postThenRequest(channel, action, subject, [this, request, answer](quint64 id) mutable {
        if (m_push->sendRequest(request, [id, answer](const hchat::v1::Frame &a) { answer(id, a); }) == 0)
            finishLater(id, false, tr("Not connected to the gateway."));
    });
}

QString Client::directChannelName(const QString &a, const QString &b)
{
    return ChannelRecord::directName(a, b);
}

quint64 Client::openDirectChannel(const QString &nick, QString *channel)
{
    const QString name = directChannelName(m_nick, nick);
    if (channel)
        *channel = name;
    const auto existing = m_store->channel(name);
    if (existing && existing->joined) {
        const quint64 id = nextRequestId();
        finishLater(id, true, {});
        return id;
    }
    hchat::v1::Frame f;
    auto *c = f.mutable_create_channel();
    c->set_channel(name.toStdString());
    c->set_kind(hchat::v1::CHANNEL_KIND_DIRECT);
    // Always encrypted, also while the device key is locked: a locked key delays the first
    // message, it never makes a channel plaintext for good.
    c->set_encrypted(true);
    c->add_members(nick.toStdString());
    return wsRequest(f, [this, name](quint64 id, const hchat::v1::Frame &a) {
        if (a.has_channel_joined())
            m_engine->handleChannelJoined(a.channel_joined().channel());
        if (a.has_channel_joined() || a.has_ok())
            return finishWithGenesis(id, name);
        const bool ok = a.has_error() && a.error().code() == hchat::v1::ERROR_CHANNEL_EXISTS;
        emit requestFinished(id, ok, ok ? QString() : errorText(a, tr("Could not open the direct channel.")));
    });
}

QList<ChannelRecord> Client::channels() const
{
    return m_store->channels(true);
}

// ---- messages ----------------------------------------------------------------------------------

qint64 Client::sendMessage(const QString &channel, const QString &text, QString *error)
{
    return enqueueText(channel, text, MessageKind::Text, 0, error);
}

qint64 Client::sendReply(const QString &channel, const QString &text, quint64 replyToSeq, QString *error)
{
    if (replyToSeq == 0 || !m_store->message(channel, replyToSeq)) {
        if (error)
            *error = tr("The message you reply to is not in this channel.");
        return 0;
    }
    return enqueueText(channel, text, MessageKind::Text, replyToSeq, error);
}

qint64 Client::editMessage(const QString &channel, quint64 seq, const QString &text, QString *error)
{
    if (!checkOwnMessage(channel, seq, error))
        return 0;
    return enqueueText(channel, text, MessageKind::Edit, seq, error);
}

qint64 Client::deleteMessage(const QString &channel, quint64 seq, QString *error)
{
    if (!checkOwnMessage(channel, seq, error))
        return 0;
    return enqueueText(channel, {}, MessageKind::Delete, seq, error);
}

bool Client::checkOwnMessage(const QString &channel, quint64 seq, QString *error) const
{
    const auto m = m_store->message(channel, seq);
    QString why;
    if (!m || !m->isChat())
        why = tr("There is no such message to change.");
    else if (m->sender.compare(m_nick, Qt::CaseInsensitive) != 0)
        why = tr("Only your own messages can be edited or deleted.");
    else if (m->deleted)
        why = tr("That message was deleted.");
    if (why.isEmpty())
        return true;
    if (error)
        *error = why;
    return false;
}

qint64 Client::enqueueText(const QString &channel, const QString &text, MessageKind kind, quint64 refSeq,
                           QString *error)
{
    auto setError = [error](const QString &e) {
        if (error)
            *error = e;
        return 0;
    };
    const auto rec = m_store->channel(channel);
    if (!rec)
        return setError(tr("No channel %1.").arg(channel));
    if (!rec->encrypted)
        return m_outbox->enqueueReferring(channel, Outbox::newClientMsgId(), text.toUtf8(), kind, refSeq,
                                          false, {}, error);
    if (text.isEmpty() && kind != MessageKind::Delete)
        return setError(tr("The message is empty."));
    if (!isEncryptionReady())
        return setError(tr("End-to-end encryption is not ready on this device yet."));
    m_inbound->process(channel, nullptr); // membership up to date before choosing recipients
    const QByteArray clientMsgId = Outbox::newClientMsgId();
    const crypto::ChannelCrypto::Outgoing out =
        m_crypto->encryptForSend(channel, clientMsgId, text, kind, refSeq);
    if (!out.ok)
        return setError(out.error);
    queueKeyShares(channel, out);
    return m_outbox->enqueueReferring(channel, clientMsgId, out.body, kind, refSeq, true, text, error);
}

qint64 Client::sendAttachment(const QString &channel, const QString &filePath, const QString &caption,
                              const AttachmentTransfers::Preview &preview, quint64 replyToSeq, QString *error)
{
    const auto rec = m_store->channel(channel);
    if (!rec) {
        if (error)
            *error = tr("No channel %1.").arg(channel);
        return 0;
    }
    if (rec->encrypted && !isEncryptionReady()) {
        if (error)
            *error = tr("End-to-end encryption is not ready on this device yet.");
        return 0;
    }
    return m_transfers->startUpload(channel, filePath, caption, rec->encrypted, replyToSeq, preview, error);
}

// The upload is at the gateway: its message goes into the outbox with the client_msg_id chosen
// when the upload began, so a second hand-over after a crash adds nothing.
bool Client::enqueueAttachment(const HistoryStore::PendingUpload &upload, const AttachmentInfo &info,
                               QString *error)
{
    for (const OutboxEntry &e : m_store->outbox(upload.channel))
        if (e.clientMsgId == upload.clientMsgId)
            return true;
    const QByteArray content = info.serialize();
    const auto rec = m_store->channel(upload.channel);
    if (!upload.encrypted && (!rec || rec->encrypted)) {
        // Staged in the clear for a channel that has been encrypted since: its description must
        // not follow in the clear.
        if (error)
            *error = tr("%1 is end-to-end encrypted now; send the file again.").arg(upload.channel);
        return false;
    }
    if (!upload.encrypted)
        return m_outbox->enqueueReferring(upload.channel, upload.clientMsgId, content,
                                          MessageKind::Attachment, upload.refSeq, false, info.caption, error,
                                          info.id) != 0;
    if (!isEncryptionReady()) {
        if (error)
            *error = tr("End-to-end encryption is not ready on this device yet.");
        return false;
    }
    m_inbound->process(upload.channel, nullptr);
    const crypto::ChannelCrypto::Outgoing out = m_crypto->encryptBytesForSend(
        upload.channel, upload.clientMsgId, content, MessageKind::Attachment, upload.refSeq, info.id);
    if (!out.ok) {
        if (error)
            *error = out.error;
        return false;
    }
    queueKeyShares(upload.channel, out);
    return m_outbox->enqueueReferring(upload.channel, upload.clientMsgId, out.body, MessageKind::Attachment,
                                      upload.refSeq, true, info.caption, error, info.id) != 0;
}

bool Client::downloadAttachment(const QString &channel, quint64 seq, QString *error)
{
    const auto m = m_store->message(channel, seq);
    if (!m) {
        if (error)
            *error = tr("No message %1 in %2.").arg(seq).arg(channel);
        return false;
    }
    return m_transfers->download(*m, error);
}

QString Client::attachmentFile(const QString &channel, quint64 seq) const
{
    const auto m = m_store->message(channel, seq);
    return m && !m->deleted ? m_transfers->localFile(m->attachmentId) : QString();
}

// A recalled attachment leaves nothing behind on this device either.
void Client::forgetDeletedAttachments(const QString &channel, const QList<quint64> &seqs)
{
    for (quint64 seq : seqs) {
        const auto m = m_store->message(channel, seq);
        if (m && m->deleted && !m->attachmentId.isEmpty())
            m_transfers->forget(m->attachmentId);
    }
}

// Key shares go before the message they unlock: the outbox sends oldest first, so each member
// device holds the key before the message arrives.
void Client::queueKeyShares(const QString &channel, const crypto::ChannelCrypto::Outgoing &out)
{
    for (const auto &share : out.shares) {
        QString e;
        if (m_outbox->enqueue(share.stream, share.clientMsgId, share.body, MessageKind::KeyShare, false, {},
                              &e) == 0)
            qCWarning(lcClient).noquote()
                << "could not queue a key share for" << share.recipientDevice << ":" << e;
    }
    for (const QString &nick : out.missingKeys)
        queueKeyFetch(nick);
    if (!out.blockedDevices.isEmpty())
        emit encryptionWarning(channel,
                               tr("Not shared with %1: the key changed or the device is new. Check and "
                                  "accept it to include it.")
                                   .arg(out.blockedDevices.join(QStringLiteral(", "))));
}

bool Client::retrySend(qint64 outboxId)
{
    return m_outbox->retry(outboxId);
}

void Client::notifyTyping(const QString &channel)
{
    if (!m_shareTyping || channel.isEmpty() || !m_push->isConnected())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 &last = m_lastTypingSentMs[channel];
    if (last != 0 && now - last < 3000 && now >= last)
        return;
    last = now;
    hchat::v1::Frame f;
    f.mutable_typing()->set_channel(channel.toStdString());
    m_push->sendRequest(f); // no answer (an error only if not a member)
}

quint64 Client::peerReadSeq(const QString &channel) const
{
    return m_store->peerReadSeq(channel);
}

bool Client::wantsReceipt(const QString &channel) const
{
    if (!m_shareReadReceipts)
        return false;
    const auto rec = m_store->channel(channel);
    return rec && rec->kind == ChannelRecord::Kind::Direct;
}

void Client::markRead(const QString &channel, quint64 seq)
{
    seq = std::min(seq, m_store->maxSeq(channel));
    if (seq == 0 || !m_store->setReadSeq(channel, seq, false))
        return;
    markUnreadDirty(channel);
    if (!m_push->isConnected())
        return; // told to the gateway after the next Welcome
    hchat::v1::Frame f;
    f.mutable_mark_read()->set_channel(channel.toStdString());
    f.mutable_mark_read()->set_seq(seq);
    f.mutable_mark_read()->set_share_receipt(wantsReceipt(channel));
    m_push->sendRequest(f, [this, channel, seq](const hchat::v1::Frame &a) {
        if (!a.has_error())
            m_store->markReadPositionSynced(channel, seq);
    });
}

void Client::syncReadPositions()
{
    for (const auto &[channel, seq] : m_store->unsyncedReadPositions()) {
        hchat::v1::Frame f;
        f.mutable_mark_read()->set_channel(channel.toStdString());
        f.mutable_mark_read()->set_seq(seq);
        f.mutable_mark_read()->set_share_receipt(wantsReceipt(channel));
        const QString ch = channel;
        const quint64 s = seq;
        m_push->sendRequest(f, [this, ch, s](const hchat::v1::Frame &a) {
            if (!a.has_error())
                m_store->markReadPositionSynced(ch, s);
        });
    }
}

quint64 Client::unreadCount(const QString &channel) const
{
    return m_store->unreadCount(channel);
}

QList<SearchHit> Client::search(const QString &query, int limit) const
{
    return m_store->search(query, limit);
}

// ---- events ------------------------------------------------------------------------------------

void Client::onWelcomed()
{
    const auto &w = m_push->welcome();
    const QString nick = QString::fromStdString(w.nick());
    const QString device = QString::fromStdString(w.device_id());
    if (nick != m_nick || device != m_deviceId) {
        m_nick = nick;
        m_deviceId = device;
        if (m_store->isOpen()) {
            m_store->setValue(QStringLiteral("nick"), m_nick);
            m_store->setValue(QStringLiteral("device_id"), m_deviceId);
        }
    }
    m_store->setOwnNick(m_nick);
    m_engine->setOwnNick(m_nick);
    m_engine->setInboxStream(QLatin1Char('~') + m_deviceId);
    m_http->setBaseUrl(GatewayHttp::httpBaseFromWebSocketUrl(m_push->currentUrl()));
    m_http->setToken(m_token);
    m_welcomeHandled = true;
    m_inboxAckedSeq = 0; // once per connection, in case the last acknowledgement was lost
    m_inboxAckTimer.start();
    if (isEncryptionReady())
        publishKeys();
    else
        loadIdentityNow();
    ++m_connection;
    m_pagingChannels = !w.channels_continue_after().empty();
    m_joinedWhilePaging.clear();
    if (m_pagingChannels) {
        pullChannelPages(w, m_connection);
        return;
    }
    beginCatchUp(w);
}

void Client::beginCatchUp(const hchat::v1::Welcome &welcome)
{
    m_engine->beginCatchUp(welcome);
    syncReadPositions();
    m_transfers->setOnline(true);
    updateState();
}

void Client::finishChannelPages(hchat::v1::Welcome &welcome)
{
    // Channels joined while the pages came in may sort into a page already fetched: without them
    // the catch-up would take them for left.
    QSet<std::string> listed;
    for (const auto &c : welcome.channels())
        listed.insert(c.name());
    for (const QByteArray &bytes : std::as_const(m_joinedWhilePaging)) {
        hchat::v1::ChannelInfo info;
        if (info.ParseFromArray(bytes.constData(), int(bytes.size())) && !listed.contains(info.name()))
            *welcome.add_channels() = info;
    }
    m_pagingChannels = false;
    m_joinedWhilePaging.clear();
    beginCatchUp(welcome);
}

void Client::pullChannelPages(hchat::v1::Welcome welcome, quint64 connection)
{
    // More than any person belongs to; a gateway that keeps paging past it is not believed.
    constexpr int kMaxChannels = 100000;
    hchat::v1::ChannelListRequest req;
    req.set_after(welcome.channels_continue_after());
    m_http->post(QStringLiteral("/v1/channels"), req,
                 [this, welcome, connection](const GatewayHttp::Result &r) mutable {
                     if (connection != m_connection || !m_push->isConnected())
                         return;
                     hchat::v1::ChannelList page;
                     const std::string after = welcome.channels_continue_after();
                     QString problem;
                     if (!r.ok || !page.ParseFromArray(r.body.constData(), int(r.body.size())))
                         problem = r.ok ? QStringLiteral("an unreadable channel list") : r.error;
                     else if (page.channels().empty() && !page.continue_after().empty())
                         problem = QStringLiteral("an empty page that claims more");
                     else if (welcome.channels_size() + page.channels_size() > kMaxChannels)
                         problem = QStringLiteral("more than %1 channels").arg(kMaxChannels);
                     for (int i = 0; problem.isEmpty() && i < page.channels_size(); ++i)
                         if (page.channels(i).name() <= (i == 0 ? after : page.channels(i - 1).name()))
                             problem = QStringLiteral("channels out of order");
                     if (problem.isEmpty() && !page.continue_after().empty() &&
                         page.continue_after() != page.channels(page.channels_size() - 1).name())
                         problem = QStringLiteral("a page that does not go on after its last channel");
                     if (!problem.isEmpty()) {
                         // Catching up on part of the list would mark the rest as left: wait and ask again.
                         qCWarning(lcClient)
                             << "channel list page refused:" << problem << "- asking again shortly";
                         QTimer::singleShot(3000, this, [this, welcome, connection] {
                             if (connection == m_connection)
                                 pullChannelPages(welcome, connection);
                         });
                         return;
                     }
                     for (auto &c : *page.mutable_channels())
                         *welcome.add_channels() = std::move(c);
                     welcome.set_channels_continue_after(page.continue_after());
                     if (!page.continue_after().empty()) {
                         pullChannelPages(std::move(welcome), connection);
                         return;
                     }
                     finishChannelPages(welcome);
                 });
}

void Client::onPushed(const hchat::v1::Frame &frame)
{
    switch (frame.body_case()) {
    case hchat::v1::Frame::kPush:
        m_engine->handlePush(frame.push().message());
        break;
    case hchat::v1::Frame::kChannelJoined:
        if (m_pagingChannels)
            m_joinedWhilePaging.append(
                QByteArray::fromStdString(frame.channel_joined().channel().SerializeAsString()));
        m_engine->handleChannelJoined(frame.channel_joined().channel());
        break;
    case hchat::v1::Frame::kReadPosition:
        m_engine->handleReadPosition(QString::fromStdString(frame.read_position().channel()),
                                     frame.read_position().seq());
        break;
    case hchat::v1::Frame::kTyping: {
        const QString nick = QString::fromStdString(frame.typing().nick());
        if (!nick.isEmpty() && nick.compare(m_nick, Qt::CaseInsensitive) != 0)
            emit typing(QString::fromStdString(frame.typing().channel()), nick);
        break;
    }
    case hchat::v1::Frame::kReadReceipt: {
        const QString channel = QString::fromStdString(frame.read_receipt().channel());
        const quint64 seq = frame.read_receipt().seq();
        if (channel.isEmpty() || seq <= peerReadSeq(channel))
            break;
        m_store->setPeerReadSeq(channel, seq);
        emit readReceipt(channel, QString::fromStdString(frame.read_receipt().nick()), seq);
        break;
    }
    case hchat::v1::Frame::kDevicesChanged:
        // A device of this account appeared or the account's list changed.
        if (isEncryptionReady())
            fetchKeys({m_nick});
        break;
    case hchat::v1::Frame::kError:
        qCWarning(lcClient).noquote() << "gateway error:" << QString::fromStdString(frame.error().message());
        emit errorOccurred(QString::fromStdString(frame.error().message()));
        break;
    default:
        qCDebug(lcClient) << "ignored frame" << frame.body_case();
        break;
    }
}

void Client::markUnreadDirty(const QString &channel)
{
    m_unreadDirty.insert(channel);
    if (!m_unreadTimer.isActive())
        m_unreadTimer.start();
}

void Client::updateState()
{
    ConnectionState s = ConnectionState::Offline;
    if (m_push->state() != PushChannel::State::Connected)
        m_welcomeHandled = false;
    switch (m_push->state()) {
    case PushChannel::State::Idle:
    case PushChannel::State::WaitingToReconnect:
        s = ConnectionState::Offline;
        break;
    case PushChannel::State::Connecting:
    case PushChannel::State::Authenticating:
        s = ConnectionState::Connecting;
        break;
    case PushChannel::State::Connected:
        s = !m_welcomeHandled          ? ConnectionState::Connecting
            : m_engine->isCatchingUp() ? ConnectionState::CatchingUp
                                       : ConnectionState::Online;
        break;
    }
    if (s == m_state)
        return;
    m_state = s;
    qCInfo(lcClient) << "connection state" << s;
    emit connectionStateChanged(s);
}

// ---- end-to-end encryption ----------------------------------------------------------------------

void Client::setIdentityStore(std::unique_ptr<crypto::IdentityStore> owned)
{
    if (m_identityStore) {
        m_identityStore->disconnect(this);
        m_identityStore->deleteLater();
    }
    m_identityStore = owned.release();
    m_identityLoading = false;
    crypto::IdentityStore *store = m_identityStore;
    if (!store)
        return;
    store->setParent(this);
    connect(store, &crypto::IdentityStore::identityLoaded, this, &Client::onIdentityLoaded);
    connect(store, &crypto::IdentityStore::identityError, this,
            [this](const QString &account, const QString &message) {
                if (account != accountKey() || !m_identityLoading)
                    return;
                m_identityLoading = false;
                qCWarning(lcClient).noquote() << "device identity unavailable:" << message;
                emit identityUnavailable(message);
            });
}

void Client::loadIdentityNow()
{
    if (!m_identityStore || isEncryptionReady() || m_identityLoading || m_nick.isEmpty() ||
        m_deviceId.isEmpty())
        return;
    m_identityLoading = true;
    m_identityStore->loadIdentity(accountKey());
}

bool Client::isEncryptionReady() const
{
    return m_crypto->isOpen();
}

void Client::onIdentityLoaded(const QString &account, bool found)
{
    if (account != accountKey() || !m_identityLoading)
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

void Client::openCrypto(crypto::DeviceIdentity identity)
{
    if (!m_crypto->open(m_dataDir, std::move(identity), m_nick, m_deviceId)) {
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
    emit encryptionReady();
}

void Client::publishKeys()
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

DeviceApproval::State Client::deviceApprovalState() const
{
    return m_deviceApproval->state();
}

QString Client::deviceApprovalCode() const
{
    return m_deviceApproval->ownCode();
}

QStringList Client::devicesAwaitingApproval() const
{
    return m_deviceApproval->waitingDevices();
}

QString Client::approvalCodeOf(const QString &deviceId) const
{
    return m_deviceApproval->codeOf(deviceId);
}

quint64 Client::approveDevice(const QString &deviceId, const QString &shownCode)
{
    const quint64 id = nextRequestId();
    if (!isEncryptionReady()) {
        finishLater(id, false, tr("Encryption is not ready."));
        return id;
    }
    m_deviceApproval->approve(deviceId, shownCode,
                              [this, id](bool ok, const QString &error) { finishLater(id, ok, error); });
    return id;
}

void Client::acknowledgeInbox()
{
    const QString inbox = m_engine->inboxStream();
    if (inbox.isEmpty() || !m_push->isConnected())
        return;
    // Not in the middle of a catch-up: the checkpoint that makes the rows durable would compete
    // with it; the end of the catch-up acknowledges everything at once.
    if (m_engine->isCatchingUp())
        return;
    const quint64 held = m_store->maxSeq(inbox);
    if (held <= m_inboxAckedSeq || !m_store->makeDurable())
        return;
    hchat::v1::Frame f;
    f.mutable_mark_read()->set_channel(inbox.toStdString());
    f.mutable_mark_read()->set_seq(held);
    m_inboxAckedSeq = held;
    m_push->sendRequest(f, [this](const hchat::v1::Frame &answer) {
        if (answer.has_error()) {
            qCWarning(lcClient).noquote() << "the gateway refused the inbox acknowledgement:"
                                          << QString::fromStdString(answer.error().message());
            m_inboxAckedSeq = 0;
        }
    });
}

quint64 Client::fetchKeys(const QStringList &nicks)
{
    const quint64 id = nextRequestId();
    hchat::v1::KeysRequest req;
    QStringList asked;
    for (const QString &n : nicks) {
        if (n.isEmpty() || asked.contains(n, Qt::CaseInsensitive))
            continue;
        asked << n;
        req.add_nicks(n.toStdString());
    }
    if (asked.isEmpty() || !isEncryptionReady()) {
        finishLater(id, asked.isEmpty(), asked.isEmpty() ? QString() : tr("Encryption is not ready."));
        return id;
    }
    m_http->post(QStringLiteral("/v1/keys/fetch"), req, [this, id, asked](const GatewayHttp::Result &r) {
        hchat::v1::KeysResponse resp;
        bool ok = r.ok && resp.ParseFromArray(r.body.constData(), static_cast<int>(r.body.size()));
        if (ok) {
            m_crypto->applyDeviceKeys(resp, asked);
            m_inbound->retryKeyShares();
            if (asked.contains(m_nick, Qt::CaseInsensitive))
                m_deviceApproval->ownKeysFetched();
            emit keysFetched(asked);
        } else {
            qCWarning(lcClient).noquote() << "key fetch failed:" << r.error;
        }
        emit requestFinished(
            id, ok,
            ok ? QString() : (r.error.isEmpty() ? tr("The key directory's answer did not parse.") : r.error));
    });
    return id;
}

void Client::queueKeyFetch(const QString &nick)
{
    if (nick.isEmpty() || !isEncryptionReady())
        return;
    m_keyFetchQueue.insert(nick.toLower());
    if (!m_keyFetchTimer.isActive())
        m_keyFetchTimer.start();
}

bool Client::acceptDevice(const QString &nick, const QString &deviceId)
{
    return isEncryptionReady() && m_crypto->trust().accept(nick, deviceId);
}

QString Client::safetyNumber(const QString &nick) const
{
    if (!isEncryptionReady())
        return {};
    QList<QByteArray> mine{m_crypto->identity()->identityKey()};
    for (const QByteArray &key : m_crypto->trust().safetyKeys(m_nick))
        if (!mine.contains(key))
            mine << key;
    const QList<QByteArray> theirs = m_crypto->trust().safetyKeys(nick);
    if (theirs.isEmpty())
        return {};
    return crypto::SafetyNumber::compute(m_nick, mine, nick, theirs);
}

bool Client::markVerified(const QString &nick, const QString &shownNumber, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (!isEncryptionReady())
        return fail(tr("End-to-end encryption is not ready on this device yet."));
    if (shownNumber.isEmpty() || safetyNumber(nick) != shownNumber)
        return fail(
            tr("The keys of %1 changed since this number was shown: compare the new number.").arg(nick));
    if (!m_crypto->trust().markUserVerified(nick, m_crypto->trust().safetyKeys(nick)))
        return fail(tr("No trusted device of %1 to mark as verified.").arg(nick));
    return true;
}

crypto::TrustStore::State Client::trustState(const QString &nick) const
{
    using S = crypto::TrustStore::State;
    if (!isEncryptionReady())
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

// ---- account ---------------------------------------------------------------------------------

quint64 Client::changePassword(const QString &currentPassword, const QString &newPassword)
{
    const quint64 id = nextRequestId();
    if (m_token.isEmpty()) {
        finishLater(id, false, tr("Not signed in."));
        return id;
    }
    const int length = int(newPassword.toUtf8().size());
    if (length < 8 || length > 256) {
        finishLater(id, false, tr("The new password must be 8 to 256 bytes long."));
        return id;
    }
    hchat::v1::ChangePassword req;
    req.set_current_password(currentPassword.toStdString());
    req.set_new_password(newPassword.toStdString());
    postWithFailover(QStringLiteral("/v1/account/password"),
                     QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id](bool ok, int code, const QString &error, const QByteArray &) {
                         if (!ok && code == hchat::v1::ERROR_BAD_CREDENTIALS) {
                             emit requestFinished(id, false, tr("The current password is wrong."));
                             return;
                         }
                         if (ok)
                             qCInfo(lcClient) << "password changed; the other devices were logged out";
                         emit requestFinished(id, ok, error);
                     });
    return id;
}

quint64 Client::logOutEverywhere()
{
    return endAccountSession(QStringLiteral("/v1/account/logout-all"), {}, false);
}

quint64 Client::deleteAccount(const QString &password)
{
    hchat::v1::DeleteAccount req;
    req.set_password(password.toStdString());
    return endAccountSession(QStringLiteral("/v1/account/delete"),
                             QByteArray::fromStdString(req.SerializeAsString()), true);
}

quint64 Client::endAccountSession(const QString &path, const QByteArray &body, bool deleting)
{
    const quint64 id = nextRequestId();
    if (m_token.isEmpty()) {
        finishLater(id, false, tr("Not signed in."));
        return id;
    }
    // The gateway closes this device's push session too: stop it first, so that the close is not
    // taken for a rejected session; it restarts if the request fails.
    m_push->stop();
    m_engine->stop();
    postWithFailover(
        path, body, [this, id, deleting](bool ok, int code, const QString &error, const QByteArray &) {
            if (!ok) {
                if (!m_token.isEmpty())
                    startSession(m_token);
                emit requestFinished(id, false,
                                     code == hchat::v1::ERROR_BAD_CREDENTIALS ? tr("The password is wrong.")
                                                                              : error);
                return;
            }
            m_vault->removeToken(accountKey());
            m_token.clear();
            m_http->setToken({});
            if (deleting) {
                // The history stays on this device; the deleted nick is no longer offered to sign in.
                m_nick.clear();
                m_deviceId.clear();
                if (m_store->isOpen()) {
                    m_store->setValue(QStringLiteral("nick"), {});
                    m_store->setValue(QStringLiteral("device_id"), {});
                }
            }
            updateState();
            emit requestFinished(id, true, {});
            emit signedOut();
            emit signInRequired(deleting ? tr("Your account was deleted.")
                                         : tr("You were signed out on every device."));
        });
    return id;
}

bool Client::isDeletedUser(const QString &nick) const
{
    return !nick.isEmpty() && m_deletedUsers.contains(nick.toLower());
}

void Client::noteDeletedUsers(const QList<StoredMessage> &rows)
{
    QStringList fresh;
    for (const StoredMessage &m : rows) {
        if (m.kind != MessageKind::UserDeleted || m.subject.isEmpty())
            continue;
        const QString nick = m.subject.toLower();
        if (!m_deletedUsers.contains(nick)) {
            m_deletedUsers.insert(nick);
            fresh << nick;
        }
    }
    if (fresh.isEmpty())
        return;
    QStringList all = m_deletedUsers.values();
    all.sort();
    m_store->setValue(QStringLiteral("deleted_users"), all.join(QLatin1Char(' ')));
    // After this batch is stored, so that listeners see its rows as well.
    QMetaObject::invokeMethod(
        this, [this, fresh] { emit usersDeleted(fresh); }, Qt::QueuedConnection);
}

} // namespace hchat
