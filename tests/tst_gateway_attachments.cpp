// Attachments at the gateway (docs/PROTOCOL.md, "Attachments"): uploads go in chunks at the
// offset the gateway holds and nowhere else; downloads honour one Range; limits, strangers and
// unfinished uploads are refused with their own codes and change nothing; an ATTACHMENT message
// must name a complete upload of its sender in its channel, once; recalling it erases the bytes;
// an upload survives kill -9 of the gateway and goes on where it stopped.
#include "GatewayProcess.h"
#include "ProtocolClient.h"
#include "TestEnv.h"

#include <QDateTime>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

using namespace hchat::test;
using namespace hchat::v1;

namespace {

constexpr int kChunk = 512 * 1024;

QByteArray randomBytes(int n)
{
    QByteArray b(n, Qt::Uninitialized);
    for (auto &c : b)
        c = char(QRandomGenerator::global()->generate());
    return b;
}

// Marker bytes that are easy to look for in the gateway's database file.
QByteArray markedBytes(int n, const QByteArray &marker)
{
    QByteArray b;
    while (b.size() < n)
        b += marker;
    b.truncate(n);
    return b;
}

ProtocolClient::HttpResult putChunk(ProtocolClient &c, const std::string &id, const QByteArray &bytes,
                                    qint64 offset)
{
    return c.request("PUT", QStringLiteral("/v1/uploads/") + QString::fromStdString(id), bytes,
                     {{"Upload-Offset", QByteArray::number(offset)}});
}

std::optional<UploadStatus> status(ProtocolClient &c, const std::string &id)
{
    const auto r = c.request("GET", QStringLiteral("/v1/uploads/") + QString::fromStdString(id));
    UploadStatus st;
    if (!r.ok() || !st.ParseFromArray(r.body.constData(), int(r.body.size())))
        return std::nullopt;
    return st;
}

// Uploads every chunk of bytes from `from`; true when the gateway acknowledged each.
bool putAll(ProtocolClient &c, const std::string &id, const QByteArray &bytes, qint64 from = 0,
            qint64 until = -1)
{
    if (until < 0)
        until = bytes.size();
    for (qint64 offset = from; offset < until; offset += kChunk)
        if (!putChunk(c, id, bytes.mid(offset, kChunk), offset).ok())
            return false;
    return true;
}

ProtocolClient::HttpResult download(ProtocolClient &c, const std::string &id, const QByteArray &range = {})
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!range.isEmpty())
        headers.append({"Range", range});
    return c.request("GET", QStringLiteral("/v1/attachments/") + QString::fromStdString(id), {}, headers);
}

QByteArray plainContent(const std::string &id, const QString &name, quint64 size)
{
    AttachmentContent content;
    content.set_attachment_id(id);
    content.set_name(name.toStdString());
    content.set_mime_type("application/octet-stream");
    content.set_size(size);
    return QByteArray::fromStdString(content.SerializeAsString());
}

// Sends an ATTACHMENT message; the SendAck, or nullopt with *error.
std::optional<SendAck> sendAttachment(ProtocolClient &c, const QString &channel, const std::string &uploadId,
                                      const QByteArray &body, Error *error = nullptr)
{
    Frame f;
    auto *s = f.mutable_send();
    s->set_channel(channel.toStdString());
    s->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    s->set_kind(MESSAGE_KIND_ATTACHMENT);
    s->set_attachment_id(uploadId);
    s->set_body(body.toStdString());
    const auto answer = c.request(f);
    if (answer && answer->has_send_ack())
        return answer->send_ack();
    if (error)
        *error = answer && answer->has_error() ? answer->error() : Error();
    return std::nullopt;
}

