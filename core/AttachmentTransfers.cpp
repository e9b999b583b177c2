#include "AttachmentTransfers.h"

#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "HistoryStore.h"
#include "Limits.h"
#include "Outbox.h"
#include "crypto/AttachmentCipher.h"
#include "hchat.pb.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QNetworkReply>
#include <QTimer>

namespace hchat {

namespace {

// Stops a queued or running transfer (a late answer finds its generation changed) and takes it
// out of the queue; null when there is none under key.
template <typename Key, typename Job>
std::shared_ptr<Job> stopTransfer(QHash<Key, std::shared_ptr<Job>> &jobs, QList<Key> &order, const Key &key)
{
    const auto it = jobs.find(key);
    if (it == jobs.end())
        return {};
    std::shared_ptr<Job> job = it.value();
    ++job->generation;
    if (job->reply)
        job->reply->abort();
    jobs.erase(it);
    order.removeAll(key);
    return job;
}

constexpr int kParallelUploads = 2;
constexpr int kParallelDownloads = 2;
constexpr qint64 kDownloadRangeBytes = 1024 * 1024;

bool isTransient(const GatewayHttp::Result &r)
{
    // No answer at all, the gateway busy or restarting, or signed out for the moment.
    return r.networkError() || r.httpStatus >= 500 || r.errorCode == hchat::v1::ERROR_RATE_LIMITED ||
           r.errorCode == hchat::v1::ERROR_SHUTTING_DOWN || r.errorCode == hchat::v1::ERROR_BAD_TOKEN ||
           r.errorCode == hchat::v1::ERROR_NOT_AUTHENTICATED || r.errorCode == hchat::v1::ERROR_TOKEN_EXPIRED;
}

std::optional<hchat::v1::UploadStatus> parseStatus(const QByteArray &body)
{
    hchat::v1::UploadStatus s;
    if (!s.ParseFromArray(body.constData(), int(body.size())) || s.chunk_size() == 0 ||
        s.chunk_size() > limits::kMaxHttpBodyBytes || s.received() > s.size())
        return std::nullopt;
    return s;
}

} // namespace

// What uploads and downloads share: their slot, their one step in flight and their retries.
struct AttachmentTransfers::Job {
    bool active = false; // holds one of the parallel slots
    bool busy = false;   // staging, a request or a retry wait in flight
    bool announced = false;
    int generation = 0; // bumped on cancel: late answers of older steps are ignored
    QPointer<QNetworkReply> reply;
    Backoff backoff{std::chrono::milliseconds(300), std::chrono::seconds(5)};
};

struct AttachmentTransfers::Upload : Job {
    HistoryStore::PendingUpload row;
    QString name;
    qint64 stagedSize = 0;
    qint64 received = -1; // -1: ask the gateway
    qint64 chunkSize = qint64(limits::kAttachmentChunkBytes);
};

struct AttachmentTransfers::Download : Job {
    QString attachmentId;
    QString channel;
    AttachmentInfo info;
    qint64 total = 0; // bytes stored at the gateway
    qint64 have = 0;
};

AttachmentTransfers::AttachmentTransfers(HistoryStore *store, GatewayHttp *http, QObject *parent)
    : QObject(parent), m_store(store), m_http(http)
{
    m_pool.setMaxThreadCount(1);
}

AttachmentTransfers::~AttachmentTransfers()
{
    // Forgotten first: an aborted reply's callback then finds nothing to continue.
    const auto uploads = std::exchange(m_uploads, {});
    const auto downloads = std::exchange(m_downloads, {});
    for (const auto &u : uploads)
        if (u->reply)
            u->reply->abort();
    for (const auto &d : downloads)
        if (d->reply)
            d->reply->abort();
    m_pool.waitForDone();
}

int AttachmentTransfers::downloadPercent(const QString &attachmentId) const
{
    const auto it = m_downloads.constFind(attachmentId);
    if (it == m_downloads.cend())
        return -1;
    const auto &d = *it;
    return d->total > 0 ? int(d->have * 100 / d->total) : 0;
}

void AttachmentTransfers::setDirectory(const QString &dir)
{
    m_dir = dir;
}

QString AttachmentTransfers::outgoingPath(qint64 id) const
{
    return m_dir + QStringLiteral("/outgoing/%1.bin").arg(id);
}

QString AttachmentTransfers::partPath(const QString &attachmentId) const
{
    if (!AttachmentInfo::isValidId(attachmentId) || m_dir.isEmpty())
        return {};
    return m_dir + QStringLiteral("/incoming/") + attachmentId + QStringLiteral(".part");
}

QString AttachmentTransfers::fileFolder(const QString &attachmentId) const
{
    if (!AttachmentInfo::isValidId(attachmentId) || m_dir.isEmpty())
        return {};
    return m_dir + QLatin1Char('/') + attachmentId;
}

namespace {
// The absolute path with "." and ".." gone and every symbolic link of its existing part resolved.
QString resolvedPath(const QString &path)
{
    QString existing = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QString rest;
    while (!QFileInfo::exists(existing)) {
        const qsizetype slash = existing.lastIndexOf(QLatin1Char('/'));
        if (slash <= 0)
            return {};
        rest = existing.mid(slash) + rest;
        existing.truncate(slash);
    }
    const QString canonical = QFileInfo(existing).canonicalFilePath();
    return canonical.isEmpty() ? QString() : canonical + rest;
}
} // namespace

bool AttachmentTransfers::isConfined(const QString &path) const
{
    if (m_dir.isEmpty() || path.isEmpty())
        return false;
    const QString root = resolvedPath(m_dir);
    const QString resolved = resolvedPath(path);
    return !root.isEmpty() && resolved.startsWith(root + QLatin1Char('/'));
}

void AttachmentTransfers::setMessageSender(MessageSender sender)
{
    m_sendMessage = std::move(sender);
}

void AttachmentTransfers::setOnline(bool online)
{
    m_online = online;
    if (!online)
        return;
    loadPendingUploads();
    for (const auto &u : std::as_const(m_uploads))
        u->backoff.reset();
    for (const auto &d : std::as_const(m_downloads))
        d->backoff.reset();
    schedule();
}

void AttachmentTransfers::loadPendingUploads()
{
    if (!m_store || m_dir.isEmpty())
        return;
    for (const HistoryStore::PendingUpload &row : m_store->uploads()) {
        if (m_uploads.contains(row.id))
            continue;
        auto u = std::make_shared<Upload>();
        u->row = row;
        const auto draft = AttachmentInfo::parse(row.content, true);
        u->name = draft ? draft->name : QFileInfo(row.filePath).fileName();
        if (!row.stagedPath.isEmpty())
            u->stagedSize = QFileInfo(row.stagedPath).size();
        m_uploads.insert(row.id, u);
        m_uploadOrder << row.id;
        qCInfo(lcClient) << "resuming upload" << row.id << "of" << u->name;
    }
}

qint64 AttachmentTransfers::startUpload(const QString &channel, const QString &filePath,
                                        const QString &caption, bool encrypted, quint64 refSeq,
                                        const Preview &preview, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return qint64(0);
    };
    const QFileInfo fi(filePath);
    if (!fi.exists() || !fi.isFile())
        return fail(tr("%1 is not a file.").arg(filePath));
    if (!fi.isReadable())
        return fail(tr("%1 cannot be read.").arg(filePath));
    if (fi.size() == 0)
        return fail(tr("%1 is empty.").arg(fi.fileName()));
    if (m_dir.isEmpty() || !QDir().mkpath(m_dir + QStringLiteral("/outgoing")))
        return fail(tr("No place to prepare the file."));
    if (preview.thumbnail.size() > qsizetype(limits::kMaxThumbnailBytes))
        return fail(tr("The preview image is too large."));
    AttachmentInfo draft;
    draft.name = AttachmentInfo::safeFileName(fi.fileName());
    draft.mimeType =
        preview.mimeType.isEmpty() ? QStringLiteral("application/octet-stream") : preview.mimeType;
    draft.caption = caption;
    draft.width = preview.width;
    draft.height = preview.height;
    draft.thumbnail = preview.thumbnail;
    HistoryStore::PendingUpload row;
    row.channel = channel;
    row.clientMsgId = Outbox::newClientMsgId();
    row.filePath = fi.absoluteFilePath();
    row.content = draft.serialize();
    row.encrypted = encrypted;
    row.refSeq = refSeq;
    row.id = m_store->addUpload(row);
    if (row.id == 0)
        return fail(tr("Could not save the upload: %1").arg(m_store->lastError()));
    auto u = std::make_shared<Upload>();
    u->row = row;
    u->name = draft.name;
    m_uploads.insert(row.id, u);
    m_uploadOrder << row.id;
    qCInfo(lcClient) << "queued upload" << row.id << "of" << fi.size() << "bytes to" << channel;
    schedule();
    return row.id;
}

