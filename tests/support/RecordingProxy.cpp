#include "RecordingProxy.h"

#include <QNetworkProxy>
#include <QTcpSocket>

namespace hchat::test {

RecordingProxy::RecordingProxy(QObject *parent) : QTcpServer(parent)
{
    connect(this, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = nextPendingConnection()) {
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            connect(s, &QTcpSocket::readyRead, s, [this, s] {
                if (!s->canReadLine())
                    return;
                m_lines << s->readLine().trimmed();
                s->abort();
                s->deleteLater();
            });
        }
    });
}

RecordingProxy::~RecordingProxy()
{
    QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
}

bool RecordingProxy::install()
{
    if (!isListening() && !listen(QHostAddress::LocalHost))
        return false;
    QNetworkProxy::setApplicationProxy(
        QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), serverPort()));
    return true;
}

bool RecordingProxy::sawRequestFor(const QByteArray &hostPort) const
{
    for (const QByteArray &line : m_lines)
        if (line.contains(hostPort))
            return true;
    return false;
}

} // namespace hchat::test
