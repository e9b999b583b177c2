#pragma once

#include "AccountDevice.h"
#include "StoredMessage.h"

#include <QList>
#include <QObject>
#include <QSet>

#include <memory>

namespace hchat {

class GatewayHttp;
class GatewayRequests;
class HistoryStore;
class PushChannel;
class SyncEngine;
class TokenVault;

// Who this device is signed in as: the account's requests (register, sign in and out, devices,
// password, deletion), the session token (kept in a TokenVault) that the push channel and HTTP
// use, and what the profile remembers of the account (nick, device id, deleted users).
class AccountSession : public QObject {
    Q_OBJECT
public:
    AccountSession(std::unique_ptr<TokenVault> vault, HistoryStore *store, GatewayRequests *requests,
                   GatewayHttp *http, PushChannel *push, SyncEngine *engine, QObject *parent = nullptr);
    ~AccountSession() override;

    // Reads nick, device id and deleted users from the just opened profile.
    void loadProfile();
    // The gateway's Welcome names the account and device this session is for.
    void adoptWelcome(const QString &nick, const QString &deviceId);

    QString nick() const { return m_nick; }
    QString deviceId() const { return m_deviceId; }
    bool hasToken() const { return !m_token.isEmpty(); }
    QString accountKey() const; // the vault entry: "<nick>@<host:port>"

    quint64 registerAccount(const QString &nick, const QString &password, const QString &inviteCode = {});
    quint64 logIn(const QString &nick, const QString &password, const QString &deviceName);
    void resumeSession();
    void startSession(const QString &token);
    quint64 logOut();
    void disconnectFromGateway();
    quint64 listDevices();
    // The gateway part of revoking another device (request id handed out by the caller).
    void revokeAtGateway(quint64 id, const QString &deviceId);
    quint64 changePassword(const QString &currentPassword, const QString &newPassword);
    quint64 logOutEverywhere();
    quint64 deleteAccount(const QString &password);

    bool isDeletedUser(const QString &nick) const;
    // A stage of the received path (SyncEngine): USER_DELETED rows among rows just stored.
    void noteDeletedUsers(const QString &stream, const QList<StoredMessage> &rows);

signals:
    void signedIn(const QString &nick);
    void signInRequired(const QString &reason);
    void signedOut();
    void devicesListed(const QList<hchat::AccountDevice> &devices);
    void usersDeleted(const QStringList &nicks);
    void errorOccurred(const QString &message);
    // The session started, stopped or lost its token: the connection state may have changed.
    void sessionChanged();

private:
    void applyIdentity();
    void saveIdentity();
    void onAuthenticationFailed(const QString &message);
    quint64 endAccountSession(const QString &path, const QByteArray &body, bool deleting);

    std::unique_ptr<TokenVault> m_vault;
    HistoryStore *m_store;
    GatewayRequests *m_requests;
    GatewayHttp *m_http;
    PushChannel *m_push;
    SyncEngine *m_engine;
    QString m_nick;
    QString m_deviceId;
    QString m_token;
    QString m_pendingResumeAccount;
    QSet<QString> m_deletedUsers; // lower-case nicks of deleted accounts
};

} // namespace hchat
