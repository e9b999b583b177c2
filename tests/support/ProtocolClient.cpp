#include "ProtocolClient.h"

#include "GatewayProcess.h"

#include <QDeadlineTimer>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

namespace hchat::test {

ProtocolClient::ProtocolClient(const GatewayProcess &gateway, QObject *parent)
    : ProtocolClient(gateway.httpUrl(), gateway.wsUrl(), parent)
{
    metricsToken = gateway.metricsToken();
}

ProtocolClient::ProtocolClient(QUrl httpBase, QUrl wsUrl, QObject *parent)
    : QObject(parent), m_httpBase(std::move(httpBase)), m_wsUrl(std::move(wsUrl))
{
    m_ws.setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
    connect(&m_ws, &QWebSocket::binaryMessageReceived, this, &ProtocolClient::onBinary);
    connect(&m_ws, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &) {
        if (m_ignoreSsl)
            m_ws.ignoreSslErrors();
    });
}

void ProtocolClient::setIgnoreSslErrors(bool ignore)
{
    m_ignoreSsl = ignore;
    if (ignore)
        m_ws.ignoreSslErrors();
}

ProtocolClient::~ProtocolClient()
{
    if (m_ws.state() != QAbstractSocket::UnconnectedState)
        m_ws.abort();
}

bool ProtocolClient::waitFor(const std::function<bool()> &predicate, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!predicate()) {
        if (deadline.hasExpired())
            return false;
        QTest::qWait(2);
    }
    return true;
}

QByteArray ProtocolClient::newClientMsgId()
{
    QByteArray id(16, '\0');
    for (auto &c : id)
        c = char(QRandomGenerator::global()->bounded(256));
    return id;
}

// ---- HTTP --------------------------------------------------------------------------------------

namespace {
ProtocolClient::HttpResult finish(QNetworkReply *reply)
{
    ProtocolClient::HttpResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.contentRange = reply->rawHeader("Content-Range");
    if (r.status != 200 && r.status != 206 && r.status != 0) {
        hchat::v1::Error e;
        if (e.ParseFromArray(r.body.constData(), int(r.body.size()))) {
            r.error = e.code();
            r.errorMessage = QString::fromStdString(e.message());
        }
    }
    reply->deleteLater();
    return r;
}
} // namespace

ProtocolClient::HttpResult ProtocolClient::await(QNetworkReply *reply, int timeoutMs)
{
    if (m_ignoreSsl)
        reply->ignoreSslErrors();
    if (!waitFor([reply] { return reply->isFinished(); }, timeoutMs)) {
        reply->abort();
        reply->deleteLater();
        return {};
    }
    return finish(reply);
}