bool AttachmentTransfers::cancelUpload(qint64 id)
{
    const auto u = stopTransfer(m_uploads, m_uploadOrder, id);
    if (!u)
        return false;
    m_store->removeUpload(id);
    if (!u->row.stagedPath.isEmpty())
        QFile::remove(u->row.stagedPath);
    emit transferFinished(TransferId::upload(id), false, tr("Cancelled."));
    schedule();
    return true;
}

QList<AttachmentTransfers::Transfer> AttachmentTransfers::transfers() const
{
    QList<Transfer> out;
    for (qint64 id : m_uploadOrder) {
        const auto &u = m_uploads.value(id);
        out << Transfer{TransferId::upload(id), u->row.channel, u->name, std::max<qint64>(u->received, 0),
                        u->stagedSize};
    }
    for (const QString &id : m_downloadOrder) {
        const auto &d = m_downloads.value(id);
        out << Transfer{TransferId::download(id), d->channel, d->info.name, d->have, d->total};
    }
    return out;
}

void AttachmentTransfers::schedule()
{
    if (!m_online)
        return;
    // Copies of the queues: a step may finish (and remove) a transfer, or schedule again.
    int activeUploads = 0;
    for (const auto &u : std::as_const(m_uploads))
        activeUploads += u->active ? 1 : 0;
    const QList<qint64> uploadOrder = m_uploadOrder;
    for (qint64 id : uploadOrder) {
        const auto u = m_uploads.value(id);
        if (!u)
            continue;
        if (!u->active && activeUploads < kParallelUploads) {
            u->active = true;
            ++activeUploads;
        }
        if (u->active && !u->busy)
            runUpload(*u);
    }
    int activeDownloads = 0;
    for (const auto &d : std::as_const(m_downloads))
        activeDownloads += d->active ? 1 : 0;
    const QList<QString> downloadOrder = m_downloadOrder;
    for (const QString &id : downloadOrder) {
        const auto d = m_downloads.value(id);
        if (!d)
            continue;
        if (!d->active && activeDownloads < kParallelDownloads) {
            d->active = true;
            ++activeDownloads;
        }
        if (d->active && !d->busy)
            runDownload(*d);
    }
}

