#pragma once

#include "Backoff.h"
#include "CleartextPolicy.h"
#include "hchat.pb.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <memory>

namespace hchat {

// The live link to the gateway: one QWebSocket carrying one hchat.v1.Frame per binary message.
//  - authenticates with Hello{token} as its first frame and waits for Welcome;
//  - keeps the link honest with WebSocket pings (a link that stays silent past the timeout is
//    dropped and reopened);
//  - reconnects with exponential backoff and full jitter (capped, reset after a Welcome), and at
//    once on reconnectNow() (network back, resume from sleep, wall-clock jump — all wired here);
//  - rotates through a list of gateway addresses, moving on when one is down;
//  - caps incoming messages at limits::kMaxFrameBytes (bigger: clear error, reconnect);
//  - wss:// uses the system CA store, or only a pinned certificate (setPinnedCertificate);
//    a certificate that does not verify is refused with a clear error.
class PushChannel : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Connecting, Authenticating, Connected, WaitingToReconnect };
    Q_ENUM(State)

    // Called with the answer to a request (same request_id), or with a synthetic Error frame
    // (code ERROR_CODE_UNSPECIFIED) when the link dropped or the answer timed out: the outcome is
    // then unknown.
    using ReplyHandler = std::function<void(const hchat::v1::Frame &)>;

    explicit PushChannel(QObject *parent = nullptr);
    ~PushChannel() override;

    void setUrls(const QList<QUrl> &urls); // ws:// or wss://…/ws, tried in order
    QList<QUrl> urls() const { return m_urls; }
    QUrl currentUrl() const;               // the address in use (or tried next)
    void setToken(const QString &token) { m_token = token; }
    // An empty certificate means: verify with the system CA store.
    void setPinnedCertificate(const QSslCertificate &certificate);
    // Addresses the policy refuses (ws:// to another machine without consent) are skipped;
    // start() with none left reports an error and does not run.
    void setCleartextPolicy(const CleartextPolicy &policy) { m_cleartext = policy; }
    QSslConfiguration sslConfiguration() const; // also used by the HTTP side
    void setKeepAlive(int pingIntervalMs, int deadAfterMs);
    void setMaxIncomingMessageSize(quint64 bytes) { m_maxIncoming = bytes; }
    void setHandshakeTimeout(int ms) { m_handshakeTimeoutMs = ms; }
    Backoff &backoff() { return m_backoff; }
    // Watches wall clock vs monotonic clock; a jump (or a resume) triggers reconnectNow().
    void setClockJumpCheck(int intervalMs, int thresholdMs);
    // The wall clock that check reads (ms since the epoch; default the system clock). Tests move
    // it to simulate a clock change, or a resume: CLOCK_MONOTONIC stands still while suspended.
    void setWallClock(std::function<qint64()> clock) { m_wallClock = std::move(clock); }

    State state() const { return m_state; }
    bool isConnected() const { return m_state == State::Connected; }
    const hchat::v1::Welcome &welcome() const { return m_welcome; }

    // Sends a frame (request_id assigned here, returned; 0 when not connected, and the handler
    // is then not called).
    quint64 sendRequest(hchat::v1::Frame frame, ReplyHandler handler = {}, int timeoutMs = 15000);

    // One binary WebSocket message from the gateway, as the socket delivers it: decoded, then
    // answered to its request, taken as the Welcome, or emitted as pushed() / malformedFrame().
    void handleBinaryMessage(const QByteArray &data);

public slots:
    void start();        // connect (or keep connecting) until stop()
    void stop();         // close politely, no more reconnects
    // Network came back / machine resumed / clock jumped: if waiting, connect now with a fresh
    // backoff; if connected, probe the link with a ping and drop it fast if it is dead.
    void reconnectNow();
    // Test hook: drop the current link as if the network failed (no close handshake).
    void simulateNetworkFailure();

signals:
    void stateChanged(hchat::PushChannel::State state);
    void welcomed(const hchat::v1::Welcome &welcome);
    // Every frame that is not an answer to a request: Push, ChannelJoined, ReadPosition, Error…
    void pushed(const hchat::v1::Frame &frame);
    void disconnected(const QString &reason);
    // A clear, human-readable problem: unreachable, TLS refused, oversized frame, bad frame …
    void errorOccurred(const QString &message);
    // A binary message that is not a Frame (the caller should resync by pulling).
    void malformedFrame(const QString &reason);
    // The gateway refused the token (bad, expired, revoked, unsupported version): no retrying.
    void authenticationFailed(int errorCode, const QString &message);

private:
    void setState(State s);
    void openSocket();
    void onConnected();
    void onDisconnected();
    void onTextMessage(const QString &text);
    void onSocketError(QAbstractSocket::SocketError error);
    void onSslErrors(const QList<QSslError> &errors);
    void scheduleReconnect(const QString &reason, bool wasConnected);
    void failPending(const QString &reason);
    void dropLink(const QString &reason);
    void onKeepAliveTick();
    void onClockTick();
    qint64 wallNow() const;
    void sendRaw(const hchat::v1::Frame &frame);

    struct Pending {
        ReplyHandler handler;
        QElapsedTimer since;
        int timeoutMs = 0;
    };

    QList<QUrl> m_urls;
    CleartextPolicy m_cleartext;
    int m_urlIndex = 0;
    int m_failuresSinceSuccess = 0;
    QString m_token;
    QSslCertificate m_pinned;
    std::unique_ptr<QWebSocket> m_socket;
    State m_state = State::Idle;
    bool m_running = false;
    bool m_authFailed = false;
    hchat::v1::Welcome m_welcome;
    quint64 m_nextRequestId = 1;
    quint64 m_helloRequestId = 0;
    QHash<quint64, Pending> m_pending;
    Backoff m_backoff;
    QTimer m_reconnectTimer;
    QTimer m_handshakeTimer;
    QTimer m_keepAliveTimer;
    QTimer m_requestTimer;
    QTimer m_clockTimer;
    QElapsedTimer m_sinceRx;
    QElapsedTimer m_monotonic;
    std::function<qint64()> m_wallClock;
    qint64 m_wallAtCheck = 0;
    qint64 m_monoAtCheck = 0;
    int m_clockThresholdMs = 10000;
    int m_deadAfterMs = 30000;
    int m_handshakeTimeoutMs = 15000;
    quint64 m_maxIncoming = 0;
    QString m_lastError;
    bool m_probing = false;
    bool m_watchingNetwork = false;
};

} // namespace hchat
