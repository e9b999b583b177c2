// catchup_bench: how fast the client core catches up — N messages (100,000 by default) pulled from
// a real gateway on loopback over /v1/sync and committed to the SQLite history — beside the floor:
// the same rows inserted straight into SQLite (prepared INSERT, 1,000 rows per transaction, same
// pragmas) by the same process.
//
// The same for an end-to-end encrypted channel (each run measures both, on a fresh gateway each):
// the reader is a real hchat::Client with E2EE. It first goes online once (its device keys
// published), creates an encrypted invite-only channel with the writers and learns their keys, and
// goes offline. The writers — bare sessions that build the envelopes with core/crypto directly, as
// a Client would (a sender session per 1,000 messages, each handed to the reader's device in a
// sealed key share to its inbox "~<device_id>") — send N encrypted messages pipelined. Then the
// reader's Client comes back on the same profile: the figure is the time from startSession until
// the catch-up has finished AND every message of the channel is decrypted (CryptoState Decrypted).
// Its floor: the encrypted rows inserted straight into SQLite the same way.
//
// The history is encrypted at rest as the app keeps it with a keychain (--history-at-rest=plain:
// as without one; the floors use the same format). --at-rest-cost: both formats, alternating, twice.
// --pull-ahead-gain: with and without asking for the next batch while one is stored, the same way.
// Prints one JSON line. Usage: catchup_bench [N] [--plain-only | --encrypted-only]
//                    [--history-at-rest=encrypted|plain | --at-rest-cost | --pull-ahead-gain]
#include "E2eeTestHelpers.h"
#include "RawSession.h"
#include "TestHistoryKey.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/EncryptedPageVfs.h"
#include "crypto/KeyShare.h"
#include "crypto/MembershipOp.h"
#include "crypto/MessageCrypto.h"
#include "crypto/SenderSession.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <functional>

using namespace hchat;
using namespace hchat::test;

