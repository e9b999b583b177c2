// Attachments through the real gateway (issue 11): a file goes up in resumable chunks, its message
// reaches the other member, who downloads it intact; a 50 MB upload survives a gateway restart in
// the middle and goes on from where it stopped; an upload left by a closed app resumes when the
// app comes back; in an encrypted channel the gateway stores no byte, name or caption of the file
// in the clear; a deleted attachment is gone from the gateway and from the members' devices; a
// file above the gateway's limit is refused with a clear error and leaves nothing behind.
#include "E2eeTestHelpers.h"

#include "AttachmentInfo.h"
#include "AttachmentTransfers.h"

#include <QCryptographicHash>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <sodium.h>

using namespace hchat;
using namespace hchat::test;

namespace {

QByteArray randomBytes(qsizetype n)
{
    QByteArray b(n, Qt::Uninitialized);
    randombytes_buf(b.data(), std::size_t(b.size()));
    return b;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

QByteArray sha256Of(const QString &path)
{
    QFile f(path);
    QCryptographicHash h(QCryptographicHash::Sha256);
    if (!f.open(QIODevice::ReadOnly) || !h.addData(&f))
        return {};
    return h.result();
}

// Waits for one transfer's end; true when it succeeded (*error otherwise).
bool waitTransfer(AttachmentTransfers *transfers, const TransferId &transferId, QString *error = nullptr,
                  int timeoutMs = 60000)
{
    bool done = false, ok = false;
    auto c = QObject::connect(transfers, &AttachmentTransfers::transferFinished,
                              [&](const TransferId &id, bool rok, const QString &e) {
                                  if (id != transferId)
                                      return;
                                  done = true;
                                  ok = rok;
                                  if (error)
                                      *error = e;
                              });
    QDeadlineTimer d(timeoutMs);
    while (!done && !d.hasExpired())
        QTest::qWait(10);
    QObject::disconnect(c);
    return ok;
}

// The newest attachment message of the channel in this client's history.
std::optional<StoredMessage> newestAttachment(const TestClient &c, const QString &channel)
{
    const quint64 max = c.store()->maxSeq(channel);
    for (quint64 seq = max; seq > 0 && seq + 50 > max; --seq) {
        const auto m = c.store()->message(channel, seq);
        if (m && m->kind == MessageKind::Attachment)
            return m;
    }
    return std::nullopt;
}

// Downloads attachment message seq and returns the file's path ("" on failure).
QString download(const TestClient &c, const QString &channel, quint64 seq, QString *error = nullptr)
{
    const auto m = c.store()->message(channel, seq);
    if (!m || !c->downloadAttachment(channel, seq, error))
        return {};
    const QString local = c->attachmentFile(channel, seq);
    if (!local.isEmpty())
        return local;
    if (!waitTransfer(c->transfers(), TransferId::download(m->attachmentId), error))
        return {};
    return c->attachmentFile(channel, seq);
}

} // namespace

class CoreAttachments : public QObject {
    Q_OBJECT
    std::unique_ptr<GatewayProcess> m_gw;
    std::unique_ptr<QTemporaryDir> m_gwDir;
    QTemporaryDir m_files{scratchRoot() + QStringLiteral("/files-XXXXXX")};

private slots:
    void initTestCase()
    {
        QVERIFY(sodium_init() >= 0);
        m_gwDir = std::make_unique<QTemporaryDir>(scratchRoot() + QStringLiteral("/gw-XXXXXX"));
        m_gw = std::make_unique<GatewayProcess>(m_gwDir->path());
        QVERIFY2(m_gw->start(), m_gw->output().constData());
        m_gw->setPort(m_gw->port()); // restarts keep the address
    }
    void cleanupTestCase() { m_gw.reset(); }

    void fileReachesMemberAndDownloadsIntact();
    void uploadSurvivesGatewayRestartAndResumes();
    void uploadLeftByClosedAppResumes();
    void encryptedAttachmentLeavesNoPlaintextAtTheGateway();
    void deletedAttachmentIsGoneEverywhere();
    void fileAboveTheLimitIsRefusedClearly();
};

void CoreAttachments::fileReachesMemberAndDownloadsIntact()
{
    const QString ch = QStringLiteral("files");
    auto alice = onlineUser(*m_gw, QStringLiteral("fa"), ch);
    auto bob = onlineUser(*m_gw, QStringLiteral("fb"), ch);
    const QByteArray bytes = randomBytes(1300 * 1000); // three chunks
    const QString path = writeFile(m_files, QStringLiteral("report 2026.pdf"), bytes);
    QVERIFY(!path.isEmpty());

    QSignalSpy progress(alice->client->transfers(), &AttachmentTransfers::transferProgress);
    QString error;
    AttachmentTransfers::Preview preview;
    preview.mimeType = QStringLiteral("application/pdf");
    const qint64 upload =
        (*alice)->sendAttachment(ch, path, QStringLiteral("the quarterly numbers"), preview, 0, &error);
    QVERIFY2(upload > 0, qPrintable(error));
    QVERIFY2(waitTransfer((*alice)->transfers(), TransferId::upload(upload), &error), qPrintable(error));
    // Progress went up chunk by chunk to the whole file.
    QVERIFY(progress.size() >= 3);
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(bytes.size()));
    QCOMPARE(progress.last().at(2).toLongLong(), qint64(bytes.size()));
    QVERIFY(alice->store()->uploads().isEmpty());