ProtocolClient::HttpResult ProtocolClient::post(const QString &path, const QByteArray &body, bool withToken,
                                                int timeoutMs)
{
    QNetworkRequest req(m_httpBase.resolved(QUrl(path)));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-protobuf"));
    if (withToken && !token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    QNetworkReply *reply = m_nam.post(req, body);
    return await(reply, timeoutMs);
}

ProtocolClient::HttpResult ProtocolClient::post(const QString &path,
                                                const google::protobuf::MessageLite &request,
                                                google::protobuf::MessageLite *response, bool withToken)
{
    const std::string wire = request.SerializeAsString();
    auto r = post(path, QByteArray(wire.data(), qsizetype(wire.size())), withToken);
    if (r.ok() && response && !response->ParseFromArray(r.body.constData(), int(r.body.size())))
        r.status = -1;
    return r;
}

ProtocolClient::HttpResult ProtocolClient::request(const QByteArray &method, const QString &path,
                                                   const QByteArray &body,
                                                   const QList<QPair<QByteArray, QByteArray>> &headers,
                                                   bool withToken, int timeoutMs)
{
    QNetworkRequest req(m_httpBase.resolved(QUrl(path)));
    if (!body.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/octet-stream"));
    if (withToken && !token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    for (const auto &[name, value] : headers)
        req.setRawHeader(name, value);
    QNetworkReply *reply = method == "GET" ? m_nam.get(req) : m_nam.sendCustomRequest(req, method, body);
    return await(reply, timeoutMs);
}

ProtocolClient::HttpResult ProtocolClient::get(const QString &path, int timeoutMs)
{
    QNetworkRequest req(m_httpBase.resolved(QUrl(path)));
    QNetworkReply *reply = m_nam.get(req);
    return await(reply, timeoutMs);
}

ProtocolClient::HttpResult ProtocolClient::registerUser(const QString &nick, const QString &password)
{
    hchat::v1::RegisterRequest req;
    req.set_nick(nick.toStdString());
    req.set_password(password.toStdString());
    return post(QStringLiteral("/v1/register"), req, nullptr, false);
}

ProtocolClient::HttpResult ProtocolClient::login(const QString &nickName, const QString &password,
                                                 const QString &device)
{
    hchat::v1::LoginRequest req;
    req.set_nick(nickName.toStdString());
    req.set_password(password.toStdString());
    req.set_device_name("test device");
    req.set_device_id(device.toStdString());
    hchat::v1::LoginResponse res;
    auto r = post(QStringLiteral("/v1/login"), req, &res, false);
    if (r.ok()) {
        token = QString::fromStdString(res.token());
        deviceId = QString::fromStdString(res.device_id());
        nick = QString::fromStdString(res.nick());
    }
    return r;
}

bool ProtocolClient::registerAndLogin(const QString &nickName, const QString &password)
{
    auto r = registerUser(nickName, password);
    if (!r.ok()) {
        qWarning() << "register" << nickName << "failed:" << r.status << r.errorMessage;
        return false;
    }
    r = login(nickName, password);
    if (!r.ok()) {
        qWarning() << "login" << nickName << "failed:" << r.status << r.errorMessage;
        return false;
    }
    return true;
}

std::optional<hchat::v1::UploadStatus> ProtocolClient::startUpload(const QString &channel, quint64 size,
                                                                   HttpResult *result)
{
    hchat::v1::UploadRequest req;
    req.set_channel(channel.toStdString());
    req.set_size(size);
    hchat::v1::UploadStatus st;
    const auto r = post(QStringLiteral("/v1/uploads"), req, &st);
    if (result)
        *result = r;
    return r.ok() ? std::optional(st) : std::nullopt;
}

hchat::v1::SyncResponse ProtocolClient::sync(const QString &channel, quint64 fromSeq, quint32 limit,
                                             HttpResult *result)
{
    hchat::v1::SyncRequest req;
    req.set_channel(channel.toStdString());
    req.set_from_seq(fromSeq);
    req.set_limit(limit);
    hchat::v1::SyncResponse res;
    auto r = post(QStringLiteral("/v1/sync"), req, &res);
    if (result)
        *result = r;
    return res;
}

std::vector<hchat::v1::Message> ProtocolClient::syncAll(const QString &channel, quint64 fromSeq,
                                                        quint32 limit, int *batches, bool *ok)
{
    std::vector<hchat::v1::Message> out;
    int n = 0;
    bool good = true;
    for (int guard = 0; guard < 100000; ++guard) {
        HttpResult r;
        auto res = sync(channel, fromSeq, limit, &r);
        if (!r.ok()) {
            good = false;
            break;
        }
        ++n;
        for (const auto &m : res.messages())
            out.push_back(m);
        if (!res.has_more())
            break;
        if (res.messages_size() == 0) {
            good = false;
            break;
        }
        fromSeq = res.messages(res.messages_size() - 1).seq() + 1;
    }
    if (batches)
        *batches = n;
    if (ok)
        *ok = good;
    return out;
}

double ProtocolClient::metric(const QString &name)
{
    auto r = request("GET", QStringLiteral("/metrics"), {},
                     {{"Authorization", "Bearer " + metricsToken.toLatin1()}}, false);
    if (!r.ok())
        return -1;
    const QRegularExpression re(QStringLiteral("^%1 ([0-9.eE+-]+)$").arg(QRegularExpression::escape(name)),
                                QRegularExpression::MultilineOption);
    const auto m = re.match(QString::fromUtf8(r.body));
    return m.hasMatch() ? m.captured(1).toDouble() : -1;
}

void ProtocolClient::closeHttpConnections()
{
    m_nam.clearConnectionCache();
}

// ---- WebSocket ---------------------------------------------------------------------------------

bool ProtocolClient::connectWs(int timeoutMs)
{
    m_ws.open(m_wsUrl);
    return waitFor(
               [this] {
                   return m_ws.state() == QAbstractSocket::ConnectedState ||
                          (m_ws.state() == QAbstractSocket::UnconnectedState &&
                           m_ws.error() != QAbstractSocket::UnknownSocketError);
               },
               timeoutMs) &&
           m_ws.state() == QAbstractSocket::ConnectedState;
}

void ProtocolClient::disconnectWs()
{
    m_ws.close();
    waitForDisconnected(5000);
}

bool ProtocolClient::isConnected() const
{
    return m_ws.state() == QAbstractSocket::ConnectedState;
}

bool ProtocolClient::waitForDisconnected(int timeoutMs)
{
    return waitFor([this] { return m_ws.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
}

int ProtocolClient::closeCode() const
{
    return int(m_ws.closeCode());
}

void ProtocolClient::onBinary(const QByteArray &bytes)
{
    hchat::v1::Frame f;
    if (!f.ParseFromArray(bytes.constData(), int(bytes.size()))) {
        qWarning() << "gateway sent an unparsable frame of" << bytes.size() << "bytes";
        return;
    }
    m_frames.append(f);
    if (f.request_id() != 0) {
        m_replies.insert(f.request_id(), f);
    } else if (f.has_push()) {
        ++m_pushCount;
        m_pushes[QString::fromStdString(f.push().message().channel())].append(f.push().message());
    }
}

void ProtocolClient::clearReceived()
{
    m_frames.clear();
    m_replies.clear();
    m_pushes.clear();
    m_pushCount = 0;
}

QList<hchat::v1::Message> ProtocolClient::pushedMessages(const QString &channel) const
{
    if (!channel.isEmpty())
        return m_pushes.value(channel);
    QList<hchat::v1::Message> all;
    for (const auto &f : m_frames)
        if (f.has_push())
            all.append(f.push().message());
    return all;
}

quint64 ProtocolClient::sendFrame(hchat::v1::Frame frame)
{
    if (frame.request_id() == 0)
        frame.set_request_id(m_nextRequestId++);
    sendRaw(QByteArray::fromStdString(frame.SerializeAsString()));
    return frame.request_id();
}

void ProtocolClient::sendRaw(const QByteArray &bytes)
{
    m_ws.sendBinaryMessage(bytes);
}

std::optional<hchat::v1::Frame> ProtocolClient::waitForReply(quint64 requestId, int timeoutMs)
{
    if (!waitFor(
            [&] {
                return m_replies.contains(requestId) || m_ws.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs) ||
        !m_replies.contains(requestId))
        return std::nullopt;
    return m_replies.value(requestId);
}

std::optional<hchat::v1::Frame> ProtocolClient::request(hchat::v1::Frame frame, int timeoutMs)
{
    return waitForReply(sendFrame(std::move(frame)), timeoutMs);
}

bool ProtocolClient::hello(hchat::v1::Welcome *welcome, hchat::v1::Error *error)
{
    hchat::v1::Frame f;
    f.mutable_hello()->set_protocol_version(hchat::v1::PROTOCOL_VERSION_CURRENT);
    f.mutable_hello()->set_token(token.toStdString());
    auto reply = request(f);
    if (!reply)
        return false;
    if (error && reply->has_error())
        *error = reply->error();
    if (!reply->has_welcome())
        return false;
    if (welcome)
        *welcome = reply->welcome();
    return true;
}

bool ProtocolClient::connectAndHello(hchat::v1::Welcome *welcome)
{
    return connectWs() && hello(welcome);
}

std::optional<hchat::v1::ChannelInfo> ProtocolClient::join(const QString &channel, hchat::v1::Error *error)
{
    hchat::v1::Frame f;
    f.mutable_join()->set_channel(channel.toStdString());
    auto reply = request(f);
    if (!reply)
        return std::nullopt;
    if (reply->has_error() && error)
        *error = reply->error();
    if (!reply->has_channel_joined())
        return std::nullopt;
    return reply->channel_joined().channel();
}

quint64 ProtocolClient::sendAsync(const QString &channel, const QByteArray &body,
                                  const QByteArray &clientMsgId)
{
    hchat::v1::Frame f;
    auto *s = f.mutable_send();
    s->set_channel(channel.toStdString());
    s->set_client_msg_id(clientMsgId.toStdString());
    s->set_body(body.toStdString());
    return sendFrame(std::move(f));
}

std::optional<hchat::v1::SendAck> ProtocolClient::send(const QString &channel, const QByteArray &body,
                                                       const QByteArray &clientMsgId, hchat::v1::Error *error)
{
    const auto id = sendAsync(channel, body, clientMsgId.isEmpty() ? newClientMsgId() : clientMsgId);
    auto reply = waitForReply(id);
    if (!reply)
        return std::nullopt;
    if (reply->has_error() && error)
        *error = reply->error();
    if (!reply->has_send_ack())
        return std::nullopt;
    return reply->send_ack();
}

} // namespace hchat::test
