#include "PushChannel.h"

#include "CoreLogging.h"
#include "Limits.h"

#include <QDateTime>
#include <QNetworkInformation>
#include <QNetworkRequest>
#include <QSslError>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace hchat {

namespace {

hchat::v1::Frame syntheticError(const QString &message)
{
    hchat::v1::Frame f;
    f.mutable_error()->set_code(hchat::v1::ERROR_CODE_UNSPECIFIED);
    f.mutable_error()->set_message(message.toStdString());
    return f;
}

bool isAuthError(hchat::v1::ErrorCode code)
{
    return code == hchat::v1::ERROR_BAD_TOKEN || code == hchat::v1::ERROR_TOKEN_EXPIRED ||
           code == hchat::v1::ERROR_UNSUPPORTED_VERSION || code == hchat::v1::ERROR_NOT_AUTHENTICATED ||
           code == hchat::v1::ERROR_BAD_CREDENTIALS;
}

} // namespace

PushChannel::PushChannel(QObject *parent) : QObject(parent), m_maxIncoming(limits::kMaxFrameBytes)
{
    m_monotonic.start();
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &PushChannel::openSocket);
    m_handshakeTimer.setSingleShot(true);
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        dropLink(tr("The gateway at %1 did not answer the handshake within %2 s.")
                     .arg(currentUrl().toString())
                     .arg(m_handshakeTimeoutMs / 1000.0));
    });
    m_keepAliveTimer.setInterval(15000);
    connect(&m_keepAliveTimer, &QTimer::timeout, this, &PushChannel::onKeepAliveTick);
    m_requestTimer.setInterval(500);
    connect(&m_requestTimer, &QTimer::timeout, this, [this] {
        QList<quint64> expired;
        for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it)
            if (it->since.hasExpired(it->timeoutMs))
                expired << it.key();
        for (quint64 id : expired) {
            const Pending p = m_pending.take(id);
            qCWarning(lcPush) << "request" << id << "got no answer within" << p.timeoutMs << "ms";
            if (p.handler)
                p.handler(syntheticError(tr("The gateway did not answer in time.")));
        }
    });
    m_clockTimer.setInterval(5000);
    connect(&m_clockTimer, &QTimer::timeout, this, &PushChannel::onClockTick);
    m_deadAfterMs = 30000;
}

PushChannel::~PushChannel()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void PushChannel::setUrls(const QList<QUrl> &urls)
{
    m_urls = urls;
    m_urlIndex = 0;
}

QUrl PushChannel::currentUrl() const
{
    if (m_urls.isEmpty())
        return {};
    return m_urls.at(m_urlIndex % m_urls.size());
}

void PushChannel::setPinnedCertificate(const QSslCertificate &certificate)
{
    m_pinned = certificate;
}

QSslConfiguration PushChannel::sslConfiguration() const
{
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!m_pinned.isNull())
        conf.setCaCertificates({m_pinned});
    return conf;
}

void PushChannel::setKeepAlive(int pingIntervalMs, int deadAfterMs)
{
    m_keepAliveTimer.setInterval(pingIntervalMs);
    m_deadAfterMs = deadAfterMs;
}

void PushChannel::setClockJumpCheck(int intervalMs, int thresholdMs)
{
    m_clockTimer.setInterval(intervalMs);
    m_clockThresholdMs = thresholdMs;
}

void PushChannel::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    qCDebug(lcPush) << "state" << s;
    emit stateChanged(s);
}

void PushChannel::start()
{
    if (m_running)
        return;
    if (m_urls.isEmpty()) {
        emit errorOccurred(tr("No gateway address is configured."));
        return;
    }
    if (std::none_of(m_urls.cbegin(), m_urls.cend(),
                     [this](const QUrl &u) { return m_cleartext.permits(u); })) {
        m_lastError = CleartextPolicy::refusal(m_urls.first());
        qCWarning(lcPush).noquote() << m_lastError;
        emit errorOccurred(m_lastError);
        return;
    }
    m_running = true;
    m_authFailed = false;
    m_failuresSinceSuccess = 0;
    m_backoff.reset();
    m_wallAtCheck = wallNow();
    m_monoAtCheck = m_monotonic.elapsed();
    m_clockTimer.start();
    m_requestTimer.start();
    static bool triedNetworkInformation = false;
    if (!triedNetworkInformation) {
        triedNetworkInformation = true;
        QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability);
    }
    if (auto *info = QNetworkInformation::instance(); info && !m_watchingNetwork) {
        m_watchingNetwork = true;
        connect(info, &QNetworkInformation::reachabilityChanged, this, [this](QNetworkInformation::Reachability r) {
            if (r == QNetworkInformation::Reachability::Online && m_running) {
                qCInfo(lcPush) << "network is reachable again; reconnecting now";
                reconnectNow();
            }
        });
    }
    openSocket();
}