namespace {

constexpr int kWriters = 4;

// The history on disk as the app keeps it with a keychain: encrypted page by page
// (--history-at-rest plain: as without one). Floors and read-back connections use the same format.
bool g_encryptedAtRest = true;
// Whether the client asks for the next batch while storing one (SyncPuller::setRequestAhead).
bool g_requestAhead = true;

crypto::SecureBuffer historyKeyFor(const QString &profileDir)
{
    return g_encryptedAtRest ? testHistoryKey(profileDir) : crypto::SecureBuffer();
}

// A QSQLITE connection to path in the format of the run (a new file is prepared for it).
void setUpConnection(QSqlDatabase &db, const QString &path, const crypto::EncryptedPageVfs &vfs,
                     bool readOnly)
{
    const QString options = readOnly ? QStringLiteral("QSQLITE_OPEN_READONLY") : QString();
    if (!g_encryptedAtRest) {
        db.setDatabaseName(path);
        db.setConnectOptions(options);
        db.open();
        return;
    }
    QString error;
    vfs.openConnection(db, path, options, &error);
}

double floorInsert(const QList<StoredMessage> &rows, const QString &path)
{
    const QString name = QStringLiteral("floor");
    double seconds = 0;
    const crypto::EncryptedPageVfs vfs(testHistoryKey(QFileInfo(path).absolutePath()));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        setUpConnection(db, path, vfs, false);
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        q.exec(QStringLiteral(
            "CREATE TABLE messages(id INTEGER PRIMARY KEY, channel TEXT, seq INTEGER, sender TEXT,"
            " sender_device TEXT, client_msg_id BLOB, server_time_ms INTEGER, body BLOB,"
            " encrypted INTEGER, kind INTEGER, subject TEXT, UNIQUE(channel, seq))"));
        QSqlQuery ins(db);
        ins.prepare(QStringLiteral(
            "INSERT INTO messages(channel, seq, sender, sender_device, client_msg_id, server_time_ms,"
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
                ins.bindValue(7, m.encrypted ? 1 : 0);
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

// The floor of a profile's channel: its rows, read back, inserted straight into a new database.
struct Floor {
    qsizetype rows = 0;
    double seconds = 0;
    double perSecond() const { return seconds > 0 ? double(rows) / seconds : 0; }
};
Floor floorOf(const QString &history, const QString &channel, quint64 count, const QString &floorPath)
{
    HistoryStore store;
    store.open(history, historyKeyFor(QFileInfo(history).absolutePath()));
    const auto rows = store.page(channel, 1, count);
    return {rows.size(), floorInsert(rows, floorPath)};
}

bool waitUntil(const std::function<bool()> &done, QDeadlineTimer &deadline)
{
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QTest::qWait(5);
    }
    return true;
}

QByteArray randomId()
{
    QByteArray id(16, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(id.data()), 4);
    return id;
}

// ---- plain ----------------------------------------------------------------------------------------

struct Plain {
    quint64 stored = 0;
    double seconds = 0;
    Floor floor;
    bool ok = false;
};

Plain plainCatchUp(int messages, QDeadlineTimer &deadline)
{
    Plain r;
    const QString ch = QStringLiteral("bench");
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    if (!gw.start())
        return r;
    HttpTestApi api(gw.httpUrl());
    const QString reader = api.account(QStringLiteral("reader"));
    {
        RawSession s(gw.wsUrl(), reader);
        if (!s.open() || !s.join(ch))
            return r;
    }
    std::vector<std::unique_ptr<RawSession>> senders;
    for (int i = 0; i < kWriters; ++i) {
        auto s = std::make_unique<RawSession>(gw.wsUrl(), api.account(QStringLiteral("writer%1").arg(i)));
        if (!s->open() || !s->join(ch))
            return r;
        s->startSending(ch, messages / kWriters + (i < messages % kWriters ? 1 : 0), 256,
                        QStringLiteral("benchmark message number %1 with some text").arg(i));
        senders.push_back(std::move(s));
    }
    if (!waitUntil(
            [&] {
                return std::all_of(senders.begin(), senders.end(), [](auto &s) { return s->sendingDone(); });
            },
            deadline))
        return r;
    senders.clear();

    QTemporaryDir dir(scratchRoot() + QStringLiteral("/catchup-bench-XXXXXX"));
    {
        Client c(std::make_unique<MemoryTokenVault>());
        c.puller()->setRequestAhead(g_requestAhead);
        c.openProfile(dir.filePath(QStringLiteral("profile")),
                      historyKeyFor(dir.filePath(QStringLiteral("profile"))));
        c.setGatewayUrls({gw.wsUrl()});
        bool done = false;
        QObject::connect(&c, &Client::catchUpFinished, [&](const CatchUpReport &) { done = true; });
        QElapsedTimer t;
        t.start();
        c.startSession(reader);
        while (!done && !deadline.hasExpired())
            QTest::qWait(1);
        r.seconds = double(t.nsecsElapsed()) / 1e9;
        r.stored = c.store()->count(ch);
    }
    r.floor = floorOf(dir.filePath(QStringLiteral("profile/history.sqlite")), ch, r.stored,
                      dir.filePath(QStringLiteral("floor.sqlite")));
    r.ok = r.stored >= quint64(messages);
    return r;
}

// ---- encrypted ------------------------------------------------------------------------------------

struct Encrypted {
    quint64 stored = 0;        // rows of the channel (membership messages included)
    quint64 encrypted = 0;     // encrypted text messages
    quint64 decrypted = 0;     // … of them Decrypted at the end
    quint64 keyShares = 0;     // key shares in the reader's inbox
    double seconds = 0;        // startSession → catch-up finished and everything decrypted
    double pulledSeconds = 0;  // startSession → catchUpFinished
    double produceSeconds = 0; // the writers' encrypt + sign of every message (not part of the figure)
    Floor floor;
    bool ok = false;
};

struct Writer {
    QString nick;
    QString device;
    QString token;
    crypto::DeviceIdentity id;
    QByteArray accept; // its signed acceptance of the reader's invitation
};

// Counts the channel's encrypted messages and those of them decrypted, through a second connection.
std::pair<quint64, quint64> decryptionCounts(const QString &history, const QString &channel)
{
    const QString name = QStringLiteral("count");
    std::pair<quint64, quint64> out;
    const crypto::EncryptedPageVfs vfs(testHistoryKey(QFileInfo(history).absolutePath()));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        setUpConnection(db, history, vfs, true);
        if (db.isOpen()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT COUNT(*), COALESCE(SUM(crypto_state = ?), 0) FROM messages"
                                     " WHERE channel = ? AND encrypted = 1"));
            q.addBindValue(int(StoredMessage::CryptoState::Decrypted));
            q.addBindValue(channel);
            if (q.exec() && q.next())
                out = {q.value(0).toULongLong(), q.value(1).toULongLong()};
        }
    }
    QSqlDatabase::removeDatabase(name);
    return out;
}

