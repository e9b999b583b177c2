#include "DesktopNotifier.h"

#include "UiLogging.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QVariantMap>

namespace hchat::ui {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");
const QString kDefaultAction = QStringLiteral("default");
} // namespace

DesktopNotifier::DesktopNotifier(QObject *parent)
    : QObject(parent)
{
    auto bus = QDBusConnection::sessionBus();
    bus.connect(kService, kPath, kInterface, QStringLiteral("ActionInvoked"), this,
                SLOT(onActionInvoked(uint, QString)));
    bus.connect(kService, kPath, kInterface, QStringLiteral("NotificationClosed"), this,
                SLOT(onNotificationClosed(uint, uint)));
}

bool DesktopNotifier::isAvailable() const
{
    return QDBusConnection::sessionBus().isConnected();
}

void DesktopNotifier::notify(const QString &key, const QString &summary, const QString &body)
{
    if (!isAvailable()) {
        qCWarning(lcNotify) << "no session bus; notification not shown";
        return;
    }
    const uint replacesId = m_idByKey.value(key, 0);
    QVariantMap hints;
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("org.hchat.HChat"));
    hints.insert(QStringLiteral("category"), QStringLiteral("im.received"));
    const QStringList actions{kDefaultAction, tr("Open")};
    // A plain asynchronous method call: QDBusInterface would introspect the service synchronously.
    QDBusMessage message = QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    message << m_appName << replacesId << QStringLiteral("org.hchat.HChat") << summary << body << actions << hints
            << int(-1);
    QDBusPendingCall call = QDBusConnection::sessionBus().asyncCall(message);
    auto *watcher = new QDBusPendingCallWatcher(call, this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, key](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            qCWarning(lcNotify) << "notification service refused:" << reply.error().message();
            return;
        }
        const uint id = reply.value();
        if (const uint old = m_idByKey.value(key, 0); old != 0 && old != id)
            m_keyById.remove(old);
        m_idByKey.insert(key, id);
        m_keyById.insert(id, key);
        emit notified(key, id);
    });
}

void DesktopNotifier::onActionInvoked(uint id, const QString &actionKey)
{
    const auto it = m_keyById.constFind(id);
    if (it == m_keyById.cend())
        return; // another application's notification
    if (actionKey == kDefaultAction)
        emit activated(it.value());
}

void DesktopNotifier::onNotificationClosed(uint id, uint)
{
    const QString key = m_keyById.take(id);
    if (!key.isEmpty() && m_idByKey.value(key) == id)
        m_idByKey.remove(key);
}

} // namespace hchat::ui
