#include "Client.h"

#include "AccountSession.h"
#include "BlockList.h"
#include "ChannelActions.h"
#include "ChannelListPager.h"
#include "CommunityRequests.h"
#include "CoreLogging.h"
#include "E2eeCoordinator.h"
#include "GatewayHttp.h"
#include "GatewayRequests.h"
#include "HistoryStore.h"
#include "InboxAcknowledger.h"
#include "KeyForwarder.h"
#include "KeychainTokenVault.h"
#include "ModerationTracker.h"
#include "Outbox.h"
#include "PushChannel.h"
#include "PushDispatcher.h"
#include "ReadState.h"
#include "RecoveryBackup.h"
#include "SendPipeline.h"
#include "SyncEngine.h"
#include "SyncPuller.h"
#include "TypingIndicator.h"
#include "crypto/IdentityStore.h"
#include "crypto/KeychainIdentityStore.h"
#include "hchat.pb.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>

namespace hchat {

Client::Client(QObject *parent) : Client(nullptr, parent)
{
    setIdentityStore(std::make_unique<crypto::KeychainIdentityStore>(QStringLiteral("HChat")));
}

Client::Client(std::unique_ptr<TokenVault> vault, QObject *parent) : QObject(parent)
{
    qRegisterMetaType<hchat::StoredMessage>();
    qRegisterMetaType<hchat::CatchUpReport>();
    qRegisterMetaType<hchat::OutboxEntry::State>();
    qRegisterMetaType<hchat::ConnectionState>();
    qRegisterMetaType<hchat::AccountDevice>();
    qRegisterMetaType<QList<hchat::AccountDevice>>();
    qRegisterMetaType<QList<hchat::DirectoryEntry>>();
    qRegisterMetaType<QList<hchat::ChannelMember>>();
    qRegisterMetaType<QList<hchat::ChannelBan>>();
    qRegisterMetaType<hchat::AdminReport>();
    if (!vault)
        vault = std::make_unique<KeychainTokenVault>(QStringLiteral("HChat"));
    vault->setParent(nullptr); // the AccountSession's alone
    m_nam = new QNetworkAccessManager(this);
    m_http = new GatewayHttp(m_nam, this);
    m_store = new HistoryStore(this);
    m_push = new PushChannel(this);
    m_puller = new SyncPuller(m_http, this);
    m_engine = new SyncEngine(m_store, m_puller, this);
    m_outbox = new Outbox(m_store, m_push, this);
    m_transfers = new AttachmentTransfers(m_store, m_http, this);
    m_requests = new GatewayRequests(m_http, m_push, this);
    // Before AccountSession's own handler: transfers stop before anyone hears of the refusal.
    connect(m_push, &PushChannel::authenticationFailed, m_transfers,
            [this] { m_transfers->setOnline(false); });
    m_account = new AccountSession(std::move(vault), m_store, m_requests, m_http, m_push, m_engine, this);
    m_e2ee = new E2eeCoordinator(m_store, m_http, m_push, m_requests, m_outbox, m_engine, m_account, this);
    m_channels = new ChannelActions(m_store, m_requests, m_engine, m_puller, m_e2ee->crypto(),
                                    m_e2ee->membership(), m_account, this);
    m_send = new SendPipeline(m_store, m_outbox, m_e2ee->crypto(), m_e2ee->inbound(), m_transfers, m_account,
                              this);
    m_readState = new ReadState(m_store, m_push, m_engine, this);
    m_typing = new TypingIndicator(
        m_push, [account = m_account] { return account->nick(); }, this);
    m_channelPager = new ChannelListPager(m_http, m_push, this);
    m_dispatcher = new PushDispatcher(m_push, m_engine, m_channelPager, m_readState, m_typing, this);
    m_inboxAck = new InboxAcknowledger(m_store, m_push, m_engine, this);
    m_moderation = new ModerationTracker(
        m_store, m_engine, m_puller, [account = m_account] { return account->nick(); }, this);
    m_community = new CommunityRequests(m_requests, this);
    m_blocks = new BlockList(m_store, m_requests, this);
    wireReceivedPath();
    wireSessionState();
}

Client::~Client()
{
    // No signals from a half-destroyed facade.
    for (QObject *part : findChildren<QObject *>())
        part->disconnect(this);
    m_push->stop();
    m_puller->cancelAll();
}

// The parts' signals reach the UI as this class's, by signal-to-signal connections: no code of
// the facade runs on the received path.
void Client::wireReceivedPath()
{
    m_engine->addInsertedStage(std::bind_front(&AccountSession::noteDeletedUsers, m_account));
    m_engine->addInsertedStage(std::bind_front(&ModerationTracker::noteStored, m_moderation));
    m_engine->addBatchStage(std::bind_front(&E2eeCoordinator::prepareBatch, m_e2ee));
    // Blocked users' messages stay out of the catch-up summary (and so of its notification).
    m_engine->setHiddenSenders(std::bind_front(&BlockList::isBlocked, m_blocks));
    connect(m_dispatcher, &PushDispatcher::channelUpdated, m_moderation,
            &ModerationTracker::onChannelUpdated);
    connect(m_moderation, &ModerationTracker::channelsChanged, this, &Client::channelsChanged);
    connect(m_moderation, &ModerationTracker::channelRemoved, this, &Client::channelRemoved);
    connect(m_community, &CommunityRequests::directoryListed, this, &Client::directoryListed);
    connect(m_community, &CommunityRequests::membersListed, this, &Client::membersListed);
    connect(m_community, &CommunityRequests::adminAnswered, this, &Client::adminAnswered);
    connect(m_blocks, &BlockList::changed, this, &Client::blockListChanged);
    connect(m_engine, &SyncEngine::messagesStored, this, &Client::messagesStored);
    connect(m_engine, &SyncEngine::liveMessage, this, &Client::messageReceived);
    // A recalled attachment's file goes before anyone is told the message changed.
    connect(m_engine, &SyncEngine::messagesAmended, m_transfers, &AttachmentTransfers::forgetDeleted);
    connect(m_e2ee, &E2eeCoordinator::messagesAmended, m_transfers, &AttachmentTransfers::forgetDeleted);
    connect(m_engine, &SyncEngine::messagesAmended, this, &Client::messagesChanged);
    connect(m_e2ee, &E2eeCoordinator::messagesAmended, this, &Client::messagesChanged);
    connect(m_e2ee, &E2eeCoordinator::messagesDecrypted, this, &Client::messagesDecrypted);
    connect(m_e2ee->forwarder(), &KeyForwarder::forwarded, this, &Client::historyForwarded);
    connect(m_e2ee->recoveryBackup(), &RecoveryBackup::backupUpToDate, this, &Client::recoveryBackupUpToDate);
    connect(m_e2ee->recoveryBackup(), &RecoveryBackup::backupFailed, this, &Client::recoveryBackupFailed);
    connect(m_e2ee->recoveryBackup(), &RecoveryBackup::backupDisabled, this, &Client::recoveryBackupDisabled);
    connect(m_e2ee->recoveryBackup(), &RecoveryBackup::restored, this, &Client::historyRestored);
    connect(m_e2ee->recoveryBackup(), &RecoveryBackup::restoreFailed, this, &Client::historyRestoreFailed);
    connect(m_channels, &ChannelActions::messagesChanged, this, &Client::messagesChanged);
    connect(m_engine, &SyncEngine::channelsChanged, this, &Client::channelsChanged);
    connect(m_channels, &ChannelActions::channelsChanged, this, &Client::channelsChanged);
    connect(m_channels, &ChannelActions::invitationsChanged, this, &Client::invitationsChanged);
    connect(m_readState, &ReadState::unreadChanged, this, &Client::unreadChanged);
    connect(m_readState, &ReadState::readReceipt, this, &Client::readReceipt);
    connect(m_typing, &TypingIndicator::typing, this, &Client::typing);
    connect(m_dispatcher, &PushDispatcher::ownDevicesChanged, m_e2ee, &E2eeCoordinator::ownDevicesChanged);
    connect(m_dispatcher, &PushDispatcher::errorOccurred, this, &Client::errorOccurred);
    connect(m_engine, &SyncEngine::syncError, this, &Client::errorOccurred);
    connect(m_outbox, &Outbox::entryChanged, this, &Client::outboxChanged);

    connect(m_send, &SendPipeline::keysWanted, m_e2ee, &E2eeCoordinator::queueKeyFetch);
    connect(m_send, &SendPipeline::encryptionWarning, this, &Client::encryptionWarning);
    connect(m_channels, &ChannelActions::encryptionWarning, this, &Client::encryptionWarning);
    connect(m_e2ee, &E2eeCoordinator::encryptionReady, this, &Client::encryptionReady);
    connect(m_e2ee, &E2eeCoordinator::identityUnavailable, this, &Client::identityUnavailable);
    connect(m_e2ee, &E2eeCoordinator::deviceTrustChanged, this, &Client::deviceTrustChanged);
    connect(m_e2ee, &E2eeCoordinator::keysFetched, this, &Client::keysFetched);
    connect(m_e2ee, &E2eeCoordinator::errorOccurred, this, &Client::errorOccurred);
    connect(m_e2ee->deviceApproval(), &DeviceApproval::stateChanged, this, &Client::deviceApprovalChanged);
    connect(m_e2ee->deviceApproval(), &DeviceApproval::approvalRequested, this,
            &Client::deviceAwaitsApproval);
}

void Client::wireSessionState()
{
    connect(m_requests, &GatewayRequests::finished, this, &Client::requestFinished);
    connect(m_account, &AccountSession::signedIn, this, &Client::signedIn);
    connect(m_account, &AccountSession::signInRequired, this, &Client::signInRequired);
    connect(m_account, &AccountSession::signedOut, this, &Client::signedOut);
    connect(m_account, &AccountSession::devicesListed, this, &Client::devicesListed);
    connect(m_account, &AccountSession::usersDeleted, this, &Client::usersDeleted);
    connect(m_account, &AccountSession::errorOccurred, this, &Client::errorOccurred);
    connect(m_account, &AccountSession::sessionChanged, this, &Client::updateState);
    connect(m_account, &AccountSession::signedOut, m_transfers, [this] { m_transfers->setOnline(false); });
    connect(m_e2ee, &E2eeCoordinator::encryptionReady, m_transfers, [this] {
        if (m_welcomeHandled)
            m_transfers->setOnline(true); // uploads whose message waited for the keys
    });

    // A dead push link usually means dead pooled HTTP connections too: the catch-up pull must not
    // wait for one of them to time out (30 s) before it opens a fresh one.
    connect(m_push, &PushChannel::disconnected, m_nam, &QNetworkAccessManager::clearConnectionCache);
    connect(m_push, &PushChannel::stateChanged, this, &Client::updateState);
    connect(m_push, &PushChannel::welcomed, this, &Client::onWelcomed);
    connect(m_push, &PushChannel::errorOccurred, this, &Client::errorOccurred);
    connect(m_push, &PushChannel::disconnected, this, [this] {
        m_engine->stop();
        updateState();
    });
    connect(m_channelPager, &ChannelListPager::complete, this, &Client::beginCatchUp);

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
        updateState();
        emit catchUpFinished(report);
    });
}

