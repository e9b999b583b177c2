// hchat_core_probe: runs the client core headless (no keychain, no UI) for tests that need the
// client as a separate process, e.g. to kill -9 it in the middle of a catch-up.
//   hchat_core_probe --data DIR --url WS_URL --token TOKEN [--exit-when-caught-up]
// Prints one line per event, flushed at once:
//   committed <stream> <max_seq>      after each committed sync batch
//   caughtup <total>                  after the catch-up report
//   error <text>
#include "Client.h"
#include "HistoryStore.h"
#include "MemoryTokenVault.h"
#include "SyncPuller.h"
#include "TestHistoryKey.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    const QCommandLineOption dataOpt(QStringLiteral("data"), QStringLiteral("profile folder"),
                                     QStringLiteral("dir"));
    const QCommandLineOption urlOpt(QStringLiteral("url"), QStringLiteral("gateway ws url"),
                                    QStringLiteral("url"));
    const QCommandLineOption tokenOpt(QStringLiteral("token"), QStringLiteral("session token"),
                                      QStringLiteral("token"));
    const QCommandLineOption exitOpt(QStringLiteral("exit-when-caught-up"),
                                     QStringLiteral("exit after the catch-up"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), QStringLiteral("give up after seconds"),
                                        QStringLiteral("s"), QStringLiteral("120"));
    p.addOptions({dataOpt, urlOpt, tokenOpt, exitOpt, timeoutOpt});
    p.process(app);

    auto out = [](const QString &line) {
        std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
        std::fflush(stdout);
    };
    hchat::Client client(std::make_unique<hchat::MemoryTokenVault>());
    if (!client.openProfile(p.value(dataOpt), hchat::test::testHistoryKey(p.value(dataOpt)))) {
        out(QStringLiteral("error ") + client.lastError());
        return 2;
    }
    client.setGatewayUrls({QUrl(p.value(urlOpt))});
    QObject::connect(client.puller(), &hchat::SyncPuller::batchCommitted, &app,
                     [&](const QString &stream, quint64 max, quint64, int) {
                         out(QStringLiteral("committed %1 %2").arg(stream).arg(max));
                     });
    QObject::connect(&client, &hchat::Client::errorOccurred, &app,
                     [&](const QString &e) { out(QStringLiteral("error ") + e); });
    QObject::connect(&client, &hchat::Client::catchUpFinished, &app, [&](const hchat::CatchUpReport &r) {
        out(QStringLiteral("caughtup %1").arg(r.total()));
        if (p.isSet(exitOpt))
            QTimer::singleShot(0, &app, [&] { app.exit(0); });
    });
    QTimer::singleShot(p.value(timeoutOpt).toInt() * 1000, &app, [&] {
        out(QStringLiteral("error timeout"));
        app.exit(3);
    });
    client.startSession(p.value(tokenOpt));
    return app.exec();
}
