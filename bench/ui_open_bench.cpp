// Time to open a channel of the history fixture (1,000,000 messages by default) in the real message
// view, to its first paint, and the process's peak RSS. The reference, in the same run and on the
// same database: reading every message of the channel into memory, which is what a model without
// lazy loading would do before it could paint. Prints one JSON line.
#include "HistoryStore.h"
#include "MessageListModel.h"
#include "MessageView.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTextStream>

namespace {
qint64 peakRssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}
} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Opens a big channel in the message view and times it."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("fixture"), QStringLiteral("history database (make_history_fixture)"));
    parser.addOption({QStringLiteral("channel"), QStringLiteral("channel to open"), QStringLiteral("name"),
                      QStringLiteral("big")});
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);

    hchat::HistoryStore store;
    if (!store.open(parser.positionalArguments().first())) {
        QTextStream(stderr) << "cannot open fixture: " << store.lastError() << "\n";
        return 1;
    }
    store.setOwnNick(QStringLiteral("me"));
    const QString channel = parser.value(QStringLiteral("channel"));
    const quint64 messages = store.count(channel);

    hchat::ui::MessageListModel model(&store);
    hchat::ui::MessageView view;
    view.resize(900, 700);
    view.setMessageModel(&model);
    view.show();
    QCoreApplication::processEvents();
    QSignalSpy painted(&view, &hchat::ui::MessageView::firstPaintAfterReset);

    QElapsedTimer timer;
    timer.start();
    model.setChannel(channel);
    while (painted.isEmpty() && timer.elapsed() < 30000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const double openMs = timer.nsecsElapsed() / 1e6;
    const int pages = model.pagesLoaded();
    const qint64 rssAfterOpen = peakRssKb();

    // Reference: everything in memory first.
    timer.restart();
    quint64 loaded = 0;
    for (quint64 from = store.minSeq(channel); from && from <= store.maxSeq(channel); from += 10000)
        loaded += quint64(store.page(channel, from, from + 9999).size());
    const double eagerMs = timer.nsecsElapsed() / 1e6;

    QJsonObject out{{QStringLiteral("bench"), QStringLiteral("ui_open_channel")},
                    {QStringLiteral("messages"), double(messages)},
                    {QStringLiteral("open_to_first_paint_ms"), openMs},
                    {QStringLiteral("pages_loaded"), pages},
                    {QStringLiteral("rows_in_model"), model.rowCount()},
                    {QStringLiteral("peak_rss_kb_after_open"), double(rssAfterOpen)},
                    {QStringLiteral("reference_eager_load_ms"), eagerMs},
                    {QStringLiteral("reference_rows_loaded"), double(loaded)},
                    {QStringLiteral("ratio_open_vs_reference"), eagerMs > 0 ? openMs / eagerMs : 0.0},
                    {QStringLiteral("peak_rss_kb"), double(peakRssKb())},
                    {QStringLiteral("platform"), QGuiApplication::platformName()},
                    {QStringLiteral("cpu"), QSysInfo::currentCpuArchitecture()}};
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
    return painted.isEmpty() ? 1 : 0;
}