// ---- uploads ------------------------------------------------------------------------------------

void AttachmentTransfers::runUpload(Upload &u)
{
    if (!u.announced) {
        u.announced = true;
        emit transferStarted({TransferId::upload(u.row.id), u.row.channel, u.name, 0, 0});
    }
    if (u.row.stagedPath.isEmpty() || !QFileInfo::exists(u.row.stagedPath))
        stageUpload(u.row.id);
    else if (u.row.uploadId.isEmpty())
        createUpload(u.row.id);
    else if (u.received < 0)
        queryUpload(u.row.id);
    else
        sendChunk(u.row.id);
}

// On the worker thread: copy (or encrypt) the file into outgoing/, hashing it on the way.
void AttachmentTransfers::stageUpload(qint64 id)
{
    auto u = m_uploads.value(id);
    u->busy = true;
    // A new staging makes a new file: an upload started from an older one cannot be resumed.
    u->row.uploadId.clear();
    u->received = -1;
    const QString in = u->row.filePath;
    const QString out = outgoingPath(id);
    const bool encrypted = u->row.encrypted;
    const int generation = u->generation;
    QDir().mkpath(m_dir + QStringLiteral("/outgoing"));
    m_pool.start([this, id, in, out, encrypted, generation] {
        QByteArray key;
        const crypto::AttachmentCipher::Result r = encrypted
                                                       ? crypto::AttachmentCipher::encrypt(in, out, &key)
                                                       : crypto::AttachmentCipher::copy(in, out);
        QMetaObject::invokeMethod(
            this,
            [this, id, r, key, out, generation] {
                auto u = m_uploads.value(id);
                if (!u || u->generation != generation) {
                    QFile::remove(out);
                    return;
                }
                u->busy = false;
                if (!r.ok) {
                    finishUpload(id, false, r.error);
                    return;
                }
                auto info = AttachmentInfo::parse(u->row.content, true).value_or(AttachmentInfo{});
                info.size = quint64(r.plainSize);
                info.contentHash = r.hash;
                info.fileKey = key;
                u->row.content = info.serialize();
                u->row.stagedPath = out;
                u->row.uploadId.clear();
                u->stagedSize = r.outputSize;
                if (!m_store->setUploadStaged(id, out, u->row.content) || !m_store->setUploadId(id, {})) {
                    finishUpload(id, false, tr("Could not save the upload: %1").arg(m_store->lastError()));
                    return;
                }
                emit transferProgress(TransferId::upload(id), 0, u->stagedSize);
                schedule();
            },
            Qt::QueuedConnection);
    });
}