    QTRY_VERIFY_WITH_TIMEOUT(newestAttachment(*bob, ch).has_value(), 15000);
    const StoredMessage m = *newestAttachment(*bob, ch);
    QCOMPARE(m.sender, QStringLiteral("fa"));
    QCOMPARE(m.text(), QStringLiteral("the quarterly numbers"));
    const auto info = AttachmentInfo::parse(m.attachment);
    QVERIFY(info);
    QCOMPARE(info->name, QStringLiteral("report 2026.pdf"));
    QCOMPARE(info->mimeType, QStringLiteral("application/pdf"));
    QCOMPARE(info->size, quint64(bytes.size()));
    QVERIFY(!info->isEncrypted());
    // Found by its name and its caption.
    QCOMPARE((*bob)->search(QStringLiteral("quarterly")).size(), 1);
    QCOMPARE((*bob)->search(QStringLiteral("report")).size(), 1);

    QVERIFY((*bob)->attachmentFile(ch, m.seq).isEmpty());
    const QString got = download(*bob, ch, m.seq, &error);
    QVERIFY2(!got.isEmpty(), qPrintable(error));
    QCOMPARE(QFileInfo(got).fileName(), QStringLiteral("report 2026.pdf"));
    QCOMPARE(sha256Of(got), sha256Of(path));
    // The sender keeps its own copy without downloading it.
    const QString own = (*alice)->attachmentFile(ch, m.seq);
    QVERIFY(!own.isEmpty());
    QCOMPARE(sha256Of(own), sha256Of(path));
}

