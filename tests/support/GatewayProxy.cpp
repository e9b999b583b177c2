#include "GatewayProxy.h"

#include <QNetworkReply>
#include <QTcpSocket>

namespace hchat::test {

struct GatewayProxy::Link {
    QWebSocket *client = nullptr;
    QWebSocket *upstream = nullptr;
    QList<QByteArray> queued; // client → gateway before the upstream is open
};

GatewayProxy::GatewayProxy(QUrl gatewayHttpBase, QObject *parent)
    : QObject(parent), m_gateway(std::move(gatewayHttpBase)),
      m_wsServer(QStringLiteral("hchat-test-proxy"), QWebSocketServer::NonSecureMode)
{
    m_wsServer.setMaxPendingConnections(100);
    connect(&m_server, &QTcpServer::newConnection, this, &GatewayProxy::onNewTcp);
    connect(&m_wsServer, &QWebSocketServer::newConnection, this, &GatewayProxy::onNewWebSocket);
}

GatewayProxy::~GatewayProxy()
{
    dropAllClients();
}

bool GatewayProxy::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

void GatewayProxy::stopListening()
{
    m_server.close();
}

QUrl GatewayProxy::wsUrl() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port()));
}

QUrl GatewayProxy::httpUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port()));
}

void GatewayProxy::clearHooks()
{
    m_frameHook = {};
    m_clientFrameHook = {};
    m_syncHook = {};
    m_requestHook = {};
    m_responseHook = {};
}

void GatewayProxy::onNewTcp()
{
    while (QTcpSocket *s = m_server.nextPendingConnection()) {
        s->setParent(this);
        connect(s, &QTcpSocket::readyRead, this, [this, s] { routeIfReady(s); });
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        routeIfReady(s);
    }
}

void GatewayProxy::routeIfReady(QTcpSocket *s)
{
    if (s->property("routed").toBool()) {
        handleHttp(s);
        return;
    }
    const QByteArray head = s->peek(64 * 1024);
    const int end = head.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    if (head.left(end).toLower().contains("upgrade: websocket")) {
        s->disconnect(this);
        s->setParent(nullptr);
        m_wsServer.handleConnection(s);
        return;
    }
    s->setProperty("routed", true);
    handleHttp(s);
}

void GatewayProxy::handleHttp(QTcpSocket *s)
{
    if (s->property("busy").toBool())
        return;
    QByteArray buffered = s->peek(s->bytesAvailable());
    const int end = buffered.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    const QList<QByteArray> lines = buffered.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    qint64 length = 0;
    QList<std::pair<QByteArray, QByteArray>> forwarded; // the headers the gateway reads
    for (const QByteArray &l : lines.mid(1)) {
        const int colon = l.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = l.left(colon).trimmed().toLower();
        const QByteArray value = l.mid(colon + 1).trimmed();
        if (name == "content-length")
            length = value.toLongLong();
        else if (name == "authorization" || name == "content-type" || name == "range" ||
                 name == "upload-offset")
            forwarded.append({l.left(colon).trimmed(), value});
    }
    if (buffered.size() < end + 4 + length)
        return;
    m_clientWire += s->read(end + 4);
    QByteArray body = s->read(length);
    m_clientWire += body;
    QByteArray method = requestLine.value(0);
    const QByteArray clientPath = requestLine.value(1);
    QByteArray path = clientPath;
    if (m_requestHook)
        m_requestHook(method, path, body);
    QUrl url = m_gateway;
    url.setPath(QString::fromUtf8(path));
    QNetworkRequest req(url);
    for (const auto &[name, value] : forwarded)
        req.setRawHeader(name, value);
    QNetworkReply *reply = m_nam.sendCustomRequest(req, method, body);
    s->setProperty("busy", true);
    QPointer<QTcpSocket> socket(s);
    connect(reply, &QNetworkReply::finished, this, [this, reply, socket, method, clientPath, path, body] {
        reply->deleteLater();
        int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QByteArray answer = reply->readAll();
        const QByteArray type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        const QByteArray range = reply->rawHeader("Content-Range");
        if (path == "/v1/sync") {
            hchat::v1::SyncRequest sr;
            sr.ParseFromArray(body.constData(), int(body.size()));
            m_syncRequests << sr;
            if (m_syncHook)
                m_syncHook(sr, status, answer);
        }
        if (m_responseHook)
            m_responseHook(method, clientPath, status, answer);
        if (!socket)
            return;
        if (status == 0) {
            socket->abort();
            return;
        }
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " X\r\n";
        if (!type.isEmpty())
            out += "Content-Type: " + type + "\r\n";
        if (!range.isEmpty())
            out += "Content-Range: " + range + "\r\n";
        out += "Content-Length: " + QByteArray::number(answer.size()) + "\r\nConnection: keep-alive\r\n\r\n";
        out += answer;
        socket->write(out);
        socket->setProperty("busy", false);
        if (socket->bytesAvailable() > 0)
            handleHttp(socket);
    });
}