void AttachmentTransfers::createUpload(qint64 id)
{
    auto u = m_uploads.value(id);
    u->busy = true;
    hchat::v1::UploadRequest req;
    req.set_channel(u->row.channel.toStdString());
    req.set_size(quint64(u->stagedSize));
    const int generation = u->generation;
    u->reply = m_http->post(
        QStringLiteral("/v1/uploads"), req, [this, id, generation](const GatewayHttp::Result &r) {
            auto u = m_uploads.value(id);
            if (!u || u->generation != generation)
                return;
            u->busy = false;
            if (!r.ok) {
                if (isTransient(r))
                    return retryUpload(id, r.error);
                return finishUpload(id, false, r.error);
            }
            const auto status = parseStatus(r.body);
            if (!status || !AttachmentInfo::isValidId(status->upload_id()))
                return finishUpload(id, false, tr("The gateway's answer to an upload was not understood."));
            u->row.uploadId = QString::fromStdString(status->upload_id());
            u->received = qint64(status->received());
            u->chunkSize = qint64(status->chunk_size());
            if (!m_store->setUploadId(id, u->row.uploadId))
                return finishUpload(id, false, tr("Could not save the upload: %1").arg(m_store->lastError()));
            schedule();
        });
}

// Where the gateway's copy ends: after a lost link, a refused chunk or a restart.
void AttachmentTransfers::queryUpload(qint64 id)
{
    auto u = m_uploads.value(id);
    u->busy = true;
    const int generation = u->generation;
    u->reply = m_http->get(
        QStringLiteral("/v1/uploads/") + u->row.uploadId, {},
        [this, id, generation](const GatewayHttp::Result &r) {
            auto u = m_uploads.value(id);
            if (!u || u->generation != generation)
                return;
            u->busy = false;
            if (!r.ok) {
                if (isTransient(r))
                    return retryUpload(id, r.error);
                if (r.errorCode == hchat::v1::ERROR_NOT_FOUND) {
                    // Expired at the gateway (unfinished for a day): start over.
                    qCInfo(lcClient) << "upload" << id << "unknown to the gateway; starting again";
                    u->row.uploadId.clear();
                    m_store->setUploadId(id, {});
                    return schedule();
                }
                return finishUpload(id, false, r.error);
            }
            const auto status = parseStatus(r.body);
            if (!status || qint64(status->size()) != u->stagedSize)
                return finishUpload(id, false, tr("The gateway's upload does not match the file."));
            u->received = qint64(status->received());
            u->chunkSize = qint64(status->chunk_size());
            qCInfo(lcClient) << "upload" << id << "resumes at" << u->received << "of" << u->stagedSize;
            emit transferProgress(TransferId::upload(id), u->received, u->stagedSize);
            schedule();
        });
}

