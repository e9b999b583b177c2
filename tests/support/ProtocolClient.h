#pragma once

#include "hchat.pb.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QString>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <optional>
#include <vector>

class QNetworkReply;

namespace hchat::test {

class GatewayProcess;

// A raw protocol client for integration tests: HTTP through QNetworkAccessManager, WebSocket
// frames through QWebSocket, every wait bounded. It speaks hchat.proto directly (no client core),
// so tests see exactly what the gateway sends.
class ProtocolClient : public QObject {
    Q_OBJECT
public:
    struct HttpResult {
        int status = 0; // 0: no HTTP answer (connection error or timeout)
        QByteArray body;
        hchat::v1::ErrorCode error = hchat::v1::ERROR_CODE_UNSPECIFIED; // parsed from an Error body
        QString errorMessage;
        QByteArray contentRange; // the Content-Range header of a partial answer
        bool ok() const { return status == 200; }
    };

    explicit ProtocolClient(const GatewayProcess &gateway, QObject *parent = nullptr);
    ProtocolClient(QUrl httpBase, QUrl wsUrl, QObject *parent = nullptr);
    ~ProtocolClient() override;

    // Lets https/wss through with a self-signed certificate.
    void setIgnoreSslErrors(bool ignore);

    // ---- HTTP ----
    HttpResult post(const QString &path, const QByteArray &body, bool withToken = true,
                    int timeoutMs = 20000);
    HttpResult post(const QString &path, const google::protobuf::MessageLite &request,
                    google::protobuf::MessageLite *response = nullptr, bool withToken = true);
    HttpResult get(const QString &path, int timeoutMs = 20000);
    // Any method, raw body, extra headers (the token when withToken).
    HttpResult request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                       const QList<QPair<QByteArray, QByteArray>> &headers = {}, bool withToken = true,
                       int timeoutMs = 20000);
    HttpResult registerUser(const QString &nick, const QString &password);
    HttpResult login(const QString &nick, const QString &password, const QString &deviceId = {});
    // register + login (asserting nothing; returns false on any failure)
    bool registerAndLogin(const QString &nick,
                          const QString &password = QStringLiteral("correct horse battery"));
    hchat::v1::SyncResponse sync(const QString &channel, quint64 fromSeq, quint32 limit = 0,
                                 HttpResult *result = nullptr);
    // POST /v1/uploads for a file of size bytes in channel; the gateway's status, or none.
    std::optional<hchat::v1::UploadStatus> startUpload(const QString &channel, quint64 size,
                                                       HttpResult *result = nullptr);
    // Pulls every message from fromSeq in batches of `limit` until has_more is false; counts batches.
    std::vector<hchat::v1::Message> syncAll(const QString &channel, quint64 fromSeq = 1, quint32 limit = 0,
                                            int *batches = nullptr, bool *ok = nullptr);
    // Value of a metric line "name value" from GET /metrics (-1 if absent), asked with the
    // gateway's metrics token.
    double metric(const QString &name);
    void closeHttpConnections();

    QString token;
    QString metricsToken; // set from the GatewayProcess
    QString deviceId;
    QString nick;

    // ---- WebSocket ----
    bool connectWs(int timeoutMs = 10000);
    void disconnectWs();
    bool isConnected() const;
    bool waitForDisconnected(int timeoutMs = 10000);
    int closeCode() const;
    QWebSocket &socket() { return m_ws; }

    quint64 sendFrame(hchat::v1::Frame frame); // assigns a request id when it has none
    void sendRaw(const QByteArray &bytes);
    std::optional<hchat::v1::Frame> waitForReply(quint64 requestId, int timeoutMs = 10000);
    std::optional<hchat::v1::Frame> request(hchat::v1::Frame frame, int timeoutMs = 10000);
    bool hasReply(quint64 requestId) const { return m_replies.contains(requestId); }
    hchat::v1::Frame reply(quint64 requestId) const { return m_replies.value(requestId); }

    // Hello with the login token: true when a Welcome came back.
    bool hello(hchat::v1::Welcome *welcome = nullptr, hchat::v1::Error *error = nullptr);
    // connectWs + hello
    bool connectAndHello(hchat::v1::Welcome *welcome = nullptr);
    std::optional<hchat::v1::ChannelInfo> join(const QString &channel, hchat::v1::Error *error = nullptr);
    // Send and wait for the answer: a SendAck, or nullopt with *error set.
    std::optional<hchat::v1::SendAck> send(const QString &channel, const QByteArray &body,
                                           const QByteArray &clientMsgId = {},
                                           hchat::v1::Error *error = nullptr);
    quint64 sendAsync(const QString &channel, const QByteArray &body, const QByteArray &clientMsgId);

    // Every frame received, in order; pushes (request id 0) separately.
    const QList<hchat::v1::Frame> &frames() const { return m_frames; }
    QList<hchat::v1::Message> pushedMessages(const QString &channel = {}) const;
    int pushCount() const { return m_pushCount; }
    void clearReceived();

    static QByteArray newClientMsgId();
    static bool waitFor(const std::function<bool()> &predicate, int timeoutMs);

private:
    void onBinary(const QByteArray &bytes);
    HttpResult await(QNetworkReply *reply, int timeoutMs); // the answer, or status 0 after the timeout

    QNetworkAccessManager m_nam;
    QWebSocket m_ws;
    QUrl m_httpBase;
    QUrl m_wsUrl;
    bool m_ignoreSsl = false;
    quint64 m_nextRequestId = 1;
    QList<hchat::v1::Frame> m_frames;
    QHash<quint64, hchat::v1::Frame> m_replies;
    QHash<QString, QList<hchat::v1::Message>> m_pushes;
    int m_pushCount = 0;
};

} // namespace hchat::test
