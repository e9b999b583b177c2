// Builds the shared history fixture: one channel "big" with N messages (1,000,000 by default) in a
// client history database, the last 100 unread. Used by the model tests and the UI benchmark.
// Reuses an existing complete fixture, so repeated runs cost nothing.
#include "HistoryStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream err(stderr);
    if (argc < 2) {
        err << "usage: make_history_fixture PATH [COUNT]\n";
        return 2;
    }
    const QString path = QString::fromLocal8Bit(argv[1]);
    const quint64 count = argc > 2 ? QByteArray(argv[2]).toULongLong() : 1000000;
    QDir().mkpath(QFileInfo(path).absolutePath());

    hchat::HistoryStore store;
    if (!store.open(path)) {
        err << "cannot open " << path << ": " << store.lastError() << "\n";
        return 1;
    }
    store.setOwnNick(QStringLiteral("me"));
    store.setValue(QStringLiteral("nick"), QStringLiteral("me"));
    const QString channel = QStringLiteral("big");
    if (store.maxSeq(channel) == count) {
        QTextStream(stdout) << "fixture ready: " << path << " (" << count << " messages, reused)\n";
        return 0;
    }
    if (store.maxSeq(channel) != 0) {
        err << path << " holds a different fixture; delete it first\n";
        return 1;
    }
    hchat::ChannelRecord record;
    record.name = channel;
    record.members = {QStringLiteral("me")};
    store.upsertChannel(record);

    const QStringList senders{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("me"),
                              QStringLiteral("carol")};
    const QStringList words{QStringLiteral("lunch"), QStringLiteral("deploy"), QStringLiteral("review"),
                            QStringLiteral("coffee"), QStringLiteral("release"), QStringLiteral("meeting")};
    const qint64 start = QDateTime(QDate(2025, 1, 1), QTime(8, 0)).toMSecsSinceEpoch();
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
            m.serverTimeMs = start + qint64(seq) * 37000; // ~1.2 years of chat
            m.body = QStringLiteral("message %1 about %2 and %3")
                         .arg(seq)
                         .arg(words.at(int(seq % words.size())), words.at(int((seq / 7) % words.size())))
                         .toUtf8();
            batch.append(std::move(m));
        }
        const auto result = store.appendMessages(channel, batch, count);
        if (!result.ok) {
            err << "append failed: " << result.error << "\n";
            return 1;
        }
    }
    store.setReadSeq(channel, count > 100 ? count - 100 : 0);
    QTextStream(stdout) << "fixture ready: " << path << " (" << count << " messages)\n";
    return 0;
}
