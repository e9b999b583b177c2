#pragma once

#include <QDBusConnection>
#include <QObject>
#include <QStringList>
#include <QVariantMap>

namespace hchat::test {

// A notification service registered on the test's private session bus (dbus-run-session) under
// org.freedesktop.Notifications, on its own bus connection, recording every call it receives.
class NotificationServiceSpy : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call {
        QString appName;
        uint replacesId = 0;
        QString summary;
        QString body;
        QStringList actions;
        QVariantMap hints;
        uint returnedId = 0;
    };

    // capabilities: what GetCapabilities answers ("body-markup": the service reads bodies as markup).
    explicit NotificationServiceSpy(QObject *parent = nullptr,
                                    const QStringList &capabilities = {QStringLiteral("actions"),
                                                                       QStringLiteral("body")});
    ~NotificationServiceSpy() override;
    bool isRegistered() const { return m_registered; }
    QList<Call> calls() const { return m_calls; }
    void clear() { m_calls.clear(); }
    void invokeAction(uint id, const QString &actionKey); // as a user clicking the notification

public slots:
    uint Notify(const QString &appName, uint replacesId, const QString &appIcon, const QString &summary,
                const QString &body, const QStringList &actions, const QVariantMap &hints, int timeout);
    void CloseNotification(uint id);
    QStringList GetCapabilities();
    QString GetServerInformation(QString &vendor, QString &version, QString &specVersion);

signals:
    void called();

private:
    QDBusConnection m_connection;
    bool m_registered = false;
    uint m_nextId = 1;
    QList<Call> m_calls;
    QStringList m_capabilities;
};

} // namespace hchat::test
