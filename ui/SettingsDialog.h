#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;

namespace hchat::ui {

class UiSettings;

// Preferences: close to the tray (only offered where a tray exists), light / dark / follow the
// desktop, language, and notifications (on, and whether they show message text). Changes are
// saved at once.
class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(UiSettings *settings, bool trayAvailable, QWidget *parent = nullptr);

    QCheckBox *closeToTrayBox() const { return m_closeToTray; }
    QComboBox *themeBox() const { return m_theme; }
    QComboBox *languageBox() const { return m_language; }
    QCheckBox *notificationsBox() const { return m_notifications; }
    QCheckBox *previewsBox() const { return m_previews; }
    QCheckBox *shareTypingBox() const { return m_shareTyping; }
    QCheckBox *shareReadReceiptsBox() const { return m_shareReceipts; }

private:
    UiSettings *m_settings;
    QCheckBox *m_closeToTray;
    QComboBox *m_theme;
    QComboBox *m_language;
    QCheckBox *m_notifications;
    QCheckBox *m_previews;
    QCheckBox *m_shareTyping;
    QCheckBox *m_shareReceipts;
};

} // namespace hchat::ui