// One SQL statement on the gateway's database (its SQLite file, or PostgreSQL through psql): the
// first column of the first row as a number, 0 for a statement without rows, -1 on failure.
int runSql(const GatewayProcess &gw, const QString &sql)
{
    if (!gw.databaseUrl().isEmpty()) {
        QProcess psql;
        psql.start(QStringLiteral("/usr/lib/postgresql/15/bin/psql"),
                   {QStringLiteral("-qtA"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                    gw.databaseUrl(), QStringLiteral("-c"), sql});
        if (!psql.waitForFinished(30000) || psql.exitCode() != 0) {
            qWarning() << "psql failed:" << psql.readAllStandardError();
            return -1;
        }
        return psql.readAllStandardOutput().trimmed().toInt();
    }
    sqlite3 *db = nullptr;
    int n = -1;
    if (sqlite3_open_v2(gw.databasePath().toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) ==
        SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &st, nullptr) == SQLITE_OK) {
            const int rc = sqlite3_step(st);
            n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : rc == SQLITE_DONE ? 0 : -1;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

// Rows the gateway holds for an upload: {uploads, upload_chunks}.
QPair<int, int> storedRows(const GatewayProcess &gw, const std::string &id)
{
    const QString q = QString::fromStdString(id);
    return {runSql(gw, QStringLiteral("SELECT count(*) FROM uploads WHERE id = '%1'").arg(q)),
            runSql(gw, QStringLiteral("SELECT count(*) FROM upload_chunks WHERE upload_id = '%1'").arg(q))};
}

} // namespace

class GatewayAttachments : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir{scratchRoot() + QStringLiteral("/gwattach-XXXXXX")};
    std::unique_ptr<GatewayProcess> m_gw;
    std::unique_ptr<ProtocolClient> m_alice, m_bob, m_eve;

    std::unique_ptr<ProtocolClient> user(const QString &nick)
    {
        auto c = std::make_unique<ProtocolClient>(*m_gw);
        if (!c->registerAndLogin(nick) || !c->connectAndHello())
            qWarning() << nick << "could not sign in";
        return c;
    }

private slots:
    void initTestCase()
    {
        m_gw = std::make_unique<GatewayProcess>(m_dir.path());
        m_gw->setExtraArguments({QStringLiteral("--max-attachment-bytes"), QStringLiteral("3000000"),
                                 QStringLiteral("--rate-limit"), QStringLiteral("0")});
        QVERIFY2(m_gw->start(), m_gw->output().constData());
        m_gw->setPort(m_gw->port());
        m_alice = user(QStringLiteral("alice"));
        m_bob = user(QStringLiteral("bob"));
        m_eve = user(QStringLiteral("eve"));
        QVERIFY(m_alice->join(QStringLiteral("files")));
        QVERIFY(m_bob->join(QStringLiteral("files")));
        QVERIFY(m_eve->join(QStringLiteral("elsewhere")));
    }
    void cleanupTestCase()
    {
        m_alice.reset();
        m_bob.reset();
        m_eve.reset();
        m_gw.reset();
    }

    void uploadInChunksThenDownloadWithRanges();
    void chunkAtTheWrongOffsetOrOfTheWrongSizeChangesNothing();
    void limitsAndStrangersAreRefused();
    void attachmentMessageNeedsItsOwnCompleteUploadOnce();
    void recallingAnAttachmentErasesItsBytes();
    void uploadSurvivesKillOfTheGateway();
    void staleUploadsAreRemovedAtStartUp();
};

void GatewayAttachments::uploadInChunksThenDownloadWithRanges()
{
    const QByteArray bytes = randomBytes(1300 * 1000);
    const auto up = m_alice->startUpload(QStringLiteral("files"), quint64(bytes.size()));
    QVERIFY(up);
    QCOMPARE(up->upload_id().size(), size_t(32));
    QCOMPARE(up->received(), quint64(0));
    QCOMPARE(up->chunk_size(), quint32(kChunk));
    QVERIFY(!up->complete());
    // Not downloadable while unfinished.
    QCOMPARE(download(*m_alice, up->upload_id()).status, 404);

    UploadStatus last;
    for (qint64 offset = 0; offset < bytes.size(); offset += kChunk) {
        const auto r = putChunk(*m_alice, up->upload_id(), bytes.mid(offset, kChunk), offset);
        QVERIFY2(r.ok(), qPrintable(r.errorMessage));
        QVERIFY(last.ParseFromArray(r.body.constData(), int(r.body.size())));
        QCOMPARE(qint64(last.received()), std::min<qint64>(offset + kChunk, bytes.size()));
    }
    QVERIFY(last.complete());
    QVERIFY(status(*m_alice, up->upload_id())->complete());

    // A member downloads it whole (small enough for one answer) or by range.
    const auto whole = download(*m_bob, up->upload_id());
    QCOMPARE(whole.status, 200);
    QCOMPARE(whole.body, bytes);
    const auto middle = download(*m_bob, up->upload_id(), "bytes=600000-700000");
    QCOMPARE(middle.status, 206);
    QCOMPARE(middle.body, bytes.mid(600000, 100001));
    QCOMPARE(middle.contentRange, QByteArray("bytes 600000-700000/1300000"));
    const auto tail = download(*m_bob, up->upload_id(), "bytes=1299990-");
    QCOMPARE(tail.status, 206);
    QCOMPARE(tail.body, bytes.right(10));
    const auto past = download(*m_bob, up->upload_id(), "bytes=1300000-");
    QCOMPARE(past.status, 416);
    QCOMPARE(past.contentRange, QByteArray("bytes */1300000"));
    // Positions at and past 2^64: a start there is past the end (416), an end there means "to
    // the end" (206); before, both were refused as malformed (400).
    for (const QByteArray &farStart : {QByteArray("bytes=18446744073709551614-"),
                                       QByteArray("bytes=18446744073709551615-18446744073709551615"),
                                       QByteArray("bytes=99999999999999999999999-")}) {
        const auto r = download(*m_bob, up->upload_id(), farStart);
        QVERIFY2(r.status == 416, farStart.constData());
        QCOMPARE(r.contentRange, QByteArray("bytes */1300000"));
    }
    for (const QByteArray &farEnd :
         {QByteArray("bytes=0-18446744073709551615"), QByteArray("bytes=0-99999999999999999999999")}) {
        const auto r = download(*m_bob, up->upload_id(), farEnd);
        QVERIFY2(r.status == 206, farEnd.constData());
        QCOMPARE(r.body, bytes);
        QCOMPARE(r.contentRange, QByteArray("bytes 0-1299999/1300000"));
    }
    for (const QByteArray &bad : {QByteArray("bytes=5-1"), QByteArray("bytes=-10"), QByteArray("items=0-1"),
                                  QByteArray("bytes=0-1,5-6")}) {
        const auto r = download(*m_bob, up->upload_id(), bad);
        QVERIFY2(r.status == 400 && r.error == ERROR_INVALID_ARGUMENT, bad.constData());
    }
}

