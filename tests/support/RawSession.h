#pragma once

#include "hchat.pb.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <vector>

namespace hchat::test {

// A bare WebSocket session speaking hchat.v1 frames, for driving the gateway from tests without
// the client core: a sender of many messages, or an observer. Blocking helpers spin the event loop
// with timeouts.
class RawSession : public QObject {
    Q_OBJECT
public:
    RawSession(QUrl wsUrl, QString token, QObject *parent = nullptr);
    ~RawSession() override;

    bool open(int timeoutMs = 10000); // connect, Hello, wait for Welcome
    void close();
    const hchat::v1::Welcome &welcome() const { return m_welcome; }
    bool isOpen() const { return m_open; }

    // Sends and waits for the answer with the same request_id (an Error frame on timeout).
    hchat::v1::Frame request(hchat::v1::Frame frame, int timeoutMs = 10000);
    bool join(const QString &channel);
    bool create(const QString &channel, hchat::v1::ChannelKind kind, const QStringList &members);

    // Starts sending count text messages ("<prefix> <i>") to channel with up to `window` in flight.
    void startSending(const QString &channel, int count, int window = 64,
                      const QString &prefix = QStringLiteral("msg"));
    // Starts sending prepared Send bodies (any kind: ciphertext, key shares) in order, with up to
    // `window` in flight; request ids are set here.
    void startSending(std::vector<hchat::v1::Send> prepared, int window = 64);
    int acked() const { return m_acked; }
    int sendErrors() const { return m_sendErrors; }
    bool sendingDone() const { return m_toSend == 0 && m_inFlight == 0; }
    // startSending + wait until every ack arrived; the seqs in send order.
    QList<quint64> sendMany(const QString &channel, int count, int window = 64, int timeoutMs = 120000,
                            const QString &prefix = QStringLiteral("msg"));
    QList<quint64> ackedSeqs() const { return m_ackSeqs; }

    QList<hchat::v1::Frame> pushes() const { return m_pushes; } // request_id 0 frames received
    std::function<void(const hchat::v1::Frame &)> onPush;

private:
    void onBinary(const QByteArray &data);
    void beginSending(int count, int window);
    void pump();
    quint64 sendFrame(hchat::v1::Frame &frame, std::function<void(const hchat::v1::Frame &)> handler);

    QUrl m_url;
    QString m_token;
    QWebSocket m_socket;
    bool m_open = false;
    hchat::v1::Welcome m_welcome;
    quint64 m_nextId = 1;
    QHash<quint64, std::function<void(const hchat::v1::Frame &)>> m_handlers;
    QList<hchat::v1::Frame> m_pushes;
    QString m_channel;
    QString m_prefix;
    std::vector<hchat::v1::Send> m_prepared; // startSending(prepared): what pump() sends
    int m_toSend = 0;
    int m_sent = 0;
    int m_inFlight = 0;
    int m_window = 0;
    int m_acked = 0;
    int m_sendErrors = 0;
    QList<quint64> m_ackSeqs;
};

} // namespace hchat::test
