#include "SyncPuller.h"

#include "CoreLogging.h"
#include "GatewayHttp.h"

#include <QNetworkReply>
#include <QTimer>

namespace hchat {

namespace {
bool isPermanent(int httpStatus, int code)
{
    if (httpStatus == 401)
        return true;
    switch (code) {
    case hchat::v1::ERROR_NOT_MEMBER:
    case hchat::v1::ERROR_FORBIDDEN:
    case hchat::v1::ERROR_NO_SUCH_CHANNEL:
    case hchat::v1::ERROR_BAD_TOKEN:
    case hchat::v1::ERROR_TOKEN_EXPIRED:
    case hchat::v1::ERROR_NOT_AUTHENTICATED:
    case hchat::v1::ERROR_INVALID_NAME:
        return true;
    default:
        return false;
    }
}
} // namespace

SyncPuller::SyncPuller(GatewayHttp *http, QObject *parent) : QObject(parent), m_http(http) {}

SyncPuller::~SyncPuller()
{
    cancelAll();
}

void SyncPuller::setRetryBackoff(std::chrono::milliseconds base, std::chrono::milliseconds cap)
{
    m_retryBase = base;
    m_retryCap = cap;
}

void SyncPuller::pull(const QString &stream, quint64 fromSeq)
{
    if (auto it = m_jobs.find(stream); it != m_jobs.end()) {
        (*it)->again = true;
        return;
    }
    auto job = std::make_shared<Job>();
    job->from = std::max<quint64>(1, fromSeq);
    job->generation = ++m_generation;
    job->backoff.setBase(m_retryBase);
    job->backoff.setCap(m_retryCap);
    m_jobs.insert(stream, job);
    request(stream);
}

void SyncPuller::request(const QString &stream)
{
    if (auto job = m_jobs.value(stream))
        requestFrom(stream, job->from);
}

// A request for the batch from `from`. Its answer counts only while the job still waits for that
// seq: the batch before it may have been stored differently than foreseen (see below).
void SyncPuller::requestFrom(const QString &stream, quint64 from)
{
    auto job = m_jobs.value(stream);
    if (!job)
        return;
    hchat::v1::SyncRequest req;
    req.set_channel(stream.toStdString());
    req.set_from_seq(from);
    req.set_limit(m_batchSize);
    const quint64 generation = job->generation;
    qCDebug(lcPull).noquote() << "pull" << stream << "from" << from;
    emit requestStarted(stream, from);
    job->reply = m_http->post(
        QStringLiteral("/v1/sync"), req, [this, stream, generation, from](const GatewayHttp::Result &r) {
            auto job = m_jobs.value(stream);
            if (!job || job->generation != generation || job->from != from)
                return; // cancelled, or a request ahead for a batch that did not come to be
            job->reply = nullptr;
            if (!r.ok) {
                if (isPermanent(r.httpStatus, r.errorCode)) {
                    qCWarning(lcPull).noquote() << "pulling" << stream << "refused:" << r.error;
                    m_jobs.remove(stream);
                    emit failed(stream, r.error, r.errorCode);
                    return;
                }
                retryLater(stream, r.error);
                return;
            }
            hchat::v1::SyncResponse resp;
            if (!resp.ParseFromArray(r.body.constData(), static_cast<int>(r.body.size()))) {
                const QString why = tr("the sync response for \"%1\" (%2 bytes) does not parse")
                                        .arg(stream)
                                        .arg(r.body.size());
                qCCritical(lcPull).noquote() << why;
                emit batchRejected(stream, why);
                retryLater(stream, why);
                return;
            }
            // The next batch is asked for now, while this one is being stored, so that the network and
            // the storage overlap (at most two batches in flight: this one and the next). Its answer
            // is used only if this batch commits as foreseen; otherwise it is dropped.
            const quint64 foreseenNext = from + static_cast<quint64>(resp.messages_size());
            const bool askAhead = m_requestAhead && resp.has_more() && resp.messages_size() > 0;
            if (askAhead)
                requestFrom(stream, foreseenNext);
            const SinkResult s =
                m_sink ? m_sink(stream, from, resp)
                       : SinkResult{true, from - 1 + static_cast<quint64>(resp.messages_size()), {}};
            job = m_jobs.value(stream); // the sink may have cancelled
            if (!job || job->generation != generation)
                return;
            const bool nextAsked = askAhead && s.ok && s.maxSeq + 1 == foreseenNext;
            if (!nextAsked && askAhead && job->reply)
                job->reply->abort(); // asked ahead for a batch that does not follow: not needed
            if (!s.ok) {
                qCCritical(lcPull).noquote() << "rejected a sync response for" << stream << "from" << from
                                             << ":" << s.error << "- history kept as it was, pulling again";
                job->from = s.maxSeq + 1;
                emit batchRejected(stream, s.error);
                retryLater(stream, s.error);
                return;
            }
            job->from = s.maxSeq + 1;
            emit batchCommitted(stream, s.maxSeq, resp.server_max_seq(), resp.messages_size());
            if (resp.has_more() && resp.messages_size() == 0) {
                retryLater(stream, tr("the gateway said has_more with an empty batch"));
                return;
            }
            job->backoff.reset();
            if (nextAsked)
                return; // its answer carries the pull on
            if (resp.has_more() || job->again) {
                job->again = false;
                request(stream);
                return;
            }
            finish(stream, s.maxSeq);
        });
}

void SyncPuller::retryLater(const QString &stream, const QString &why)
{
    auto job = m_jobs.value(stream);
    if (!job)
        return;
    const auto delay = job->backoff.next();
    qCInfo(lcPull).noquote() << "pull of" << stream << "failed (" << why << "); retrying from" << job->from
                             << "in" << delay.count() << "ms";
    if (!job->retryTimer) {
        job->retryTimer = std::make_unique<QTimer>();
        job->retryTimer->setSingleShot(true);
        const quint64 generation = job->generation;
        connect(job->retryTimer.get(), &QTimer::timeout, this, [this, stream, generation] {
            auto j = m_jobs.value(stream);
            if (j && j->generation == generation)
                request(stream);
        });
    }
    job->retryTimer->start(delay);
}

void SyncPuller::finish(const QString &stream, quint64 maxSeq)
{
    m_jobs.remove(stream);
    qCDebug(lcPull).noquote() << "pull of" << stream << "complete at" << maxSeq;
    emit finished(stream, maxSeq);
}

void SyncPuller::cancel(const QString &stream)
{
    auto job = m_jobs.take(stream);
    if (!job)
        return;
    if (job->reply)
        job->reply->abort();
}

void SyncPuller::cancelAll()
{
    const auto streams = m_jobs.keys();
    for (const auto &s : streams)
        cancel(s);
}

} // namespace hchat