Encrypted encryptedCatchUp(int messages, QDeadlineTimer &deadline)
{
    Encrypted r;
    const QString ch = QStringLiteral("bench-e2ee");
    const QString password = QStringLiteral("correct horse battery");
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    if (!gw.start())
        return r;
    HttpTestApi api(gw.httpUrl());

    // Writers: accounts (one device each) and published device keys.
    std::vector<Writer> writers;
    QStringList writerNicks;
    for (int i = 0; i < kWriters; ++i) {
        Writer w{QStringLiteral("ewriter%1").arg(i), {}, {}, *crypto::DeviceIdentity::generate(), {}};
        w.token = api.account(w.nick, password, &w.device);
        hchat::v1::DeviceKeys keys;
        w.id.fillDeviceKeys(&keys, w.nick, w.device);
        if (w.token.isEmpty() || !api.post(QStringLiteral("/v1/keys/publish"),
                                           QByteArray::fromStdString(keys.SerializeAsString()), w.token)
                                      .ok()) {
            std::fprintf(stderr, "catchup_bench: writer %d could not publish its keys\n", i);
            return r;
        }
        writerNicks << w.nick;
        writers.push_back(std::move(w));
    }

    // The reader's first session: E2EE ready, the channel created, the writers' keys known.
    const QString readerNick = QStringLiteral("ereader");
    QString readerDevice;
    const QString readerToken = api.account(readerNick, password, &readerDevice);
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/catchup-bench-e2ee-XXXXXX"));
    const QString profile = dir.filePath(QStringLiteral("profile"));
    // Both sessions load the same device identity.
    const auto identities = std::make_shared<MemoryIdentityStore::Secrets>();
    QByteArray readerKey;
    {
        Client c(std::make_unique<MemoryTokenVault>());
        c.puller()->setRequestAhead(g_requestAhead);
        c.openProfile(profile, historyKeyFor(profile));
        c.setIdentityStore(std::make_unique<MemoryIdentityStore>(identities));
        c.setGatewayUrls({gw.wsUrl()});
        c.startSession(readerToken);
        if (!waitUntil(
                [&] { return c.isEncryptionReady() && c.connectionState() == ConnectionState::Online; },
                deadline))
            return r;
        bool created = false, createdOk = false;
        const quint64 req = c.createChannel(ch, ChannelRecord::Kind::InviteOnly, writerNicks);
        QObject::connect(&c, &Client::requestFinished, [&](quint64 id, bool ok, const QString &error) {
            if (id != req)
                return;
            created = true;
            createdOk = ok;
            if (!ok)
                std::fprintf(stderr, "catchup_bench: createChannel: %s\n", qPrintable(error));
        });
        auto knowsWriters = [&] {
            for (const QString &n : writerNicks) {
                bool any = false;
                for (const auto &d : c.crypto()->trust().devices(n))
                    any = any || !d.trustedKey.isEmpty();
                if (!any)
                    return false;
            }
            return true;
        };
        if (!waitUntil([&] { return created; }, deadline) || !createdOk || !waitUntil(knowsWriters, deadline))
            return r;
        readerKey = c.crypto()->identity()->identityKey();
        // Each writer accepts the invitation with its own signed operation (a member only then).
        for (Writer &w : writers) {
            crypto::MembershipOp accept;
            accept.channel = ch;
            accept.action = crypto::MembershipOp::Action::Accept;
            accept.actor = w.nick;
            accept.actorDevice = w.device;
            accept.previous = c.crypto()->membership(ch)->invitationOf(w.nick);
            accept.timeMs = QDateTime::currentMSecsSinceEpoch();
            w.accept = accept.signAndSerialize(w.id);
        }
        c.disconnectFromGateway();
    }

    // The writers: a sender session per 1,000 messages, each shared with the reader's device first.
    QElapsedTimer produce;
    produce.start();
    const crypto::KeyShare::Recipient reader{readerNick, readerDevice, readerKey};
    std::vector<std::unique_ptr<RawSession>> sessions;
    for (int i = 0; i < kWriters; ++i) {
        Writer &w = writers[std::size_t(i)];
        const int count = messages / kWriters + (i < messages % kWriters ? 1 : 0);
        std::vector<hchat::v1::Send> sends;
        sends.reserve(std::size_t(count) + std::size_t(count) / crypto::SenderSession::kMessagesPerSession +
                      1);
        std::optional<crypto::SenderSession> session;
        for (int k = 0; k < count; ++k) {
            if (!session || session->needsRotation()) {
                session = crypto::SenderSession::create(ch);
                hchat::v1::Send share;
                share.set_channel((QStringLiteral("~") + readerDevice).toStdString());
                share.set_client_msg_id(randomId().toStdString());
                share.set_body(
                    crypto::KeyShare::seal(*session, w.id, w.nick, w.device, reader).toStdString());
                share.set_kind(hchat::v1::MESSAGE_KIND_KEY_SHARE);
                sends.push_back(std::move(share));
                ++r.keyShares;
            }
            const QByteArray msgId = randomId();
            const QByteArray text =
                QStringLiteral("benchmark message number %1 with some text %2").arg(i).arg(k).toUtf8();
            hchat::v1::Send s;
            s.set_channel(ch.toStdString());
            s.set_client_msg_id(msgId.toStdString());
            s.set_body(
                crypto::MessageCrypto::encrypt(*session, w.id, w.nick, w.device, msgId, text).toStdString());
            s.set_encrypted(true);
            s.set_kind(hchat::v1::MESSAGE_KIND_TEXT);
            sends.push_back(std::move(s));
        }
        auto raw = std::make_unique<RawSession>(gw.wsUrl(), w.token);
        if (!raw->open())
            return r;
        // The acceptance is stored before anything the writer says there.
        hchat::v1::Send accept;
        accept.set_channel(ch.toStdString());
        accept.set_client_msg_id(randomId().toStdString());
        accept.set_kind(hchat::v1::MESSAGE_KIND_MEMBERSHIP);
        accept.set_body(w.accept.toStdString());
        raw->startSending({accept}, 1);
        if (!waitUntil([&] { return raw->sendingDone(); }, deadline))
            return r;
        raw->startSending(std::move(sends), 256);
        sessions.push_back(std::move(raw));
    }
    r.produceSeconds = double(produce.nsecsElapsed()) / 1e9;
    if (!waitUntil(
            [&] {
                return std::all_of(sessions.begin(), sessions.end(),
                                   [](auto &s) { return s->sendingDone(); });
            },
            deadline))
        return r;
    for (auto &s : sessions)
        if (s->sendErrors() > 0)
            return r;
    sessions.clear();

    // The reader comes back: catch-up, then every message decrypted.
    const QString history = profile + QStringLiteral("/history.sqlite");
    {
        Client c(std::make_unique<MemoryTokenVault>());
        c.puller()->setRequestAhead(g_requestAhead);
        c.openProfile(profile, historyKeyFor(profile));
        c.setIdentityStore(std::make_unique<MemoryIdentityStore>(identities));
        c.setGatewayUrls({gw.wsUrl()});
        QElapsedTimer t;
        bool pulled = false;
        qint64 lastChange = 0;
        QObject::connect(&c, &Client::catchUpFinished, [&](const CatchUpReport &) {
            pulled = true;
            r.pulledSeconds = double(t.nsecsElapsed()) / 1e9;
            lastChange = std::max(lastChange, t.nsecsElapsed());
        });
        auto changed = [&](const QString &channel) {
            if (channel == ch)
                lastChange = std::max(lastChange, t.nsecsElapsed());
        };
        QObject::connect(&c, &Client::messagesStored,
                         [&](const QString &channel, quint64, quint64) { changed(channel); });
        QObject::connect(&c, &Client::messagesDecrypted,
                         [&](const QString &channel, const QList<quint64> &) { changed(channel); });
        t.start();
        c.startSession(readerToken);
        while (!pulled && !deadline.hasExpired())
            QTest::qWait(1);
        // Every change is signalled; the end is the last of them once nothing is left to decrypt.
        waitUntil(
            [&] {
                const auto [all, decrypted] = decryptionCounts(history, ch);
                r.encrypted = all;
                r.decrypted = decrypted;
                return all >= quint64(messages) && decrypted == all;
            },
            deadline);
        r.seconds = double(lastChange) / 1e9;
        r.stored = c.store()->count(ch);
    }
    r.floor = floorOf(history, ch, r.stored, dir.filePath(QStringLiteral("floor.sqlite")));
    r.ok = r.decrypted >= quint64(messages) && r.decrypted == r.encrypted;
    return r;
}

