#pragma once

#include <QByteArrayList>
#include <QTcpServer>

namespace hchat::test {

// An HTTP proxy on 127.0.0.1 that serves nothing: it records the request line of every
// connection (e.g. "POST http://10.0.0.1:8745/v1/login HTTP/1.1", "CONNECT host:443 HTTP/1.1")
// and closes it. Made the application proxy (install()), it keeps a test from reaching any
// machine but this one and shows where the code under test tried to go. Qt connects to
// loopback addresses directly, without the proxy.
class RecordingProxy : public QTcpServer {
    Q_OBJECT
public:
    explicit RecordingProxy(QObject *parent = nullptr);
    ~RecordingProxy() override;
    bool install(); // listens and becomes QNetworkProxy::applicationProxy()
    QByteArrayList requestLines() const { return m_lines; }
    bool sawRequestFor(const QByteArray &hostPort) const;
    void clear() { m_lines.clear(); }

private:
    QByteArrayList m_lines;
};

} // namespace hchat::test
