#pragma once

#include "Backoff.h"
#include "hchat.pb.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

class QNetworkReply;
class QTimer;

namespace hchat {

class GatewayHttp;

// Pulls a stream (channel or device inbox) over POST /v1/sync in batches, from a given seq until
// the gateway says has_more = false. Each batch goes to the sink, which validates it and commits
// it (with the new max seq); the next batch is requested while the sink stores the current one,
// from the seq that follows it, and its answer is used only if the sink committed up to there
// (otherwise the pull goes on from the committed max + 1 the sink returns). Failed requests and rejected
// batches are retried with backoff and full jitter; refusals that cannot get better (not a member, bad token)
// end the pull with failed(). At most one pull per stream at a time; cancel() / cancelAll() stop them.
class SyncPuller : public QObject {
    Q_OBJECT
public:
    struct SinkResult {
        bool ok = false;
        quint64 maxSeq = 0; // committed max seq of the stream after this batch (or still)
        QString error;      // why the batch was rejected (a hole, the wrong channel …)
    };
    using Sink = std::function<SinkResult(const QString &stream, quint64 fromSeq,
                                          const hchat::v1::SyncResponse &response)>;

    explicit SyncPuller(GatewayHttp *http, QObject *parent = nullptr);
    ~SyncPuller() override;

    void setSink(Sink sink) { m_sink = std::move(sink); }
    void setBatchSize(quint32 limit) { m_batchSize = limit; }
    // Whether the next batch is asked for while the current one is stored (on by default; off
    // only to measure what it gains).
    void setRequestAhead(bool on) { m_requestAhead = on; }
    quint32 batchSize() const { return m_batchSize; }
    void setRetryBackoff(std::chrono::milliseconds base, std::chrono::milliseconds cap);

    // Starts pulling stream from fromSeq. If it is already being pulled, the running pull makes
    // one more request after it reaches the end (so nothing that arrived meanwhile is missed).
    void pull(const QString &stream, quint64 fromSeq);
    void cancel(const QString &stream);
    void cancelAll();
    bool isPulling(const QString &stream) const { return m_jobs.contains(stream); }
    int activeCount() const { return static_cast<int>(m_jobs.size()); }

signals:
    void requestStarted(const QString &stream, quint64 fromSeq);
    void batchCommitted(const QString &stream, quint64 maxSeq, quint64 serverMaxSeq, int messages);
    void finished(const QString &stream, quint64 maxSeq);
    // A batch was refused by the sink (logged); the pull retries from the committed max + 1.
    void batchRejected(const QString &stream, const QString &error);
    // The pull gave up (a permanent refusal). errorCode: hchat.v1.ErrorCode, or 0.
    void failed(const QString &stream, const QString &error, int errorCode);

private:
    struct Job {
        quint64 from = 1;
        quint64 generation = 0;
        bool again = false;
        QPointer<QNetworkReply> reply;
        std::unique_ptr<QTimer> retryTimer;
        Backoff backoff;
    };
    void request(const QString &stream);
    void requestFrom(const QString &stream, quint64 from);
    void retryLater(const QString &stream, const QString &why);
    void finish(const QString &stream, quint64 maxSeq);

    GatewayHttp *m_http;
    Sink m_sink;
    quint32 m_batchSize = 1000;
    bool m_requestAhead = true;
    std::chrono::milliseconds m_retryBase{200};
    std::chrono::milliseconds m_retryCap{10000};
    quint64 m_generation = 0;
    QHash<QString, std::shared_ptr<Job>> m_jobs;
};

} // namespace hchat
