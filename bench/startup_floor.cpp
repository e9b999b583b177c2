// The reference of the start-up benchmark: the least a Qt Widgets chat window can do on this
// machine. It opens no history and no network: a main window with a list of 200 channel names
// beside a list of 50 message lines, timed to their first paint exactly as hchat is
// (StartupReport). What hchat takes beyond it is its own start-up.
#include "StartupReport.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QListView>
#include <QMainWindow>
#include <QSplitter>
#include <QStringListModel>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("startup-report"), QStringLiteral("where to write the times"),
                      QStringLiteral("file")});
    parser.process(app);
    QStringList channels, messages;
    for (int i = 1; i <= 200; ++i)
        channels << QStringLiteral("channel-%1").arg(i, 3, 10, QLatin1Char('0'));
    for (int i = 1; i <= 50; ++i)
        messages << QStringLiteral("alice  message %1 about lunch and review").arg(i);
    QStringListModel channelModel(channels), messageModel(messages);
    QMainWindow window;
    auto *splitter = new QSplitter(&window);
    auto *channelList = new QListView(splitter);
    channelList->setModel(&channelModel);
    auto *messageList = new QListView(splitter);
    messageList->setModel(&messageModel);
    window.setCentralWidget(splitter);
    window.resize(1000, 700);
    hchat::ui::StartupReport report(channelList, messageList, parser.value(QStringLiteral("startup-report")));
    window.show();
    return app.exec();
}