void PushChannel::stop()
{
    m_running = false;
    m_reconnectTimer.stop();
    m_handshakeTimer.stop();
    m_keepAliveTimer.stop();
    m_clockTimer.stop();
    m_requestTimer.stop();
    if (m_socket) {
        QWebSocket *s = m_socket.release();
        s->disconnect(this);
        s->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("client stopped"));
        s->deleteLater();
    }
    failPending(tr("Disconnected."));
    setState(State::Idle);
}

void PushChannel::openSocket()
{
    if (!m_running || m_urls.isEmpty())
        return;
    // Past the addresses the cleartext policy refuses; start() saw at least one it permits.
    for (qsizetype i = 0; i < m_urls.size() && !m_cleartext.permits(currentUrl()); ++i)
        m_urlIndex = (m_urlIndex + 1) % int(m_urls.size());
    if (!m_cleartext.permits(currentUrl())) {
        m_lastError = CleartextPolicy::refusal(currentUrl());
        emit errorOccurred(m_lastError);
        stop();
        return;
    }
    m_reconnectTimer.stop();
    if (m_socket) {
        QWebSocket *old = m_socket.release();
        old->disconnect(this);
        old->abort();
        old->deleteLater();
    }
    m_lastError.clear();
    m_socket = std::make_unique<QWebSocket>();
    m_socket->setMaxAllowedIncomingMessageSize(m_maxIncoming);
    m_socket->setMaxAllowedIncomingFrameSize(m_maxIncoming);
    QWebSocket *s = m_socket.get();
    connect(s, &QWebSocket::connected, this, &PushChannel::onConnected);
    connect(s, &QWebSocket::disconnected, this, &PushChannel::onDisconnected);
    connect(s, &QWebSocket::binaryMessageReceived, this, &PushChannel::handleBinaryMessage);
    connect(s, &QWebSocket::textMessageReceived, this, &PushChannel::onTextMessage);
    connect(s, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, &PushChannel::onSocketError);
    connect(s, &QWebSocket::sslErrors, this, &PushChannel::onSslErrors);
    connect(s, &QWebSocket::pong, this, [this](quint64, const QByteArray &) { m_sinceRx.restart(); });
    const QUrl url = currentUrl();
    if (url.scheme() == QLatin1String("wss"))
        s->setSslConfiguration(sslConfiguration());
    qCInfo(lcPush).noquote() << "connecting to" << url.toString();
    setState(State::Connecting);
    m_handshakeTimer.start(m_handshakeTimeoutMs);
    QNetworkRequest request(url);
    s->open(request);
}

void PushChannel::onConnected()
{
    if (!m_socket)
        return;
    if (!m_pinned.isNull() && currentUrl().scheme() == QLatin1String("wss") &&
        m_socket->sslConfiguration().peerCertificate() != m_pinned) {
        const QString msg = tr("The gateway at %1 presented a certificate that is not the pinned one; "
                               "connection refused.")
                                .arg(currentUrl().host());
        emit errorOccurred(msg);
        dropLink(msg);
        return;
    }
    setState(State::Authenticating);
    hchat::v1::Frame hello;
    m_helloRequestId = m_nextRequestId++;
    hello.set_request_id(m_helloRequestId);
    hello.mutable_hello()->set_protocol_version(hchat::v1::PROTOCOL_VERSION_CURRENT);
    hello.mutable_hello()->set_token(m_token.toStdString());
    sendRaw(hello);
    m_sinceRx.restart();
}

void PushChannel::sendRaw(const hchat::v1::Frame &frame)
{
    if (!m_socket)
        return;
    const std::string bytes = frame.SerializeAsString();
    m_socket->sendBinaryMessage(QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size())));
}

