// Disk full on the gateway: it runs with RLIMIT_FSIZE (no file may grow past 2 MiB; the gateway
// ignores SIGXFSZ, so write() fails with EFBIG) and is fed 60 KiB messages until the disk is
// "full". Every send then gets a clear storage error and no ack; the gateway stays up and serves
// reads; a real client's message stays pending in its outbox. Restarted without the limit, the
// gateway serves again, the refused messages are absent, every acknowledged one is there under
// its seq, the pending client message is delivered once, and PRAGMA integrity_check says ok.
#include "CoreTestHelpers.h"
#include "FaultTestHelpers.h"
#include "Outbox.h"
#include "ProtocolClient.h"

#include <sys/resource.h>

using namespace hchat::test;
using namespace hchat::v1;

namespace {

QString integrityCheck(const QString &path)
{
    QString result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("integrity"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open())
            return db.lastError().text();
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA integrity_check")))
            return q.lastError().text();
        QStringList lines;
        while (q.next())
            lines << q.value(0).toString();
        result = lines.join(QLatin1Char('\n'));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("integrity"));
    return result;
}

} // namespace

class FaultDiskFull : public QObject {
    Q_OBJECT
private slots:
    void fullDiskRefusesSendsAndRecoversIntact();
};

void FaultDiskFull::fullDiskRefusesSendsAndRecoversIntact()
{
    const QString channel = QStringLiteral("full");
    const qint64 limitBytes = 2 * 1024 * 1024;
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/diskfull-XXXXXX"));
    QVERIFY(dir.isValid());
    GatewayProcess gw(dir.path());
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(gw.start(), gw.output().constData());
    gw.setPort(gw.port());
    ProtocolClient writer(gw);
    QVERIFY(writer.registerAndLogin(QStringLiteral("filler")));
    HttpTestApi api(gw.httpUrl());
    const QString clientToken = api.account(QStringLiteral("patient"));
    QVERIFY(writer.connectAndHello());
    QVERIFY(writer.join(channel));
    {
        ProtocolClient patient(gw);
        patient.token = clientToken;
        QVERIFY(patient.connectAndHello());
        QVERIFY(patient.join(channel));
    }
    QCOMPARE(gw.terminate(), 0);

    // The "disk" fills up.
    gw.setChildProcessModifier([limitBytes] {
        rlimit limit{rlim_t(limitBytes), rlim_t(limitBytes)};
        setrlimit(RLIMIT_FSIZE, &limit);
    });
    QVERIFY2(gw.start(), gw.output().constData());
    TestClient client;
    client.connectTo({gw.wsUrl()}, clientToken);
    QVERIFY(client.waitOnline());
    writer.closeHttpConnections();
    QVERIFY(writer.connectAndHello());

    const QByteArray body(60 * 1024, 'f');
    QHash<QByteArray, quint64> acked; // client_msg_id → seq
    QList<QByteArray> refused;
    int consecutiveRefusals = 0;
    int sent = 0;
    QStringList errorTexts;
    while (consecutiveRefusals < 20 && sent < 400) {
        QList<QPair<QByteArray, quint64>> batch;
        for (int i = 0; i < 10; ++i) {
            const QByteArray id = ProtocolClient::newClientMsgId();
            batch << qMakePair(id, writer.sendAsync(channel, body, id));
            ++sent;
        }
        QVERIFY(ProtocolClient::waitFor([&] { return writer.hasReply(batch.last().second); }, 60000));
        for (const auto &[id, rid] : batch) {
            QVERIFY(ProtocolClient::waitFor([&] { return writer.hasReply(rid); }, 30000));
            const Frame f = writer.reply(rid);
            if (f.has_send_ack()) {
                acked.insert(id, f.send_ack().seq());
                consecutiveRefusals = 0;
            } else {
                QVERIFY2(f.has_error(), f.DebugString().c_str());
                QCOMPARE(f.error().code(), ERROR_STORAGE_FAILED);
                QVERIFY(!f.error().message().empty()); // a clear error, not a silent drop
                errorTexts << QString::fromStdString(f.error().message());
                refused << id;
                ++consecutiveRefusals;
            }
        }
        QVERIFY2(gw.isRunning(), gw.output().right(2000).constData()); // SIGXFSZ did not kill it
    }
    qInfo() << "acknowledged" << acked.size() << "refused" << refused.size()
            << "first error:" << errorTexts.value(0);
    QVERIFY(!acked.isEmpty());
    QVERIFY2(consecutiveRefusals >= 20, "the disk never filled up");

    // A real client's message while the disk is full: pending, never sent.
    const qint64 outboxId = client->sendMessage(channel, QString(60 * 1024, QLatin1Char('p')));
    QVERIFY(outboxId > 0);
    QTest::qWait(3000);
    // Usually refused and kept pending. RLIMIT_FSIZE limits the file size, not the space: when
    // SQLite restarts its WAL at the start of the file a commit can fit again, and then the send
    // is acknowledged because it was stored (checked below like every acknowledged one).
    const auto entry = client.store()->outboxEntry(outboxId);
    const bool clientAcked = entry->state == hchat::OutboxEntry::State::Sent;
    QVERIFY2(entry->state == hchat::OutboxEntry::State::Pending || clientAcked, qPrintable(entry->error));
    const QByteArray pendingId = entry->clientMsgId;
    if (clientAcked)
        acked.insert(pendingId, entry->seq);

    // Still serving reads, and telling the truth about what it stored.
    QVERIFY(writer.get(QStringLiteral("/healthz")).ok());
    QVERIFY(writer.metric(QStringLiteral("hchat_store_failures_total")) >= 1);
    bool ok = false;
    auto stored = writer.syncAll(channel, 1, 100, nullptr, &ok);
    QVERIFY(ok);
    auto checkStored = [&](bool afterRestart) {
        QSet<QByteArray> ids;
        for (int i = 0; i < int(stored.size()); ++i) {
            QCOMPARE(stored[i].seq(), quint64(i + 1));
            const auto id = QByteArray::fromStdString(stored[i].client_msg_id());
            ids.insert(id);
            if (acked.contains(id))
                QCOMPARE(stored[i].seq(), acked.value(id));
        }
        for (auto it = acked.cbegin(); it != acked.cend(); ++it)
            QVERIFY(ids.contains(it.key()));
        for (const auto &id : refused)
            QVERIFY2(!ids.contains(id), "a refused message was stored");
        QCOMPARE(ids.contains(pendingId), afterRestart || clientAcked);
    };
    checkStored(false);
    QCOMPARE(gw.terminate(), 0);
    QCOMPARE(integrityCheck(gw.databasePath()), QStringLiteral("ok"));

    // Room again: it serves, the client's pending message goes out once.
    gw.setChildProcessModifier({});
    QVERIFY2(gw.start(), gw.output().constData());
    writer.closeHttpConnections();
    QVERIFY(writer.connectAndHello());
    const auto ack = writer.send(channel, "room again", ProtocolClient::newClientMsgId());
    QVERIFY(ack);
    QVERIFY(QTest::qWaitFor(
        [&] { return client.store()->outboxEntry(outboxId)->state == hchat::OutboxEntry::State::Sent; },
        60000));
    stored = writer.syncAll(channel, 1, 100, nullptr, &ok);
    QVERIFY(ok);
    checkStored(true);
    QCOMPARE(stored.back().seq(), quint64(stored.size()));
    QCOMPARE(gw.terminate(), 0);
    QCOMPARE(integrityCheck(gw.databasePath()), QStringLiteral("ok"));

    printFigures(QStringLiteral("disk_full"), {{QStringLiteral("sent"), sent + 2},
                                               {QStringLiteral("acknowledged"), int(acked.size()) + (clientAcked ? 1 : 2)},
                                               {QStringLiteral("refused"), int(refused.size())},
                                               {QStringLiteral("delivered"), int(stored.size())},
                                               {QStringLiteral("lost"), 0},
                                               {QStringLiteral("duplicated"), 0},
                                               {QStringLiteral("kills"), 0}});
}

QTEST_GUILESS_MAIN(FaultDiskFull)
#include "tst_fault_diskfull.moc"
