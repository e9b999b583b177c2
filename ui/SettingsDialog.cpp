#include "SettingsDialog.h"

#include "UiSettings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace hchat::ui {

SettingsDialog::SettingsDialog(UiSettings *settings, bool trayAvailable, QWidget *parent)
    : QDialog(parent), m_settings(settings),
      m_closeToTray(new QCheckBox(tr("Keep running in the tray when the window "
                                     "is closed"))),
      m_theme(new QComboBox), m_language(new QComboBox),
      m_notifications(new QCheckBox(tr("Show desktop notifications"))),
      m_previews(new QCheckBox(tr("Show message text in notifications"))),
      m_shareTyping(new QCheckBox(tr("Let others see when I am typing"))),
      m_shareReceipts(new QCheckBox(tr("Send read receipts in direct messages")))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));

    m_closeToTray->setObjectName(QStringLiteral("closeToTray"));
    m_closeToTray->setChecked(trayAvailable && settings->closeToTray());
    m_closeToTray->setEnabled(trayAvailable);
    if (!trayAvailable)
        m_closeToTray->setToolTip(tr("This desktop has no system tray."));

    m_theme->setObjectName(QStringLiteral("theme"));
    m_theme->addItem(tr("Follow the desktop"), int(UiSettings::Theme::System));
    m_theme->addItem(tr("Light"), int(UiSettings::Theme::Light));
    m_theme->addItem(tr("Dark"), int(UiSettings::Theme::Dark));
    m_theme->setCurrentIndex(m_theme->findData(int(settings->theme())));

    m_language->setObjectName(QStringLiteral("language"));
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    m_language->setCurrentIndex(std::max(0, m_language->findData(settings->language())));
    auto *restartNote = new QLabel(tr("A new language applies the next time HChat starts."));
    restartNote->setWordWrap(true);

    m_notifications->setObjectName(QStringLiteral("notifications"));
    m_notifications->setChecked(settings->notificationsEnabled());
    m_previews->setObjectName(QStringLiteral("notificationPreviews"));
    m_previews->setChecked(settings->notificationPreviews());
    m_previews->setEnabled(settings->notificationsEnabled());

    m_shareTyping->setObjectName(QStringLiteral("shareTyping"));
    m_shareTyping->setChecked(settings->shareTyping());
    m_shareReceipts->setObjectName(QStringLiteral("shareReadReceipts"));
    m_shareReceipts->setChecked(settings->shareReadReceipts());

    auto *form = new QFormLayout;
    form->addRow(tr("Appearance:"), m_theme);
    form->addRow(tr("Language:"), m_language);
    form->addRow(QString(), restartNote);
    form->addRow(tr("Window:"), m_closeToTray);
    form->addRow(tr("Notifications:"), m_notifications);
    form->addRow(QString(), m_previews);
    form->addRow(tr("Privacy:"), m_shareTyping);
    form->addRow(QString(), m_shareReceipts);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(m_closeToTray, &QCheckBox::toggled, m_settings, &UiSettings::setCloseToTray);
    connect(m_theme, &QComboBox::currentIndexChanged, this,
            [this] { m_settings->setTheme(UiSettings::Theme(m_theme->currentData().toInt())); });
    connect(m_language, &QComboBox::currentIndexChanged, this,
            [this] { m_settings->setLanguage(m_language->currentData().toString()); });
    connect(m_notifications, &QCheckBox::toggled, this, [this](bool on) {
        m_settings->setNotificationsEnabled(on);
        m_previews->setEnabled(on);
    });
    connect(m_previews, &QCheckBox::toggled, m_settings, &UiSettings::setNotificationPreviews);
    connect(m_shareTyping, &QCheckBox::toggled, m_settings, &UiSettings::setShareTyping);
    connect(m_shareReceipts, &QCheckBox::toggled, m_settings, &UiSettings::setShareReadReceipts);
}

} // namespace hchat::ui