quint64 PushChannel::sendRequest(hchat::v1::Frame frame, ReplyHandler handler, int timeoutMs)
{
    if (m_state != State::Connected || !m_socket)
        return 0;
    const quint64 id = m_nextRequestId++;
    frame.set_request_id(id);
    if (handler) {
        Pending p;
        p.handler = std::move(handler);
        p.since.start();
        p.timeoutMs = timeoutMs;
        m_pending.insert(id, std::move(p));
    }
    sendRaw(frame);
    return id;
}

void PushChannel::onTextMessage(const QString &text)
{
    const QString msg = tr("The gateway sent a text message (%1 characters); only binary frames are "
                           "valid. Ignored.")
                            .arg(text.size());
    qCCritical(lcPush).noquote() << msg;
    emit malformedFrame(msg);
}

void PushChannel::handleBinaryMessage(const QByteArray &data)
{
    m_sinceRx.restart();
    hchat::v1::Frame frame;
    if (!frame.ParseFromArray(data.constData(), static_cast<int>(data.size())) ||
        frame.body_case() == hchat::v1::Frame::BODY_NOT_SET) {
        const QString msg = tr("The gateway sent a frame of %1 bytes that does not parse as hchat.v1.Frame; "
                               "ignored it and resynchronising by pulling.")
                                .arg(data.size());
        qCCritical(lcPush).noquote() << msg;
        emit malformedFrame(msg);
        return;
    }
    if (m_state == State::Authenticating) {
        if (frame.has_welcome()) {
            m_handshakeTimer.stop();
            m_welcome = frame.welcome();
            m_failuresSinceSuccess = 0;
            m_backoff.reset();
            m_keepAliveTimer.start();
            qCInfo(lcPush).noquote() << "welcomed by" << currentUrl().toString() << "as"
                                     << QString::fromStdString(m_welcome.nick()) << "device"
                                     << QString::fromStdString(m_welcome.device_id());
            setState(State::Connected);
            emit welcomed(m_welcome);
            return;
        }
        if (frame.has_error()) {
            const auto code = frame.error().code();
            const QString text = QString::fromStdString(frame.error().message());
            if (isAuthError(code)) {
                qCWarning(lcPush).noquote() << "gateway refused the session:" << text;
                m_authFailed = true;
                stop();
                emit authenticationFailed(code, text);
                return;
            }
            dropLink(tr("The gateway refused the session: %1").arg(text));
            return;
        }
        qCWarning(lcPush) << "unexpected frame before Welcome:" << frame.body_case();
        return;
    }
    if (frame.request_id() != 0) {
        auto it = m_pending.find(frame.request_id());
        if (it != m_pending.end()) {
            const Pending p = std::move(*it);
            m_pending.erase(it);
            if (p.handler)
                p.handler(frame);
            return;
        }
    }
    emit pushed(frame);
}

void PushChannel::onSocketError(QAbstractSocket::SocketError error)
{
    if (!m_socket)
        return;
    m_lastError = m_socket->errorString();
    qCDebug(lcPush) << "socket error" << error << m_lastError;
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        onDisconnected();
}

void PushChannel::onSslErrors(const QList<QSslError> &errors)
{
    QStringList texts;
    for (const auto &e : errors)
        texts << e.errorString();
    const QString msg = tr("The TLS certificate of %1 was refused: %2")
                            .arg(currentUrl().host(), texts.join(QStringLiteral("; ")));
    qCCritical(lcPush).noquote() << msg;
    m_lastError = msg;
    emit errorOccurred(msg);
    // Not ignored: the handshake fails and the socket disconnects.
}

