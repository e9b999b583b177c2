#include "FaultProxy.h"

#include <QDebug>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <deque>
#include <utility>

namespace hchat::test {

struct FaultProxy::Link {
    QTcpSocket *client = nullptr;
    QTcpSocket *upstream = nullptr;
    Fault fault = Fault::None;
    bool decided = false;
    bool upstreamUp = false;
    bool ws = false;
    int answers = 0;    // chunks from the upstream
    bool armed = false; // the timed fault (drop, stall, half write) is due
    bool stalled = false;
    bool healed = false; // no more delays (what is queued still goes first)
    bool closed = false;
    QByteArray early; // client bytes before the fault is decided or the upstream is connected
    QElapsedTimer stalledSince;
    struct Chunk {
        qint64 due;
        bool toUpstream;
        QByteArray bytes;
    };
    std::deque<Chunk> delayed;
    QElapsedTimer clock;
    QTimer *latencyTimer = nullptr;
};

FaultProxy::FaultProxy(quint16 upstreamPort, QObject *parent) : QObject(parent), m_upstreamPort(upstreamPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FaultProxy::onNewConnection);
}

FaultProxy::~FaultProxy()
{
    m_server.close();
    const auto links = m_links;
    for (Link *l : links)
        close(l);
}

bool FaultProxy::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

QUrl FaultProxy::wsUrl() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port()));
}

void FaultProxy::setPlans(QList<Fault> webSocketPlan, QList<Fault> httpPlan)
{
    m_wsPlan = std::move(webSocketPlan);
    m_httpPlan = std::move(httpPlan);
    m_wsNext = m_httpNext = 0;
}

int FaultProxy::pendingStalls() const
{
    return int(std::count_if(m_links.cbegin(), m_links.cend(), [](const Link *l) { return l->stalled; }));
}

QString FaultProxy::summary() const
{
    return QStringLiteral(
               "connections %1, dropped %2, stalled %3, cut in half %4, delayed %5, reset in handshake %6")
        .arg(m_connections)
        .arg(count(Fault::Drop))
        .arg(count(Fault::Stall))
        .arg(count(Fault::HalfWrite))
        .arg(count(Fault::Latency))
        .arg(count(Fault::HandshakeReset));
}

void FaultProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_connections;
        auto *link = new Link;
        m_links << link;
        link->clock.start();
        link->client = client;
        link->upstream = new QTcpSocket(this);
        client->setParent(this);
        connect(client, &QTcpSocket::readyRead, this, [this, link] { fromClient(link); });
        connect(client, &QTcpSocket::disconnected, this, [this, link] {
            if (link->stalled)
                m_stallDetections << link->stalledSince.elapsed();
            close(link);
        });
        connect(link->upstream, &QTcpSocket::connected, this, [this, link] {
            link->upstreamUp = true;
            fromClient(link);
        });
        connect(link->upstream, &QTcpSocket::readyRead, this, [this, link] { fromUpstream(link); });
        connect(link->upstream, &QTcpSocket::disconnected, this, [this, link] {
            if (link->stalled)
                return; // the client must find out by itself
            fromUpstream(link);
            if (link->delayed.empty() && link->client->state() == QAbstractSocket::ConnectedState)
                link->client->disconnectFromHost(); // after what is buffered
        });
        connect(link->upstream, &QTcpSocket::errorOccurred, this,
                [this, link](QAbstractSocket::SocketError e) {
                    if (!link->upstreamUp && e != QAbstractSocket::RemoteHostClosedError)
                        close(link); // gateway down: the client sees a refused/closed connection
                });
        link->upstream->connectToHost(QHostAddress::LocalHost, m_upstreamPort);
    }
}