void CoreAttachments::uploadSurvivesGatewayRestartAndResumes()
{
    const QString ch = QStringLiteral("bigfiles");
    auto alice = onlineUser(*m_gw, QStringLiteral("ga"), ch);
    auto bob = onlineUser(*m_gw, QStringLiteral("gb"), ch);
    const qint64 size = 50LL * 1000 * 1000;
    const QString path = writeFile(m_files, QStringLiteral("video.mkv"), randomBytes(size));
    QVERIFY(!path.isEmpty());

    // Kill the gateway (SIGKILL) as soon as a fifth of the file is acknowledged, from inside the
    // progress signal, so that no further chunk can slip through first.
    qint64 beforeKill = -1;
    QList<qint64> after;
    auto c = connect((*alice)->transfers(), &AttachmentTransfers::transferProgress, this,
                     [&](const TransferId &, qint64 done, qint64) {
                         if (beforeKill < 0 && done >= size / 5) {
                             beforeKill = done;
                             m_gw->kill();
                         } else if (beforeKill >= 0) {
                             after << done;
                         }
                     });
    QString error;
    const qint64 upload = (*alice)->sendAttachment(ch, path, {}, {}, 0, &error);
    QVERIFY2(upload > 0, qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(beforeKill > 0, 60000);
    QVERIFY(beforeKill < size);
    QTest::qWait(1500);                            // the client meets the dead gateway and backs off
    QCOMPARE(alice->store()->uploads().size(), 1); // still pending, not given up
    QVERIFY2(m_gw->start(), m_gw->output().constData());
    QVERIFY2(waitTransfer((*alice)->transfers(), TransferId::upload(upload), &error, 120000),
             qPrintable(error));
    disconnect(c);
    // It went on from the gateway's copy: never back to the start.
    QVERIFY(!after.isEmpty());
    QVERIFY2(after.first() >= beforeKill,
             qPrintable(QStringLiteral("resumed at %1 after %2").arg(after.first()).arg(beforeKill)));
    QCOMPARE(after.last(), size);

    QTRY_VERIFY_WITH_TIMEOUT(newestAttachment(*bob, ch).has_value(), 30000);
    const StoredMessage m = *newestAttachment(*bob, ch);
    const QString got = download(*bob, ch, m.seq, &error);
    QVERIFY2(!got.isEmpty(), qPrintable(error));
    QCOMPARE(QFileInfo(got).size(), size);
    QCOMPARE(sha256Of(got), sha256Of(path));
}

void CoreAttachments::uploadLeftByClosedAppResumes()
{
    const QString ch = QStringLiteral("resumefiles");
    const QString token = HttpTestApi(m_gw->httpUrl()).account(QStringLiteral("ha"));
    auto bob = onlineUser(*m_gw, QStringLiteral("hb"), ch);
    auto alice = std::make_unique<TestClient>();
    alice->connectTo({m_gw->wsUrl()}, token);
    QVERIFY(alice->waitOnline());
    QVERIFY(alice->run((*alice)->joinChannel(ch)));
    const QString profile = QFileInfo(alice->path()).absolutePath();
    const QString path = writeFile(m_files, QStringLiteral("notes.bin"), randomBytes(4 * 1000 * 1000));

    // The app closes after the first acknowledged chunk (destroying the Client mid-upload).
    bool closed = false;
    connect((*alice)->transfers(), &AttachmentTransfers::transferProgress, this,
            [&](const TransferId &, qint64 done, qint64) { closed = closed || done > 0; });
    QString error;
    QVERIFY((*alice)->sendAttachment(ch, path, QStringLiteral("resumed"), {}, 0, &error) > 0);
    QTRY_VERIFY_WITH_TIMEOUT(closed, 30000);
    auto dir = std::move(alice->dir); // keep the profile
    alice.reset();

    auto again = std::make_unique<TestClient>(profile);
    QCOMPARE(again->store()->uploads().size(), 1);
    again->connectTo({m_gw->wsUrl()}, token);
    QVERIFY(again->waitOnline());
    QTRY_VERIFY_WITH_TIMEOUT(again->store()->uploads().isEmpty(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(newestAttachment(*bob, ch).has_value(), 30000);
    const StoredMessage m = *newestAttachment(*bob, ch);
    QCOMPARE(m.text(), QStringLiteral("resumed"));
    const QString got = download(*bob, ch, m.seq, &error);
    QVERIFY2(!got.isEmpty(), qPrintable(error));
    QCOMPARE(sha256Of(got), sha256Of(path));
    // Exactly one message for the file, however often the upload was handed over.
    int attachments = 0;
    for (const auto &row : bob->store()->page(ch, 1, bob->store()->maxSeq(ch)))
        attachments += row.kind == MessageKind::Attachment ? 1 : 0;
    QCOMPARE(attachments, 1);
}

void CoreAttachments::encryptedAttachmentLeavesNoPlaintextAtTheGateway()
{
    const QString ch = QStringLiteral("sealedfiles");
    auto alice = e2eeUser(*m_gw, QStringLiteral("ea"));
    auto bob = e2eeUser(*m_gw, QStringLiteral("eb"));
    QVERIFY(alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {QStringLiteral("eb")})));
    QVERIFY(acceptInvitation(*bob, ch));
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, QStringLiteral("eb")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("eb")}), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(bob->store()->channel(ch).has_value(), 20000);

    // Recognisable plaintext: any copy of it at the gateway would be found.
    QByteArray bytes;
    while (bytes.size() < 2 * 1000 * 1000)
        bytes += "HCHAT-ATTACHMENT-PLAINTEXT-MARKER ";
    const QString path = writeFile(m_files, QStringLiteral("zz-secret-plans.txt"), bytes);
    QString error;
    const qint64 upload =
        (*alice)->sendAttachment(ch, path, QStringLiteral("caption-never-in-clear"), {}, 0, &error);
    QVERIFY2(upload > 0, qPrintable(error));
    QVERIFY2(waitTransfer((*alice)->transfers(), TransferId::upload(upload), &error), qPrintable(error));

    QTRY_VERIFY_WITH_TIMEOUT(newestAttachment(*bob, ch) && !newestAttachment(*bob, ch)->attachment.isEmpty(),
                             20000);
    const StoredMessage m = *newestAttachment(*bob, ch);
    QVERIFY(m.encrypted);
    QCOMPARE(m.text(), QStringLiteral("caption-never-in-clear"));
    const auto info = AttachmentInfo::parse(m.attachment);
    QVERIFY(info && info->isEncrypted());
    QCOMPARE(info->name, QStringLiteral("zz-secret-plans.txt"));
    const QString got = download(*bob, ch, m.seq, &error);
    QVERIFY2(!got.isEmpty(), qPrintable(error));
    QCOMPARE(sha256Of(got), sha256Of(path));

    // The gateway's database files and its output hold none of it (after a graceful stop, so
    // that the WAL is checkpointed into the main file too).
    QCOMPARE(m_gw->terminate(), 0);
    for (const QByteArray &needle : {QByteArray("HCHAT-ATTACHMENT-PLAINTEXT-MARKER"),
                                     QByteArray("zz-secret-plans"), QByteArray("caption-never-in-clear")})
        QVERIFY2(whereFound(*m_gw, needle).isEmpty(), needle.constData());
    QVERIFY2(m_gw->start(), m_gw->output().constData());
}

