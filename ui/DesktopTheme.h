#pragma once

#include "UiSettings.h"

#include <QObject>
#include <QPalette>

class QDBusVariant;

namespace hchat::ui {

// Light or dark, following the desktop. Qt 6.4 does not read GNOME's dark-style setting by itself,
// so this asks the XDG desktop portal (org.freedesktop.portal.Settings, namespace
// org.freedesktop.appearance, key color-scheme: 0 no preference, 1 dark, 2 light) and listens for
// its SettingChanged signal. The user's choice in the settings overrides the desktop. Calls are
// asynchronous: the window never waits for the portal.
class DesktopTheme : public QObject {
    Q_OBJECT
public:
    explicit DesktopTheme(QObject *parent = nullptr);

    // Asks the portal and starts listening; the palette follows from then on.
    void start();
    void setPreference(UiSettings::Theme preference);
    UiSettings::Theme preference() const { return m_preference; }
    // What the desktop asks for, as far as the portal said (false when there is no portal).
    bool desktopPrefersDark() const { return m_desktopDark; }
    bool isDark() const;
    bool portalAnswered() const { return m_portalAnswered; }

    static QPalette darkPalette();

signals:
    void darkChanged(bool dark);
    // The portal answered the first question, or there is none (answered false).
    void portalQueried(bool answered);

private slots:
    void onSettingChanged(const QString &ns, const QString &key, const QDBusVariant &value);

private:
    void setDesktopColorScheme(uint scheme);
    void apply();

    UiSettings::Theme m_preference = UiSettings::Theme::System;
    bool m_desktopDark = false;
    bool m_portalAnswered = false;
    bool m_appliedDark = false;
    bool m_applied = false;
    QPalette m_lightPalette;
};

} // namespace hchat::ui
