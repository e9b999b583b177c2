// cluster_bench: deliveries per second (pushed messages received by sessions) with TWO gateways
// sharing one PostgreSQL database and fanning out through Redis, against ONE gateway on the same
// PostgreSQL, in the same run and with the same load: S senders and R receivers in one channel,
// spread round-robin over the gateways; every message is pushed to every session of the channel.
// PostgreSQL and Redis come from scripts/local-services in a temporary folder. Prints one JSON line.
//
// --cap CPUS caps every gateway alike at CPUS cores (a CFS quota: cgroup v2 cpu.max where the cpu
// controller is there, else cgroup v1 cpu.cfs_quota_us; each gateway in a cgroup of its own), so
// that on a small machine the ratio two / one says whether the design scales, not how the machine
// is shared with PostgreSQL, Redis and the clients. Without a writable cgroup the run is uncapped
// and says so ("capped": false).
// Usage: cluster_bench [--senders S] [--receivers R] [--messages M per sender] [--cap CPUS]
#include "GatewayProcess.h"
#include "ProtocolClient.h"
#include "TestEnv.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <memory>
#include <vector>

using namespace hchat::test;

namespace {

QString run(const QStringList &args, bool *ok)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QStringLiteral(HCHAT_SOURCE_DIR "/scripts/local-services"), args);
    *ok = p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

// One cgroup per capped gateway, removed again when the gateway is gone.
class CpuCap {
public:
    // The cgroup under which a capped process goes: v2 (cpu.max) or v1 (cpu.cfs_quota_us).
    static QString root(bool *v2)
    {
        QFile controllers(QStringLiteral("/sys/fs/cgroup/cgroup.controllers"));
        if (controllers.open(QIODevice::ReadOnly) && controllers.readAll().split(' ').contains("cpu")) {
            *v2 = true;
            return QStringLiteral("/sys/fs/cgroup");
        }
        *v2 = false;
        if (QFile::exists(QStringLiteral("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")))
            return QStringLiteral("/sys/fs/cgroup/cpu");
        return {};
    }

    // Puts pid under a quota of `cpus` cores; false when that is not possible here.
    bool apply(qint64 pid, double cpus, const QString &name)
    {
        bool v2 = false;
        const QString base = root(&v2);
        if (base.isEmpty() || cpus <= 0)
            return false;
        m_dir = base + QLatin1Char('/') + name;
        if (!QDir().mkpath(m_dir)) {
            m_dir.clear();
            return false;
        }
        const qint64 period = 100000;
        const qint64 quota = qint64(cpus * double(period));
        const bool ok =
            v2 ? write(m_dir + QStringLiteral("/cpu.max"),
                       QByteArray::number(quota) + ' ' + QByteArray::number(period))
               : write(m_dir + QStringLiteral("/cpu.cfs_period_us"), QByteArray::number(period)) &&
                     write(m_dir + QStringLiteral("/cpu.cfs_quota_us"), QByteArray::number(quota));
        return ok && write(m_dir + QStringLiteral("/cgroup.procs"), QByteArray::number(pid));
    }
    ~CpuCap()
    {
        if (!m_dir.isEmpty())
            QDir().rmdir(m_dir); // empty once its process has exited
    }

private:
    static bool write(const QString &path, const QByteArray &value)
    {
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(value + '\n') > 0 && f.flush();
    }
    QString m_dir;
};

struct Result {
    double seconds = 0;
    qint64 deliveries = 0;
    bool complete = false;
    bool capped = true;
};

