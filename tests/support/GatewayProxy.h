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
// by frame to the gateway's /ws, every other HTTP request is forwarded to the gateway. Hooks let a
// test drop or rewrite frames from the gateway, rewrite sync responses, or inject bytes; counters
// and logs let it prove what it did.
class GatewayProxy : public QObject {
    Q_OBJECT
public:
    enum class Verdict { Pass, Drop, Replace };
    // Gateway → client frame hook; `bytes` may be replaced (Verdict::Replace).
    using FrameHook = std::function<Verdict(const hchat::v1::Frame &frame, QByteArray &bytes)>;
    // POST /v1/sync hook: may rewrite the gateway's answer (status and body).
    using SyncHook = std::function<void(const hchat::v1::SyncRequest &request, int &status, QByteArray &body)>;

    explicit GatewayProxy(QUrl gatewayHttpBase, QObject *parent = nullptr);
    ~GatewayProxy() override;

    bool listen(quint16 port = 0);
    void stopListening();
    quint16 port() const { return m_server.serverPort(); }
    QUrl wsUrl() const;
    QUrl httpUrl() const;

    void setFrameHook(FrameHook hook) { m_frameHook = std::move(hook); }
    void setSyncHook(SyncHook hook) { m_syncHook = std::move(hook); }

    // Sends raw bytes as one binary WebSocket message to every connected client.
    int injectToClients(const QByteArray &bytes);
    void dropAllClients(); // abort every relayed connection

    int droppedFrames() const { return m_dropped; }
    int replacedFrames() const { return m_replaced; }
    int relayedFrames() const { return m_relayed; }
    int clientConnections() const { return m_wsConnections; }
    QList<hchat::v1::SyncRequest> syncRequests() const { return m_syncRequests; }
    void clearSyncRequests() { m_syncRequests.clear(); }

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
    SyncHook m_syncHook;
    QList<Link *> m_links;
    int m_dropped = 0;
    int m_replaced = 0;
    int m_relayed = 0;
    int m_wsConnections = 0;
    QList<hchat::v1::SyncRequest> m_syncRequests;
};

} // namespace hchat::test
