#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

class QDBusMessage;

namespace hchat::ui {

// Raises native desktop notifications through org.freedesktop.Notifications on the session bus.
// Notifications are grouped by a key (a channel): a new one with the same key replaces the
// previous one (replaces_id) instead of piling up. Clicking one emits activated(key).
//
// Bodies carry text from the network. A service that advertises "body-markup" reads the body as
// markup (links, images, entities), so the body is escaped for it; the summary is plain text by
// the specification and goes as it is. The capabilities are asked once per service owner.
class DesktopNotifier : public QObject {
    Q_OBJECT
public:
    explicit DesktopNotifier(QObject *parent = nullptr);

    bool isAvailable() const;
    void notify(const QString &key, const QString &summary, const QString &body);
    void setAppName(const QString &name) { m_appName = name; }

    // The body as a markup-reading service shows it as the same text.
    static QString escapeMarkup(const QString &text);

signals:
    void activated(const QString &key);
    void notified(const QString &key, uint id); // once the service has answered with its id

private slots:
    void onActionInvoked(uint id, const QString &actionKey);
    void onNotificationClosed(uint id, uint reason);

private:
    struct Waiting {
        QString key;
        QString summary;
        QString body;
        bool retried = false;
    };
    void askCapabilities();
    void onCapabilities(const QDBusMessage &reply, quint64 generation);
    void send(const Waiting &n);
    void forgetService();

    QString m_appName = QStringLiteral("HChat");
    QHash<QString, uint> m_idByKey;
    QHash<uint, QString> m_keyById;
    // The service owner whose capabilities are known (its unique bus name: a notification goes to
    // the very owner that answered), and whether it reads markup in bodies.
    QString m_owner;
    bool m_bodyMarkup = true;
    bool m_asking = false;
    quint64 m_generation = 0; // bumped when the owner changes; older answers are dropped
    QList<Waiting> m_waiting;
};

} // namespace hchat::ui