void GatewayAttachments::chunkAtTheWrongOffsetOrOfTheWrongSizeChangesNothing()
{
    const QByteArray bytes = randomBytes(kChunk + 1000);
    const auto up = m_alice->startUpload(QStringLiteral("files"), quint64(bytes.size()));
    QVERIFY(up);
    const std::string id = up->upload_id();

    auto r = putChunk(*m_alice, id, bytes.mid(kChunk), kChunk); // skips the first chunk
    QCOMPARE(r.status, 409);
    QCOMPARE(r.error, ERROR_OFFSET_MISMATCH);
    r = putChunk(*m_alice, id, bytes.left(1000), 0); // not the last chunk: must be whole
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    r = putChunk(*m_alice, id, bytes.left(kChunk + 1), 0);
    QCOMPARE(r.error, ERROR_TOO_LARGE);
    r = m_alice->request("PUT", QStringLiteral("/v1/uploads/") + QString::fromStdString(id),
                         bytes.left(kChunk));
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT); // no Upload-Offset
    r = m_alice->request("PUT", QStringLiteral("/v1/uploads/") + QString::fromStdString(id),
                         bytes.left(kChunk), {{"Upload-Offset", "zero"}});
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    r = putChunk(*m_alice, id, QByteArray(), 0);
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    QCOMPARE(status(*m_alice, id)->received(), quint64(0));

    QVERIFY(putChunk(*m_alice, id, bytes.left(kChunk), 0).ok());
    r = putChunk(*m_alice, id, bytes.left(kChunk), 0); // the same chunk again
    QCOMPARE(r.error, ERROR_OFFSET_MISMATCH);
    QVERIFY(r.errorMessage.contains(QString::number(kChunk)));
    r = putChunk(*m_alice, id, bytes.mid(kChunk) + "x", kChunk); // past the announced size
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    QCOMPARE(status(*m_alice, id)->received(), quint64(kChunk));
    QVERIFY(putChunk(*m_alice, id, bytes.mid(kChunk), kChunk).ok());
    QCOMPARE(download(*m_alice, id).body, bytes);
    // A complete upload takes no more chunks.
    QCOMPARE(putChunk(*m_alice, id, "y", bytes.size()).error, ERROR_INVALID_ARGUMENT);
    QCOMPARE(download(*m_alice, id).body, bytes);
}

