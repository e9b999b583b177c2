// hchat: the desktop app. Parses the command line, opens the profile, and hands over to the UI.
#include "Client.h"
#include "DesktopTheme.h"
#include "HistoryKeyring.h"
#include "HistoryStore.h"
#include "MainWindow.h"
#include "MessageView.h"
#include "SignInDialog.h"
#include "SingleInstance.h"
#include "StartupReport.h"
#include "Translations.h"
#include "UiSettings.h"
#include "hchat/Version.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QMessageBox>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>
#include <optional>

namespace {
const QCommandLineOption kGatewayOption(
    QStringList{QStringLiteral("g"), QStringLiteral("gateway"), QStringLiteral("server")},
    QStringLiteral(
        "Gateway address (host:port, http(s)://host:port or ws(s)://host:port/ws). host:port uses TLS "
        "except on this machine; http:// or ws:// to another machine asks first."),
    QStringLiteral("address"));
const QCommandLineOption kProfileOption(
    QStringList{QStringLiteral("p"), QStringLiteral("profile")},
    QStringLiteral(
        "Profile: a NAME (its own folder in the user's data folder, e.g. for a second user on this "
        "machine) or a folder path containing '/'."),
    QStringLiteral("name"));
// bench/startup_bench: when the window has painted its channels and messages, write the times to
// FILE and quit.
QCommandLineOption startupReportOption()
{
    QCommandLineOption option(QStringLiteral("startup-report"),
                              QStringLiteral("Write start-up times to FILE and quit (benchmarks)."),
                              QStringLiteral("file"));
    option.setFlags(QCommandLineOption::HiddenFromHelp);
    return option;
}

void describeApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("hchat"));
    QCoreApplication::setOrganizationName(QStringLiteral("hchat"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(hchat::kVersion));
}

void configure(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral("HChat: desktop chat that never loses a message."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(kGatewayOption);
    parser.addOption(kProfileOption);
    parser.addOption(startupReportOption());
}

// --help and --version must work without a display (QApplication would need one).
bool onlyAsksForInformation(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "-h" || a == "--help" || a == "-?" || a == "--help-all" || a == "-v" || a == "--version")
            return true;
    }
    return false;
}
} // namespace

