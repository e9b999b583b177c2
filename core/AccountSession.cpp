#include "AccountSession.h"

#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "GatewayRequests.h"
#include "HistoryStore.h"
#include "PushChannel.h"
#include "SyncEngine.h"
#include "TokenVault.h"
#include "hchat.pb.h"

#include <QDateTime>
#include <QSysInfo>

namespace hchat {

AccountSession::AccountSession(std::unique_ptr<TokenVault> vault, HistoryStore *store,
                               GatewayRequests *requests, GatewayHttp *http, PushChannel *push,
                               SyncEngine *engine, QObject *parent)
    : QObject(parent), m_vault(std::move(vault)), m_store(store), m_requests(requests), m_http(http),
      m_push(push), m_engine(engine)
{
    connect(m_push, &PushChannel::authenticationFailed, this,
            [this](int, const QString &message) { onAuthenticationFailed(message); });
    connect(m_vault.get(), &TokenVault::tokenRead, this,
            [this](const QString &account, const QString &token) {
                if (account != m_pendingResumeAccount)
                    return;
                m_pendingResumeAccount.clear();
                if (token.isEmpty()) {
                    emit signInRequired({}); // nothing went wrong: no reason to give
                    return;
                }
                startSession(token);
            });
    connect(m_vault.get(), &TokenVault::vaultError, this,
            [this](const QString &account, const QString &message) {
                emit errorOccurred(message);
                if (account == m_pendingResumeAccount) {
                    m_pendingResumeAccount.clear();
                    emit signInRequired(message);
                }
            });
}

AccountSession::~AccountSession()
{
    // The vault outlives the parts it would talk to (it goes last, with this object's members):
    // nothing it says while going may reach them.
    m_vault->disconnect(this);
}

void AccountSession::loadProfile()
{
    m_nick = m_store->settings().nick();
    m_deviceId = m_store->settings().deviceId();
    m_deletedUsers = m_store->settings().deletedUsers();
    m_store->setOwnNick(m_nick);
    m_engine->setOwnNick(m_nick);
    if (!m_deviceId.isEmpty())
        m_engine->setInboxStream(QLatin1Char('~') + m_deviceId);
}

void AccountSession::saveIdentity()
{
    if (!m_store->isOpen())
        return;
    m_store->settings().setNick(m_nick);
    m_store->settings().setDeviceId(m_deviceId);
}

void AccountSession::applyIdentity()
{
    m_store->setOwnNick(m_nick);
    m_engine->setOwnNick(m_nick);
    m_engine->setInboxStream(QLatin1Char('~') + m_deviceId);
}

void AccountSession::adoptWelcome(const QString &nick, const QString &deviceId)
{
    if (nick != m_nick || deviceId != m_deviceId) {
        m_nick = nick;
        m_deviceId = deviceId;
        saveIdentity();
    }
    applyIdentity();
    m_http->setBaseUrl(GatewayHttp::httpBaseFromWebSocketUrl(m_push->currentUrl()));
    m_http->setToken(m_token);
}

QString AccountSession::accountKey() const
{
    const QList<QUrl> urls = m_requests->urls();
    const QUrl u = urls.isEmpty() ? QUrl() : urls.first();
    return QStringLiteral("%1@%2:%3").arg(m_nick.toLower(), u.host()).arg(u.port());
}

quint64 AccountSession::registerAccount(const QString &nick, const QString &password,
                                        const QString &inviteCode)
{
    const quint64 id = m_requests->nextId();
    hchat::v1::RegisterRequest req;
    req.set_nick(nick.toStdString());
    req.set_password(password.toStdString());
    req.set_invite_code(inviteCode.trimmed().toStdString());
    m_requests->post(QStringLiteral("/v1/register"), QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id](bool ok, int code, const QString &error, const QByteArray &) {
                         // The two refusals of a gateway that does not take everyone, said plainly
                         // (with the gateway's own words after them).
                         QString why = error;
                         if (code == hchat::v1::ERROR_INVITE_REQUIRED)
                             why = tr("This gateway needs a valid invite code to register (ask its "
                                      "administrator for one): %1")
                                       .arg(error);
                         else if (code == hchat::v1::ERROR_REGISTRATION_CLOSED)
                             why = tr("This gateway does not take new accounts: its administrator creates "
                                      "them. %1")
                                       .arg(error);
                         m_requests->finish(id, ok, ok ? QString() : why);
                     });
    return id;
}

