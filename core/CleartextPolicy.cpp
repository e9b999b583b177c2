#include "CleartextPolicy.h"

#include <QCoreApplication>
#include <QHostAddress>

namespace hchat {

bool CleartextPolicy::isLoopbackHost(const QString &host)
{
    const QString h = host.toLower();
    if (h == QLatin1String("localhost") || h == QLatin1String("localhost."))
        return true;
    QHostAddress address;
    return address.setAddress(h) && address.isLoopback();
}

bool CleartextPolicy::isCleartextScheme(const QString &scheme)
{
    return scheme.compare(QLatin1String("ws"), Qt::CaseInsensitive) == 0 ||
           scheme.compare(QLatin1String("http"), Qt::CaseInsensitive) == 0;
}

QString CleartextPolicy::authority(const QUrl &url)
{
    const bool tls = url.scheme().compare(QLatin1String("wss"), Qt::CaseInsensitive) == 0 ||
                     url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
    const QString host = url.host().toLower();
    const int port = url.port(tls ? 443 : 80);
    return (host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host) +
           QLatin1Char(':') + QString::number(port);
}

QString CleartextPolicy::refusal(const QUrl &url)
{
    return QCoreApplication::translate(
               "hchat::CleartextPolicy",
               "Not connecting to %1 without encryption: your password and messages would "
               "cross the network in the clear. Use https:// or allow this gateway "
               "when signing in.")
        .arg(authority(url));
}

} // namespace hchat
