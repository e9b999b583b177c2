#include "DesktopNotifier.h"

#include "UiLogging.h"

#include <QDBusConnection>
#include <QDBusError>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QVariantMap>

#include <utility>

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
    // Another daemon may take the name (a desktop restart, a user's choice): ask it again.
    auto *watcher = new QDBusServiceWatcher(kService, bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(watcher, &QDBusServiceWatcher::serviceOwnerChanged, this, &DesktopNotifier::forgetService);
}

bool DesktopNotifier::isAvailable() const
{
    return QDBusConnection::sessionBus().isConnected();
}

QString DesktopNotifier::escapeMarkup(const QString &text)
{
    QString out;
    out.reserve(text.size() + text.size() / 8);
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '&':
            out += QLatin1String("&amp;");
            break;
        case '<':
            out += QLatin1String("&lt;");
            break;
        case '>':
            out += QLatin1String("&gt;");
            break;
        case '"':
            out += QLatin1String("&quot;");
            break;
        case '\'':
            out += QLatin1String("&#39;");
            break;
        default:
            out += c;
        }
    }
    return out;
}

void DesktopNotifier::notify(const QString &key, const QString &summary, const QString &body)
{
    if (!isAvailable()) {
        qCWarning(lcNotify) << "no session bus; notification not shown";
        return;
    }
    const Waiting n{key, summary, body};
    if (!m_owner.isEmpty()) {
        send(n);
        return;
    }
    m_waiting.append(n);
    askCapabilities();
}

void DesktopNotifier::askCapabilities()
{
    if (m_asking)
        return;
    m_asking = true;
    const QDBusMessage message =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("GetCapabilities"));
    auto *watcher = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(message), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, generation = m_generation](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                onCapabilities(w->reply(), generation);
            });
}

void DesktopNotifier::onCapabilities(const QDBusMessage &reply, quint64 generation)
{
    if (generation != m_generation)
        return; // the owner changed meanwhile; forgetService() asked again
    m_asking = false;
    if (reply.type() == QDBusMessage::ReplyMessage && !reply.arguments().isEmpty()) {
        m_owner = reply.service(); // the unique name of the daemon that answered
        m_bodyMarkup = reply.arguments().constFirst().toStringList().contains(QStringLiteral("body-markup"));
        qCDebug(lcNotify) << "notification service" << m_owner << "body markup:" << m_bodyMarkup;
    } else {
        // Every service must answer this; one that does not may still read markup.
        qCWarning(lcNotify) << "notification service capabilities unknown:" << reply.errorMessage();
        m_owner.clear();
        m_bodyMarkup = true;
    }
    for (const Waiting &n : std::exchange(m_waiting, {}))
        send(n);
}

void DesktopNotifier::forgetService()
{
    ++m_generation;
    m_owner.clear();
    m_bodyMarkup = true;
    // A new daemon's ids are its own: replacing "our" old id could hit another application's.
    m_idByKey.clear();
    m_keyById.clear();
    m_asking = false;
    if (!m_waiting.isEmpty())
        askCapabilities();
}

void DesktopNotifier::send(const Waiting &n)
{
    const uint replacesId = m_idByKey.value(n.key, 0);
    QVariantMap hints;
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("org.hchat.HChat"));
    hints.insert(QStringLiteral("category"), QStringLiteral("im.received"));
    const QStringList actions{kDefaultAction, tr("Open")};
    const QString body = m_bodyMarkup ? escapeMarkup(n.body) : n.body;
    // A plain asynchronous method call: QDBusInterface would introspect the service synchronously.
    QDBusMessage message = QDBusMessage::createMethodCall(m_owner.isEmpty() ? kService : m_owner, kPath,
                                                          kInterface, QStringLiteral("Notify"));
    message << m_appName << replacesId << QStringLiteral("org.hchat.HChat") << n.summary << body << actions
            << hints << int(-1);
    QDBusPendingCall call = QDBusConnection::sessionBus().asyncCall(message);
    auto *watcher = new QDBusPendingCallWatcher(call, this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, n, generation = m_generation](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                QDBusPendingReply<uint> reply = *w;
                if (reply.isError()) {
                    // The daemon that was asked went away before the owner change was seen.
                    if (reply.error().type() == QDBusError::ServiceUnknown && !n.retried) {
                        if (generation == m_generation)
                            forgetService();
                        Waiting again = n;
                        again.retried = true;
                        m_waiting.append(again);
                        askCapabilities();
                        return;
                    }
                    qCWarning(lcNotify) << "notification service refused:" << reply.error().message();
                    return;
                }
                if (generation != m_generation)
                    return; // an id of a daemon that is gone
                const uint id = reply.value();
                if (const uint old = m_idByKey.value(n.key, 0); old != 0 && old != id)
                    m_keyById.remove(old);
                m_idByKey.insert(n.key, id);
                m_keyById.insert(id, n.key);
                emit notified(n.key, id);
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
