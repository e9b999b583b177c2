#include "UiSettings.h"

#include <QDir>

namespace hchat::ui {

UiSettings::UiSettings(const QString &profileDir, QObject *parent)
    : QObject(parent),
      m_settings(profileDir.isEmpty() ? QSettings().fileName()
                                      : QDir(profileDir).filePath(QStringLiteral("hchat.conf")),
                 QSettings::IniFormat)
{
}

bool UiSettings::closeToTray() const
{
    return m_settings.value(QStringLiteral("window/closeToTray"), true).toBool();
}
void UiSettings::setCloseToTray(bool on)
{
    set(QStringLiteral("window/closeToTray"), on);
}

UiSettings::Theme UiSettings::theme() const
{
    const int v = m_settings.value(QStringLiteral("appearance/theme"), int(Theme::System)).toInt();
    return v >= int(Theme::System) && v <= int(Theme::Dark) ? Theme(v) : Theme::System;
}
void UiSettings::setTheme(Theme theme)
{
    set(QStringLiteral("appearance/theme"), int(theme));
}

QString UiSettings::language() const
{
    return m_settings.value(QStringLiteral("appearance/language")).toString();
}
void UiSettings::setLanguage(const QString &language)
{
    set(QStringLiteral("appearance/language"), language);
}

bool UiSettings::notificationsEnabled() const
{
    return m_settings.value(QStringLiteral("notifications/enabled"), true).toBool();
}
void UiSettings::setNotificationsEnabled(bool on)
{
    set(QStringLiteral("notifications/enabled"), on);
}

bool UiSettings::notificationPreviews() const
{
    return m_settings.value(QStringLiteral("notifications/previews"), true).toBool();
}
void UiSettings::setNotificationPreviews(bool on)
{
    set(QStringLiteral("notifications/previews"), on);
}

bool UiSettings::shareTyping() const
{
    return m_settings.value(QStringLiteral("privacy/shareTyping"), true).toBool();
}
void UiSettings::setShareTyping(bool on)
{
    set(QStringLiteral("privacy/shareTyping"), on);
}
bool UiSettings::shareReadReceipts() const
{
    return m_settings.value(QStringLiteral("privacy/shareReadReceipts"), true).toBool();
}
void UiSettings::setShareReadReceipts(bool on)
{
    set(QStringLiteral("privacy/shareReadReceipts"), on);
}

QStringList UiSettings::mentionsOnlyChannels() const
{
    return m_settings.value(QStringLiteral("notifications/mentionsOnly")).toStringList();
}
bool UiSettings::channelMentionsOnly(const QString &channel) const
{
    return mentionsOnlyChannels().contains(channel);
}
void UiSettings::setChannelMentionsOnly(const QString &channel, bool on)
{
    QStringList channels = mentionsOnlyChannels();
    if (on == channels.contains(channel))
        return;
    if (on)
        channels.append(channel);
    else
        channels.removeAll(channel);
    channels.sort();
    set(QStringLiteral("notifications/mentionsOnly"), channels);
}

void UiSettings::set(const QString &key, const QVariant &value)
{
    if (m_settings.value(key) == value)
        return;
    m_settings.setValue(key, value);
    m_settings.sync();
    emit changed();
}

} // namespace hchat::ui