// The same catch-ups under two settings, alternating (off, on, off, on), in one run; one JSON
// line with the msgs/s of each run under <tag>_plain_channel_msgs_per_s / _e2ee_channel_….
int compareSettings(const QString &bench, const QString &offTag, const QString &onTag,
                    const std::function<void(bool)> &apply, int messages, bool plain, bool encrypted)
{
    QDeadlineTimer deadline(1800000);
    QJsonObject o;
    o[QStringLiteral("bench")] = bench;
    bool ok = true;
    auto record = [&o](const QString &key, quint64 stored, double seconds) {
        QJsonArray runs = o[key].toArray();
        runs.append(seconds > 0 ? double(stored) / seconds : 0);
        o[key] = runs;
    };
    for (const bool on : {false, true, false, true}) {
        apply(on);
        const QString tag = on ? onTag : offTag;
        if (plain) {
            const Plain p = plainCatchUp(messages, deadline);
            ok = ok && p.ok;
            record(tag + QStringLiteral("_plain_channel_msgs_per_s"), p.stored, p.seconds);
        }
        if (encrypted) {
            const Encrypted e = encryptedCatchUp(messages, deadline);
            ok = ok && e.ok;
            record(tag + QStringLiteral("_e2ee_channel_msgs_per_s"), e.stored, e.seconds);
        }
    }
    o[QStringLiteral("messages")] = messages;
    o[QStringLiteral("complete")] = ok;
    std::puts(QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    return ok ? 0 : 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int messages = 100000;
    bool plain = true, encrypted = true, atRestCost = false, pullAheadGain = false;
    for (const QString &a : app.arguments().mid(1)) {
        if (a == QLatin1String("--plain-only"))
            encrypted = false;
        else if (a == QLatin1String("--encrypted-only"))
            plain = false;
        else if (a == QLatin1String("--history-at-rest=plain"))
            g_encryptedAtRest = false;
        else if (a == QLatin1String("--history-at-rest=encrypted"))
            g_encryptedAtRest = true;
        else if (a == QLatin1String("--at-rest-cost"))
            atRestCost = true;
        else if (a == QLatin1String("--pull-ahead-gain"))
            pullAheadGain = true;
        else if (a.toInt() > 0)
            messages = a.toInt();
        else {
            std::fprintf(stderr,
                         "usage: catchup_bench [N] [--plain-only | --encrypted-only] "
                         "[--history-at-rest=encrypted|plain | --at-rest-cost | --pull-ahead-gain]\n");
            return 1;
        }
    }
    if (pullAheadGain)
        return compareSettings(
            QStringLiteral("catchup_pull_ahead"), QStringLiteral("one_at_a_time"), QStringLiteral("ahead"),
            [](bool on) { g_requestAhead = on; }, messages, plain, encrypted);
    if (atRestCost)
        return compareSettings(
            QStringLiteral("catchup_at_rest"), QStringLiteral("plain_at_rest"),
            QStringLiteral("encrypted_at_rest"), [](bool on) { g_encryptedAtRest = on; }, messages, plain,
            encrypted);
    QDeadlineTimer deadline(900000);
    QJsonObject o;
    o[QStringLiteral("bench")] = QStringLiteral("catchup");
    o[QStringLiteral("history_at_rest")] =
        g_encryptedAtRest ? QStringLiteral("encrypted") : QStringLiteral("plain");
    bool ok = true;
    Plain p;
    if (plain) {
        p = plainCatchUp(messages, deadline);
        ok = ok && p.ok;
        o[QStringLiteral("messages")] = double(p.stored);
        o[QStringLiteral("catchup_seconds")] = p.seconds;
        o[QStringLiteral("catchup_msgs_per_s")] = p.seconds > 0 ? double(p.stored) / p.seconds : 0;
        o[QStringLiteral("sqlite_floor_seconds")] = p.floor.seconds;
        o[QStringLiteral("sqlite_floor_msgs_per_s")] = p.floor.perSecond();
        o[QStringLiteral("ratio_catchup_to_floor")] =
            p.floor.perSecond() > 0 && p.seconds > 0 ? (double(p.stored) / p.seconds) / p.floor.perSecond()
                                                     : 0;
    }
    if (encrypted) {
        const Encrypted e = encryptedCatchUp(messages, deadline);
        ok = ok && e.ok;
        const double rate = e.seconds > 0 ? double(e.stored) / e.seconds : 0;
        o[QStringLiteral("encrypted_messages")] = double(e.stored);
        o[QStringLiteral("encrypted_texts")] = double(e.encrypted);
        o[QStringLiteral("encrypted_decrypted")] = double(e.decrypted);
        o[QStringLiteral("encrypted_key_shares")] = double(e.keyShares);
        o[QStringLiteral("encrypted_catchup_seconds")] = e.seconds;
        o[QStringLiteral("encrypted_pulled_seconds")] = e.pulledSeconds;
        o[QStringLiteral("encrypted_catchup_msgs_per_s")] = rate;
        o[QStringLiteral("encrypted_writers_encrypt_seconds")] = e.produceSeconds;
        o[QStringLiteral("encrypted_sqlite_floor_seconds")] = e.floor.seconds;
        o[QStringLiteral("encrypted_sqlite_floor_msgs_per_s")] = e.floor.perSecond();
        o[QStringLiteral("ratio_encrypted_to_floor")] =
            e.floor.perSecond() > 0 ? rate / e.floor.perSecond() : 0;
        if (plain && p.seconds > 0)
            o[QStringLiteral("ratio_encrypted_to_plain")] = rate / (double(p.stored) / p.seconds);
    }
    o[QStringLiteral("complete")] = ok;
    std::puts(QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    return ok ? 0 : 2;
}