int main(int argc, char *argv[])
{
    if (onlyAsksForInformation(argc, argv)) {
        QCoreApplication core(argc, argv);
        describeApplication();
        QCommandLineParser parser;
        configure(parser);
        parser.process(core); // prints and exits
        return 0;
    }
    QApplication app(argc, argv);
    describeApplication();
    QApplication::setApplicationDisplayName(QStringLiteral("HChat"));
    QApplication::setDesktopFileName(QStringLiteral("org.hchat.HChat"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/hchat/hchat.svg")));

    QCommandLineParser parser;
    configure(parser);
    parser.process(app);

    const QString dataRoot = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QString profile = dataRoot;
    if (parser.isSet(kProfileOption)) {
        const QString value = parser.value(kProfileOption);
        static const QRegularExpression kName(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
        if (value.contains(QLatin1Char('/')))
            profile = QDir(value).absolutePath();
        else if (kName.match(value).hasMatch() && value != QLatin1String(".") && value != QLatin1String(".."))
            profile = QDir(dataRoot).filePath(QStringLiteral("profiles/") + value);
        else {
            std::fprintf(stderr,
                         "hchat: '%s' is not a profile name (letters, digits, . _ -) or a folder path\n",
                         qPrintable(value));
            return 2;
        }
    }
    if (!QDir().mkpath(profile)) {
        std::fprintf(stderr, "hchat: cannot create the profile folder %s\n", qPrintable(profile));
        return 1;
    }

    // A second start of the same profile raises the running window and exits.
    hchat::ui::SingleInstance instance(profile);
    if (!instance.claim()) {
        std::fprintf(stdout, "hchat: already running for %s; raised its window\n", qPrintable(profile));
        return 0;
    }
    // A start that arrives before the window exists (the keychain can take a while) is kept for it.
    std::optional<QString> earlyActivation;
    const QMetaObject::Connection early =
        QObject::connect(&instance, &hchat::ui::SingleInstance::activationRequested,
                         [&earlyActivation](const QString &token) { earlyActivation = token; });

    hchat::ui::UiSettings settings(profile);
    hchat::ui::Translations::install(settings.language());
    hchat::ui::DesktopTheme theme;
    theme.setPreference(settings.theme());
    theme.start();
    QObject::connect(&settings, &hchat::ui::UiSettings::changed, &theme,
                     [&] { theme.setPreference(settings.theme()); });

    // The history's key comes from the OS keychain before anything opens the history; without a
    // keychain the history stays plain on disk, and the window says so.
    QString historyKeyProblem;
    hchat::crypto::SecureBuffer historyKey;
    {
        hchat::HistoryKeyring keyring;
        QEventLoop waitForKeychain;
        QObject::connect(&keyring, &hchat::HistoryKeyring::keyReady, &waitForKeychain, [&] {
            historyKey = keyring.takeKey();
            waitForKeychain.quit();
        });
        QObject::connect(&keyring, &hchat::HistoryKeyring::keyUnavailable, &waitForKeychain,
                         [&](const QString &, const QString &message) {
                             historyKeyProblem = message;
                             waitForKeychain.quit();
                         });
        keyring.fetch(profile);
        waitForKeychain.exec();
    }
    if (!historyKeyProblem.isEmpty())
        std::fprintf(stderr, "hchat: %s\n", qPrintable(historyKeyProblem));

    hchat::Client client;
    if (!client.openProfile(profile, std::move(historyKey))) {
        const QString message =
            QObject::tr("HChat cannot open its local history in %1:\n%2\n\nThe file was left "
                        "untouched. Move it away or start with --profile to use another folder.")
                .arg(profile, client.lastError());
        std::fprintf(stderr, "hchat: %s\n", qPrintable(message));
        QMessageBox::critical(nullptr, QObject::tr("HChat"), message);
        return 1;
    }

    QString gateway = parser.value(kGatewayOption);
    if (gateway.isEmpty() && !client.gatewayUrls().isEmpty())
        gateway = client.gatewayUrls().first().toString();
    if (gateway.isEmpty())
        gateway = QStringLiteral("127.0.0.1:8745");
    const QUrl wsUrl = hchat::ui::SignInDialog::webSocketUrlFor(gateway);
    if (!wsUrl.isValid() || wsUrl.isEmpty()) {
        std::fprintf(stderr, "hchat: '%s' is not a gateway address; use host:port\n", qPrintable(gateway));
        return 2;
    }
    // A saved or given cleartext address to another machine: asked once, then kept in the profile.
    // Declined, the client does not connect and says why.
    hchat::ui::SignInDialog::confirmCleartext(&client, wsUrl, nullptr);
    client.setGatewayUrls({wsUrl});

    hchat::ui::MainWindow window(&client, &settings);
    std::optional<hchat::ui::StartupReport> startupReport;
    if (parser.isSet(QStringLiteral("startup-report")))
        startupReport.emplace(window.findChild<QAbstractItemView *>(QStringLiteral("channelList")),
                              window.messageView(), parser.value(QStringLiteral("startup-report")));
    window.show();
    if (!historyKeyProblem.isEmpty())
        window.statusBar()->showMessage(historyKeyProblem);
    auto raiseForAnotherStart = [&window](const QString &token) {
        // The compositor gives focus to a window raised with the launcher's token.
        if (!token.isEmpty())
            qputenv("XDG_ACTIVATION_TOKEN", token.toUtf8());
        std::fprintf(stderr, "hchat: raising the window for another start%s\n",
                     token.isEmpty() ? "" : " (with an activation token)");
        window.showAndRaise();
    };
    QObject::disconnect(early);
    QObject::connect(&instance, &hchat::ui::SingleInstance::activationRequested, &window,
                     raiseForAnotherStart);
    if (earlyActivation)
        raiseForAnotherStart(*earlyActivation);

    bool signInOpen = false;
    auto askSignIn = [&](const QString &reason) {
        if (signInOpen)
            return; // one dialog, however many reasons arrive while it is open
        signInOpen = true;
        hchat::ui::SignInDialog dialog(&client, gateway, &window);
        if (!reason.isEmpty())
            dialog.showError(reason);
        if (dialog.exec() != QDialog::Accepted && client.nick().isEmpty())
            window.statusBar()->showMessage(
                QObject::tr("Not signed in. Use Chat → Sign out to sign in again."));
        signInOpen = false;
    };
    QObject::connect(&client, &hchat::Client::signInRequired, &window, askSignIn);
    // An ordinary sign-out offers to sign in again (logging out everywhere or deleting the account
    // asks with its own reason, through signInRequired, before this runs).
    QObject::connect(&client, &hchat::Client::signedOut, &window, [&] {
        QTimer::singleShot(0, &window, [&] {
            if (client.connectionState() == hchat::ConnectionState::Offline)
                askSignIn({});
        });
    });
    QTimer::singleShot(0, &client, &hchat::Client::resumeSession);
    return app.exec();
}