void GatewayAttachments::limitsAndStrangersAreRefused()
{
    ProtocolClient::HttpResult r;
    QVERIFY(!m_alice->startUpload(QStringLiteral("files"), 3000001, &r));
    QCOMPARE(r.status, 413);
    QCOMPARE(r.error, ERROR_TOO_LARGE);
    QVERIFY(r.errorMessage.contains(QStringLiteral("3000000")));
    QVERIFY(!m_alice->startUpload(QStringLiteral("files"), 0, &r));
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    QVERIFY(!m_alice->startUpload(QStringLiteral("elsewhere"), 10, &r)); // not a member
    QCOMPARE(r.error, ERROR_NOT_MEMBER);
    QVERIFY(!m_alice->startUpload(QStringLiteral("nowhere"), 10, &r));
    QCOMPARE(r.error, ERROR_NO_SUCH_CHANNEL);
    QVERIFY(!m_alice->startUpload(QStringLiteral("Bad Name!"), 10, &r));
    QCOMPARE(r.error, ERROR_INVALID_NAME);
    r = m_alice->post(QStringLiteral("/v1/uploads"), QByteArray("\xff\xff\xff", 3));
    QCOMPARE(r.error, ERROR_MALFORMED);

    // Someone else's upload: neither its status nor a chunk; a non-member cannot download it.
    const QByteArray bytes = randomBytes(100);
    const auto up = m_alice->startUpload(QStringLiteral("files"), quint64(bytes.size()));
    QVERIFY(up);
    QCOMPARE(m_bob->request("GET", QStringLiteral("/v1/uploads/") + QString::fromStdString(up->upload_id()))
                 .status,
             404);
    QCOMPARE(putChunk(*m_bob, up->upload_id(), bytes, 0).status, 404);
    QCOMPARE(status(*m_alice, up->upload_id())->received(), quint64(0));
    QVERIFY(putChunk(*m_alice, up->upload_id(), bytes, 0).ok());
    QCOMPARE(download(*m_bob, up->upload_id()).body, bytes); // member
    QCOMPARE(download(*m_eve, up->upload_id()).status, 404); // not a member: as if unknown
    QCOMPARE(download(*m_eve, std::string(32, 'a')).status, 404);
    QCOMPARE(m_alice->request("GET", QStringLiteral("/v1/attachments/../../etc/passwd")).status, 404);
    QCOMPARE(m_alice->request("GET", QStringLiteral("/v1/uploads/ABC")).status, 404);
    QCOMPARE(
        m_alice->request("DELETE", QStringLiteral("/v1/uploads/") + QString::fromStdString(up->upload_id()))
            .error,
        ERROR_INVALID_ARGUMENT);

    // At most 8 unfinished uploads per user.
    auto carol = user(QStringLiteral("carol"));
    QVERIFY(carol->join(QStringLiteral("files")));
    for (int i = 0; i < 8; ++i)
        QVERIFY(carol->startUpload(QStringLiteral("files"), 10));
    QVERIFY(!carol->startUpload(QStringLiteral("files"), 10, &r));
    QCOMPARE(r.status, 429);
    QCOMPARE(r.error, ERROR_RATE_LIMITED);
    // The gateway is fine after all of it.
    QVERIFY(m_gw->isRunning());
}

