#pragma once

#include <QObject>
#include <QSettings>

namespace hchat::ui {

// The user's preferences for the desktop app, kept with QSettings in the profile folder (so that
// two profiles on one machine keep their own).
class UiSettings : public QObject {
    Q_OBJECT
public:
    enum class Theme { System = 0, Light = 1, Dark = 2 };
    Q_ENUM(Theme)

    // profileDir empty: the user's default QSettings location (for tools and tests).
    explicit UiSettings(const QString &profileDir, QObject *parent = nullptr);

    // Closing the window keeps HChat running in the tray (only where a tray exists).
    bool closeToTray() const;
    void setCloseToTray(bool on);
    Theme theme() const;
    void setTheme(Theme theme);
    // A locale name such as "zh_CN" or "en"; empty follows the system.
    QString language() const;
    void setLanguage(const QString &language);
    bool notificationsEnabled() const;
    void setNotificationsEnabled(bool on);
    // Message text in notifications (off: "New message" only).
    bool notificationPreviews() const;
    void setNotificationPreviews(bool on);

    // Privacy: tell others when the user is typing; send read receipts in direct messages.
    bool shareTyping() const;
    void setShareTyping(bool on);
    bool shareReadReceipts() const;
    void setShareReadReceipts(bool on);
    // Channels that notify only when a message @mentions the user.
    QStringList mentionsOnlyChannels() const;
    bool channelMentionsOnly(const QString &channel) const;
    void setChannelMentionsOnly(const QString &channel, bool on);

    QString fileName() const { return m_settings.fileName(); }

signals:
    void changed();

private:
    void set(const QString &key, const QVariant &value);
    mutable QSettings m_settings;
};

} // namespace hchat::ui
