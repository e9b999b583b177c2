// Outbox states without a gateway: pending while offline (kept across a restart), input checked
// before anything is stored, retry only for failed entries, fresh 16-byte client_msg_ids.
#include "HistoryStore.h"
#include "Outbox.h"
#include "PushChannel.h"
#include "TestEnv.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace hchat;

class TestOutbox : public QObject {
    Q_OBJECT
private slots:
    void pendingWhileOffline()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/outbox-XXXXXX"));
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        {
            HistoryStore store;
            QVERIFY(store.open(path));
            PushChannel push; // never started: offline
            Outbox outbox(&store, &push);
            QSignalSpy changed(&outbox, &Outbox::entryChanged);
            const qint64 a = outbox.enqueue(QStringLiteral("c"), "first");
            const qint64 b = outbox.enqueue(QStringLiteral("c"), "second");
            QVERIFY(a > 0 && b > a);
            QCOMPARE(changed.count(), 2);
            QCOMPARE(changed.first().at(2).value<OutboxEntry::State>(), OutboxEntry::State::Pending);
            QVERIFY(!outbox.isSending());
            const auto entries = store.outbox(QStringLiteral("c"));
            QCOMPARE(entries.size(), 2);
            QCOMPARE(entries[0].clientMsgId.size(), 16);
            QVERIFY(entries[0].clientMsgId != entries[1].clientMsgId);
            QCOMPARE(entries[0].state, OutboxEntry::State::Pending);
            QVERIFY(!outbox.retry(a)); // only failed entries are retried
        }
        // Still pending after a restart, in the order written.
        HistoryStore store;
        QVERIFY(store.open(path));
        const auto entries = store.outbox({}, {OutboxEntry::State::Pending});
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries[0].text(), QStringLiteral("first"));
        QCOMPARE(store.nextPending()->text(), QStringLiteral("first"));
    }

    void refusesBadInputBeforeStoring()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/outbox-XXXXXX"));
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.sqlite"))));
        PushChannel push;
        Outbox outbox(&store, &push);
        QString error;
        QCOMPARE(outbox.enqueue(QStringLiteral("c"), QByteArray(), MessageKind::Text, false, &error), qint64(0));
        QVERIFY(error.contains(QStringLiteral("empty")));
        QCOMPARE(outbox.enqueue(QStringLiteral("c"), QByteArray(64 * 1024 + 1, 'x'), MessageKind::Text, false, &error), qint64(0));
        QVERIFY2(error.contains(QStringLiteral("too large")), qPrintable(error));
        QCOMPARE(outbox.enqueue(QString(), "x", MessageKind::Text, false, &error), qint64(0));
        QVERIFY(store.outbox().isEmpty());
        QVERIFY(outbox.enqueue(QStringLiteral("c"), QByteArray(64 * 1024, 'x')) > 0); // exactly the limit
    }

    void failedThenRetried()
    {
        QTemporaryDir dir(test::scratchRoot() + QStringLiteral("/outbox-XXXXXX"));
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.sqlite"))));
        PushChannel push;
        Outbox outbox(&store, &push);
        const qint64 id = outbox.enqueue(QStringLiteral("c"), "x");
        QVERIFY(store.markOutboxFailed(id, QStringLiteral("You are not a member of this channel.")));
        QSignalSpy changed(&outbox, &Outbox::entryChanged);
        QVERIFY(outbox.retry(id));
        QCOMPARE(store.outboxEntry(id)->state, OutboxEntry::State::Pending);
        QCOMPARE(store.outboxEntry(id)->error, QString());
        QCOMPARE(changed.count(), 1);
    }

    void clientMsgIdsAreRandom()
    {
        QSet<QByteArray> ids;
        for (int i = 0; i < 1000; ++i) {
            const QByteArray id = Outbox::newClientMsgId();
            QCOMPARE(id.size(), 16);
            ids.insert(id);
        }
        QCOMPARE(ids.size(), 1000);
    }
};

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_core_outbox.moc"
