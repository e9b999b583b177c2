// Builds the shared history fixture: one channel "big" with N messages (1,000,000 by default) in a
// client history database, the last 100 unread; or, with --channels, N messages spread over that
// many channels (the start-up benchmark's profile). Used by the model tests and the UI benchmarks.
// Reuses an existing complete fixture, so repeated runs cost nothing. With --markdown, the texts are
// Markdown (bold, inline code, links; every tenth a code block) for the UI benchmark's rendering.
#include "HistoryStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QTextStream>

namespace {
// Messages 1..count of channel, ~37 s apart from time on (which moves on past them), the last 100
// unread.
bool writeChannel(hchat::HistoryStore &store, const QString &channel, quint64 count, qint64 &time,
                  QTextStream &err, bool markdown)
{
    hchat::ChannelRecord record;
    record.name = channel;
    record.members = {QStringLiteral("me")};
    store.upsertChannel(record);

    const QStringList senders{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("me"),
                              QStringLiteral("carol")};
    const QStringList words{QStringLiteral("lunch"),  QStringLiteral("deploy"),  QStringLiteral("review"),
                            QStringLiteral("coffee"), QStringLiteral("release"), QStringLiteral("meeting")};
    constexpr int kBatch = 10000;
    for (quint64 seq = 1; seq <= count;) {
        QList<hchat::StoredMessage> batch;
        batch.reserve(kBatch);
        for (int i = 0; i < kBatch && seq <= count; ++i, ++seq) {
            hchat::StoredMessage m;
            m.channel = channel;
            m.seq = seq;
            m.sender = senders.at(int(seq % senders.size()));
            m.senderDevice = QStringLiteral("device-") + m.sender;
            m.clientMsgId = QByteArray::number(seq).rightJustified(16, '0');
            time += 37000; // ~1.2 years of chat in a million messages
            m.serverTimeMs = time;
            const QString &first = words.at(int(seq % words.size()));
            const QString &second = words.at(int((seq / 7) % words.size()));
            if (!markdown)
                m.body = QStringLiteral("message %1 about %2 and %3").arg(seq).arg(first, second).toUtf8();
            else if (seq % 10 == 0)
                m.body = QStringLiteral("**message %1** about `%2`:\n```\nmake %2 && ./%3 --seq %1\n```")
                             .arg(seq)
                             .arg(first, second)
                             .toUtf8();
            else
                m.body = QStringLiteral("message %1 about *%2* and [%3](https://example.org/%3)")
                             .arg(seq)
                             .arg(first, second)
                             .toUtf8();
            batch.append(std::move(m));
        }
        const auto result = store.appendMessages(channel, batch, count);
        if (!result.ok) {
            err << "append failed: " << result.error << "\n";
            return false;
        }
    }
    store.setReadSeq(channel, count > 100 ? count - 100 : 0);
    return true;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Builds a client history fixture."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("history database to write"));
    parser.addPositionalArgument(QStringLiteral("count"), QStringLiteral("messages in all (1,000,000)"));
    parser.addOption({QStringLiteral("channels"),
                      QStringLiteral("spread the messages over N channels (channel-001 …; the last is the "
                                     "most recently active); 1: the one channel \"big\""),
                      QStringLiteral("N"), QStringLiteral("1")});
    parser.addOption(
        {QStringLiteral("markdown"), QStringLiteral("texts in Markdown (the UI benchmark's rendering)")});
    parser.process(app);
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty() || args.size() > 2)
        parser.showHelp(2);
    const QString path = args.at(0);
    const quint64 count = args.size() > 1 ? args.at(1).toULongLong() : 1000000;
    const int channels = parser.value(QStringLiteral("channels")).toInt();
    if (count == 0 || channels < 1 || quint64(channels) > count) {
        err << "make_history_fixture: COUNT must be at least the number of channels (at least 1)\n";
        return 2;
    }
    QDir().mkpath(QFileInfo(path).absolutePath());

    hchat::HistoryStore store;
    if (!store.open(path)) {
        err << "cannot open " << path << ": " << store.lastError() << "\n";
        return 1;
    }
    store.setOwnNick(QStringLiteral("me"));
    store.settings().setNick(QStringLiteral("me"));
    auto channelName = [channels](int i) {
        return channels == 1 ? QStringLiteral("big")
                             : QStringLiteral("channel-%1").arg(i + 1, 3, 10, QLatin1Char('0'));
    };
    const quint64 perChannel = count / quint64(channels);
    auto channelCount = [&](int i) {
        return i + 1 == channels ? count - perChannel * quint64(channels - 1) : perChannel;
    };
    bool ready = true, empty = true;
    for (int i = 0; i < channels; ++i) {
        ready = ready && store.maxSeq(channelName(i)) == channelCount(i);
        empty = empty && store.maxSeq(channelName(i)) == 0;
    }
    // A fixture is ready once searchable too: its index is not built during a measurement.
    auto indexed = [&] {
        if (store.waitForSearchIndex(15 * 60 * 1000))
            return true;
        err << "the search index of " << path << " was not built in time\n";
        return false;
    };
    if (ready) {
        if (!indexed())
            return 1;
        QTextStream(stdout) << "fixture ready: " << path << " (" << count << " messages, reused)\n";
        return 0;
    }
    if (!empty) {
        err << path << " holds a different fixture; delete it first\n";
        return 1;
    }
    // The channels follow each other in time, so the last one is the most recently active.
    qint64 time = QDateTime(QDate(2025, 1, 1), QTime(8, 0)).toMSecsSinceEpoch();
    for (int i = 0; i < channels; ++i) {
        if (!writeChannel(store, channelName(i), channelCount(i), time, err,
                          parser.isSet(QStringLiteral("markdown"))))
            return 1;
    }
    if (!indexed())
        return 1;
    QTextStream(stdout) << "fixture ready: " << path << " (" << count << " messages in " << channels
                        << " channels)\n";
    return 0;
}
