#include "ProfileSettings.h"

#include "HistoryDb.h"

namespace hchat {

namespace {
QStringList sorted(QStringList items)
{
    items.sort();
    return items;
}
} // namespace

QString ProfileSettings::value(const QString &key, const QString &defaultValue) const
{
    const QVariant value = m_db.scalar(QStringLiteral("SELECT value FROM kv WHERE key = ?"), {key});
    return value.isValid() ? value.toString() : defaultValue;
}

bool ProfileSettings::setValue(const QString &key, const QString &value)
{
    return m_db.exec(
        QStringLiteral(
            "INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
        {key, nonNull(value)});
}

QStringList ProfileSettings::list(const QString &key) const
{
    return value(key).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

bool ProfileSettings::setList(const QString &key, const QStringList &items)
{
    return setValue(key, items.join(QLatin1Char(' ')));
}

QString ProfileSettings::nick() const
{
    return value(QStringLiteral("nick"));
}

bool ProfileSettings::setNick(const QString &nick)
{
    return setValue(QStringLiteral("nick"), nick);
}

QString ProfileSettings::deviceId() const
{
    return value(QStringLiteral("device_id"));
}

bool ProfileSettings::setDeviceId(const QString &deviceId)
{
    return setValue(QStringLiteral("device_id"), deviceId);
}

QList<QUrl> ProfileSettings::gatewayUrls() const
{
    QList<QUrl> urls;
    for (const QString &url : list(QStringLiteral("gateway_urls")))
        urls << QUrl(url);
    return urls;
}

bool ProfileSettings::setGatewayUrls(const QList<QUrl> &urls)
{
    QStringList items;
    for (const QUrl &url : urls)
        items << url.toString();
    return setList(QStringLiteral("gateway_urls"), items);
}

QStringList ProfileSettings::forwardedDevices() const
{
    return list(QStringLiteral("forwarded_devices"));
}

bool ProfileSettings::setForwardedDevices(const QStringList &deviceIds)
{
    return setList(QStringLiteral("forwarded_devices"), sorted(deviceIds));
}

QStringList ProfileSettings::blockedUsers() const
{
    return list(QStringLiteral("blocked_users"));
}

bool ProfileSettings::setBlockedUsers(const QStringList &nicks)
{
    return setList(QStringLiteral("blocked_users"), sorted(nicks));
}

QStringList ProfileSettings::cleartextGateways() const
{
    return list(QStringLiteral("cleartext_gateways"));
}

bool ProfileSettings::setCleartextGateways(const QStringList &authorities)
{
    return setList(QStringLiteral("cleartext_gateways"), sorted(authorities));
}

QSet<QString> ProfileSettings::deletedUsers() const
{
    const QStringList nicks = list(QStringLiteral("deleted_users"));
    return QSet<QString>(nicks.begin(), nicks.end());
}

bool ProfileSettings::setDeletedUsers(const QSet<QString> &nicks)
{
    return setList(QStringLiteral("deleted_users"), sorted(nicks.values()));
}

QList<quint64> ProfileSettings::cryptoRetryShares() const
{
    QList<quint64> seqs;
    for (const QString &seq : list(QStringLiteral("crypto_retry_shares")))
        seqs << seq.toULongLong();
    return seqs;
}

bool ProfileSettings::setCryptoRetryShares(const QList<quint64> &seqs)
{
    QStringList items;
    for (quint64 seq : seqs)
        items << QString::number(seq);
    return setList(QStringLiteral("crypto_retry_shares"), items);
}

// One nick per line (as kept since the first version of signed membership).
QStringList ProfileSettings::firstInvitees(const QString &channel) const
{
    const QString stored = value(QStringLiteral("first_invitees:") + channel);
    return stored.isEmpty() ? QStringList() : stored.split(QLatin1Char('\n'));
}

bool ProfileSettings::setFirstInvitees(const QString &channel, const QStringList &nicks)
{
    return setValue(QStringLiteral("first_invitees:") + channel, nicks.join(QLatin1Char('\n')));
}

} // namespace hchat
