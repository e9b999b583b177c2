#include "DesktopTheme.h"

#include "UiLogging.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#include <QStyle>

namespace hchat::ui {

namespace {
const QString kPortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kSettingsInterface = QStringLiteral("org.freedesktop.portal.Settings");
const QString kAppearance = QStringLiteral("org.freedesktop.appearance");
const QString kColorScheme = QStringLiteral("color-scheme");

// The portal's Read wraps the value in one more variant than ReadOne does; unwrap all of them.
QVariant unwrap(QVariant v)
{
    while (v.metaType() == QMetaType::fromType<QDBusVariant>())
        v = v.value<QDBusVariant>().variant();
    return v;
}
} // namespace

DesktopTheme::DesktopTheme(QObject *parent) : QObject(parent), m_lightPalette(QApplication::palette())
{
    // The SettingChanged slot is connected by signature: QtDBus finds its argument types by name.
    qRegisterMetaType<QDBusVariant>();
}

void DesktopTheme::start()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        apply();
        emit portalQueried(false);
        return;
    }
    // Any sender: the portal is D-Bus activated and may start (or restart) after us, and following
    // its owner across that is what QtDBus gets wrong; a forged signal could only change colours.
    bus.connect(QString(), kPortalPath, kSettingsInterface, QStringLiteral("SettingChanged"), this,
                SLOT(onSettingChanged(QString, QString, QDBusVariant)));
    QDBusMessage read = QDBusMessage::createMethodCall(kPortalService, kPortalPath, kSettingsInterface,
                                                       QStringLiteral("Read"));
    read << kAppearance << kColorScheme;
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(read, 2000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusMessage reply = w->reply();
        if (reply.type() == QDBusMessage::ReplyMessage && !reply.arguments().isEmpty()) {
            m_portalAnswered = true;
            setDesktopColorScheme(unwrap(reply.arguments().first()).toUInt());
        } else {
            qCDebug(lcUi).noquote() << "no desktop portal colour scheme:" << reply.errorMessage();
            apply();
        }
        emit portalQueried(m_portalAnswered);
    });
    apply();
}

void DesktopTheme::onSettingChanged(const QString &ns, const QString &key, const QDBusVariant &value)
{
    if (ns == kAppearance && key == kColorScheme) {
        m_portalAnswered = true;
        setDesktopColorScheme(unwrap(value.variant()).toUInt());
    }
}

void DesktopTheme::setDesktopColorScheme(uint scheme)
{
    m_desktopDark = scheme == 1;
    apply();
}

void DesktopTheme::setPreference(UiSettings::Theme preference)
{
    m_preference = preference;
    apply();
}

bool DesktopTheme::isDark() const
{
    switch (m_preference) {
    case UiSettings::Theme::Light:
        return false;
    case UiSettings::Theme::Dark:
        return true;
    case UiSettings::Theme::System:
        break;
    }
    return m_desktopDark;
}

void DesktopTheme::apply()
{
    const bool dark = isDark();
    if (m_applied && dark == m_appliedDark)
        return;
    m_applied = true;
    m_appliedDark = dark;
    QApplication::setPalette(dark ? darkPalette() : m_lightPalette);
    emit darkChanged(dark);
}

QPalette DesktopTheme::darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    const QColor disabledText(0x80, 0x80, 0x80), highlight(0x3d, 0x7b, 0xd9);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabledText);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, window.lighter(130));
    p.setColor(QPalette::Midlight, window.lighter(115));
    p.setColor(QPalette::Mid, window.darker(120));
    p.setColor(QPalette::Dark, window.darker(150));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb0, 0x8c, 0xff));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabledText);
    return p;
}

} // namespace hchat::ui
