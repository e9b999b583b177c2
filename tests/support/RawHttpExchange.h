#pragma once

#include "hchat.pb.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QTcpSocket>

namespace hchat::test {

// One HTTP exchange over a bare TCP socket: exact bytes out (malformed requests, odd headers), one
// answer in, and a chosen local source address (127.0.0.2, 127.0.0.3 … are other "addresses" on
// Linux loopback). Asynchronous, so that a test can run hundreds at once; run() waits for one.
class RawHttpExchange : public QObject {
    Q_OBJECT
public:
    struct Answer {
        int status = 0; // 0: no answer (closed or timed out first)
        QByteArray head;
        QByteArray body;
        hchat::v1::ErrorCode error = hchat::v1::ERROR_CODE_UNSPECIFIED; // from an Error body
        qint64 elapsedMs = 0;
        QByteArray header(const QByteArray &name) const;
    };

    RawHttpExchange(quint16 port, QByteArray request, QHostAddress source = QHostAddress::LocalHost,
                    QObject *parent = nullptr);
    void start();
    bool isFinished() const { return m_finished; }
    const Answer &answer() const { return m_answer; }
    QTcpSocket &socket() { return m_socket; }

    // A whole request: method, path, the body with its Content-Length, Connection: close.
    static QByteArray request(const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                              const QList<QByteArray> &headers = {});
    static Answer run(quint16 port, const QByteArray &request,
                      const QHostAddress &source = QHostAddress::LocalHost, int timeoutMs = 20000);

signals:
    void finished();

private:
    void onReadable();
    void finish();

    quint16 m_port;
    QByteArray m_request;
    QHostAddress m_source;
    QTcpSocket m_socket;
    QByteArray m_received;
    QElapsedTimer m_clock;
    Answer m_answer;
    bool m_finished = false;
};

} // namespace hchat::test