void FaultProxy::fromClient(Link *link)
{
    if (link->closed)
        return;
    link->early += link->client->readAll();
    if (link->stalled) {
        link->early.clear();
        return;
    }
    if (!link->decided) {
        if (link->early.size() < 8)
            return;
        link->decided = true;
        const bool ws = link->ws = link->early.startsWith("GET /ws");
        const QList<Fault> &plan = ws ? m_wsPlan : m_httpPlan;
        int &next = ws ? m_wsNext : m_httpNext;
        if (!plan.isEmpty())
            link->fault = plan[next++ % plan.size()];
        if (link->fault == Fault::Latency) {
            done(Fault::Latency);
            link->latencyTimer = new QTimer(link->client);
            link->latencyTimer->setSingleShot(true);
            connect(link->latencyTimer, &QTimer::timeout, this, [this, link] {
                while (!link->closed && !link->delayed.empty() &&
                       link->delayed.front().due <= link->clock.elapsed()) {
                    auto c = std::move(link->delayed.front());
                    link->delayed.pop_front();
                    deliver(link, c.toUpstream, c.bytes);
                }
                if (!link->closed && !link->delayed.empty())
                    link->latencyTimer->start(
                        int(std::max<qint64>(0, link->delayed.front().due - link->clock.elapsed())));
                else if (!link->closed && link->upstream->state() != QAbstractSocket::ConnectedState)
                    link->client->disconnectFromHost();
            });
        }
    }
    if (!link->upstreamUp)
        return;
    if (link->fault == Fault::HandshakeReset) {
        link->upstream->write(
            link->early.left(std::max<qsizetype>(1, std::min<qsizetype>(12, link->early.size() / 2))));
        done(Fault::HandshakeReset);
        close(link, link->upstream);
        return;
    }
    forward(link, true, std::exchange(link->early, {}));
}

void FaultProxy::fromUpstream(Link *link)
{
    if (link->closed)
        return;
    QByteArray bytes = link->upstream->readAll();
    if (link->stalled || bytes.isEmpty())
        return;
    // Timed faults start after the first answer: for a WebSocket the one after the upgrade (the
    // Welcome), so that a stall meets the keep-alive and not the handshake timeout.
    if (++link->answers == (link->ws ? 2 : 1))
        arm(link);
    forward(link, false, std::move(bytes));
}

void FaultProxy::arm(Link *link)
{
    if (link->fault != Fault::Drop && link->fault != Fault::Stall && link->fault != Fault::HalfWrite)
        return;
    QTimer::singleShot(randomMs(200, 1500), link->client, [this, link] {
        if (link->closed || link->healed)
            return;
        if (link->fault == Fault::Drop) {
            done(Fault::Drop);
            close(link);
        } else if (link->fault == Fault::Stall) {
            startStall(link);
        } else {
            link->armed = true;
        }
    });
}

void FaultProxy::startStall(Link *link)
{
    if (link->stalled || link->closed)
        return;
    done(Fault::Stall);
    link->stalled = true;
    link->stalledSince.start();
    link->delayed.clear();
}

void FaultProxy::forward(Link *link, bool toUpstream, QByteArray bytes)
{
    if (bytes.isEmpty() || link->closed)
        return;
    if (link->armed && link->fault == Fault::HalfWrite) {
        deliver(link, toUpstream, bytes.left(bytes.size() / 2));
        done(Fault::HalfWrite);
        close(link, toUpstream ? link->upstream : link->client);
        return;
    }
    if (link->fault == Fault::Latency) {
        const int delay = link->healed ? 0 : randomMs(20, 150);
        link->delayed.push_back({link->clock.elapsed() + delay, toUpstream, std::move(bytes)});
        // Order is kept: nothing overtakes an earlier chunk.
        for (std::size_t i = link->delayed.size() - 1; i > 0; --i)
            link->delayed[i].due = std::max(link->delayed[i].due, link->delayed[i - 1].due);
        if (!link->latencyTimer->isActive())
            link->latencyTimer->start(
                int(std::max<qint64>(0, link->delayed.front().due - link->clock.elapsed())));
        return;
    }
    deliver(link, toUpstream, bytes);
}

void FaultProxy::deliver(Link *link, bool toUpstream, const QByteArray &bytes)
{
    (toUpstream ? link->upstream : link->client)->write(bytes);
}

void FaultProxy::stallAll()
{
    for (Link *l : std::as_const(m_links))
        startStall(l);
}

void FaultProxy::healAll()
{
    clearPlans();
    for (Link *l : std::as_const(m_links)) {
        l->healed = true;
        if (l->fault != Fault::Latency && !l->stalled)
            l->fault = Fault::None;
    }
}

void FaultProxy::dropAll()
{
    const auto links = m_links;
    for (Link *l : links) {
        done(Fault::Drop);
        close(l);
    }
}

void FaultProxy::close(Link *link, QTcpSocket *graceful)
{
    if (link->closed)
        return;
    link->closed = true;
    m_links.removeOne(link);
    m_dead.emplace_back(link); // timers and lambdas may still look at it; freed with the proxy
    for (QTcpSocket *s : {link->client, link->upstream}) {
        s->disconnect(this);
        if (s == graceful)
            s->disconnectFromHost(); // after what is buffered
        else
            s->abort();
    }
}

} // namespace hchat::test
