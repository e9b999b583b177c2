#include "RawHttpExchange.h"

#include <QEventLoop>
#include <QTimer>

namespace hchat::test {

QByteArray RawHttpExchange::Answer::header(const QByteArray &name) const
{
    for (const QByteArray &line : head.split('\n')) {
        const int colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

RawHttpExchange::RawHttpExchange(quint16 port, QByteArray request, QHostAddress source, QObject *parent)
    : QObject(parent), m_port(port), m_request(std::move(request)), m_source(std::move(source))
{
    connect(&m_socket, &QTcpSocket::connected, this, [this] { m_socket.write(m_request); });
    connect(&m_socket, &QTcpSocket::readyRead, this, &RawHttpExchange::onReadable);
    connect(&m_socket, &QTcpSocket::disconnected, this, &RawHttpExchange::finish);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            finish();
    });
}

QByteArray RawHttpExchange::request(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                                    const QList<QByteArray> &headers)
{
    QByteArray r = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const QByteArray &h : headers)
        r += h + "\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

void RawHttpExchange::start()
{
    m_clock.start();
    if (m_source != QHostAddress::LocalHost)
        m_socket.bind(m_source);
    m_socket.connectToHost(QHostAddress::LocalHost, m_port);
}

void RawHttpExchange::onReadable()
{
    m_received += m_socket.readAll();
    const int end = m_received.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    m_answer.head = m_received.left(end);
    const QByteArray length = m_answer.header("Content-Length");
    if (!length.isEmpty() && m_received.size() - end - 4 >= length.toLongLong())
        finish();
}

void RawHttpExchange::finish()
{
    if (m_finished)
        return;
    m_received += m_socket.readAll();
    m_finished = true;
    m_answer.elapsedMs = m_clock.elapsed();
    const int end = m_received.indexOf("\r\n\r\n");
    if (end >= 0 && m_received.startsWith("HTTP/1.1 ")) {
        m_answer.head = m_received.left(end);
        m_answer.body = m_received.mid(end + 4);
        const QByteArray length = m_answer.header("Content-Length");
        if (!length.isEmpty())
            m_answer.body.truncate(int(length.toLongLong()));
        m_answer.status = m_received.mid(9, 3).toInt();
        hchat::v1::Error e;
        if (m_answer.header("Content-Type") == "application/x-protobuf" && m_answer.status >= 400 &&
            e.ParseFromArray(m_answer.body.constData(), int(m_answer.body.size())))
            m_answer.error = e.code();
    }
    m_socket.abort();
    emit finished();
}

RawHttpExchange::Answer RawHttpExchange::run(quint16 port, const QByteArray &request,
                                             const QHostAddress &source, int timeoutMs)
{
    RawHttpExchange exchange(port, request, source);
    QEventLoop loop;
    QObject::connect(&exchange, &RawHttpExchange::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    exchange.start();
    if (!exchange.isFinished())
        loop.exec();
    return exchange.answer();
}

} // namespace hchat::test
