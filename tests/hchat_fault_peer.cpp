// hchat_fault_peer: a real client core (hchat::Client) as a separate process for the fault suite.
//   hchat_fault_peer --mode send|receive --data DIR --url WS_URL --token TOKEN [--channel CH]
//                    [--count K] [--rate PER_S] [--prefix P]
// send:    writes K messages ("<prefix>-<i>") through the client's outbox, at most PER_S a second
//          (0: all at once); prints "acked <seq> <client_msg_id hex>" for every acknowledgement
//          and "sent-all <K>" once every message is acknowledged.
// receive: stays connected; prints "max <channel max seq>" whenever the committed history grew
//          (at most every 100 ms).
// Both print "online" on every Welcome and exit cleanly (history closed) when stdin closes.
#include "Client.h"
#include "HistoryStore.h"
#include "MemoryTokenVault.h"
#include "Outbox.h"
#include "PushChannel.h"
#include "SyncPuller.h"
#include "TestHistoryKey.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimer>

#include <cstdio>
#include <unistd.h>

namespace {

void out(const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    auto opt = [&](const char *name, const char *def = nullptr) {
        QCommandLineOption o(QString::fromLatin1(name), QString::fromLatin1(name), QStringLiteral("value"));
        if (def)
            o.setDefaultValue(QString::fromLatin1(def));
        p.addOption(o);
        return o;
    };
    const auto modeOpt = opt("mode");
    const auto dataOpt = opt("data");
    const auto urlOpt = opt("url");
    const auto tokenOpt = opt("token");
    const auto channelOpt = opt("channel", "fault");
    const auto countOpt = opt("count", "100");
    const auto rateOpt = opt("rate", "0");
    const auto prefixOpt = opt("prefix", "m");
    const auto pingOpt = opt("ping-ms", "1000");
    const auto deadOpt = opt("dead-after-ms", "4000");
    p.process(app);

    hchat::Client client(std::make_unique<hchat::MemoryTokenVault>());
    if (!client.openProfile(p.value(dataOpt), hchat::test::testHistoryKey(p.value(dataOpt)))) {
        out(QStringLiteral("error ") + client.lastError());
        return 2;
    }
    // Quick reconnects: the gateway comes back within a second or two in these tests.
    client.pushChannel()->backoff().setBase(std::chrono::milliseconds(100));
    client.pushChannel()->backoff().setCap(std::chrono::milliseconds(1000));
    client.pushChannel()->setKeepAlive(p.value(pingOpt).toInt(), p.value(deadOpt).toInt());
    client.puller()->setRetryBackoff(std::chrono::milliseconds(50), std::chrono::milliseconds(500));
    client.outbox()->backoff().setCap(std::chrono::milliseconds(1000));
    client.setGatewayUrls({QUrl(p.value(urlOpt))});

    const QString channel = p.value(channelOpt);
    const bool sender = p.value(modeOpt) == QLatin1String("send");
    QObject::connect(&client, &hchat::Client::errorOccurred, &app,
                     [](const QString &e) { out(QStringLiteral("error ") + e); });
    QObject::connect(client.pushChannel(), &hchat::PushChannel::welcomed, &app,
                     [] { out(QStringLiteral("online")); });

    // stdin closed: the test is done with us.
    QSocketNotifier stdinWatch(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&stdinWatch, &QSocketNotifier::activated, &app, [&] {
        char buf[256];
        if (::read(STDIN_FILENO, buf, sizeof buf) <= 0) {
            stdinWatch.setEnabled(false);
            client.disconnectFromGateway();
            app.quit();
        }
    });

    const int count = p.value(countOpt).toInt();
    int enqueued = 0;
    int acked = 0;
    QTimer feeder;
    if (sender) {
        QObject::connect(client.outbox(), &hchat::Outbox::sent, &app,
                         [&](qint64 id, const QString &, quint64 seq) {
                             const auto e = client.store()->outboxEntry(id);
                             out(QStringLiteral("acked %1 %2")
                                     .arg(seq)
                                     .arg(QString::fromLatin1(e ? e->clientMsgId.toHex() : QByteArray())));
                             if (++acked == count)
                                 out(QStringLiteral("sent-all %1").arg(count));
                         });
        QObject::connect(client.outbox(), &hchat::Outbox::failed, &app,
                         [](qint64 id, const QString &, const QString &why) {
                             out(QStringLiteral("error outbox %1 failed: %2").arg(id).arg(why));
                         });
        const int rate = p.value(rateOpt).toInt();
        const int perTick = rate <= 0 ? count : std::max(1, rate / 20);
        feeder.setInterval(rate <= 0 ? 0 : 50);
        QObject::connect(&feeder, &QTimer::timeout, &app, [&] {
            for (int i = 0; i < perTick && enqueued < count; ++i) {
                QString error;
                const QString text = QStringLiteral("%1-%2").arg(p.value(prefixOpt)).arg(enqueued);
                if (client.sendMessage(channel, text, &error) == 0) {
                    out(QStringLiteral("error enqueue: ") + error);
                    app.exit(4);
                    return;
                }
                ++enqueued;
            }
            if (enqueued == count)
                feeder.stop();
        });
        // Messages go to a channel the client knows (the first Welcome lists it): from then on
        // they are written whatever the link does.
        auto startFeeding = [&] {
            if (!feeder.isActive() && enqueued < count && client.store()->channel(channel))
                feeder.start();
        };
        QObject::connect(&client, &hchat::Client::channelsChanged, &app, startFeeding);
        startFeeding();
    } else {
        quint64 lastMax = 0;
        auto *report = new QTimer(&app);
        report->setInterval(100);
        QObject::connect(report, &QTimer::timeout, &app, [&] {
            const quint64 max = client.store()->maxSeq(channel);
            if (max != lastMax) {
                lastMax = max;
                out(QStringLiteral("max %1").arg(max));
            }
        });
        report->start();
    }
    client.startSession(p.value(tokenOpt));
    return app.exec();
}
