#pragma once

#include "AttachmentInfo.h"
#include "Backoff.h"
#include "HistoryStore.h"
#include "StoredMessage.h"
#include "TransferId.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <memory>

class QNetworkReply;

namespace hchat {

class GatewayHttp;

// Files to and from the gateway (docs/PROTOCOL.md, "Attachments"). An upload is first staged on a
// worker thread (a copy, or in an encrypted channel its crypto_secretstream ciphertext) under
// <directory>/outgoing, then sent in 512 KiB chunks; each acknowledged chunk is stored by the
// gateway, so after a lost link, a gateway restart or a restart of this app the upload asks the
// gateway how far it got and goes on from there. The pending upload lives in the HistoryStore
// until uploadComplete() hands it to the SendPipeline, which sends the message.
// A download fetches ranges into <directory>/incoming/<id>.part (resuming from its length),
// then decrypts or checks it on a worker thread into <directory>/<id>/<file name>.
// Ids come from the network, so every path is built only from a valid id (32 lower-case hex
// digits) and checked to resolve inside <directory> before anything is created, renamed or
// removed; forget() removes only the file recorded for the attachment, never a folder's content.
// At most two uploads and two downloads run at once; the rest wait their turn.
class AttachmentTransfers : public QObject {
    Q_OBJECT
public:
    // What the UI knows about a file before it goes (thumbnails need QtGui, which core avoids).
    struct Preview {
        QString mimeType;
        QByteArray thumbnail; // JPEG, at most limits::kMaxThumbnailBytes
        quint32 width = 0;
        quint32 height = 0;
    };
    struct Transfer {
        TransferId id;
        QString channel;
        QString name;    // file name
        qint64 done = 0; // bytes at the gateway (upload) or here (download)
        qint64 total = 0;
    };

    AttachmentTransfers(HistoryStore *store, GatewayHttp *http, QObject *parent = nullptr);
    ~AttachmentTransfers() override;

    void setDirectory(const QString &dir);
    QString directory() const { return m_dir; }
    // Signed in (requests may go out) or not; going online resumes every pending transfer,
    // including uploads left by an earlier run.
    void setOnline(bool online);
    bool isOnline() const { return m_online; }

    // Queues filePath for channel. Returns the upload's id (> 0), or 0 with *error (no such file,
    // empty, not readable, not saved).
    qint64 startUpload(const QString &channel, const QString &filePath, const QString &caption,
                       bool encrypted, quint64 refSeq, const Preview &preview, QString *error = nullptr);
    bool cancelUpload(qint64 uploadId);
    // Fetches the attachment of message m. True when it is here, on its way or now queued.
    bool download(const StoredMessage &m, QString *error = nullptr);
    bool cancelDownload(const QString &attachmentId);
    // The complete file of an attachment on this device (empty: not here).
    QString localFile(const QString &attachmentId) const;
    // A deleted message: its file and any partial download go.
    void forget(const QString &attachmentId);
    // Messages of channel whose text an edit or deletion changed: the recalled attachments go.
    void forgetDeleted(const QString &channel, const QList<quint64> &seqs);

    // Hands a complete upload to the SendPipeline: queue its message (plain or encrypted) with the
    // upload's client_msg_id. False with *error: the upload stays and is offered again later.
    using MessageSender = std::function<bool(const HistoryStore::PendingUpload &upload,
                                             const AttachmentInfo &info, QString *error)>;
    void setMessageSender(MessageSender sender);

    QList<Transfer> transfers() const;
    // How far the download of attachmentId got, 0-100; -1 when none runs.
    int downloadPercent(const QString &attachmentId) const;

signals:
    void transferStarted(const hchat::AttachmentTransfers::Transfer &transfer);
    void transferProgress(const hchat::TransferId &transfer, qint64 done, qint64 total);
    // Once per transfer: done (ok) or given up (error for the user; also on cancel).
    void transferFinished(const hchat::TransferId &transfer, bool ok, const QString &error);
    // The gateway holds the whole upload: the SendPipeline sends its message, then removeUpload().
    void uploadComplete(qint64 uploadId, const QString &attachmentId);
    void downloadComplete(const QString &attachmentId, const QString &path);
    // The same progress and end as transferProgress/transferFinished, for a download, by attachment.
    void downloadProgress(const QString &attachmentId);
    void downloadFinished(const QString &attachmentId, bool ok, const QString &error);

private:
    struct Job;
    struct Upload;
    struct Download;
    void schedule();
    void runUpload(Upload &u);
    void stageUpload(qint64 id);
    void createUpload(qint64 id);
    void queryUpload(qint64 id);
    void sendChunk(qint64 id);
    void retryUpload(qint64 id, const QString &why);
    void retryLater(const std::shared_ptr<Job> &job, const QString &what, const QString &why);
    void finishUpload(qint64 id, bool ok, const QString &error);
    void runDownload(Download &d);
    void fetchRange(const QString &attachmentId);
    void openDownload(const QString &attachmentId);
    void retryDownload(const QString &attachmentId, const QString &why);
    void finishDownload(const QString &attachmentId, bool ok, const QString &error, const QString &path = {});
    QString outgoingPath(qint64 id) const;
    // "" when attachmentId is not a valid id.
    QString partPath(const QString &attachmentId) const;
    QString fileFolder(const QString &attachmentId) const;
    // Whether path, with "..", "." and symbolic links resolved, lies inside the directory.
    bool isConfined(const QString &path) const;
    void loadPendingUploads();

    HistoryStore *m_store;
    GatewayHttp *m_http;
    QString m_dir;
    bool m_online = false;
    MessageSender m_sendMessage;
    QHash<qint64, std::shared_ptr<Upload>> m_uploads;
    QList<qint64> m_uploadOrder;
    QHash<QString, std::shared_ptr<Download>> m_downloads;
    QList<QString> m_downloadOrder;
    // Staging and decryption; waited for on destruction, so its results never reach a dead object.
    QThreadPool m_pool;
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::AttachmentTransfers::Transfer)
