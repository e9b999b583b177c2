#include "SingleInstance.h"

#include "UiLogging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>

#include <unistd.h>

namespace hchat::ui {

namespace {
constexpr int kConnectTimeoutMs = 1000;
const QByteArray kRaise = QByteArrayLiteral("raise ");
} // namespace

SingleInstance::SingleInstance(const QString &profileDir, QObject *parent)
    : QObject(parent), m_name(serverNameFor(profileDir))
{
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::serverNameFor(const QString &profileDir)
{
    const QByteArray folder = QDir(profileDir).canonicalPath().toUtf8();
    const QByteArray hash =
        QCryptographicHash::hash(folder.isEmpty() ? profileDir.toUtf8() : folder, QCryptographicHash::Sha256)
            .toHex()
            .left(16);
    return QStringLiteral("hchat-%1-%2").arg(::getuid()).arg(QString::fromLatin1(hash));
}

bool SingleInstance::claim()
{
    {
        QLocalSocket probe;
        probe.connectToServer(m_name);
        if (probe.waitForConnected(kConnectTimeoutMs)) {
            QByteArray token = qgetenv("XDG_ACTIVATION_TOKEN");
            if (token.isEmpty())
                token = qgetenv("DESKTOP_STARTUP_ID");
            probe.write(kRaise + token + '\n');
            probe.waitForBytesWritten(kConnectTimeoutMs);
            // Wait for the running instance's answer, so that "it raised" is true when we exit.
            probe.waitForReadyRead(kConnectTimeoutMs);
            probe.disconnectFromServer();
            return false;
        }
    }
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_name)) {
        // A socket file left by a crashed instance: nobody answered above, so it is stale.
        QLocalServer::removeServer(m_name);
        if (!m_server->listen(m_name)) {
            m_error = m_server->errorString();
            qCWarning(lcUi).noquote() << "single instance: cannot listen on" << m_name << ":" << m_error;
            return true; // run anyway: a second window is better than none
        }
    }
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    return true;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            if (!socket->canReadLine()) {
                if (socket->bytesAvailable() > 4096)
                    socket->abort();
                return;
            }
            const QByteArray line = socket->readLine(4096).trimmed();
            if (line.startsWith(kRaise.trimmed())) {
                emit activationRequested(QString::fromUtf8(line.mid(kRaise.size())));
                socket->write("ok\n");
            }
            socket->disconnectFromServer();
        });
    }
}

} // namespace hchat::ui
