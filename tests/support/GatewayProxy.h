#pragma once

#include "hchat.pb.h"

#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>

namespace hchat::test {

// A man in the middle between a client and the real gateway, on its own loopback port, serving
// both halves of the protocol like the gateway does: WebSocket upgrades on /ws are relayed frame
// by frame to the gateway's /ws, every other HTTP request (any method, with the Range and
// Upload-Offset headers) is forwarded to the gateway. It plays the hostile gateway of the E2EE
// suites: hooks let a test drop or rewrite frames either way, rewrite any HTTP request or answer,
// or inject bytes; counters and the wire log let it prove what it did and what the client sent.
class GatewayProxy : public QObject {
    Q_OBJECT
public:
    enum class Verdict { Pass, Drop, Replace };
    // Gateway → client frame hook; `bytes` may be replaced (Verdict::Replace).
    using FrameHook = std::function<Verdict(const hchat::v1::Frame &frame, QByteArray &bytes)>;
    // POST /v1/sync hook: may rewrite the gateway's answer (status and body).
    using SyncHook =
        std::function<void(const hchat::v1::SyncRequest &request, int &status, QByteArray &body)>;
    // Any HTTP request before it goes to the gateway: may rewrite the method, path and body.
    using RequestHook = std::function<void(QByteArray &method, QByteArray &path, QByteArray &body)>;
    // Any HTTP answer (after the sync hook): may rewrite status and body. Path as the client sent it.
    using ResponseHook =
        std::function<void(const QByteArray &method, const QByteArray &path, int &status, QByteArray &body)>;

    explicit GatewayProxy(QUrl gatewayHttpBase, QObject *parent = nullptr);
    ~GatewayProxy() override;

    bool listen(quint16 port = 0);
    void stopListening();
    quint16 port() const { return m_server.serverPort(); }
    QUrl wsUrl() const;
    QUrl httpUrl() const;

    void setFrameHook(FrameHook hook) { m_frameHook = std::move(hook); }
    void setSyncHook(SyncHook hook) { m_syncHook = std::move(hook); }
    // Client → gateway frames (same verdicts; `bytes` is what the gateway receives).
    void setClientFrameHook(FrameHook hook) { m_clientFrameHook = std::move(hook); }
    void setRequestHook(RequestHook hook) { m_requestHook = std::move(hook); }
    void setResponseHook(ResponseHook hook) { m_responseHook = std::move(hook); }
    // Clears every hook: the proxy relays faithfully again.
    void clearHooks();

    // Sends raw bytes as one binary WebSocket message to every connected client.
    int injectToClients(const QByteArray &bytes);
    void dropAllClients(); // abort every relayed connection

    int droppedFrames() const { return m_dropped; }
    int replacedFrames() const { return m_replaced; }
    int relayedFrames() const { return m_relayed; }
    int clientConnections() const { return m_wsConnections; }
    QList<hchat::v1::SyncRequest> syncRequests() const { return m_syncRequests; }
    void clearSyncRequests() { m_syncRequests.clear(); }
    // Every byte the clients sent through the proxy (WebSocket frames and HTTP requests, headers
    // included), in order: what a network observer or the gateway sees.
    QByteArray clientWire() const { return m_clientWire; }
    void clearClientWire() { m_clientWire.clear(); }

private:
    struct Link;
    void onNewTcp();
    void routeIfReady(QTcpSocket *socket);
    void onNewWebSocket();
    void handleHttp(QTcpSocket *socket);
    void closeLink(Link *link);

    QUrl m_gateway;
    QTcpServer m_server;
    QWebSocketServer m_wsServer;
    QNetworkAccessManager m_nam;
    FrameHook m_frameHook;
    FrameHook m_clientFrameHook;
    SyncHook m_syncHook;
    RequestHook m_requestHook;
    ResponseHook m_responseHook;
    QByteArray m_clientWire;
    QList<Link *> m_links;
    int m_dropped = 0;
    int m_replaced = 0;
    int m_relayed = 0;
    int m_wsConnections = 0;
    QList<hchat::v1::SyncRequest> m_syncRequests;
};

} // namespace hchat::test
