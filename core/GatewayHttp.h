#pragma once

#include "CleartextPolicy.h"

#include <QByteArray>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <QList>
#include <QPair>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace google::protobuf {
class MessageLite;
}

namespace hchat {

// The gateway's HTTP API: POST with protobuf bodies (application/x-protobuf), Bearer token,
// errors as HTTP 4xx/5xx with an hchat.v1.Error body. Used by SyncPuller and Client.
class GatewayHttp : public QObject {
    Q_OBJECT
public:
    struct Result {
        bool ok = false;           // HTTP 2xx and a body was read
        int httpStatus = 0;        // 0: no HTTP answer at all (unreachable, timeout, TLS)
        int errorCode = 0;         // hchat.v1.ErrorCode from the Error body, if any
        QString error;             // human-readable
        QByteArray body;
        bool networkError() const { return httpStatus == 0; }
    };
    using Callback = std::function<void(const Result &)>;

    explicit GatewayHttp(QNetworkAccessManager *nam, QObject *parent = nullptr);

    // http(s)://host:port of the gateway (the WebSocket address is ws(s)://host:port/ws).
    void setBaseUrl(const QUrl &base) { m_base = base; }
    QUrl baseUrl() const { return m_base; }
    static QUrl httpBaseFromWebSocketUrl(const QUrl &ws);
    void setToken(const QString &token) { m_token = token; }
    QString token() const { return m_token; }
    void setSslConfiguration(const QSslConfiguration &conf) { m_ssl = conf; m_haveSsl = true; }
    // A request the policy refuses (http:// to another machine without consent) is not sent: its
    // callback reports a network error and no reply is returned.
    void setCleartextPolicy(const CleartextPolicy &policy) { m_cleartext = policy; }
    void setTimeout(int ms) { m_timeoutMs = ms; }
    void setMaxResponseBytes(qint64 bytes) { m_maxResponse = bytes; }

    // POSTs body to path; the callback runs once, on this object's thread. Returns the reply
    // (owned by the manager; abort() it to cancel — the callback then reports an error), or
    // nullptr when the cleartext policy refused the request (the callback follows, queued).
    QNetworkReply *post(const QString &path, const google::protobuf::MessageLite &body, Callback callback);
    QNetworkReply *post(const QString &path, const QByteArray &body, Callback callback);
    // Attachments: raw bytes up (PUT with extra headers such as Upload-Offset) and down (GET with
    // Range). Same callback and error rules as post().
    using Headers = QList<QPair<QByteArray, QByteArray>>;
    QNetworkReply *put(const QString &path, const QByteArray &bytes, const Headers &headers, Callback callback);
    QNetworkReply *get(const QString &path, const Headers &headers, Callback callback);
    // DELETE path (no body). A path may carry a query (`?after=…`) for any verb.
    QNetworkReply *remove(const QString &path, Callback callback);

private:
    QNetworkReply *send(const QByteArray &verb, const QString &path, const QByteArray &body,
                        const QByteArray &contentType, const Headers &headers, Callback callback);

    QNetworkAccessManager *m_nam;
    QUrl m_base;
    QString m_token;
    QSslConfiguration m_ssl;
    bool m_haveSsl = false;
    CleartextPolicy m_cleartext;
    int m_timeoutMs = 30000;
    qint64 m_maxResponse = 256LL * 1024 * 1024;
};

} // namespace hchat
