// catchup_bench: how fast the client core catches up — 100,000 messages pulled from a real
// gateway on loopback over /v1/sync and committed to the SQLite history — beside the floor: the
// same rows inserted straight into SQLite (prepared INSERT, 1,000 rows per transaction, same
// pragmas) by the same process. Prints one JSON line.
#include "Client.h"
#include "GatewayProcess.h"
#include "HistoryStore.h"
#include "HttpTestApi.h"
#include "MemoryTokenVault.h"
#include "RawSession.h"
#include "TestEnv.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>

using namespace hchat;
using namespace hchat::test;

namespace {
double floorInsert(const QList<StoredMessage> &rows, const QString &path)
{
    const QString name = QStringLiteral("floor");
    double seconds = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        q.exec(QStringLiteral("CREATE TABLE messages(id INTEGER PRIMARY KEY, channel TEXT, seq INTEGER, sender TEXT,"
                              " sender_device TEXT, client_msg_id BLOB, server_time_ms INTEGER, body BLOB,"
                              " encrypted INTEGER, kind INTEGER, subject TEXT, UNIQUE(channel, seq))"));
        QSqlQuery ins(db);
        ins.prepare(QStringLiteral("INSERT INTO messages(channel, seq, sender, sender_device, client_msg_id, server_time_ms,"
                                   " body, encrypted, kind, subject) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < rows.size(); i += 1000) {
            db.transaction();
            for (int j = i; j < std::min<int>(i + 1000, int(rows.size())); ++j) {
                const auto &m = rows[j];
                ins.bindValue(0, m.channel);
                ins.bindValue(1, qint64(m.seq));
                ins.bindValue(2, m.sender);
                ins.bindValue(3, m.senderDevice);
                ins.bindValue(4, m.clientMsgId);
                ins.bindValue(5, m.serverTimeMs);
                ins.bindValue(6, m.body);
                ins.bindValue(7, 0);
                ins.bindValue(8, int(m.kind));
                ins.bindValue(9, QStringLiteral(""));
                ins.exec();
            }
            db.commit();
        }
        seconds = double(t.nsecsElapsed()) / 1e9;
    }
    QSqlDatabase::removeDatabase(name);
    return seconds;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int kMessages = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 100000;
    const QString ch = QStringLiteral("bench");
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    if (!gw.start())
        return 1;
    HttpTestApi api(gw.httpUrl());
    const QString reader = api.account(QStringLiteral("reader"));
    {
        RawSession r(gw.wsUrl(), reader);
        if (!r.open() || !r.join(ch))
            return 1;
    }
    std::vector<std::unique_ptr<RawSession>> senders;
    for (int i = 0; i < 4; ++i) {
        auto s = std::make_unique<RawSession>(gw.wsUrl(), api.account(QStringLiteral("writer%1").arg(i)));
        if (!s->open() || !s->join(ch))
            return 1;
        s->startSending(ch, kMessages / 4, 256, QStringLiteral("benchmark message number %1 with some text").arg(i));
        senders.push_back(std::move(s));
    }
    QDeadlineTimer d(600000);
    while (!std::all_of(senders.begin(), senders.end(), [](auto &s) { return s->sendingDone(); }) && !d.hasExpired())
        QTest::qWait(20);
    senders.clear();

    QTemporaryDir dir(scratchRoot() + QStringLiteral("/catchup-bench-XXXXXX"));
    quint64 stored = 0;
    double catchUpSeconds = 0;
    {
        Client c(new MemoryTokenVault);
        c.openProfile(dir.filePath(QStringLiteral("profile")));
        c.setGatewayUrls({gw.wsUrl()});
        bool done = false;
        QObject::connect(&c, &Client::catchUpFinished, [&](const CatchUpReport &) { done = true; });
        QElapsedTimer t;
        t.start();
        c.startSession(reader);
        while (!done && !d.hasExpired())
            QTest::qWait(1);
        catchUpSeconds = double(t.nsecsElapsed()) / 1e9;
        stored = c.store()->count(ch);
    }
    HistoryStore store;
    store.open(dir.filePath(QStringLiteral("profile/history.sqlite")));
    const auto rows = store.page(ch, 1, stored);
    const double floorSeconds = floorInsert(rows, dir.filePath(QStringLiteral("floor.sqlite")));

    QJsonObject o;
    o[QStringLiteral("bench")] = QStringLiteral("catchup");
    o[QStringLiteral("messages")] = double(stored);
    o[QStringLiteral("catchup_seconds")] = catchUpSeconds;
    o[QStringLiteral("catchup_msgs_per_s")] = double(stored) / catchUpSeconds;
    o[QStringLiteral("sqlite_floor_seconds")] = floorSeconds;
    o[QStringLiteral("sqlite_floor_msgs_per_s")] = double(rows.size()) / floorSeconds;
    o[QStringLiteral("ratio_catchup_to_floor")] = (double(stored) / catchUpSeconds) / (double(rows.size()) / floorSeconds);
    std::puts(QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    return stored >= quint64(kMessages) ? 0 : 2;
}
