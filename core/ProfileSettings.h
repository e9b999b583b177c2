#pragma once

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace hchat {

class HistoryDb;

// Table kv: the small settings of the profile, one text value per key (lists: space-separated).
// The typed accessors name every key kept there; value()/setValue() reach any key.
class ProfileSettings {
public:
    explicit ProfileSettings(HistoryDb &db) : m_db(db) {}

    QString value(const QString &key, const QString &defaultValue = {}) const;
    bool setValue(const QString &key, const QString &value);

    // The account signed in on this profile (empty: none).
    QString nick() const;
    bool setNick(const QString &nick);
    QString deviceId() const;
    bool setDeviceId(const QString &deviceId);
    // The gateways to connect to, in order of preference.
    QList<QUrl> gatewayUrls() const;
    bool setGatewayUrls(const QList<QUrl> &urls);
    // Gateways (host:port) the user allowed to be reached without TLS (CleartextPolicy); kept sorted.
    QStringList cleartextGateways() const;
    bool setCleartextGateways(const QStringList &authorities);
    // Lower-case nicks of deleted accounts; kept sorted.
    QSet<QString> deletedUsers() const;
    bool setDeletedUsers(const QSet<QString> &nicks);
    // Lower-case nicks this user blocked (BlockList), as the gateway last said; kept sorted.
    QStringList blockedUsers() const;
    bool setBlockedUsers(const QStringList &nicks);
    // Inbox seqs of key shares InboundCrypto refused so far and tries again.
    QList<quint64> cryptoRetryShares() const;
    bool setCryptoRetryShares(const QList<quint64> &seqs);
    // Devices of this account this device forwarded its sessions to (KeyForwarder); kept sorted.
    QStringList forwardedDevices() const;
    bool setForwardedDevices(const QStringList &deviceIds);
    // Who a private channel this device created invites in its genesis, until the genesis is posted.
    QStringList firstInvitees(const QString &channel) const;
    bool setFirstInvitees(const QString &channel, const QStringList &nicks);

private:
    QStringList list(const QString &key) const;
    bool setList(const QString &key, const QStringList &items);

    HistoryDb &m_db;
};

} // namespace hchat
