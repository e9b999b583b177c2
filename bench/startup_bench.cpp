// Cold start of the desktop app on a large profile: process start → the main window has painted
// its channel list, and → the open (most recently active) channel's messages are painted; the
// resident memory then. The profile: N messages over C channels (1,000,000 over 200 by default,
// bench/make_history_fixture). The reference, in the same run: startup_floor, a bare Qt Widgets
// window with the same two lists and no history. Each program runs once to warm the page cache
// (and, for hchat, to settle the profile), then --runs times; medians. Prints one JSON line.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <optional>

namespace {

struct Start {
    double channelsMs = 0;
    double messagesMs = 0;
    qint64 rssKb = 0;
};

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

// One start of program (arguments, plus --startup-report), timed from just before the process is
// created; nullopt when it did not report within the time limit.
std::optional<Start> startOnce(const QString &program, QStringList arguments, const QString &home)
{
    const QString reportPath = QDir(home).filePath(QStringLiteral("startup-report.json"));
    QFile::remove(reportPath);
    arguments << QStringLiteral("--startup-report") << reportPath;
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home); // no settings of the user's own
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), QDir(home).filePath(QStringLiteral(".config")));
    if (!env.contains(QStringLiteral("DISPLAY")) && !env.contains(QStringLiteral("WAYLAND_DISPLAY")))
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const qint64 launched = QDateTime::currentMSecsSinceEpoch();
    process.start(program, arguments);
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        err() << program << " did not finish its start within 120 s\n";
        return std::nullopt;
    }
    QFile file(reportPath);
    if (!file.open(QIODevice::ReadOnly)) {
        err() << program << " wrote no start-up report (exit status " << process.exitCode() << ")\n";
        return std::nullopt;
    }
    const QJsonObject r = QJsonDocument::fromJson(file.readAll()).object();
    Start s;
    s.channelsMs = double(r.value(QStringLiteral("channels_painted_epoch_ms")).toInteger() - launched);
    s.messagesMs = double(r.value(QStringLiteral("messages_painted_epoch_ms")).toInteger() - launched);
    s.rssKb = r.value(QStringLiteral("rss_kb")).toInteger();
    return s;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty()    ? 0
           : v.size() % 2 ? v.at(v.size() / 2)
                          : (v.at(v.size() / 2 - 1) + v.at(v.size() / 2)) / 2;
}

struct Series {
    QList<double> channels, messages;
    qint64 rssKb = 0;
    bool ok = true;
};

Series measure(const QString &program, const QStringList &arguments, const QString &home, int runs)
{
    Series series;
    if (!startOnce(program, arguments, home)) // warm-up
        series.ok = false;
    for (int i = 0; series.ok && i < runs; ++i) {
        const auto s = startOnce(program, arguments, home);
        if (!s) {
            series.ok = false;
            break;
        }
        series.channels << s->channelsMs;
        series.messages << s->messagesMs;
        series.rssKb = std::max(series.rssKb, s->rssKb);
    }
    return series;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Times the cold start of hchat on a large profile."));
    parser.addHelpOption();
    const QString dir = QCoreApplication::applicationDirPath();
    parser.addOption({QStringLiteral("messages"), QStringLiteral("messages in the profile"),
                      QStringLiteral("n"), QStringLiteral("1000000")});
    parser.addOption({QStringLiteral("channels"), QStringLiteral("channels in the profile"),
                      QStringLiteral("n"), QStringLiteral("200")});
    parser.addOption({QStringLiteral("runs"), QStringLiteral("measured starts of each program"),
                      QStringLiteral("n"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("profile"),
                      QStringLiteral("where to keep the profile (reused when it holds the same fixture)"),
                      QStringLiteral("dir")});
    parser.addOption({QStringLiteral("hchat"), QStringLiteral("the app"), QStringLiteral("path"),
                      QDir(dir).filePath(QStringLiteral("../app/hchat"))});
    parser.process(app);
    const QString messages = parser.value(QStringLiteral("messages"));
    const QString channels = parser.value(QStringLiteral("channels"));
    const int runs = std::max(1, parser.value(QStringLiteral("runs")).toInt());

    QTemporaryDir scratch(QDir::temp().filePath(QStringLiteral("hchat-startup-XXXXXX")));
    const QString profile =
        parser.isSet(QStringLiteral("profile"))
            ? QDir(parser.value(QStringLiteral("profile"))).absolutePath()
            : QDir(scratch.path()).filePath(QStringLiteral("profile-%1-%2").arg(messages, channels));
    const int fixture = QProcess::execute(QDir(dir).filePath(QStringLiteral("make_history_fixture")),
                                          {QDir(profile).filePath(QStringLiteral("history.sqlite")), messages,
                                           QStringLiteral("--channels"), channels});
    if (fixture != 0) {
        err() << "make_history_fixture failed (" << fixture << ")\n";
        return 1;
    }
    QDir().mkpath(QDir(scratch.path()).filePath(QStringLiteral("home")));
    const QString home = QDir(scratch.path()).filePath(QStringLiteral("home"));
    // An address nothing listens on: the start is measured without a gateway to talk to.
    const Series hchat = measure(
        parser.value(QStringLiteral("hchat")),
        {QStringLiteral("--profile"), profile, QStringLiteral("--gateway"), QStringLiteral("127.0.0.1:9")},
        home, runs);
    const Series floor = measure(QDir(dir).filePath(QStringLiteral("startup_floor")), {}, home, runs);
    const double hchatMessages = median(hchat.messages), floorMessages = median(floor.messages);
    QJsonObject out{
        {QStringLiteral("bench"), QStringLiteral("startup")},
        {QStringLiteral("messages"), messages.toLongLong()},
        {QStringLiteral("channels"), channels.toInt()},
        {QStringLiteral("runs"), runs},
        {QStringLiteral("complete"), hchat.ok && floor.ok},
        {QStringLiteral("hchat_channels_painted_ms"), median(hchat.channels)},
        {QStringLiteral("hchat_messages_painted_ms"), hchatMessages},
        {QStringLiteral("hchat_messages_painted_min_ms"),
         hchat.messages.isEmpty() ? 0 : *std::min_element(hchat.messages.begin(), hchat.messages.end())},
        {QStringLiteral("hchat_rss_kb"), hchat.rssKb},
        {QStringLiteral("floor_messages_painted_ms"), floorMessages},
        {QStringLiteral("floor_rss_kb"), floor.rssKb},
        {QStringLiteral("hchat_over_floor"), floorMessages > 0 ? hchatMessages / floorMessages : 0},
        {QStringLiteral("cpu"), QSysInfo::currentCpuArchitecture()}};
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
    return hchat.ok && floor.ok ? 0 : 1;
}
