#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace hchat {

class HistoryDb;

// Tables uploads (attachments on their way out, schema 4) and attachment_files (where this device
// keeps the file of an attachment, downloaded or sent from here).
class UploadTable {
public:
    explicit UploadTable(HistoryDb &db) : m_db(db) {}

    // A file being prepared or uploaded. clientMsgId is chosen up front and becomes the outbox
    // entry's, so handing a finished upload to the outbox twice (after a crash) adds it once.
    struct PendingUpload {
        qint64 id = 0;
        QString channel;
        QByteArray clientMsgId;
        QString filePath;   // the file the user picked
        QString stagedPath; // our copy (encrypted channels: its ciphertext) being uploaded
        QString uploadId;   // the gateway's, once the upload was started
        QByteArray content; // AttachmentContent without attachment_id (hash, size, key once staged)
        bool encrypted = false;
        quint64 refSeq = 0; // a reply
        qint64 createdMs = 0;
    };
    qint64 add(const PendingUpload &upload); // 0 on failure
    bool setStaged(qint64 id, const QString &stagedPath, const QByteArray &content);
    bool setUploadId(qint64 id, const QString &uploadId);
    bool remove(qint64 id);
    std::optional<PendingUpload> upload(qint64 id) const;
    QList<PendingUpload> uploads() const;

    QString attachmentFile(const QString &attachmentId) const;
    bool setAttachmentFile(const QString &attachmentId, const QString &path);
    bool removeAttachmentFile(const QString &attachmentId);

private:
    HistoryDb &m_db;
};

} // namespace hchat