quint64 AccountSession::logIn(const QString &nick, const QString &password, const QString &deviceName)
{
    const quint64 id = m_requests->nextId();
    hchat::v1::LoginRequest req;
    req.set_nick(nick.toStdString());
    req.set_password(password.toStdString());
    req.set_device_name(
        (deviceName.isEmpty() ? QSysInfo::machineHostName() : deviceName).left(64).toStdString());
    if (!m_deviceId.isEmpty() && m_nick.compare(nick, Qt::CaseInsensitive) == 0)
        req.set_device_id(m_deviceId.toStdString());
    m_http->setToken({});
    m_requests->post(QStringLiteral("/v1/login"), QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id](bool ok, int, const QString &error, const QByteArray &body) {
                         hchat::v1::LoginResponse resp;
                         if (ok && !resp.ParseFromArray(body.constData(), static_cast<int>(body.size())))
                             ok = false;
                         if (!ok) {
                             m_requests->finish(id, false,
                                                error.isEmpty() ? tr("The gateway's answer did not parse.")
                                                                : error);
                             return;
                         }
                         m_nick = QString::fromStdString(resp.nick());
                         m_deviceId = QString::fromStdString(resp.device_id());
                         saveIdentity();
                         applyIdentity();
                         const QString token = QString::fromStdString(resp.token());
                         m_vault->writeToken(accountKey(), token);
                         startSession(token);
                         m_requests->finish(id, true, {});
                         emit signedIn(m_nick);
                     });
    return id;
}

void AccountSession::resumeSession()
{
    if (m_nick.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this] { emit signInRequired({}); }, Qt::QueuedConnection); // nothing went wrong: no reason
        return;
    }
    m_pendingResumeAccount = accountKey();
    m_vault->readToken(m_pendingResumeAccount);
}

void AccountSession::startSession(const QString &token)
{
    m_token = token;
    m_http->setToken(token);
    m_push->setToken(token);
    m_push->setUrls(m_requests->urls());
    m_push->stop();
    m_push->start();
    emit sessionChanged();
}

void AccountSession::onAuthenticationFailed(const QString &message)
{
    m_engine->stop();
    m_token.clear();
    if (!m_nick.isEmpty())
        m_vault->removeToken(accountKey());
    emit sessionChanged();
    emit signInRequired(
        tr("The gateway did not accept the session (%1). Please sign in again.").arg(message));
}

quint64 AccountSession::logOut()
{
    const quint64 id = m_requests->nextId();
    const QString account = accountKey();
    m_push->stop();
    m_engine->stop();
    auto finish = [this, id, account](bool ok, const QString &error) {
        m_vault->removeToken(account);
        m_token.clear();
        m_http->setToken({});
        emit sessionChanged();
        m_requests->finish(id, ok, error);
        emit signedOut();
    };
    if (m_token.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [finish] { finish(true, {}); }, Qt::QueuedConnection);
        return id;
    }
    m_requests->post(QStringLiteral("/v1/logout"), {},
                     [finish](bool ok, int, const QString &error, const QByteArray &) { finish(ok, error); });
    return id;
}

void AccountSession::disconnectFromGateway()
{
    m_push->stop();
    m_engine->stop();
    emit sessionChanged();
}

