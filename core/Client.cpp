#include "Client.h"

#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "HistoryStore.h"
#include "KeychainTokenVault.h"
#include "Outbox.h"
#include "PushChannel.h"
#include "SyncEngine.h"
#include "SyncPuller.h"
#include "hchat.pb.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QSysInfo>

namespace hchat {

namespace {
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
}

Client::Client(TokenVault *vault, QObject *parent) : QObject(parent)
{
    if (vault && !vault->parent())
        vault->setParent(this);
    init(vault ? vault : new KeychainTokenVault(QStringLiteral("HChat"), this));
}

Client::~Client()
{
    // No signals from a half-destroyed facade.
    m_push->disconnect(this);
    m_engine->disconnect(this);
    m_outbox->disconnect(this);
    m_push->stop();
    m_puller->cancelAll();
}

void Client::init(TokenVault *vault)
{
    qRegisterMetaType<hchat::StoredMessage>();
    qRegisterMetaType<hchat::CatchUpReport>();
    qRegisterMetaType<hchat::OutboxEntry::State>();
    qRegisterMetaType<hchat::ConnectionState>();
    m_vault = vault;
    m_nam = new QNetworkAccessManager(this);
    m_http = new GatewayHttp(m_nam, this);
    m_store = new HistoryStore(this);
    m_push = new PushChannel(this);
    m_puller = new SyncPuller(m_http, this);
    m_engine = new SyncEngine(m_store, m_puller, this);
    m_outbox = new Outbox(m_store, m_push, this);

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
    connect(m_push, &PushChannel::authenticationFailed, this, [this](int, const QString &message) {
        m_engine->stop();
        m_token.clear();
        if (!m_nick.isEmpty())
            m_vault->removeToken(accountKey());
        updateState();
        emit signInRequired(tr("The gateway did not accept the session (%1). Please sign in again.").arg(message));
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
        updateState();
        emit catchUpFinished(report);
    });
    connect(m_engine, &SyncEngine::messagesStored, this, [this](const QString &channel, quint64 first, quint64 last) {
        emit messagesStored(channel, first, last);
        markUnreadDirty(channel);
    });
    connect(m_engine, &SyncEngine::liveMessage, this, &Client::messageReceived);
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

bool Client::openProfile(const QString &dataDir)
{
    QDir().mkpath(dataDir);
    if (!m_store->open(QDir(dataDir).filePath(QStringLiteral("history.sqlite")))) {
        m_lastError = m_store->lastError();
        return false;
    }
    m_nick = m_store->value(QStringLiteral("nick"));
    m_deviceId = m_store->value(QStringLiteral("device_id"));
    m_store->setOwnNick(m_nick);
    m_engine->setOwnNick(m_nick);
    if (!m_deviceId.isEmpty())
        m_engine->setInboxStream(QLatin1Char('~') + m_deviceId);
    if (m_urls.isEmpty()) {
        const QStringList saved = m_store->value(QStringLiteral("gateway_urls")).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QList<QUrl> urls;
        for (const auto &u : saved)
            urls << QUrl(u);
        if (!urls.isEmpty())
            setGatewayUrls(urls);
    }
    return true;
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
    QMetaObject::invokeMethod(this, [this, id, ok, error] { emit requestFinished(id, ok, error); }, Qt::QueuedConnection);
}

void Client::postWithFailover(const QString &path, const QByteArray &body,
                              std::function<void(bool, int, const QString &, const QByteArray &)> done, int urlIndex)
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
    req.set_device_name((deviceName.isEmpty() ? QSysInfo::machineHostName() : deviceName).left(64).toStdString());
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
                             emit requestFinished(id, false, error.isEmpty() ? tr("The gateway's answer did not parse.") : error);
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
        QMetaObject::invokeMethod(this, [this] { emit signInRequired(tr("Please sign in.")); }, Qt::QueuedConnection);
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
        QMetaObject::invokeMethod(this, [finish] { finish(true, {}); }, Qt::QueuedConnection);
        return id;
    }
    postWithFailover(QStringLiteral("/v1/logout"), {},
                     [finish](bool ok, int, const QString &error, const QByteArray &) { finish(ok, error); });
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

quint64 Client::wsRequest(hchat::v1::Frame &frame, std::function<void(quint64, const hchat::v1::Frame &)> onAnswer)
{
    const quint64 id = nextRequestId();
    const quint64 rid = m_push->sendRequest(frame, [id, onAnswer](const hchat::v1::Frame &answer) { onAnswer(id, answer); });
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
    hchat::v1::Frame f;
    f.mutable_leave()->set_channel(channel.toStdString());
    return wsRequest(f, [this, channel](quint64 id, const hchat::v1::Frame &a) {
        const bool ok = !a.has_error();
        if (ok) {
            m_puller->cancel(channel);
            m_store->setChannelJoined(channel, false);
            emit channelsChanged();
        }
        emit requestFinished(id, ok, ok ? QString() : errorText(a, tr("Could not leave.")));
    });
}

quint64 Client::createChannel(const QString &channel, ChannelRecord::Kind kind, bool encrypted, const QStringList &members)
{
    hchat::v1::Frame f;
    auto *c = f.mutable_create_channel();
    c->set_channel(channel.toStdString());
    c->set_kind(static_cast<hchat::v1::ChannelKind>(kind));
    c->set_encrypted(encrypted);
    for (const auto &m : members)
        c->add_members(m.toStdString());
    return wsRequest(f, [this](quint64 id, const hchat::v1::Frame &a) {
        if (a.has_channel_joined())
            m_engine->handleChannelJoined(a.channel_joined().channel());
        const bool ok = a.has_channel_joined() || a.has_ok();
        emit requestFinished(id, ok, ok ? QString() : errorText(a, tr("Could not create the channel.")));
    });
}

quint64 Client::invite(const QString &channel, const QString &nick)
{
    hchat::v1::Frame f;
    f.mutable_invite()->set_channel(channel.toStdString());
    f.mutable_invite()->set_nick(nick.toStdString());
    return wsRequest(f, [this](quint64 id, const hchat::v1::Frame &a) {
        const bool ok = !a.has_error();
        emit requestFinished(id, ok, ok ? QString() : errorText(a, tr("Could not invite.")));
    });
}

quint64 Client::removeMember(const QString &channel, const QString &nick)
{
    hchat::v1::Frame f;
    f.mutable_remove_member()->set_channel(channel.toStdString());
    f.mutable_remove_member()->set_nick(nick.toStdString());
    return wsRequest(f, [this](quint64 id, const hchat::v1::Frame &a) {
        const bool ok = !a.has_error();
        emit requestFinished(id, ok, ok ? QString() : errorText(a, tr("Could not remove the member.")));
    });
}

QString Client::directChannelName(const QString &a, const QString &b)
{
    QStringList nicks{a.toLower(), b.toLower()};
    nicks.sort();
    return QLatin1Char('@') + nicks.join(QLatin1Char('+'));
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
    c->add_members(nick.toStdString());
    return wsRequest(f, [this](quint64 id, const hchat::v1::Frame &a) {
        if (a.has_channel_joined())
            m_engine->handleChannelJoined(a.channel_joined().channel());
        const bool ok = a.has_channel_joined() || a.has_ok() ||
                        (a.has_error() && a.error().code() == hchat::v1::ERROR_CHANNEL_EXISTS);
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
    return m_outbox->enqueue(channel, text.toUtf8(), MessageKind::Text, false, error);
}

bool Client::retrySend(qint64 outboxId)
{
    return m_outbox->retry(outboxId);
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
    m_engine->beginCatchUp(w);
    syncReadPositions();
    updateState();
}

void Client::onPushed(const hchat::v1::Frame &frame)
{
    switch (frame.body_case()) {
    case hchat::v1::Frame::kPush:
        m_engine->handlePush(frame.push().message());
        break;
    case hchat::v1::Frame::kChannelJoined:
        m_engine->handleChannelJoined(frame.channel_joined().channel());
        break;
    case hchat::v1::Frame::kReadPosition:
        m_engine->handleReadPosition(QString::fromStdString(frame.read_position().channel()),
                                     frame.read_position().seq());
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
        s = !m_welcomeHandled ? ConnectionState::Connecting
            : m_engine->isCatchingUp() ? ConnectionState::CatchingUp : ConnectionState::Online;
        break;
    }
    if (s == m_state)
        return;
    m_state = s;
    qCInfo(lcClient) << "connection state" << s;
    emit connectionStateChanged(s);
}

} // namespace hchat
