// Following the desktop, on a private session bus (dbus-run-session): dark mode from the XDG
// desktop portal's color-scheme (a portal registered by the test answers and signals changes);
// one instance per profile (a second start of the real hchat binary raises the first and exits);
// --help and --version without any display.
#include "DesktopTheme.h"
#include "SingleInstance.h"
#include "TestEnv.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using hchat::ui::DesktopTheme;
using hchat::ui::SingleInstance;
using hchat::ui::UiSettings;

static constexpr int kWait = 15000;

namespace {
const QString kPortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPortalPath = QStringLiteral("/org/freedesktop/portal/desktop");

// org.freedesktop.portal.Settings as xdg-desktop-portal serves it, on its own bus connection:
// Read wraps the value in one more variant; changes come as SettingChanged signals.
class FakeSettingsPortal : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Settings")
public:
    explicit FakeSettingsPortal(uint scheme)
        : m_scheme(scheme),
          m_bus(QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("fake-portal")))
    {
        m_registered = m_bus.registerObject(kPortalPath, this, QDBusConnection::ExportAllSlots) &&
                       m_bus.registerService(kPortalService);
    }
    ~FakeSettingsPortal() override
    {
        m_bus.unregisterService(kPortalService);
        m_bus.unregisterObject(kPortalPath);
        QDBusConnection::disconnectFromBus(QStringLiteral("fake-portal"));
    }
    bool registered() const { return m_registered; }
    int reads() const { return m_reads; }
    void change(uint scheme)
    {
        m_scheme = scheme;
        QDBusMessage signal = QDBusMessage::createSignal(
            kPortalPath, QStringLiteral("org.freedesktop.portal.Settings"), QStringLiteral("SettingChanged"));
        signal << QStringLiteral("org.freedesktop.appearance") << QStringLiteral("color-scheme")
               << QVariant::fromValue(QDBusVariant(QVariant(scheme)));
        m_bus.send(signal);
    }

public slots:
    QDBusVariant Read(const QString &ns, const QString &key)
    {
        ++m_reads;
        if (ns != QLatin1String("org.freedesktop.appearance") || key != QLatin1String("color-scheme"))
            return QDBusVariant(QVariant::fromValue(QDBusVariant(QVariant(QString()))));
        return QDBusVariant(QVariant::fromValue(QDBusVariant(QVariant(m_scheme))));
    }

private:
    uint m_scheme;
    QDBusConnection m_bus;
    bool m_registered = false;
    int m_reads = 0;
};

// Whether a running instance listens on this single-instance socket.
bool answers(const QString &serverName)
{
    QLocalSocket s;
    s.connectToServer(serverName);
    return s.waitForConnected(200);
}

bool paletteIsDark()
{
    return QApplication::palette().color(QPalette::Window).lightness() < 100;
}

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runApp(const QStringList &args, const QProcessEnvironment &env, int timeoutMs = kWait)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(HCHAT_APP_BINARY), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}
} // namespace

class UiDesktop : public QObject {
    Q_OBJECT
private slots:
    void withoutAPortalTheWindowStaysLight()
    {
        DesktopTheme theme;
        QSignalSpy queried(&theme, &DesktopTheme::portalQueried);
        theme.start();
        QTRY_COMPARE_WITH_TIMEOUT(queried.size(), 1, kWait);
        QCOMPARE(queried.first().at(0).toBool(), false);
        QVERIFY(!theme.isDark());
        QVERIFY(!paletteIsDark());
        // The user's own choice still works.
        theme.setPreference(UiSettings::Theme::Dark);
        QVERIFY(theme.isDark());
        QVERIFY(paletteIsDark());
        theme.setPreference(UiSettings::Theme::System);
        QVERIFY(!paletteIsDark());
    }

    void darkModeFollowsTheDesktopPortal()
    {
        FakeSettingsPortal portal(1); // prefer dark
        QVERIFY(portal.registered());
        DesktopTheme theme;
        QSignalSpy queried(&theme, &DesktopTheme::portalQueried);
        QSignalSpy dark(&theme, &DesktopTheme::darkChanged);
        theme.start();
        QTRY_COMPARE_WITH_TIMEOUT(queried.size(), 1, kWait);
        QVERIFY(queried.first().at(0).toBool());
        QCOMPARE(portal.reads(), 1);
        QVERIFY(theme.desktopPrefersDark());
        QVERIFY(theme.isDark());
        QVERIFY(paletteIsDark());

        // The desktop switches to light, then back to dark: the window follows, live.
        portal.change(2);
        QTRY_VERIFY_WITH_TIMEOUT(!theme.isDark(), kWait);
        QVERIFY(!paletteIsDark());
        portal.change(1);
        QTRY_VERIFY_WITH_TIMEOUT(theme.isDark(), kWait);
        QVERIFY(paletteIsDark());
        QVERIFY(dark.size() >= 3);

        // "Light" in the settings wins over the desktop; "Follow the desktop" follows it again.
        theme.setPreference(UiSettings::Theme::Light);
        QVERIFY(!paletteIsDark());
        portal.change(1);
        QTest::qWait(200);
        QVERIFY(!paletteIsDark());
        theme.setPreference(UiSettings::Theme::System);
        QVERIFY(paletteIsDark());
        theme.setPreference(UiSettings::Theme::Light); // leave the application light
    }