Result measure(const QString &services, const QString &redisUrl, int gateways, int senders, int receivers,
               int messages, const QString &dbName, double cap)
{
    std::vector<std::unique_ptr<CpuCap>> caps;
    bool capped = cap > 0;
    bool ok = false;
    const QString db = run({QStringLiteral("createdb"), services, dbName}, &ok).split(QLatin1Char('\n')).last();
    if (!ok)
        return {};
    std::vector<std::unique_ptr<GatewayProcess>> gws;
    for (int g = 0; g < gateways; ++g) {
        auto gw = std::make_unique<GatewayProcess>();
        QStringList args{QStringLiteral("--db"), db, QStringLiteral("--rate-limit"), QStringLiteral("0")};
        if (gateways > 1)
            args << QStringLiteral("--redis") << redisUrl;
        gw->setExtraArguments(args);
        if (!gw->start(30000)) {
            std::fprintf(stderr, "cluster_bench: gateway did not start: %s\n", gw->output().constData());
            return {};
        }
        if (cap > 0) {
            caps.push_back(std::make_unique<CpuCap>());
            const QString name = QStringLiteral("hchat-cluster-bench-%1-%2-%3")
                                     .arg(QCoreApplication::applicationPid())
                                     .arg(dbName)
                                     .arg(g);
            capped = caps.back()->apply(gw->pid(), cap, name) && capped;
        }
        gws.push_back(std::move(gw));
    }
    if (gateways > 1)
        for (auto &gw : gws) {
            ProtocolClient probe(*gw);
            ProtocolClient::waitFor([&] { return probe.metric(QStringLiteral("hchat_fanout_subscribed")) == 1; },
                                    20000);
        }
    const QString channel = QStringLiteral("bench");
    std::vector<std::unique_ptr<ProtocolClient>> clients;
    for (int i = 0; i < senders + receivers; ++i) {
        auto c = std::make_unique<ProtocolClient>(*gws[std::size_t(i % gateways)]);
        if (!c->registerAndLogin(QStringLiteral("u%1").arg(i)) || !c->connectAndHello() || !c->join(channel)) {
            std::fprintf(stderr, "cluster_bench: client %d could not join\n", i);
            return {};
        }
        clients.push_back(std::move(c));
    }
    const int sessions = senders + receivers;
    const quint64 base = quint64(sessions); // one join message each
    ProtocolClient::waitFor(
        [&] {
            for (auto &c : clients) {
                const auto p = c->pushedMessages(channel);
                if (p.isEmpty() || p.last().seq() < base)
                    return false;
            }
            return true;
        },
        20000);
    std::vector<int> before;
    for (auto &c : clients)
        before.push_back(int(c->pushedMessages(channel).size()));

    const qint64 expected = qint64(senders) * messages * sessions;
    QElapsedTimer timer;
    timer.start();
    const QByteArray body(200, 'x');
    for (int i = 0; i < messages; ++i)
        for (int s = 0; s < senders; ++s)
            clients[std::size_t(s)]->sendAsync(channel, body, ProtocolClient::newClientMsgId());
    auto received = [&] {
        qint64 n = 0;
        for (std::size_t i = 0; i < clients.size(); ++i)
            n += clients[i]->pushedMessages(channel).size() - before[i];
        return n;
    };
    Result r;
    r.capped = capped;
    r.complete = ProtocolClient::waitFor([&] { return received() >= expected; }, 300000);
    r.seconds = double(timer.nsecsElapsed()) / 1e9;
    r.deliveries = received();
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int senders = 4, receivers = 16, messages = 500;
    double cap = 0;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--senders"))
            senders = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--receivers"))
            receivers = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--messages"))
            messages = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--cap"))
            cap = args[i + 1].toDouble();
    }
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/cluster-bench-XXXXXX"));
    QFile::setPermissions(dir.path(), QFile::permissions(dir.path()) | QFile::ReadOther | QFile::ExeOther);
    const QString services = dir.path() + QStringLiteral("/services");
    bool ok = false;
    const QString env = run({QStringLiteral("start"), services}, &ok);
    if (!ok) {
        std::fprintf(stderr, "cluster_bench: PostgreSQL/Redis did not start\n");
        return 1;
    }
    QString redisUrl;
    for (const auto &line : env.split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("HCHAT_REDIS_URL=")))
            redisUrl = line.mid(16);
    const Result one =
        measure(services, redisUrl, 1, senders, receivers, messages, QStringLiteral("bench_one"), cap);
    const Result two =
        measure(services, redisUrl, 2, senders, receivers, messages, QStringLiteral("bench_two"), cap);
    run({QStringLiteral("stop"), services}, &ok);

    QJsonObject o;
    o[QStringLiteral("bench")] = QStringLiteral("cluster");
    o[QStringLiteral("senders")] = senders;
    o[QStringLiteral("sessions")] = senders + receivers;
    o[QStringLiteral("messages")] = senders * messages;
    o[QStringLiteral("one_gateway_deliveries_per_s")] = one.seconds > 0 ? double(one.deliveries) / one.seconds : 0;
    o[QStringLiteral("two_gateways_deliveries_per_s")] = two.seconds > 0 ? double(two.deliveries) / two.seconds : 0;
    o[QStringLiteral("two_over_one")] =
        one.seconds > 0 && two.seconds > 0 ? (double(two.deliveries) / two.seconds) / (double(one.deliveries) / one.seconds) : 0;
    o[QStringLiteral("complete")] = one.complete && two.complete;
    o[QStringLiteral("cpu_cap_per_gateway")] = cap;
    o[QStringLiteral("capped")] = cap > 0 && one.capped && two.capped;
    o[QStringLiteral("cores")] = QThread::idealThreadCount();
    std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    return one.complete && two.complete ? 0 : 1;
}
