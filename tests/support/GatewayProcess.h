#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>

namespace hchat::test {

// Runs the real hchat-gateway binary on a free loopback port with a database in a temporary
// folder. The gateway is started with --listen 127.0.0.1:0 and reports the port it bound on
// stdout ("hchat-gateway listening on 127.0.0.1:PORT"), so parallel tests never race for ports.
class GatewayProcess {
public:
    // dbDir: keep the database in this folder (for restarts on the same database); empty makes a
    // temporary one owned by this object.
    explicit GatewayProcess(QString dbDir = {});
    ~GatewayProcess();
    GatewayProcess(const GatewayProcess &) = delete;
    GatewayProcess &operator=(const GatewayProcess &) = delete;

    void setExtraArguments(const QStringList &args) { m_extraArgs = args; }
    // Runs in the child between fork and exec (e.g. setrlimit to simulate a full disk).
    void setChildProcessModifier(std::function<void()> modifier) { m_childModifier = std::move(modifier); }
    // Listen on this port instead of an ephemeral one (to restart on the same address).
    void setPort(quint16 port) { m_requestedPort = port; }

    bool start(int timeoutMs = 15000);
    void kill();                          // SIGKILL, waits for the process to be gone
    int terminate(int timeoutMs = 15000); // SIGTERM; returns the exit code (-1 on crash or timeout)
    bool isRunning() const;

    quint16 port() const { return m_port; }
    QString host() const { return QStringLiteral("127.0.0.1"); }
    QUrl httpUrl(const QString &path = {}) const;
    QUrl wsUrl() const;
    QString databasePath() const;
    // The postgresql:// URL the gateway runs on (HCHAT_TEST_PG_SERVICES), empty on SQLite.
    QString databaseUrl() const { return m_databaseUrl; }
    // `hchat-gateway admin --db <this gateway's database> ARGS` with `input` on its standard input:
    // its exit code (-1: did not run), its standard output in *out and error output in *err.
    int admin(const QStringList &args, const QByteArray &input = {}, QByteArray *out = nullptr,
              QByteArray *err = nullptr) const;
    QString dataDir() const { return m_dbDir; }
    // The token GET /metrics on the main port wants (the gateway is started with
    // --metrics-token-file).
    QString metricsToken() const { return m_metricsToken; }
    qint64 pid() const;
    QByteArray output() const { return m_output; } // everything the gateway wrote so far
    QProcess *process() { return m_process.get(); }

private:
    QString postgresUrl(const QString &servicesDir) const;

    std::unique_ptr<QTemporaryDir> m_tempDir;
    QString m_dbDir;
    QStringList m_extraArgs;
    std::function<void()> m_childModifier;
    quint16 m_requestedPort = 0;
    quint16 m_port = 0;
    QString m_databaseUrl;
    QString m_metricsToken;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
};

} // namespace hchat::test
