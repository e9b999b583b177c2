#include "NotificationServiceSpy.h"

#include <QDBusMessage>

namespace hchat::test {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
} // namespace

NotificationServiceSpy::NotificationServiceSpy(QObject *parent, const QStringList &capabilities)
    : QObject(parent), m_connection(QDBusConnection::connectToBus(QDBusConnection::SessionBus,
                                                                  QStringLiteral("notification-spy"))),
      m_capabilities(capabilities)
{
    m_registered = m_connection.isConnected() &&
                   m_connection.registerObject(kPath, this, QDBusConnection::ExportAllSlots) &&
                   m_connection.registerService(kService);
}

NotificationServiceSpy::~NotificationServiceSpy()
{
    m_connection.unregisterService(kService);
    m_connection.unregisterObject(kPath);
    QDBusConnection::disconnectFromBus(QStringLiteral("notification-spy"));
}

uint NotificationServiceSpy::Notify(const QString &appName, uint replacesId, const QString &, const QString &summary,
                                    const QString &body, const QStringList &actions, const QVariantMap &hints, int)
{
    Call call{appName, replacesId, summary, body, actions, hints, replacesId != 0 ? replacesId : m_nextId++};
    m_calls.append(call);
    emit called();
    return call.returnedId;
}

void NotificationServiceSpy::CloseNotification(uint) {}

QStringList NotificationServiceSpy::GetCapabilities()
{
    return m_capabilities;
}

QString NotificationServiceSpy::GetServerInformation(QString &vendor, QString &version, QString &specVersion)
{
    vendor = QStringLiteral("hchat-tests");
    version = QStringLiteral("1");
    specVersion = QStringLiteral("1.2");
    return QStringLiteral("notification-spy");
}

void NotificationServiceSpy::invokeAction(uint id, const QString &actionKey)
{
    QDBusMessage signal = QDBusMessage::createSignal(kPath, kService, QStringLiteral("ActionInvoked"));
    signal << id << actionKey;
    m_connection.send(signal);
}

} // namespace hchat::test
