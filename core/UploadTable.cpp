#include "UploadTable.h"

#include "HistoryDb.h"

#include <QDateTime>

namespace hchat {

namespace {

const QString kUploadColumns = QStringLiteral(
    "id, channel, client_msg_id, file_path, staged_path, upload_id, content, encrypted, ref_seq, created_ms");

UploadTable::PendingUpload rowToUpload(const HistoryQuery &q)
{
    UploadTable::PendingUpload u;
    u.id = q.value(0).toLongLong();
    u.channel = q.value(1).toString();
    u.clientMsgId = q.value(2).toByteArray();
    u.filePath = q.value(3).toString();
    u.stagedPath = q.value(4).toString();
    u.uploadId = q.value(5).toString();
    u.content = q.value(6).toByteArray();
    u.encrypted = q.value(7).toBool();
    u.refSeq = q.value(8).toULongLong();
    u.createdMs = q.value(9).toLongLong();
    return u;
}

} // namespace

qint64 UploadTable::add(const PendingUpload &upload)
{
    return m_db
        .query(QStringLiteral(
                   "INSERT INTO uploads(channel, client_msg_id, file_path, content, encrypted, ref_seq,"
                   " created_ms) VALUES(?, ?, ?, ?, ?, ?, ?)"),
               {upload.channel, upload.clientMsgId, nonNull(upload.filePath), upload.content,
                upload.encrypted ? 1 : 0, qint64(upload.refSeq), QDateTime::currentMSecsSinceEpoch()})
        .lastInsertId();
}

bool UploadTable::setStaged(qint64 id, const QString &stagedPath, const QByteArray &content)
{
    return m_db.query(QStringLiteral("UPDATE uploads SET staged_path = ?, content = ? WHERE id = ?"),
                      {nonNull(stagedPath), content, id})
               .rowsAffected() == 1;
}

bool UploadTable::setUploadId(qint64 id, const QString &uploadId)
{
    return m_db.query(QStringLiteral("UPDATE uploads SET upload_id = ? WHERE id = ?"),
                      {nonNull(uploadId), id})
               .rowsAffected() == 1;
}

bool UploadTable::remove(qint64 id)
{
    return m_db.exec(QStringLiteral("DELETE FROM uploads WHERE id = ?"), {id});
}

std::optional<UploadTable::PendingUpload> UploadTable::upload(qint64 id) const
{
    return m_db.first(QStringLiteral("SELECT %1 FROM uploads WHERE id = ?").arg(kUploadColumns), {id},
                      rowToUpload);
}

QList<UploadTable::PendingUpload> UploadTable::uploads() const
{
    return m_db.rows(QStringLiteral("SELECT %1 FROM uploads ORDER BY id").arg(kUploadColumns), {},
                     rowToUpload);
}

QString UploadTable::attachmentFile(const QString &attachmentId) const
{
    return m_db
        .scalar(QStringLiteral("SELECT path FROM attachment_files WHERE attachment_id = ?"), {attachmentId})
        .toString();
}

bool UploadTable::setAttachmentFile(const QString &attachmentId, const QString &path)
{
    return m_db.exec(QStringLiteral("INSERT INTO attachment_files(attachment_id, path) VALUES(?, ?)"
                                    " ON CONFLICT(attachment_id) DO UPDATE SET path = excluded.path"),
                     {attachmentId, path});
}

bool UploadTable::removeAttachmentFile(const QString &attachmentId)
{
    return m_db.exec(QStringLiteral("DELETE FROM attachment_files WHERE attachment_id = ?"), {attachmentId});
}

} // namespace hchat