void AttachmentTransfers::sendChunk(qint64 id)
{
    auto u = m_uploads.value(id);
    if (u->received >= u->stagedSize) {
        finishUpload(id, true, {});
        return;
    }
    QFile f(u->row.stagedPath);
    if (!f.open(QIODevice::ReadOnly) || !f.seek(u->received)) {
        finishUpload(id, false, tr("Cannot read %1: %2").arg(u->row.stagedPath, f.errorString()));
        return;
    }
    const QByteArray chunk = f.read(std::min(u->chunkSize, u->stagedSize - u->received));
    if (chunk.isEmpty()) {
        finishUpload(id, false, tr("Cannot read %1: %2").arg(u->row.stagedPath, f.errorString()));
        return;
    }
    u->busy = true;
    const int generation = u->generation;
    const GatewayHttp::Headers headers{{QByteArrayLiteral("Upload-Offset"), QByteArray::number(u->received)}};
    u->reply = m_http->put(QStringLiteral("/v1/uploads/") + u->row.uploadId, chunk, headers,
                           [this, id, generation](const GatewayHttp::Result &r) {
                               auto u = m_uploads.value(id);
                               if (!u || u->generation != generation)
                                   return;
                               u->busy = false;
                               if (!r.ok) {
                                   if (r.errorCode == hchat::v1::ERROR_OFFSET_MISMATCH) {
                                       u->received = -1; // ask where to go on
                                       return schedule();
                                   }
                                   if (isTransient(r))
                                       return retryUpload(id, r.error);
                                   return finishUpload(id, false, r.error);
                               }
                               const auto status = parseStatus(r.body);
                               if (!status)
                                   return retryUpload(id, tr("unreadable answer"));
                               u->backoff.reset();
                               u->received = qint64(status->received());
                               emit transferProgress(TransferId::upload(id), u->received, u->stagedSize);
                               if (status->complete())
                                   return finishUpload(id, true, {});
                               schedule();
                           });
}

void AttachmentTransfers::retryUpload(qint64 id, const QString &why)
{
    auto u = m_uploads.value(id);
    u->received = -1; // whatever happened, ask the gateway before sending more
    retryLater(u, QStringLiteral("upload %1").arg(id), why);
}

// Waits out the job's backoff, then lets schedule() take its next step — unless the job was
// finished or cancelled meanwhile.
void AttachmentTransfers::retryLater(const std::shared_ptr<Job> &job, const QString &what, const QString &why)
{
    const auto delay = job->backoff.next();
    qCInfo(lcClient).noquote() << what << "interrupted (" << why << "); again in" << delay.count() << "ms";
    job->busy = true;
    QTimer::singleShot(delay, this, [this, weak = std::weak_ptr<Job>(job), generation = job->generation] {
        const auto job = weak.lock();
        if (!job || job->generation != generation)
            return;
        job->busy = false;
        schedule();
    });
}

void AttachmentTransfers::finishUpload(qint64 id, bool ok, const QString &error)
{
    auto u = m_uploads.value(id);
    if (!u)
        return;
    if (ok) {
        auto info = AttachmentInfo::parse(u->row.content, true).value_or(AttachmentInfo{});
        info.id = u->row.uploadId;
        if (!AttachmentInfo::isValidId(info.id))
            return finishUpload(id, false, tr("The gateway's answer to an upload was not understood."));
        QString sendError;
        if (!m_sendMessage || !m_sendMessage(u->row, info, &sendError)) {
            // Stays pending (the gateway keeps the upload): tried again when next online.
            qCWarning(lcClient).noquote()
                << "upload" << id << "done but its message could not be queued:" << sendError;
            u->active = false;
            u->busy = false;
            m_uploads.remove(id);
            m_uploadOrder.removeAll(id);
            emit transferFinished(TransferId::upload(id), false, sendError);
            schedule();
            return;
        }
        // Our own copy is the file: a plain channel's staged copy becomes the attachment's file
        // here; an encrypted channel's ciphertext goes, and the file picked stands for it.
        QString local;
        if (!u->row.encrypted) {
            const QString dir = fileFolder(info.id);
            local = dir + QLatin1Char('/') + AttachmentInfo::safeFileName(info.name);
            if (dir.isEmpty() || !isConfined(local) || !QDir().mkpath(dir) ||
                (QFile::exists(local) && !QFile::remove(local)) || !QFile::rename(u->row.stagedPath, local))
                local.clear();
        } else {
            local = u->row.filePath;
        }
        QFile::remove(u->row.stagedPath);
        if (!local.isEmpty())
            m_store->setAttachmentFile(info.id, local);
        m_store->removeUpload(id);
        qCInfo(lcClient) << "upload" << id << "complete as" << info.id;
        emit uploadComplete(id, info.id);
    } else {
        qCWarning(lcClient).noquote() << "upload" << id << "failed:" << error;
        m_store->removeUpload(id);
        if (!u->row.stagedPath.isEmpty())
            QFile::remove(u->row.stagedPath);
    }
    m_uploads.remove(id);
    m_uploadOrder.removeAll(id);
    emit transferFinished(TransferId::upload(id), ok, error);
    schedule();
}

