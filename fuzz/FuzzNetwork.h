#pragma once

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <deque>
#include <functional>

namespace hchat::fuzz {

// One HTTP answer a FuzzNetwork gives: status 0 means "unreachable" (no HTTP answer at all).
struct HttpAnswer {
    int status = 200;
    QByteArray body;
};

// A QNetworkAccessManager that sends nothing: each request is answered, on the next turn of the
// event loop, with the next queued answer, or with what makeDefault returns for it when the queue
// is empty. Lets the client's HTTP side (GatewayHttp, SyncPuller) run unchanged without a server.
class FuzzNetwork : public QNetworkAccessManager {
    Q_OBJECT
public:
    // The default answer, and the hook that may rewrite a queued one, from the request body.
    using Responder = std::function<HttpAnswer(const QNetworkRequest &, const QByteArray &body)>;
    using Rewriter = std::function<void(const QByteArray &requestBody, HttpAnswer &answer)>;

    explicit FuzzNetwork(Responder makeDefault, QObject *parent = nullptr)
        : QNetworkAccessManager(parent), m_default(std::move(makeDefault))
    {
    }

    void queue(HttpAnswer answer, Rewriter rewrite = {})
    {
        m_queue.push_back({std::move(answer), std::move(rewrite)});
    }
    void clear() { m_queue.clear(); }
    int liveReplies() const { return m_live; }

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request,
                                 QIODevice *outgoingData) override;

private:
    struct Queued {
        HttpAnswer answer;
        Rewriter rewrite;
    };
    friend class FuzzReply;
    Responder m_default;
    std::deque<Queued> m_queue;
    int m_live = 0;
};

class FuzzReply : public QNetworkReply {
    Q_OBJECT
public:
    FuzzReply(FuzzNetwork *network, QNetworkAccessManager::Operation op, const QNetworkRequest &request,
              HttpAnswer answer);
    ~FuzzReply() override;

    void abort() override;
    qint64 bytesAvailable() const override;
    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    void deliver();

    FuzzNetwork *m_network;
    QByteArray m_body;
    qint64 m_pos = 0;
};

} // namespace hchat::fuzz
