#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QUrl>

#include <memory>
#include <vector>

class QTcpSocket;

namespace hchat::test {

// A plain TCP relay on loopback between clients and the gateway that injects network faults.
// Each new connection gets the next fault of a plan (cycled; WebSocket upgrades and plain HTTP
// requests have plans of their own, decided by the first bytes the client sends):
//   None            relay faithfully
//   Drop            abort both ends a random 0.2-1.5 s after the first answer (WebSocket: the
//                   first frame after the upgrade)
//   Stall           a random 0.2-1.5 s after the first answer stop forwarding both ways but keep
//                   both TCP connections open, until the client gives up (the time it took is
//                   recorded: the client's dead-link detection)
//   HalfWrite       a random 0.2-1.5 s after the first answer, forward half of the next chunk
//                   (either way) and close
//   Latency         delay every chunk by 20-150 ms (order kept)
//   HandshakeReset  forward the first few bytes of the client's request, then abort both ends
// Counters prove what was done. Lives on the thread that created it (needs its event loop).
class FaultProxy : public QObject {
    Q_OBJECT
public:
    enum class Fault { None, Drop, Stall, HalfWrite, Latency, HandshakeReset };
    Q_ENUM(Fault)

    explicit FaultProxy(quint16 upstreamPort, QObject *parent = nullptr);
    ~FaultProxy() override;

    bool listen(quint16 port = 0);
    quint16 port() const { return m_server.serverPort(); }
    QUrl wsUrl() const;
    void setUpstreamPort(quint16 port) { m_upstreamPort = port; }
    void setSeed(quint32 seed) { m_rng.seed(seed); }

    // Plans for new connections (empty: relay faithfully). Open connections keep their fault.
    void setPlans(QList<Fault> webSocketPlan, QList<Fault> httpPlan);
    void clearPlans() { setPlans({}, {}); }
    // Stops forwarding on every open connection now (a link that died silently); they count as
    // stalls with a recorded detection time.
    void stallAll();
    // Ends the faults: no plans, open connections relay faithfully (stalled ones stay stalled).
    void healAll();
    void dropAll();

    int connections() const { return m_connections; }
    int count(Fault fault) const { return m_done.value(int(fault)); }
    int openConnections() const { return int(m_links.size()); }
    // For each stall that ended: ms from the stall to the client closing its end.
    QList<qint64> stallDetectionMs() const { return m_stallDetections; }
    int pendingStalls() const; // stalled and the client has not noticed yet
    QString summary() const;   // one line of counters

private:
    struct Link;
    void onNewConnection();
    void fromClient(Link *link);
    void fromUpstream(Link *link);
    void forward(Link *link, bool toUpstream, QByteArray bytes);
    void deliver(Link *link, bool toUpstream, const QByteArray &bytes);
    void arm(Link *link);
    void startStall(Link *link);
    void close(Link *link, QTcpSocket *graceful = nullptr);
    void done(Fault fault) { m_done[int(fault)] += 1; }
    int randomMs(int lo, int hi) { return lo + int(m_rng.bounded(hi - lo + 1)); }

    QTcpServer m_server;
    quint16 m_upstreamPort;
    QRandomGenerator m_rng{1};
    QList<Fault> m_wsPlan;
    QList<Fault> m_httpPlan;
    int m_wsNext = 0;
    int m_httpNext = 0;
    int m_connections = 0;
    QHash<int, int> m_done;
    QList<qint64> m_stallDetections;
    QList<Link *> m_links;
    std::vector<std::unique_ptr<Link>> m_dead;
};

} // namespace hchat::test