// ---- downloads ----------------------------------------------------------------------------------

QString AttachmentTransfers::localFile(const QString &attachmentId) const
{
    if (attachmentId.isEmpty() || !m_store)
        return {};
    const QString path = m_store->attachmentFile(attachmentId);
    return !path.isEmpty() && QFileInfo(path).isFile() ? path : QString();
}

bool AttachmentTransfers::download(const StoredMessage &m, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (m.kind != MessageKind::Attachment || m.deleted)
        return fail(tr("The message has no attachment."));
    const auto info = AttachmentInfo::parse(m.attachment);
    if (!info || info->id != m.attachmentId)
        return fail(m.encrypted ? tr("The attachment cannot be opened before its message is decrypted.")
                                : tr("The attachment's description is damaged."));
    if (m.encrypted != info->isEncrypted())
        return fail(tr("The attachment's description is damaged."));
    if (!localFile(info->id).isEmpty() || m_downloads.contains(info->id))
        return true;
    if (m_dir.isEmpty() || !QDir().mkpath(m_dir + QStringLiteral("/incoming")) ||
        !isConfined(partPath(info->id)))
        return fail(tr("No place to store the file."));
    auto d = std::make_shared<Download>();
    d->attachmentId = info->id;
    d->channel = m.channel;
    d->info = *info;
    d->total = info->isEncrypted() ? crypto::AttachmentCipher::encryptedSize(qint64(info->size))
                                   : qint64(info->size);
    d->have = QFileInfo(partPath(info->id)).size();
    if (d->have > d->total) {
        QFile::remove(partPath(info->id));
        d->have = 0;
    }
    m_downloads.insert(info->id, d);
    m_downloadOrder << info->id;
    schedule();
    return true;
}

bool AttachmentTransfers::cancelDownload(const QString &attachmentId)
{
    if (!stopTransfer(m_downloads, m_downloadOrder, attachmentId))
        return false;
    if (isConfined(partPath(attachmentId)))
        QFile::remove(partPath(attachmentId));
    emit transferFinished(TransferId::download(attachmentId), false, tr("Cancelled."));
    emit downloadFinished(attachmentId, false, tr("Cancelled."));
    schedule();
    return true;
}

// A recalled attachment leaves nothing behind on this device either.
void AttachmentTransfers::forgetDeleted(const QString &channel, const QList<quint64> &seqs)
{
    for (quint64 seq : seqs) {
        const auto m = m_store->message(channel, seq);
        if (m && m->deleted && !m->attachmentId.isEmpty())
            forget(m->attachmentId);
    }
}

void AttachmentTransfers::forget(const QString &attachmentId)
{
    if (!AttachmentInfo::isValidId(attachmentId))
        return;
    cancelDownload(attachmentId);
    if (isConfined(partPath(attachmentId)))
        QFile::remove(partPath(attachmentId));
    // Only the file recorded for it, and only in its own folder here: a file the user sent from
    // elsewhere stays theirs, and nothing else in the folder is touched.
    const QString folder = fileFolder(attachmentId);
    const QString path = m_store->attachmentFile(attachmentId);
    if (!path.isEmpty() && QFileInfo(path).absolutePath() == QFileInfo(folder).absoluteFilePath() &&
        isConfined(path)) {
        QFile::remove(path);
        QDir(m_dir).rmdir(attachmentId); // only when empty
    }
    m_store->removeAttachmentFile(attachmentId);
}

void AttachmentTransfers::runDownload(Download &d)
{
    if (!d.announced) {
        d.announced = true;
        emit transferStarted({TransferId::download(d.attachmentId), d.channel, d.info.name, d.have, d.total});
    }
    if (d.have >= d.total)
        openDownload(d.attachmentId);
    else
        fetchRange(d.attachmentId);
}