void GatewayAttachments::attachmentMessageNeedsItsOwnCompleteUploadOnce()
{
    const QString ch = QStringLiteral("files");
    const QByteArray bytes = randomBytes(2000);
    const auto up = m_alice->startUpload(ch, quint64(bytes.size()));
    QVERIFY(up);
    const std::string id = up->upload_id();
    const QByteArray content = plainContent(id, QStringLiteral("notes.txt"), quint64(bytes.size()));
    Error error;
    // Not complete yet.
    QVERIFY(!sendAttachment(*m_alice, ch, id, content, &error));
    QCOMPARE(error.code(), ERROR_INVALID_ARGUMENT);
    QVERIFY(putChunk(*m_alice, id, bytes, 0).ok());

    const struct {
        const char *what;
        std::string uploadId;
        QByteArray body;
    } refused[] = {
        {"no attachment_id", {}, content},
        {"an unknown upload", std::string(32, 'b'),
         plainContent(std::string(32, 'b'), QStringLiteral("x"), 1)},
        {"content naming another upload", id, plainContent(std::string(32, 'c'), QStringLiteral("x"), 2000)},
        {"a body that is no AttachmentContent", id, QByteArray("\xff\xff\xff", 3)},
        {"a name with a path", id, plainContent(id, QStringLiteral("../x"), 2000)},
        {"an empty name", id, plainContent(id, {}, 2000)},
        {"the wrong size", id, plainContent(id, QStringLiteral("x"), 1999)},
    };
    for (const auto &r : refused) {
        QVERIFY2(!sendAttachment(*m_alice, ch, r.uploadId, r.body, &error), r.what);
        QVERIFY2(error.code() == ERROR_INVALID_ARGUMENT, r.what);
    }
    AttachmentContent keyed;
    keyed.ParseFromArray(content.constData(), int(content.size()));
    keyed.set_file_key(std::string(32, 'k'));
    QVERIFY(!sendAttachment(*m_alice, ch, id, QByteArray::fromStdString(keyed.SerializeAsString()), &error));
    QCOMPARE(error.code(), ERROR_INVALID_ARGUMENT);
    AttachmentContent big = keyed;
    big.clear_file_key();
    big.set_thumbnail(std::string(24 * 1024 + 1, 't'));
    QVERIFY(!sendAttachment(*m_alice, ch, id, QByteArray::fromStdString(big.SerializeAsString()), &error));
    QCOMPARE(error.code(), ERROR_TOO_LARGE);
    // Someone else's upload, or one of another channel.
    QVERIFY(!sendAttachment(*m_bob, ch, id, content, &error));
    QCOMPARE(error.code(), ERROR_INVALID_ARGUMENT);
    QVERIFY(m_alice->join(QStringLiteral("other")));
    QVERIFY(!sendAttachment(*m_alice, QStringLiteral("other"), id, content, &error));
    QCOMPARE(error.code(), ERROR_INVALID_ARGUMENT);
    // Only attachments name an upload.
    Frame text;
    text.mutable_send()->set_channel(ch.toStdString());
    text.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    text.mutable_send()->set_body("hello");
    text.mutable_send()->set_attachment_id(id);
    const auto textAnswer = m_alice->request(text);
    QVERIFY(textAnswer && textAnswer->has_error());
    QCOMPARE(textAnswer->error().code(), ERROR_INVALID_ARGUMENT);

    m_bob->clearReceived();
    const auto ack = sendAttachment(*m_alice, ch, id, content, &error);
    QVERIFY2(ack, error.message().c_str());
    // Once only.
    QVERIFY(!sendAttachment(*m_alice, ch, id, content, &error));
    QCOMPARE(error.code(), ERROR_INVALID_ARGUMENT);
    QVERIFY(error.message().find("another message") != std::string::npos);

    // The other member gets it pushed and pulled, with its upload id.
    QVERIFY(ProtocolClient::waitFor([&] { return !m_bob->pushedMessages(ch).isEmpty(); }, 10000));
    const Message pushed = m_bob->pushedMessages(ch).last();
    QCOMPARE(pushed.kind(), MESSAGE_KIND_ATTACHMENT);
    QCOMPARE(pushed.attachment_id(), id);
    const auto pulled = m_bob->sync(ch, ack->seq(), 1);
    QCOMPARE(pulled.messages_size(), 1);
    QCOMPARE(pulled.messages(0).attachment_id(), id);
    QCOMPARE(QByteArray::fromStdString(pulled.messages(0).body()), content);
}

void GatewayAttachments::recallingAnAttachmentErasesItsBytes()
{
    const QString ch = QStringLiteral("files");
    const QByteArray marker("HCHAT-RECALLED-ATTACHMENT-BYTES ");
    const QByteArray bytes = markedBytes(kChunk + 5000, marker);
    const auto up = m_alice->startUpload(ch, quint64(bytes.size()));
    QVERIFY(up && putAll(*m_alice, up->upload_id(), bytes));
    const auto ack =
        sendAttachment(*m_alice, ch, up->upload_id(),
                       plainContent(up->upload_id(), QStringLiteral("oops.bin"), quint64(bytes.size())));
    QVERIFY(ack);
    QCOMPARE(download(*m_bob, up->upload_id()).body, bytes);

    // Bob may not recall it; its sender may.
    Frame del;
    auto *s = del.mutable_send();
    s->set_channel(ch.toStdString());
    s->set_kind(MESSAGE_KIND_DELETE);
    s->set_ref_seq(ack->seq());
    s->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    auto answer = m_bob->request(del);
    QVERIFY(answer && answer->has_error());
    QCOMPARE(answer->error().code(), ERROR_FORBIDDEN);
    s->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    answer = m_alice->request(del);
    QVERIFY(answer && answer->has_send_ack());

    QCOMPARE(download(*m_bob, up->upload_id()).status, 404);
    QCOMPARE(download(*m_alice, up->upload_id()).status, 404);
    QCOMPARE(storedRows(*m_gw, up->upload_id()), qMakePair(0, 0));
    const auto pulled = m_bob->sync(ch, ack->seq(), 1);
    QVERIFY(pulled.messages(0).deleted());
    QVERIFY(pulled.messages(0).body().empty());
    // Gone from the database file too (after a graceful stop checkpoints the WAL).
    QCOMPARE(m_gw->terminate(), 0);
    for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
        QFile f(m_gw->databasePath() + suffix);
        if (f.open(QIODevice::ReadOnly))
            QVERIFY2(!f.readAll().contains(marker), qPrintable(f.fileName()));
    }
    QVERIFY2(m_gw->start(), m_gw->output().constData());
    for (auto *c : {m_alice.get(), m_bob.get(), m_eve.get()}) {
        c->closeHttpConnections();
        QVERIFY(c->connectAndHello());
    }
}

