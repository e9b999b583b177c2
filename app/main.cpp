// hchat: the desktop app. Parses the command line, opens the profile, and hands over to the UI.
#include "Client.h"
#include "HistoryStore.h"
#include "MainWindow.h"
#include "SignInDialog.h"
#include "hchat/Version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("hchat"));
    QApplication::setApplicationDisplayName(QStringLiteral("HChat"));
    QApplication::setOrganizationName(QStringLiteral("hchat"));
    QApplication::setApplicationVersion(QString::fromLatin1(hchat::kVersion));
    QApplication::setDesktopFileName(QStringLiteral("org.hchat.HChat"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/hchat/hchat.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("HChat: desktop chat that never loses a message."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption gatewayOption(
        QStringList{QStringLiteral("g"), QStringLiteral("gateway")},
        QStringLiteral("Gateway address (host:port, http(s)://host:port or ws(s)://host:port/ws)."),
        QStringLiteral("address"));
    const QCommandLineOption profileOption(QStringList{QStringLiteral("p"), QStringLiteral("profile")},
                                           QStringLiteral("Folder of the local history (default: the user's data folder)."),
                                           QStringLiteral("folder"));
    parser.addOption(gatewayOption);
    parser.addOption(profileOption);
    parser.process(app);

    const QString profile = parser.isSet(profileOption)
                                ? parser.value(profileOption)
                                : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(profile);

    hchat::Client client;
    if (!client.openProfile(profile)) {
        const QString message = QObject::tr("HChat cannot open its local history in %1:\n%2\n\nThe file was left "
                                            "untouched. Move it away or start with --profile to use another folder.")
                                    .arg(profile, client.lastError());
        std::fprintf(stderr, "hchat: %s\n", qPrintable(message));
        QMessageBox::critical(nullptr, QObject::tr("HChat"), message);
        return 1;
    }

    QString gateway = parser.value(gatewayOption);
    if (gateway.isEmpty() && !client.gatewayUrls().isEmpty())
        gateway = client.gatewayUrls().first().toString();
    if (gateway.isEmpty())
        gateway = QStringLiteral("127.0.0.1:8745");
    const QUrl wsUrl = hchat::ui::SignInDialog::webSocketUrlFor(gateway);
    if (!wsUrl.isValid() || wsUrl.isEmpty()) {
        std::fprintf(stderr, "hchat: '%s' is not a gateway address; use host:port\n", qPrintable(gateway));
        return 2;
    }
    client.setGatewayUrls({wsUrl});

    hchat::ui::MainWindow window(&client);
    window.show();

    QObject::connect(&client, &hchat::Client::signInRequired, &window, [&](const QString &reason) {
        hchat::ui::SignInDialog dialog(&client, gateway, &window);
        if (!reason.isEmpty())
            dialog.showError(reason);
        if (dialog.exec() != QDialog::Accepted && client.nick().isEmpty())
            window.statusBar()->showMessage(QObject::tr("Not signed in. Use Chat → Sign out to sign in again."));
    });
    QTimer::singleShot(0, &client, &hchat::Client::resumeSession);
    return app.exec();
}
