#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace hchat::ui {

// Raises native desktop notifications through org.freedesktop.Notifications on the session bus.
// Notifications are grouped by a key (a channel): a new one with the same key replaces the
// previous one (replaces_id) instead of piling up. Clicking one emits activated(key).
class DesktopNotifier : public QObject {
    Q_OBJECT
public:
    explicit DesktopNotifier(QObject *parent = nullptr);

    bool isAvailable() const;
    void notify(const QString &key, const QString &summary, const QString &body);
    void setAppName(const QString &name) { m_appName = name; }

signals:
    void activated(const QString &key);
    void notified(const QString &key, uint id); // once the service has answered with its id

private slots:
    void onActionInvoked(uint id, const QString &actionKey);
    void onNotificationClosed(uint id, uint reason);

private:
    QString m_appName = QStringLiteral("HChat");
    QHash<QString, uint> m_idByKey;
    QHash<uint, QString> m_keyById;
};

} // namespace hchat::ui