void GatewayAttachments::uploadSurvivesKillOfTheGateway()
{
    const QByteArray bytes = randomBytes(5 * kChunk + 123);
    const auto up = m_alice->startUpload(QStringLiteral("files"), quint64(bytes.size()));
    QVERIFY(up);
    QVERIFY(putAll(*m_alice, up->upload_id(), bytes, 0, 3 * kChunk));
    m_gw->kill();
    QVERIFY(!putChunk(*m_alice, up->upload_id(), bytes.mid(3 * kChunk, kChunk), 3 * kChunk).ok());
    QVERIFY2(m_gw->start(), m_gw->output().constData());
    m_alice->closeHttpConnections();
    m_bob->closeHttpConnections();
    const auto after = status(*m_alice, up->upload_id());
    QVERIFY(after);
    QCOMPARE(after->received(), quint64(3 * kChunk)); // every acknowledged chunk, nothing more
    QVERIFY(putAll(*m_alice, up->upload_id(), bytes, 3 * kChunk));
    QVERIFY(status(*m_alice, up->upload_id())->complete());
    QByteArray got;
    while (got.size() < bytes.size()) {
        const auto part = download(*m_bob, up->upload_id(),
                                   "bytes=" + QByteArray::number(got.size()) + "-" +
                                       QByteArray::number(got.size() + 1000000 - 1));
        QCOMPARE(part.status, 206);
        got += part.body;
    }
    QCOMPARE(got, bytes);
}

void GatewayAttachments::staleUploadsAreRemovedAtStartUp()
{
    const QString ch = QStringLiteral("files");
    QVERIFY(m_alice->connectAndHello()); // the session of before the last restart is gone
    const QByteArray bytes = randomBytes(kChunk + 3);
    const auto unfinished = m_alice->startUpload(ch, quint64(bytes.size()));
    QVERIFY(unfinished && putChunk(*m_alice, unfinished->upload_id(), bytes.left(kChunk), 0).ok());
    std::vector<std::string> complete;
    for (int i = 0; i < 3; ++i) {
        const auto up = m_alice->startUpload(ch, quint64(bytes.size()));
        QVERIFY(up && putAll(*m_alice, up->upload_id(), bytes));
        complete.push_back(up->upload_id());
    }
    const std::string unshown = complete[0], shown = complete[1], fresh = complete[2];
    QVERIFY(sendAttachment(*m_alice, ch, shown,
                           plainContent(shown, QStringLiteral("kept.bin"), quint64(bytes.size()))));
    QCOMPARE(m_gw->terminate(), 0);

    // A day and an hour later: moved back in the database while the gateway is down.
    const qint64 dayAgo = QDateTime::currentMSecsSinceEpoch() - 25LL * 3600 * 1000;
    QCOMPARE(runSql(*m_gw, QStringLiteral("UPDATE uploads SET created_ms = %1 WHERE id <> '%2'")
                               .arg(dayAgo)
                               .arg(QString::fromStdString(fresh))),
             0);
    QVERIFY2(m_gw->start(), m_gw->output().constData());
    QVERIFY(ProtocolClient::waitFor(
        [&] { return storedRows(*m_gw, unfinished->upload_id()) == qMakePair(0, 0); }, 10000));
    QCOMPARE(storedRows(*m_gw, unshown), qMakePair(0, 0));
    QCOMPARE(storedRows(*m_gw, shown), qMakePair(1, 2));
    QCOMPARE(storedRows(*m_gw, fresh), qMakePair(1, 2));
    m_alice->closeHttpConnections();
    m_bob->closeHttpConnections();
    QCOMPARE(download(*m_bob, shown).status, 200);
    QCOMPARE(status(*m_alice, unfinished->upload_id()), std::nullopt);
}

QTEST_GUILESS_MAIN(GatewayAttachments)
#include "tst_gateway_attachments.moc"
