#include "HttpTestApi.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace hchat::test {

HttpTestApi::Reply HttpTestApi::post(const QString &path, const QByteArray &body, const QString &token,
                                     int timeoutMs) const
{
    QNetworkAccessManager nam;
    QUrl url = m_base;
    url.setPath(path);
    QNetworkRequest req(url);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-protobuf"));
    if (!token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    req.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = nam.post(req, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs + 1000, &loop, &QEventLoop::quit);
    loop.exec();
    Reply r;
    if (!reply->isFinished()) {
        reply->abort();
        r.error = QStringLiteral("timeout");
    }
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    if (r.error.isEmpty() && !r.ok()) {
        hchat::v1::Error e;
        if (e.ParseFromArray(r.body.constData(), int(r.body.size())))
            r.error = QString::fromStdString(e.message());
        if (r.error.isEmpty())
            r.error = reply->errorString();
    }
    delete reply;
    return r;
}

bool HttpTestApi::registerUser(const QString &nick, const QString &password, QString *error) const
{
    hchat::v1::RegisterRequest req;
    req.set_nick(nick.toStdString());
    req.set_password(password.toStdString());
    const Reply r = post(QStringLiteral("/v1/register"), QByteArray::fromStdString(req.SerializeAsString()));
    if (error)
        *error = r.error;
    return r.ok();
}

bool HttpTestApi::login(const QString &nick, const QString &password, hchat::v1::LoginResponse *out,
                        const QString &deviceId, QString *error) const
{
    hchat::v1::LoginRequest req;
    req.set_nick(nick.toStdString());
    req.set_password(password.toStdString());
    req.set_device_name("test");
    req.set_device_id(deviceId.toStdString());
    const Reply r = post(QStringLiteral("/v1/login"), QByteArray::fromStdString(req.SerializeAsString()));
    if (error)
        *error = r.error;
    return r.ok() && out->ParseFromArray(r.body.constData(), int(r.body.size()));
}

QString HttpTestApi::account(const QString &nick, const QString &password, QString *deviceId) const
{
    registerUser(nick, password);
    hchat::v1::LoginResponse resp;
    QString error;
    if (!login(nick, password, &resp, {}, &error)) {
        qWarning() << "login of" << nick << "failed:" << error;
        return {};
    }
    if (deviceId)
        *deviceId = QString::fromStdString(resp.device_id());
    return QString::fromStdString(resp.token());
}

bool HttpTestApi::sync(const QString &token, const QString &channel, quint64 from, quint32 limit,
                       hchat::v1::SyncResponse *out) const
{
    hchat::v1::SyncRequest req;
    req.set_channel(channel.toStdString());
    req.set_from_seq(from);
    req.set_limit(limit);
    const Reply r =
        post(QStringLiteral("/v1/sync"), QByteArray::fromStdString(req.SerializeAsString()), token);
    if (!r.ok())
        qWarning() << "sync failed:" << r.status << r.error;
    return r.ok() && out->ParseFromArray(r.body.constData(), int(r.body.size()));
}

QList<hchat::v1::Message> HttpTestApi::allMessages(const QString &token, const QString &channel) const
{
    QList<hchat::v1::Message> out;
    quint64 from = 1;
    for (int guard = 0; guard < 100000; ++guard) {
        hchat::v1::SyncResponse resp;
        if (!sync(token, channel, from, 1000, &resp))
            break;
        for (const auto &m : resp.messages())
            out << m;
        from += quint64(resp.messages_size());
        if (!resp.has_more() || resp.messages_size() == 0)
            break;
    }
    return out;
}

} // namespace hchat::test
