// The Debian packages: built from this tree, lint-clean, valid desktop and AppStream metadata,
// installable, upgradable without losing the gateway's data or configuration, and purged cleanly.
// Installs into the real system, so it runs as root (CI is root) under a CTest resource lock.
#include "TestEnv.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

#include <unistd.h>

namespace {
struct Result {
    int code = -1;
    QString out;
};

Result run(const QString &program, const QStringList &args, int timeoutMs = 180000, const QString &dir = {})
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    if (!dir.isEmpty())
        p.setWorkingDirectory(dir);
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DEBIAN_FRONTEND"), QStringLiteral("noninteractive"));
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(10000))
        return {-1, QStringLiteral("%1 did not start: %2").arg(program, p.errorString())};
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, QString::fromLocal8Bit(p.readAll()) + QStringLiteral("\n[timed out]")};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromLocal8Bit(p.readAll())};
}

#define RUN_OK(result) QVERIFY2((result).code == 0, qPrintable((result).out))

const QString kGatewayConf = QStringLiteral("/etc/hchat/gateway.conf");
const QString kGatewayDb = QStringLiteral("/var/lib/hchat/gateway.db");

// The keys of a .desktop file's [Desktop Entry] group (QSettings would take ';' for a comment).
QHash<QString, QString> desktopEntry(const QString &path)
{
    QHash<QString, QString> keys;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return keys;
    bool inEntry = false;
    for (const QByteArray &raw : file.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.startsWith(QLatin1Char('[')))
            inEntry = line == QLatin1String("[Desktop Entry]");
        else if (inEntry && line.contains(QLatin1Char('=')))
            keys.insert(line.section(QLatin1Char('='), 0, 0).trimmed(), line.section(QLatin1Char('='), 1).trimmed());
    }
    return keys;
}

// A copy of a package with another version: the "previous build" for the upgrade test.
bool repackWithVersion(const QString &deb, const QString &version, const QString &out, QString *log)
{
    QTemporaryDir work;
    auto r = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-R"), deb, work.path() + QStringLiteral("/pkg")});
    if (r.code != 0) {
        *log = r.out;
        return false;
    }
    QFile control(work.path() + QStringLiteral("/pkg/DEBIAN/control"));
    if (!control.open(QIODevice::ReadWrite)) {
        *log = QStringLiteral("cannot open control");
        return false;
    }
    QString text = QString::fromUtf8(control.readAll());
    text.replace(QRegularExpression(QStringLiteral("^Version: .*$"), QRegularExpression::MultilineOption),
                 QStringLiteral("Version: ") + version);
    control.resize(0);
    control.write(text.toUtf8());
    control.close();
    r = run(QStringLiteral("fakeroot"), {QStringLiteral("dpkg-deb"), QStringLiteral("-b"),
                                        work.path() + QStringLiteral("/pkg"), out});
    *log = r.out;
    return r.code == 0;
}
} // namespace

class PackagingDebs : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void bothPackagesAreBuilt();
    void lintianReportsNoErrors();
    void desktopEntryAndAppStreamMetadataValidate();
    void upgradeFromThePreviousBuildKeepsDatabaseAndConfiguration();
    void installedBinariesReportTheProjectVersion();
    void systemdUnitPassesVerify();
    void installedGatewayStartsWithDefaultConfigurationAndAnswersHealthz();
    void installedAppStartsFromItsDesktopEntry();
    void purgeRemovesBothPackagesCleanly();

private:
    void requireRoot();
    QTemporaryDir m_out{hchat::test::scratchRoot() + QStringLiteral("/packages-XXXXXX")};
    QString m_appDeb;
    QString m_gatewayDeb;
};

void PackagingDebs::initTestCase()
{
    const auto r = run(QStringLiteral("cpack"), {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("--config"),
                                                QStringLiteral(HCHAT_BINARY_DIR "/CPackConfig.cmake"),
                                                QStringLiteral("-B"), m_out.path()},
                       600000, QStringLiteral(HCHAT_BINARY_DIR));
    RUN_OK(r);
    m_appDeb = m_out.filePath(QStringLiteral("hchat_" HCHAT_VERSION "_amd64.deb"));
    m_gatewayDeb = m_out.filePath(QStringLiteral("hchat-gateway_" HCHAT_VERSION "_amd64.deb"));
}