bool Client::openProfile(const QString &dataDir, crypto::SecureBuffer historyKey)
{
    QDir().mkpath(dataDir);
    // The profile holds the decrypted history, the search index, drafts and file keys: the
    // user's alone (0700), whatever the umask; its files too (0600), also in older profiles.
    QFile::setPermissions(dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    m_e2ee->setProfileDirectory(dataDir);
    if (!m_store->open(QDir(dataDir).filePath(QStringLiteral("history.sqlite")), std::move(historyKey))) {
        m_lastError = m_store->lastError();
        return false;
    }
    for (const QFileInfo &f : QDir(dataDir).entryInfoList(QDir::Files | QDir::Hidden))
        QFile::setPermissions(f.filePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    m_account->loadProfile();
    m_blocks->load();
    m_transfers->setDirectory(QDir(dataDir).filePath(QStringLiteral("attachments")));
    m_cleartext.setAllowed(m_store->settings().cleartextGateways());
    m_http->setCleartextPolicy(m_cleartext);
    m_push->setCleartextPolicy(m_cleartext);
    if (m_requests->urls().isEmpty()) {
        const QList<QUrl> urls = m_store->settings().gatewayUrls();
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
    m_requests->setUrls(urls);
    m_push->setUrls(urls);
    if (!urls.isEmpty())
        m_http->setBaseUrl(GatewayHttp::httpBaseFromWebSocketUrl(urls.first()));
    if (m_store->isOpen())
        m_store->settings().setGatewayUrls(urls);
}

QList<QUrl> Client::gatewayUrls() const
{
    return m_requests->urls();
}

void Client::allowCleartext(const QUrl &gateway)
{
    if (!CleartextPolicy::needsConsent(gateway) || m_cleartext.permits(gateway))
        return;
    qCWarning(lcClient).noquote() << "the user allowed cleartext to" << CleartextPolicy::authority(gateway);
    m_cleartext.allow(CleartextPolicy::authority(gateway));
    m_http->setCleartextPolicy(m_cleartext);
    m_push->setCleartextPolicy(m_cleartext);
    if (m_store->isOpen())
        m_store->settings().setCleartextGateways(m_cleartext.allowed());
}

void Client::setPinnedCertificate(const QSslCertificate &certificate)
{
    m_push->setPinnedCertificate(certificate);
    m_http->setSslConfiguration(m_push->sslConfiguration());
}

// ---- account -----------------------------------------------------------------------------------

QString Client::nick() const
{
    return m_account->nick();
}

QString Client::deviceId() const
{
    return m_account->deviceId();
}

QString Client::accountKey() const
{
    return m_account->accountKey();
}

quint64 Client::registerAccount(const QString &nick, const QString &password, const QString &inviteCode)
{
    return m_account->registerAccount(nick, password, inviteCode);
}

bool Client::isAdmin() const
{
    return m_welcomeHandled && m_push->welcome().admin();
}

quint64 Client::logIn(const QString &nick, const QString &password, const QString &deviceName)
{
    return m_account->logIn(nick, password, deviceName);
}

void Client::resumeSession()
{
    m_account->resumeSession();
}

void Client::startSession(const QString &token)
{
    m_account->startSession(token);
}

quint64 Client::logOut()
{
    return m_account->logOut();
}

void Client::disconnectFromGateway()
{
    m_account->disconnectFromGateway();
}

void Client::reconnectNow()
{
    m_push->reconnectNow();
}

quint64 Client::listDevices()
{
    return m_account->listDevices();
}

quint64 Client::revokeDevice(const QString &deviceId)
{
    const quint64 id = m_requests->nextId();
    if (!m_account->hasToken() || deviceId.isEmpty()) {
        m_requests->finishLater(id, false,
                                !m_account->hasToken() ? tr("Not signed in.") : tr("No device given."));
        return id;
    }
    if (deviceId == m_account->deviceId()) {
        m_requests->finishLater(id, false,
                                tr("This device signs out with Sign out, not by revoking itself."));
        return id;
    }
    // The signed list without it first, so that peers revoke it on the account's word, not only
    // because the gateway's directory stopped listing it.
    m_e2ee->removeFromDeviceList(deviceId, [this, id, deviceId](bool listed, const QString &listError) {
        if (listed)
            m_account->revokeAtGateway(id, deviceId);
        else
            m_requests->finishLater(id, false, listError);
    });
    return id;
}

quint64 Client::changePassword(const QString &currentPassword, const QString &newPassword)
{
    return m_account->changePassword(currentPassword, newPassword);
}

quint64 Client::logOutEverywhere()
{
    return m_account->logOutEverywhere();
}

quint64 Client::deleteAccount(const QString &password)
{
    return m_account->deleteAccount(password);
}

bool Client::isDeletedUser(const QString &nick) const
{
    return m_account->isDeletedUser(nick);
}

// ---- channels ----------------------------------------------------------------------------------

quint64 Client::joinChannel(const QString &channel)
{
    return m_channels->joinChannel(channel);
}

quint64 Client::leaveChannel(const QString &channel)
{
    return m_channels->leaveChannel(channel);
}

quint64 Client::createChannel(const QString &channel, ChannelRecord::Kind kind, const QStringList &members)
{
    return m_channels->createChannel(channel, kind, members);
}

quint64 Client::invite(const QString &channel, const QString &nick)
{
    return m_channels->invite(channel, nick);
}

quint64 Client::removeMember(const QString &channel, const QString &nick)
{
    return m_channels->removeMember(channel, nick);
}

QString Client::invitationFrom(const QString &channel) const
{
    return m_channels->invitationFrom(channel);
}

quint64 Client::acceptInvitation(const QString &channel)
{
    return m_channels->acceptInvitation(channel);
}

quint64 Client::declineInvitation(const QString &channel)
{
    return m_channels->leaveChannel(channel);
}

QString Client::directChannelName(const QString &a, const QString &b)
{
    return ChannelRecord::directName(a, b);
}

quint64 Client::openDirectChannel(const QString &nick, QString *channel)
{
    return m_channels->openDirectChannel(nick, channel);
}

QList<ChannelRecord> Client::channels() const
{
    return m_store->channels(true);
}

// ---- messages ----------------------------------------------------------------------------------

qint64 Client::sendMessage(const QString &channel, const QString &text, QString *error)
{
    return m_send->sendMessage(channel, text, error);
}

qint64 Client::sendReply(const QString &channel, const QString &text, quint64 replyToSeq, QString *error)
{
    return m_send->sendReply(channel, text, replyToSeq, error);
}

qint64 Client::editMessage(const QString &channel, quint64 seq, const QString &text, QString *error)
{
    return m_send->editMessage(channel, seq, text, error);
}

qint64 Client::deleteMessage(const QString &channel, quint64 seq, QString *error)
{
    return m_send->deleteMessage(channel, seq, error);
}

qint64 Client::sendAttachment(const QString &channel, const QString &filePath, const QString &caption,
                              const AttachmentTransfers::Preview &preview, quint64 replyToSeq, QString *error)
{
    return m_send->sendAttachment(channel, filePath, caption, preview, replyToSeq, error);
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

bool Client::retrySend(qint64 outboxId)
{
    return m_outbox->retry(outboxId);
}

void Client::setShareTyping(bool share)
{
    m_typing->setShare(share);
}

bool Client::sharesTyping() const
{
    return m_typing->shares();
}

void Client::notifyTyping(const QString &channel)
{
    m_typing->notifyTyping(channel);
}

void Client::setShareReadReceipts(bool share)
{
    m_readState->setShareReceipts(share);
}

bool Client::sharesReadReceipts() const
{
    return m_readState->sharesReceipts();
}

quint64 Client::peerReadSeq(const QString &channel) const
{
    return m_readState->peerReadSeq(channel);
}

void Client::markRead(const QString &channel, quint64 seq)
{
    m_readState->markRead(channel, seq);
}

quint64 Client::unreadCount(const QString &channel) const
{
    return m_readState->unreadCount(channel);
}

QList<SearchHit> Client::search(const QString &query, int limit) const
{
    return m_store->search(query, limit);
}

// ---- end-to-end encryption ---------------------------------------------------------------------

void Client::setIdentityStore(std::unique_ptr<crypto::IdentityStore> store)
{
    m_e2ee->setIdentityStore(std::move(store));
}

crypto::IdentityStore *Client::identityStore() const
{
    return m_e2ee->identityStore();
}

crypto::ChannelCrypto *Client::crypto() const
{
    return m_e2ee->crypto();
}

void Client::loadIdentityNow()
{
    m_e2ee->loadIdentityNow();
}

bool Client::isEncryptionReady() const
{
    return m_e2ee->isReady();
}

quint64 Client::fetchKeys(const QStringList &nicks)
{
    return m_e2ee->fetchKeys(nicks);
}

bool Client::acceptDevice(const QString &nick, const QString &deviceId)
{
    return m_e2ee->acceptDevice(nick, deviceId);
}

QString Client::safetyNumber(const QString &nick) const
{
    return m_e2ee->safetyNumber(nick);
}

bool Client::markVerified(const QString &nick, const QString &shownNumber, QString *error)
{
    return m_e2ee->markVerified(nick, shownNumber, error);
}

crypto::TrustStore::State Client::trustState(const QString &nick) const
{
    return m_e2ee->trustState(nick);
}

DeviceApproval::State Client::deviceApprovalState() const
{
    return m_e2ee->deviceApproval()->state();
}

QString Client::deviceApprovalCode() const
{
    return m_e2ee->deviceApproval()->ownCode();
}

QStringList Client::devicesAwaitingApproval() const
{
    return m_e2ee->deviceApproval()->waitingDevices();
}

QString Client::approvalCodeOf(const QString &deviceId) const
{
    return m_e2ee->deviceApproval()->codeOf(deviceId);
}

quint64 Client::approveDevice(const QString &deviceId, const QString &shownCode)
{
    return m_e2ee->approveDevice(deviceId, shownCode);
}

QString Client::enableRecoveryBackup(QString *error)
{
    return m_e2ee->recoveryBackup()->enable(error);
}

void Client::disableRecoveryBackup()
{
    m_e2ee->recoveryBackup()->disable();
}

bool Client::restoreFromRecoveryKey(const QString &words, QString *error)
{
    return m_e2ee->recoveryBackup()->restore(words, error);
}

bool Client::recoveryBackupEnabled() const
{
    return m_e2ee->recoveryBackup()->isEnabled();
}

// ---- session -----------------------------------------------------------------------------------

void Client::onWelcomed()
{
    const auto &w = m_push->welcome();
    m_account->adoptWelcome(QString::fromStdString(w.nick()), QString::fromStdString(w.device_id()));
    m_welcomeHandled = true;
    m_inboxAck->sessionStarted();
    m_e2ee->sessionStarted();
    m_channelPager->start(w);
    m_blocks->refresh();
}

void Client::beginCatchUp(const hchat::v1::Welcome &welcome)
{
    m_engine->beginCatchUp(welcome);
    m_readState->syncPositions();
    m_transfers->setOnline(true);
    updateState();
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

// ---- community ---------------------------------------------------------------------------------

quint64 Client::browseDirectory(const QString &query, const QString &after)
{
    return m_community->browseDirectory(query, after);
}

quint64 Client::listMembers(const QString &channel)
{
    return m_community->listMembers(channel);
}

quint64 Client::kick(const QString &channel, const QString &nick, const QString &reason)
{
    return m_channels->kick(channel, nick, reason);
}

quint64 Client::ban(const QString &channel, const QString &nick, const QString &reason)
{
    return m_channels->ban(channel, nick, reason);
}

quint64 Client::unban(const QString &channel, const QString &nick)
{
    return m_channels->unban(channel, nick);
}

quint64 Client::deleteOthersMessage(const QString &channel, quint64 seq)
{
    // In an end-to-end encrypted channel the gateway cannot delete for everyone: the moderator's
    // device sends a signed deletion, which members' clients check against the signed roles.
    const auto rec = m_store->channel(channel);
    if (!rec || !rec->encrypted)
        return m_channels->deleteOthersMessage(channel, seq);
    QString error;
    const bool queued = m_send->deleteOthersMessage(channel, seq, &error) != 0;
    const quint64 id = m_requests->nextId();
    m_requests->finishLater(id, queued, error);
    return id;
}

quint64 Client::setTopic(const QString &channel, const QString &topic)
{
    return m_channels->setTopic(channel, topic);
}

quint64 Client::setReadOnly(const QString &channel, bool readOnly)
{
    return m_channels->setReadOnly(channel, readOnly);
}

quint64 Client::setMemberRole(const QString &channel, const QString &nick, ChannelRecord::Role role)
{
    return m_channels->setRole(channel, nick, role);
}

quint64 Client::setBlocked(const QString &nick, bool blocked)
{
    return m_blocks->setBlocked(nick, blocked);
}

bool Client::isBlocked(const QString &nick) const
{
    return m_blocks->isBlocked(nick);
}

QStringList Client::blockedUsers() const
{
    return m_blocks->nicks();
}

quint64 Client::administer(const AdminCommand &command)
{
    return m_community->administer(command);
}

} // namespace hchat