void AttachmentTransfers::fetchRange(const QString &attachmentId)
{
    auto d = m_downloads.value(attachmentId);
    d->busy = true;
    const qint64 first = d->have;
    const qint64 last = std::min(d->total, first + kDownloadRangeBytes) - 1;
    const GatewayHttp::Headers headers{
        {QByteArrayLiteral("Range"),
         QByteArrayLiteral("bytes=") + QByteArray::number(first) + '-' + QByteArray::number(last)}};
    const int generation = d->generation;
    d->reply = m_http->get(
        QStringLiteral("/v1/attachments/") + attachmentId, headers,
        [this, attachmentId, generation, first](const GatewayHttp::Result &r) {
            auto d = m_downloads.value(attachmentId);
            if (!d || d->generation != generation)
                return;
            d->busy = false;
            if (!r.ok) {
                if (isTransient(r))
                    return retryDownload(attachmentId, r.error);
                if (r.errorCode == hchat::v1::ERROR_NOT_FOUND)
                    return finishDownload(attachmentId, false, tr("The attachment is no longer available."));
                return finishDownload(attachmentId, false, r.error);
            }
            // 206 with our range, or 200 with the whole file when we asked from 0.
            const bool whole = r.httpStatus == 200;
            if ((whole && (first != 0 || r.body.size() != d->total)) || r.body.isEmpty() ||
                first + r.body.size() > d->total)
                return finishDownload(attachmentId, false, tr("The gateway sent the attachment wrongly."));
            QFile part(partPath(attachmentId));
            if (!isConfined(part.fileName()) || !part.open(QIODevice::WriteOnly | QIODevice::Append) ||
                part.size() != first || part.write(r.body) != r.body.size() || !part.flush())
                return finishDownload(attachmentId, false,
                                      tr("Cannot write %1: %2").arg(part.fileName(), part.errorString()));
            part.close();
            d->have = first + r.body.size();
            d->backoff.reset();
            emit transferProgress(TransferId::download(attachmentId), d->have, d->total);
            emit downloadProgress(attachmentId);
            schedule();
        });
}

// On the worker thread: decrypt (encrypted channels) or check the hash, into <id>/<name>.
void AttachmentTransfers::openDownload(const QString &attachmentId)
{
    auto d = m_downloads.value(attachmentId);
    d->busy = true;
    const QString part = partPath(attachmentId);
    const QString dir = fileFolder(attachmentId);
    const QString target = dir + QLatin1Char('/') + AttachmentInfo::safeFileName(d->info.name);
    if (dir.isEmpty() || !isConfined(part) || !isConfined(target) || !QDir().mkpath(dir)) {
        d->busy = false;
        return finishDownload(attachmentId, false, tr("No place to store the file."));
    }
    const AttachmentInfo info = d->info;
    const int generation = d->generation;
    m_pool.start([this, attachmentId, part, target, info, generation] {
        crypto::AttachmentCipher::Result r;
        if (info.isEncrypted()) {
            r = crypto::AttachmentCipher::decrypt(part, target, info.fileKey);
        } else {
            r = crypto::AttachmentCipher::hash(part);
            if (r.ok) {
                QFile::remove(target);
                if (!QFile::rename(part, target)) {
                    r.ok = false;
                    r.error = tr("Cannot write %1.").arg(target);
                }
            }
        }
        if (r.ok && ((!info.contentHash.isEmpty() && r.hash != info.contentHash) ||
                     quint64(r.plainSize) != info.size)) {
            r.ok = false;
            r.error = tr("The attachment does not match what its sender sent.");
            QFile::remove(target);
        }
        QFile::remove(part);
        QMetaObject::invokeMethod(
            this,
            [this, attachmentId, r, target, generation] {
                auto d = m_downloads.value(attachmentId);
                if (!d || d->generation != generation)
                    return;
                d->busy = false;
                if (!r.ok)
                    return finishDownload(attachmentId, false, r.error);
                m_store->setAttachmentFile(attachmentId, target);
                finishDownload(attachmentId, true, {}, target);
            },
            Qt::QueuedConnection);
    });
}

void AttachmentTransfers::retryDownload(const QString &attachmentId, const QString &why)
{
    retryLater(m_downloads.value(attachmentId), QStringLiteral("download ") + attachmentId, why);
}

void AttachmentTransfers::finishDownload(const QString &attachmentId, bool ok, const QString &error,
                                         const QString &path)
{
    if (!m_downloads.remove(attachmentId))
        return;
    m_downloadOrder.removeAll(attachmentId);
    if (!ok)
        qCWarning(lcClient).noquote() << "download" << attachmentId << "failed:" << error;
    emit transferFinished(TransferId::download(attachmentId), ok, error);
    emit downloadFinished(attachmentId, ok, error);
    if (ok)
        emit downloadComplete(attachmentId, path);
    schedule();
}

} // namespace hchat
