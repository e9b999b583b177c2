#include "GatewayHttp.h"

#include "CoreLogging.h"
#include "hchat.pb.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>

namespace hchat {

GatewayHttp::GatewayHttp(QNetworkAccessManager *nam, QObject *parent) : QObject(parent), m_nam(nam) {}

QUrl GatewayHttp::httpBaseFromWebSocketUrl(const QUrl &ws)
{
    QUrl u;
    u.setScheme(ws.scheme() == QLatin1String("wss") ? QStringLiteral("https") : QStringLiteral("http"));
    u.setHost(ws.host());
    if (ws.port() > 0)
        u.setPort(ws.port());
    return u;
}

QNetworkReply *GatewayHttp::post(const QString &path, const google::protobuf::MessageLite &body, Callback callback)
{
    const std::string bytes = body.SerializeAsString();
    return post(path, QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size())), std::move(callback));
}

QNetworkReply *GatewayHttp::post(const QString &path, const QByteArray &body, Callback callback)
{
    return send("POST", path, body, QByteArrayLiteral("application/x-protobuf"), {}, std::move(callback));
}

QNetworkReply *GatewayHttp::put(const QString &path, const QByteArray &bytes, const Headers &headers,
                                Callback callback)
{
    return send("PUT", path, bytes, QByteArrayLiteral("application/octet-stream"), headers, std::move(callback));
}

QNetworkReply *GatewayHttp::get(const QString &path, const Headers &headers, Callback callback)
{
    return send("GET", path, {}, {}, headers, std::move(callback));
}

QNetworkReply *GatewayHttp::remove(const QString &path, Callback callback)
{
    return send("DELETE", path, {}, {}, {}, std::move(callback));
}

QNetworkReply *GatewayHttp::send(const QByteArray &verb, const QString &path, const QByteArray &body,
                                 const QByteArray &contentType, const Headers &headers, Callback callback)
{
    QUrl url = m_base;
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    url.setPath(query < 0 ? path : path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    if (!m_cleartext.permits(url)) {
        qCWarning(lcClient).noquote()
            << verb << path << "refused: cleartext to" << CleartextPolicy::authority(url);
        Result r;
        r.error = CleartextPolicy::refusal(url);
        QMetaObject::invokeMethod(
            this, [callback = std::move(callback), r] { callback(r); }, Qt::QueuedConnection);
        return nullptr;
    }
    QNetworkRequest req(url);
    if (!contentType.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    req.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/x-protobuf"));
    if (!m_token.isEmpty())
        req.setRawHeader(QByteArrayLiteral("Authorization"), "Bearer " + m_token.toUtf8());
    for (const auto &[name, value] : headers)
        req.setRawHeader(name, value);
    req.setTransferTimeout(m_timeoutMs);
    if (m_haveSsl && url.scheme() == QLatin1String("https"))
        req.setSslConfiguration(m_ssl);
    QNetworkReply *reply = verb == "GET" ? m_nam->get(req) : m_nam->sendCustomRequest(req, verb, body);
    const qint64 maxBytes = m_maxResponse;
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply, maxBytes](qint64 received, qint64 total) {
        if (received > maxBytes || total > maxBytes) {
            qCWarning(lcClient) << "HTTP answer larger than" << maxBytes << "bytes; aborted";
            reply->setProperty("hchatTooLarge", true);
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [reply, callback = std::move(callback), path, verb] {
        reply->deleteLater();
        Result r;
        r.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->isOpen() ? reply->readAll() : QByteArray();
        if (reply->property("hchatTooLarge").toBool()) {
            r.httpStatus = 0;
            r.error = tr("The gateway's answer to %1 was too large.").arg(path);
        } else if (r.httpStatus == 0) {
            r.error = tr("The gateway is unreachable: %1").arg(reply->errorString());
        } else if (r.httpStatus < 200 || r.httpStatus >= 300) {
            hchat::v1::Error err;
            if (!r.body.isEmpty() && err.ParseFromArray(r.body.constData(), static_cast<int>(r.body.size())) &&
                !err.message().empty()) {
                r.errorCode = err.code();
                r.error = QString::fromStdString(err.message());
            } else {
                r.error = tr("The gateway answered %1 with HTTP %2.").arg(path).arg(r.httpStatus);
            }
        } else if (reply->error() != QNetworkReply::NoError) {
            r.error = reply->errorString();
        } else {
            r.ok = true;
        }
        if (!r.ok)
            qCDebug(lcClient).noquote() << verb << path << "failed:" << r.httpStatus << r.error;
        callback(r);
    });
    return reply;
}

} // namespace hchat