void GatewayProxy::onNewWebSocket()
{
    while (QWebSocket *client = m_wsServer.nextPendingConnection()) {
        ++m_wsConnections;
        auto *link = new Link;
        link->client = client;
        client->setParent(this);
        client->setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
        link->upstream = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        link->upstream->setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
        link->upstream->setMaxAllowedIncomingFrameSize(64 * 1024 * 1024);
        m_links << link;
        QWebSocket *up = link->upstream;
        auto teardown = [this, link] { closeLink(link); };
        connect(client, &QWebSocket::binaryMessageReceived, this, [this, link](const QByteArray &data) {
            m_clientWire += data;
            QByteArray bytes = data;
            if (m_clientFrameHook) {
                hchat::v1::Frame frame;
                frame.ParseFromArray(data.constData(), int(data.size()));
                const Verdict v = m_clientFrameHook(frame, bytes);
                if (v == Verdict::Drop) {
                    ++m_dropped;
                    return;
                }
                if (v == Verdict::Replace)
                    ++m_replaced;
            }
            if (link->upstream->state() == QAbstractSocket::ConnectedState)
                link->upstream->sendBinaryMessage(bytes);
            else
                link->queued << bytes;
        });
        connect(up, &QWebSocket::connected, this, [link] {
            for (const auto &d : std::exchange(link->queued, {}))
                link->upstream->sendBinaryMessage(d);
        });
        connect(up, &QWebSocket::binaryMessageReceived, this, [this, link](const QByteArray &data) {
            QByteArray bytes = data;
            hchat::v1::Frame frame;
            frame.ParseFromArray(data.constData(), int(data.size()));
            Verdict v = m_frameHook ? m_frameHook(frame, bytes) : Verdict::Pass;
            if (v == Verdict::Drop) {
                ++m_dropped;
                return;
            }
            if (v == Verdict::Replace)
                ++m_replaced;
            ++m_relayed;
            link->client->sendBinaryMessage(bytes);
        });
        connect(client, &QWebSocket::disconnected, this, teardown);
        connect(up, &QWebSocket::disconnected, this, teardown);
        connect(up, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [up, teardown] {
            if (up->state() == QAbstractSocket::UnconnectedState)
                teardown();
        });
        QUrl target = m_gateway;
        target.setScheme(QStringLiteral("ws"));
        target.setPath(QStringLiteral("/ws"));
        up->open(target);
    }
}

int GatewayProxy::injectToClients(const QByteArray &bytes)
{
    int n = 0;
    for (Link *l : std::as_const(m_links)) {
        l->client->sendBinaryMessage(bytes);
        ++n;
    }
    return n;
}

void GatewayProxy::closeLink(Link *link)
{
    if (!m_links.removeOne(link))
        return;
    link->client->disconnect(this);
    link->upstream->disconnect(this);
    link->client->abort();
    link->upstream->abort();
    link->client->deleteLater();
    link->upstream->deleteLater();
    delete link;
}

void GatewayProxy::dropAllClients()
{
    const auto links = m_links;
    for (Link *l : links)
        closeLink(l);
}

} // namespace hchat::test