void PackagingDebs::requireRoot()
{
    if (geteuid() != 0) {
        if (hchat::test::isCi())
            QFAIL("installing packages needs root, and CI runs as root");
        QSKIP("installing packages needs root");
    }
}

void PackagingDebs::bothPackagesAreBuilt()
{
    QVERIFY2(QFile::exists(m_appDeb), qPrintable(m_appDeb));
    QVERIFY2(QFile::exists(m_gatewayDeb), qPrintable(m_gatewayDeb));
    const auto contents = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-c"), m_appDeb});
    RUN_OK(contents);
    for (const char *path : {"./usr/bin/hchat", "./usr/share/applications/org.hchat.HChat.desktop",
                             "./usr/share/icons/hicolor/scalable/apps/org.hchat.HChat.svg",
                             "./usr/share/icons/hicolor/48x48/apps/org.hchat.HChat.png",
                             "./usr/share/metainfo/org.hchat.HChat.metainfo.xml", "./usr/share/man/man1/hchat.1.gz",
                             "./usr/share/doc/hchat/copyright", "./usr/share/doc/hchat/changelog.gz"})
        QVERIFY2(contents.out.contains(QLatin1String(path)), path);
    const auto gw = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-c"), m_gatewayDeb});
    for (const char *path : {"./usr/bin/hchat-gateway", "./lib/systemd/system/hchat-gateway.service",
                             "./etc/hchat/gateway.conf", "./usr/share/man/man1/hchat-gateway.1.gz"})
        QVERIFY2(gw.out.contains(QLatin1String(path)), path);
    const auto conffiles = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-I"), m_gatewayDeb, QStringLiteral("conffiles")});
    QCOMPARE(conffiles.out.trimmed(), kGatewayConf);
    // Dependencies were computed by shlibdeps, not listed by hand.
    const auto depends = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-f"), m_appDeb, QStringLiteral("Depends")});
    QVERIFY2(depends.out.contains(QStringLiteral("libqt6core6")) && depends.out.contains(QStringLiteral("libsodium23")),
             qPrintable(depends.out));
    // Stripped, and no private RPATH.
    QTemporaryDir x;
    RUN_OK(run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_appDeb, x.path()}));
    const auto file = run(QStringLiteral("file"), {x.filePath(QStringLiteral("usr/bin/hchat"))});
    QVERIFY2(file.out.contains(QStringLiteral(", stripped")), qPrintable(file.out));
    const auto dyn = run(QStringLiteral("readelf"), {QStringLiteral("-d"), x.filePath(QStringLiteral("usr/bin/hchat"))});
    QVERIFY2(!dyn.out.contains(QStringLiteral("RPATH")) && !dyn.out.contains(QStringLiteral("RUNPATH")), qPrintable(dyn.out));
}

void PackagingDebs::lintianReportsNoErrors()
{
    const auto r = run(QStringLiteral("lintian"), {QStringLiteral("--allow-root"), m_appDeb, m_gatewayDeb});
    const bool errors = QRegularExpression(QStringLiteral("^E: "), QRegularExpression::MultilineOption).match(r.out).hasMatch();
    QVERIFY2(!errors, qPrintable(r.out));
    QVERIFY2(r.code == 0 || r.code == 2 /* warnings only */, qPrintable(r.out));
}

void PackagingDebs::desktopEntryAndAppStreamMetadataValidate()
{
    RUN_OK(run(QStringLiteral("desktop-file-validate"), {QStringLiteral(HCHAT_SOURCE_DIR "/resources/org.hchat.HChat.desktop")}));
    RUN_OK(run(QStringLiteral("appstreamcli"), {QStringLiteral("validate"), QStringLiteral("--no-net"),
                                               QStringLiteral(HCHAT_SOURCE_DIR "/resources/org.hchat.HChat.metainfo.xml")}));
    const auto entry = desktopEntry(QStringLiteral(HCHAT_SOURCE_DIR "/resources/org.hchat.HChat.desktop"));
    QCOMPARE(entry.value(QStringLiteral("StartupWMClass")), QStringLiteral("hchat"));
    QCOMPARE(entry.value(QStringLiteral("Categories")), QStringLiteral("Network;InstantMessaging;"));
}

