#pragma once

#include <QList>
#include <QObject>
#include <QUrl>

#include <functional>

namespace hchat::v1 {
class Frame;
}

namespace hchat {

class GatewayHttp;
class PushChannel;

// The requests the user starts (sign in, join, invite …): each gets an id (> 0) and ends with
// exactly one finished(id, ok, error), also when it cannot start (then on the next turn of the
// event loop, so the caller has the id first). HTTP requests fall over to the next gateway
// address on a network error; WebSocket requests go over the push channel.
class GatewayRequests : public QObject {
    Q_OBJECT
public:
    using HttpDone = std::function<void(bool ok, int code, const QString &error, const QByteArray &body)>;
    using WsAnswer = std::function<void(quint64 id, const hchat::v1::Frame &answer)>;

    GatewayRequests(GatewayHttp *http, PushChannel *push, QObject *parent = nullptr);

    // WebSocket addresses, tried in order; HTTP goes to the same host and port.
    void setUrls(const QList<QUrl> &urls) { m_urls = urls; }
    QList<QUrl> urls() const { return m_urls; }

    quint64 nextId() { return ++m_lastId; }
    void finish(quint64 id, bool ok, const QString &error) { emit finished(id, ok, error); }
    void finishLater(quint64 id, bool ok, const QString &error);

    void post(const QString &path, const QByteArray &body, HttpDone done, int urlIndex = 0);
    // A new request over the push channel; onAnswer decides how it ends.
    quint64 send(const hchat::v1::Frame &frame, WsAnswer onAnswer);
    // The same for a request whose id was handed out before (it waited for something first).
    void sendAs(quint64 id, const hchat::v1::Frame &frame, WsAnswer onAnswer);

    // The gateway's message in an error answer, or fallback.
    static QString errorText(const hchat::v1::Frame &answer, const QString &fallback);

signals:
    void finished(quint64 requestId, bool ok, const QString &error);

private:
    GatewayHttp *m_http;
    PushChannel *m_push;
    QList<QUrl> m_urls;
    quint64 m_lastId = 0;
};

} // namespace hchat