void PushChannel::onDisconnected()
{
    if (!m_socket)
        return;
    QWebSocket *s = m_socket.release();
    s->disconnect(this);
    const auto closeCode = s->closeCode();
    QString reason = m_lastError;
    if (closeCode == QWebSocketProtocol::CloseCodeTooMuchData) {
        reason = tr("The gateway sent a frame larger than %1 bytes; dropped the link.").arg(m_maxIncoming);
        qCCritical(lcPush).noquote() << reason;
        emit errorOccurred(reason);
    } else if (reason.isEmpty()) {
        reason = s->closeReason().isEmpty() ? tr("The gateway closed the connection (code %1).").arg(int(closeCode))
                                            : tr("The gateway closed the connection: %1").arg(s->closeReason());
    }
    s->abort();
    s->deleteLater();
    const bool wasConnected = m_state == State::Connected;
    m_handshakeTimer.stop();
    m_keepAliveTimer.stop();
    failPending(tr("The connection dropped before the gateway answered."));
    qCInfo(lcPush).noquote() << "link down:" << reason;
    emit disconnected(reason);
    if (m_running && !m_authFailed)
        scheduleReconnect(reason, wasConnected);
    else
        setState(State::Idle);
}

void PushChannel::scheduleReconnect(const QString &reason, bool wasConnected)
{
    const int n = static_cast<int>(std::max<qsizetype>(1, m_urls.size()));
    std::chrono::milliseconds delay(0);
    if (!wasConnected) {
        ++m_failuresSinceSuccess;
        m_urlIndex = (m_urlIndex + 1) % n;
        if (m_failuresSinceSuccess % n == 0)
            delay = m_backoff.next();
        if (m_failuresSinceSuccess == n)
            emit errorOccurred(tr("No gateway is reachable (%1).").arg(reason));
    } else {
        delay = m_backoff.next();
    }
    qCInfo(lcPush).noquote() << "reconnecting to" << currentUrl().toString() << "in" << delay.count() << "ms";
    setState(State::WaitingToReconnect);
    m_reconnectTimer.start(delay);
}

void PushChannel::failPending(const QString &reason)
{
    if (m_pending.isEmpty())
        return;
    const auto pending = std::exchange(m_pending, {});
    for (const Pending &p : pending)
        if (p.handler)
            p.handler(syntheticError(reason));
}

void PushChannel::dropLink(const QString &reason)
{
    if (!m_socket)
        return;
    qCWarning(lcPush).noquote() << reason;
    m_lastError = reason;
    m_socket->disconnect(this);
    onDisconnected();
}

void PushChannel::onKeepAliveTick()
{
    if (m_state != State::Connected || !m_socket)
        return;
    if (m_sinceRx.elapsed() > m_deadAfterMs) {
        dropLink(tr("No sign of life from the gateway for %1 s; the link is dead, reconnecting.")
                     .arg(m_sinceRx.elapsed() / 1000.0, 0, 'f', 1));
        return;
    }
    m_socket->ping();
}

qint64 PushChannel::wallNow() const
{
    return m_wallClock ? m_wallClock() : QDateTime::currentMSecsSinceEpoch();
}

void PushChannel::onClockTick()
{
    const qint64 wall = wallNow();
    const qint64 mono = m_monotonic.elapsed();
    const qint64 drift = (wall - m_wallAtCheck) - (mono - m_monoAtCheck);
    m_wallAtCheck = wall;
    m_monoAtCheck = mono;
    if (std::abs(drift) > m_clockThresholdMs) {
        qCInfo(lcPush) << "wall clock jumped by" << drift << "ms (clock change or resume); reconnecting now";
        reconnectNow();
    }
}

void PushChannel::reconnectNow()
{
    if (!m_running)
        return;
    switch (m_state) {
    case State::WaitingToReconnect:
    case State::Idle:
        m_backoff.reset();
        openSocket();
        break;
    case State::Connected: {
        if (!m_socket || m_probing)
            return;
        // The link may have died while we slept: probe it and drop it if it stays silent.
        m_probing = true;
        const qint64 probeTimeout = std::min(m_deadAfterMs, 5000);
        const qint64 rxBefore = m_sinceRx.msecsSinceReference();
        m_socket->ping();
        QTimer::singleShot(probeTimeout, this, [this, rxBefore] {
            m_probing = false;
            if (m_state == State::Connected && m_sinceRx.msecsSinceReference() == rxBefore)
                dropLink(tr("The gateway did not answer a ping after a network change; reconnecting."));
        });
        break;
    }
    case State::Connecting:
    case State::Authenticating:
        break;
    }
}

void PushChannel::simulateNetworkFailure()
{
    if (m_socket)
        dropLink(tr("Simulated network failure."));
}

} // namespace hchat