void PackagingDebs::upgradeFromThePreviousBuildKeepsDatabaseAndConfiguration()
{
    requireRoot();
    run(QStringLiteral("apt-get"), {QStringLiteral("purge"), QStringLiteral("-y"), QStringLiteral("hchat"),
                                    QStringLiteral("hchat-gateway")});
    const QString previous = m_out.filePath(QStringLiteral("hchat-gateway_previous.deb"));
    QString log;
    QVERIFY2(repackWithVersion(m_gatewayDeb, QStringLiteral("0.0.1"), previous, &log), qPrintable(log));
    RUN_OK(run(QStringLiteral("apt-get"), {QStringLiteral("install"), QStringLiteral("-y"),
                                           QStringLiteral("--no-install-recommends"), previous}));
    QVERIFY(QFile::exists(kGatewayConf));
    QVERIFY(QFileInfo(QStringLiteral("/var/lib/hchat")).isDir());
    RUN_OK(run(QStringLiteral("id"), {QStringLiteral("hchat")}));

    // The administrator edits the configuration, and the service stores data.
    QFile conf(kGatewayConf);
    QVERIFY(conf.open(QIODevice::Append));
    conf.write("\n# local edit kept across upgrades\nrate-limit = 150\n");
    conf.close();
    const QString marker = QUuid::createUuid().toString(QUuid::WithoutBraces);
    RUN_OK(run(QStringLiteral("runuser"), {QStringLiteral("-u"), QStringLiteral("hchat"), QStringLiteral("--"),
                                           QStringLiteral("sqlite3"), kGatewayDb,
                                           QStringLiteral("CREATE TABLE IF NOT EXISTS upgrade_marker(v TEXT);"
                                                          "INSERT INTO upgrade_marker VALUES('%1');").arg(marker)}));

    RUN_OK(run(QStringLiteral("apt-get"), {QStringLiteral("install"), QStringLiteral("-y"),
                                           QStringLiteral("--no-install-recommends"), m_appDeb, m_gatewayDeb}));
    const auto version = run(QStringLiteral("dpkg-query"), {QStringLiteral("-W"), QStringLiteral("-f=${Version}"),
                                                             QStringLiteral("hchat-gateway")});
    QCOMPARE(version.out, QStringLiteral(HCHAT_VERSION));
    QVERIFY(conf.open(QIODevice::ReadOnly));
    QVERIFY2(conf.readAll().contains("local edit kept across upgrades"), "the upgrade replaced the edited conffile");
    conf.close();
    const auto stored = run(QStringLiteral("sqlite3"), {kGatewayDb, QStringLiteral("SELECT v FROM upgrade_marker;")});
    QVERIFY2(stored.out.split(QLatin1Char('\n')).contains(marker), qPrintable(stored.out));
}

void PackagingDebs::installedBinariesReportTheProjectVersion()
{
    requireRoot();
    QVERIFY(QFile::exists(QStringLiteral("/usr/bin/hchat")));
    const auto app = run(QStringLiteral("/usr/bin/hchat"), {QStringLiteral("--version"), QStringLiteral("-platform"),
                                                             QStringLiteral("offscreen")});
    RUN_OK(app);
    QVERIFY2(app.out.contains(QStringLiteral(HCHAT_VERSION)), qPrintable(app.out));
    const auto gw = run(QStringLiteral("/usr/bin/hchat-gateway"), {QStringLiteral("--version")});
    RUN_OK(gw);
    QVERIFY2(gw.out.contains(QStringLiteral(HCHAT_VERSION)), qPrintable(gw.out));
}

void PackagingDebs::systemdUnitPassesVerify()
{
    requireRoot();
    const auto r = run(QStringLiteral("systemd-analyze"), {QStringLiteral("verify"),
                                                           QStringLiteral("/lib/systemd/system/hchat-gateway.service")});
    RUN_OK(r);
    QVERIFY2(r.out.trimmed().isEmpty(), qPrintable(r.out));
}