    void aSecondInstanceHandsItsActivationTokenToTheFirst()
    {
        QTemporaryDir profile(hchat::test::scratchRoot() + QStringLiteral("/instance-XXXXXX"));
        SingleInstance first(profile.path());
        QVERIFY(first.claim());
        QSignalSpy raised(&first, &SingleInstance::activationRequested);
        qputenv("XDG_ACTIVATION_TOKEN", "token-from-the-launcher");
        SingleInstance second(profile.path());
        QVERIFY(!second.claim());
        qunsetenv("XDG_ACTIVATION_TOKEN");
        QTRY_COMPARE_WITH_TIMEOUT(raised.size(), 1, kWait);
        QCOMPARE(raised.first().at(0).toString(), QStringLiteral("token-from-the-launcher"));
        // Another profile is another instance.
        QTemporaryDir otherProfile(hchat::test::scratchRoot() + QStringLiteral("/instance-XXXXXX"));
        SingleInstance other(otherProfile.path());
        QVERIFY(other.claim());
        QVERIFY(other.serverName() != first.serverName());
    }

    void aSecondStartOfTheAppRaisesTheRunningOneAndExits()
    {
        QTemporaryDir home(hchat::test::scratchRoot() + QStringLiteral("/app-home-XXXXXX"));
        QTemporaryDir profile(hchat::test::scratchRoot() + QStringLiteral("/app-profile-XXXXXX"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        const QStringList args{QStringLiteral("--profile"), profile.path(), QStringLiteral("--server"),
                               QStringLiteral("127.0.0.1:9")};
        QProcess first;
        first.setProcessEnvironment(env);
        first.start(QStringLiteral(HCHAT_APP_BINARY), args);
        QVERIFY(first.waitForStarted(kWait));
        // Running: its socket answers.
        const QString name = SingleInstance::serverNameFor(profile.path());
        QTRY_VERIFY_WITH_TIMEOUT(answers(name), kWait);

        QProcessEnvironment secondEnv = env;
        secondEnv.insert(QStringLiteral("XDG_ACTIVATION_TOKEN"), QStringLiteral("launcher-token"));
        const Run second = runApp(args, secondEnv);
        QCOMPARE(second.exitCode, 0);
        QVERIFY2(second.out.contains("already running"), second.out.constData());
        QByteArray firstLog;
        QTRY_VERIFY2_WITH_TIMEOUT(
            (firstLog += first.readAllStandardError())
                .contains("raising the window for another start (with an activation token)"),
            firstLog.constData(), kWait);
        QCOMPARE(first.state(), QProcess::Running);
        // Killed: its socket file stays behind, stale. The next start must still run.
        first.kill();
        first.waitForFinished();
        QProcess third;
        third.setProcessEnvironment(env);
        third.start(QStringLiteral(HCHAT_APP_BINARY), args);
        QVERIFY(third.waitForStarted(kWait));
        QTRY_VERIFY_WITH_TIMEOUT(answers(name), kWait);
        QCOMPARE(third.state(), QProcess::Running);
        third.kill();
        third.waitForFinished();
    }

    void helpAndVersionNeedNoDisplay()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            env.remove(QString::fromLatin1(var));
        const Run version = runApp({QStringLiteral("--version")}, env);
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.startsWith("hchat "), version.out.constData());
        const Run help = runApp({QStringLiteral("--help")}, env);
        QCOMPARE(help.exitCode, 0);
        for (const char *option : {"--server", "--profile", "--version"})
            QVERIFY2(help.out.contains(option), help.out.constData());
        const Run bad = runApp(
            {QStringLiteral("--profile"), QStringLiteral("bad name!"), QStringLiteral("--version")}, env);
        QCOMPARE(bad.exitCode, 0); // --version wins, before anything is touched
    }
};

QTEST_MAIN(UiDesktop)
#include "tst_ui_desktop.moc"
