#include "RawSession.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QRandomGenerator>
#include <QTimer>
#include <QtTest>

namespace hchat::test {

RawSession::RawSession(QUrl wsUrl, QString token, QObject *parent)
    : QObject(parent), m_url(std::move(wsUrl)), m_token(std::move(token))
{
    m_socket.setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, &RawSession::onBinary);
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_open = false; });
}

RawSession::~RawSession()
{
    m_socket.abort();
}

bool RawSession::open(int timeoutMs)
{
    m_socket.open(m_url);
    QDeadlineTimer deadline(timeoutMs);
    while (m_socket.state() != QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        QTest::qWait(5);
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            return false;
    }
    if (m_socket.state() != QAbstractSocket::ConnectedState)
        return false;
    hchat::v1::Frame hello;
    hello.mutable_hello()->set_protocol_version(1);
    hello.mutable_hello()->set_token(m_token.toStdString());
    const auto answer = request(hello, int(deadline.remainingTime()));
    if (!answer.has_welcome()) {
        qWarning() << "no Welcome:" << QString::fromStdString(answer.DebugString());
        return false;
    }
    m_welcome = answer.welcome();
    m_open = true;
    return true;
}

void RawSession::close()
{
    m_socket.close();
    m_open = false;
}

quint64 RawSession::sendFrame(hchat::v1::Frame &frame, std::function<void(const hchat::v1::Frame &)> handler)
{
    const quint64 id = m_nextId++;
    frame.set_request_id(id);
    if (handler)
        m_handlers.insert(id, std::move(handler));
    m_socket.sendBinaryMessage(QByteArray::fromStdString(frame.SerializeAsString()));
    return id;
}

hchat::v1::Frame RawSession::request(hchat::v1::Frame frame, int timeoutMs)
{
    bool done = false;
    hchat::v1::Frame answer;
    sendFrame(frame, [&](const hchat::v1::Frame &a) {
        answer = a;
        done = true;
    });
    QDeadlineTimer deadline(timeoutMs);
    while (!done && !deadline.hasExpired() && m_socket.state() == QAbstractSocket::ConnectedState)
        QTest::qWait(2);
    if (!done) {
        answer.mutable_error()->set_message("no answer (timeout or link down)");
        m_handlers.remove(frame.request_id());
    }
    return answer;
}

bool RawSession::join(const QString &channel)
{
    hchat::v1::Frame f;
    f.mutable_join()->set_channel(channel.toStdString());
    const auto a = request(f);
    if (a.has_error())
        qWarning() << "join failed:" << QString::fromStdString(a.error().message());
    return !a.has_error();
}

bool RawSession::create(const QString &channel, hchat::v1::ChannelKind kind, const QStringList &members)
{
    hchat::v1::Frame f;
    f.mutable_create_channel()->set_channel(channel.toStdString());
    f.mutable_create_channel()->set_kind(kind);
    for (const auto &m : members)
        f.mutable_create_channel()->add_members(m.toStdString());
    const auto a = request(f);
    if (a.has_error())
        qWarning() << "create failed:" << QString::fromStdString(a.error().message());
    return !a.has_error();
}

void RawSession::onBinary(const QByteArray &data)
{
    hchat::v1::Frame f;
    if (!f.ParseFromArray(data.constData(), int(data.size())))
        return;
    if (f.request_id() != 0) {
        auto handler = m_handlers.take(f.request_id());
        if (handler)
            handler(f);
        return;
    }
    m_pushes << f;
    if (onPush)
        onPush(f);
}

void RawSession::startSending(const QString &channel, int count, int window, const QString &prefix)
{
    m_channel = channel;
    m_prefix = prefix;
    m_prepared.clear();
    beginSending(count, window);
}

void RawSession::startSending(std::vector<hchat::v1::Send> prepared, int window)
{
    m_prepared = std::move(prepared);
    beginSending(int(m_prepared.size()), window);
}

void RawSession::beginSending(int count, int window)
{
    m_toSend = count;
    m_sent = 0;
    m_window = window;
    m_acked = 0;
    m_ackSeqs.clear();
    m_ackSeqs.resize(count);
    pump();
}

void RawSession::pump()
{
    while (m_toSend > 0 && m_inFlight < m_window) {
        hchat::v1::Frame f;
        const int index = m_sent++;
        auto *s = f.mutable_send();
        if (!m_prepared.empty()) {
            *s = std::move(m_prepared[std::size_t(index)]);
        } else {
            s->set_channel(m_channel.toStdString());
            QByteArray id(16, Qt::Uninitialized);
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(id.data()), 4);
            s->set_client_msg_id(id.toStdString());
            s->set_body(QStringLiteral("%1 %2").arg(m_prefix).arg(index).toStdString());
        }
        --m_toSend;
        ++m_inFlight;
        sendFrame(f, [this, index](const hchat::v1::Frame &a) {
            --m_inFlight;
            if (a.has_send_ack()) {
                ++m_acked;
                m_ackSeqs[index] = a.send_ack().seq();
            } else {
                ++m_sendErrors;
                qWarning() << "send failed:" << QString::fromStdString(a.error().message());
            }
            pump();
        });
    }
}

QList<quint64> RawSession::sendMany(const QString &channel, int count, int window, int timeoutMs,
                                    const QString &prefix)
{
    startSending(channel, count, window, prefix);
    QDeadlineTimer deadline(timeoutMs);
    while (!sendingDone() && !deadline.hasExpired() && m_socket.state() == QAbstractSocket::ConnectedState)
        QTest::qWait(5);
    return m_ackSeqs;
}

} // namespace hchat::test