quint64 AccountSession::listDevices()
{
    const quint64 id = m_requests->nextId();
    if (m_token.isEmpty()) {
        m_requests->finishLater(id, false, tr("Not signed in."));
        return id;
    }
    m_requests->post(QStringLiteral("/v1/devices"), {},
                     [this, id](bool ok, int, const QString &error, const QByteArray &body) {
                         hchat::v1::DeviceList list;
                         if (ok && !list.ParseFromArray(body.constData(), int(body.size()))) {
                             m_requests->finish(id, false, tr("The gateway's device list did not parse."));
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
                         m_requests->finish(id, ok, error);
                     });
    return id;
}

void AccountSession::revokeAtGateway(quint64 id, const QString &deviceId)
{
    hchat::v1::RevokeDevice req;
    req.set_device_id(deviceId.toStdString());
    m_requests->post(QStringLiteral("/v1/devices/revoke"), QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id](bool ok, int, const QString &error, const QByteArray &) {
                         m_requests->finish(id, ok, error);
                     });
}

quint64 AccountSession::changePassword(const QString &currentPassword, const QString &newPassword)
{
    const quint64 id = m_requests->nextId();
    if (m_token.isEmpty()) {
        m_requests->finishLater(id, false, tr("Not signed in."));
        return id;
    }
    const int length = int(newPassword.toUtf8().size());
    if (length < 8 || length > 256) {
        m_requests->finishLater(id, false, tr("The new password must be 8 to 256 bytes long."));
        return id;
    }
    hchat::v1::ChangePassword req;
    req.set_current_password(currentPassword.toStdString());
    req.set_new_password(newPassword.toStdString());
    m_requests->post(QStringLiteral("/v1/account/password"),
                     QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id](bool ok, int code, const QString &error, const QByteArray &) {
                         if (!ok && code == hchat::v1::ERROR_BAD_CREDENTIALS) {
                             m_requests->finish(id, false, tr("The current password is wrong."));
                             return;
                         }
                         if (ok)
                             qCInfo(lcClient) << "password changed; the other devices were logged out";
                         m_requests->finish(id, ok, error);
                     });
    return id;
}

quint64 AccountSession::logOutEverywhere()
{
    return endAccountSession(QStringLiteral("/v1/account/logout-all"), {}, false);
}

quint64 AccountSession::deleteAccount(const QString &password)
{
    hchat::v1::DeleteAccount req;
    req.set_password(password.toStdString());
    return endAccountSession(QStringLiteral("/v1/account/delete"),
                             QByteArray::fromStdString(req.SerializeAsString()), true);
}

quint64 AccountSession::endAccountSession(const QString &path, const QByteArray &body, bool deleting)
{
    const quint64 id = m_requests->nextId();
    if (m_token.isEmpty()) {
        m_requests->finishLater(id, false, tr("Not signed in."));
        return id;
    }
    // The gateway closes this device's push session too: stop it first, so that the close is not
    // taken for a rejected session; it restarts if the request fails.
    m_push->stop();
    m_engine->stop();
    m_requests->post(
        path, body, [this, id, deleting](bool ok, int code, const QString &error, const QByteArray &) {
            if (!ok) {
                if (!m_token.isEmpty())
                    startSession(m_token);
                m_requests->finish(id, false,
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
                saveIdentity();
            }
            emit sessionChanged();
            m_requests->finish(id, true, {});
            emit signedOut();
            emit signInRequired(deleting ? tr("Your account was deleted.")
                                         : tr("You were signed out on every device."));
        });
    return id;
}

bool AccountSession::isDeletedUser(const QString &nick) const
{
    return !nick.isEmpty() && m_deletedUsers.contains(nick.toLower());
}

void AccountSession::noteDeletedUsers(const QString &, const QList<StoredMessage> &rows)
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
    m_store->settings().setDeletedUsers(m_deletedUsers);
    // After this batch is stored, so that listeners see its rows as well.
    QMetaObject::invokeMethod(
        this, [this, fresh] { emit usersDeleted(fresh); }, Qt::QueuedConnection);
}

} // namespace hchat