void CoreAttachments::deletedAttachmentIsGoneEverywhere()
{
    const QString ch = QStringLiteral("recalledfiles");
    auto alice = onlineUser(*m_gw, QStringLiteral("da"), ch);
    auto bob = onlineUser(*m_gw, QStringLiteral("db"), ch);
    const QString path = writeFile(m_files, QStringLiteral("oops.txt"), randomBytes(700 * 1000));
    QString error;
    const qint64 upload = (*alice)->sendAttachment(ch, path, {}, {}, 0, &error);
    QVERIFY2(waitTransfer((*alice)->transfers(), TransferId::upload(upload), &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(newestAttachment(*bob, ch).has_value(), 15000);
    const StoredMessage m = *newestAttachment(*bob, ch);
    const QString got = download(*bob, ch, m.seq, &error);
    QVERIFY2(!got.isEmpty(), qPrintable(error));

    QVERIFY(waitSent(*alice, (*alice)->deleteMessage(ch, m.seq)) > 0);
    QTRY_VERIFY_WITH_TIMEOUT(bob->store()->message(ch, m.seq)->deleted, 15000);
    const auto gone = bob->store()->message(ch, m.seq);
    QVERIFY(gone->attachment.isEmpty());
    QVERIFY(!QFile::exists(got));
    QVERIFY((*bob)->attachmentFile(ch, m.seq).isEmpty());
    QCOMPARE((*bob)->search(QStringLiteral("oops")).size(), 0);
    QVERIFY(!QFile::exists((*alice)->transfers()->directory() + QLatin1Char('/') + m.attachmentId));

    // The gateway no longer serves the bytes.
    QNetworkAccessManager nam;
    QNetworkRequest req(m_gw->httpUrl(QStringLiteral("/v1/attachments/") + m.attachmentId));
    req.setRawHeader("Authorization", "Bearer " + bob->token.toUtf8());
    QNetworkReply *reply = nam.get(req);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
    reply->deleteLater();
}

void CoreAttachments::fileAboveTheLimitIsRefusedClearly()
{
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/small-XXXXXX"));
    GatewayProcess small(dir.path());
    small.setExtraArguments({QStringLiteral("--max-attachment-bytes"), QStringLiteral("1000000")});
    QVERIFY2(small.start(), small.output().constData());
    const QString ch = QStringLiteral("limits");
    auto alice = onlineUser(small, QStringLiteral("la"), ch);
    const QString path = writeFile(m_files, QStringLiteral("huge.iso"), randomBytes(1500 * 1000));
    QString error;
    const qint64 upload = (*alice)->sendAttachment(ch, path, {}, {}, 0, &error);
    QVERIFY2(upload > 0, qPrintable(error)); // refused by the gateway, not before
    QVERIFY(!waitTransfer((*alice)->transfers(), TransferId::upload(upload), &error));
    QVERIFY2(error.contains(QStringLiteral("large"), Qt::CaseInsensitive) ||
                 error.contains(QStringLiteral("1000000")),
             qPrintable(error));
    QVERIFY(alice->store()->uploads().isEmpty());
    QVERIFY(alice->store()->outbox(ch).isEmpty());
    QVERIFY(QDir((*alice)->transfers()->directory() + QStringLiteral("/outgoing")).isEmpty());

    // Bad local input: no such file, an empty file, a directory.
    QCOMPARE((*alice)->sendAttachment(ch, m_files.filePath(QStringLiteral("missing")), {}, {}, 0, &error), 0);
    QVERIFY(!error.isEmpty());
    QCOMPARE((*alice)->sendAttachment(ch, writeFile(m_files, QStringLiteral("empty"), {}), {}, {}, 0, &error),
             0);
    QCOMPARE((*alice)->sendAttachment(ch, m_files.path(), {}, {}, 0, &error), 0);
    QCOMPARE((*alice)->sendAttachment(QStringLiteral("nochannel"), path, {}, {}, 0, &error), 0);
    QVERIFY(alice->store()->uploads().isEmpty());
}

QTEST_GUILESS_MAIN(CoreAttachments)
#include "tst_core_attachments.moc"