void PackagingDebs::installedGatewayStartsWithDefaultConfigurationAndAnswersHealthz()
{
    requireRoot();
    QProcess gateway;
    gateway.setProcessChannelMode(QProcess::MergedChannels);
    // setpriv execs the gateway as the service user (no intermediate process), so SIGTERM reaches it.
    gateway.start(QStringLiteral("setpriv"),
                  {QStringLiteral("--reuid=hchat"), QStringLiteral("--regid=hchat"), QStringLiteral("--init-groups"),
                   QStringLiteral("/usr/bin/hchat-gateway"),
                   QStringLiteral("--config"), kGatewayConf, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(gateway.waitForStarted());
    QByteArray output;
    QRegularExpressionMatch match;
    QDeadlineTimer deadline(20000);
    static const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
    while (!deadline.hasExpired() && !match.hasMatch() && gateway.state() == QProcess::Running) {
        gateway.waitForReadyRead(200);
        output += gateway.readAll();
        match = listening.match(QString::fromUtf8(output));
    }
    QVERIFY2(match.hasMatch(), output.constData());
    const auto health = run(QStringLiteral("curl"), {QStringLiteral("-fsS"), QStringLiteral("--max-time"), QStringLiteral("5"),
                                                     QStringLiteral("http://127.0.0.1:%1/healthz").arg(match.captured(1))});
    gateway.terminate();
    QVERIFY(gateway.waitForFinished(20000));
    RUN_OK(health);
    QCOMPARE(gateway.exitCode(), 0);
    QVERIFY(QFile::exists(kGatewayDb));
    const auto owner = run(QStringLiteral("stat"), {QStringLiteral("-c"), QStringLiteral("%U"), kGatewayDb});
    QCOMPARE(owner.out.trimmed(), QStringLiteral("hchat"));
}

void PackagingDebs::installedAppStartsFromItsDesktopEntry()
{
    requireRoot();
    QVERIFY2(qEnvironmentVariableIsSet("DISPLAY"), "run under xvfb-run");
    const auto entry = desktopEntry(QStringLiteral("/usr/share/applications/org.hchat.HChat.desktop"));
    QStringList exec = QProcess::splitCommand(entry.value(QStringLiteral("Exec")));
    exec.removeIf([](const QString &arg) { return arg.startsWith(QLatin1Char('%')); });
    QVERIFY(!exec.isEmpty());
    QTemporaryDir home;
    QProcess app;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start(exec.takeFirst(), exec);
    QVERIFY(app.waitForStarted());
    QTest::qWait(4000);
    QVERIFY2(app.state() == QProcess::Running, app.readAll().constData());
    const QString shotPath = QStringLiteral(HCHAT_BINARY_DIR "/screenshots/installed-app.png");
    QDir().mkpath(QFileInfo(shotPath).absolutePath());
    const auto shot = run(QStringLiteral("import"), {QStringLiteral("-window"), QStringLiteral("root"), shotPath});
    app.terminate();
    app.waitForFinished(10000);
    RUN_OK(shot);
    const QImage image(shotPath);
    QVERIFY(!image.isNull());
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 10, "the installed app's screenshot is blank");
}

void PackagingDebs::purgeRemovesBothPackagesCleanly()
{
    requireRoot();
    RUN_OK(run(QStringLiteral("apt-get"), {QStringLiteral("purge"), QStringLiteral("-y"), QStringLiteral("hchat"),
                                           QStringLiteral("hchat-gateway")}));
    for (const char *path : {"/usr/bin/hchat", "/usr/bin/hchat-gateway", "/etc/hchat", "/var/lib/hchat",
                             "/lib/systemd/system/hchat-gateway.service", "/usr/share/applications/org.hchat.HChat.desktop"})
        QVERIFY2(!QFileInfo::exists(QString::fromLatin1(path)), path);
    QVERIFY(run(QStringLiteral("id"), {QStringLiteral("hchat")}).code != 0);
    const auto status = run(QStringLiteral("dpkg-query"), {QStringLiteral("-W"), QStringLiteral("-f=${db:Status-Abbrev}"),
                                                            QStringLiteral("hchat-gateway")});
    QVERIFY2(status.code != 0 || status.out.startsWith(QStringLiteral("un")) || status.out.startsWith(QStringLiteral("pn")),
             qPrintable(status.out));
}

QTEST_GUILESS_MAIN(PackagingDebs)
#include "tst_packaging_debs.moc"
