#include "GatewayProcess.h"

#include "TestEnv.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDebug>
#include <QFile>
#include <QRegularExpression>
#include <QThread>
#include <QUuid>

#include <csignal>

namespace hchat::test {

GatewayProcess::GatewayProcess(QString dbDir) : m_dbDir(std::move(dbDir))
{
    if (m_dbDir.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>(scratchRoot() + QStringLiteral("/gateway-XXXXXX"));
        m_dbDir = m_tempDir->path();
    }
}

GatewayProcess::~GatewayProcess()
{
    if (isRunning())
        kill();
}

QString GatewayProcess::databasePath() const
{
    return m_dbDir + QStringLiteral("/gateway.db");
}

bool GatewayProcess::start(int timeoutMs)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_output.clear();
    QStringList args{QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1:%1").arg(m_requestedPort),
                     QStringLiteral("--db"),
                     databasePath(),
                     QStringLiteral("--password-cost"),
                     QStringLiteral("interactive")};
    // HCHAT_TEST_PG_SERVICES (a scripts/local-services folder): run on PostgreSQL instead, one
    // database per data folder (so a restart on the same folder finds its data again).
    const QString pgServices = qEnvironmentVariable("HCHAT_TEST_PG_SERVICES");
    if (!pgServices.isEmpty()) {
        const QString url = postgresUrl(pgServices);
        if (url.isEmpty())
            return false;
        m_databaseUrl = url;
        args << QStringLiteral("--db") << url;
    }
    {
        if (m_metricsToken.isEmpty())
            m_metricsToken = QString::fromLatin1(QUuid::createUuid().toRfc4122().toHex());
        QFile tokenFile(m_dbDir + QStringLiteral("/metrics-token"));
        if (!tokenFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        tokenFile.write(m_metricsToken.toLatin1() + '\n');
        args << QStringLiteral("--metrics-token-file") << tokenFile.fileName();
    }
    args += m_extraArgs;
    if (m_childModifier)
        m_process->setChildProcessModifier(m_childModifier);
    // HCHAT_GATEWAY_BINARY in the environment runs another build (e.g. a sanitizer build).
    m_process->start(qEnvironmentVariable("HCHAT_GATEWAY_BINARY", QStringLiteral(HCHAT_GATEWAY_BINARY)),
                     args);
    if (!m_process->waitForStarted(timeoutMs)) {
        qWarning() << "gateway did not start:" << m_process->errorString();
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process->state() != QProcess::Running && m_process->bytesAvailable() == 0)
            break;
        m_process->waitForReadyRead(100);
        m_output += m_process->readAll();
        const auto match = listening.match(QString::fromUtf8(m_output));
        if (match.hasMatch()) {
            m_port = match.captured(1).toUShort();
            // Keep draining output so the pipe never fills and blocks the gateway.
            QObject::connect(m_process.get(), &QProcess::readyRead, m_process.get(),
                             [this] { m_output += m_process->readAll(); });
            return true;
        }
    }
    qWarning().noquote() << "gateway did not report its address; output:\n" << m_output;
    return false;
}

QString GatewayProcess::postgresUrl(const QString &servicesDir) const
{
    const QString name =
        QStringLiteral("gw_") +
        QString::fromLatin1(
            QCryptographicHash::hash(m_dbDir.toUtf8(), QCryptographicHash::Sha1).toHex().left(20));
    QProcess create;
    create.setProcessChannelMode(QProcess::MergedChannels);
    create.start(QStringLiteral(HCHAT_SOURCE_DIR "/scripts/local-services"),
                 {QStringLiteral("createdb"), servicesDir, name, QStringLiteral("--if-missing")});
    if (!create.waitForFinished(60000) || create.exitStatus() != QProcess::NormalExit ||
        create.exitCode() != 0) {
        qWarning().noquote() << "cannot create PostgreSQL database" << name << ":" << create.readAll();
        return {};
    }
    return QString::fromUtf8(create.readAll()).trimmed().split(QLatin1Char('\n')).last();
}

int GatewayProcess::admin(const QStringList &args, const QByteArray &input, QByteArray *out,
                          QByteArray *err) const
{
    QProcess process;
    const QString database = m_databaseUrl.isEmpty() ? databasePath() : m_databaseUrl;
    process.start(qEnvironmentVariable("HCHAT_GATEWAY_BINARY", QStringLiteral(HCHAT_GATEWAY_BINARY)),
                  QStringList{QStringLiteral("admin"), QStringLiteral("--db"), database,
                              QStringLiteral("--password-cost"), QStringLiteral("interactive")} +
                      args);
    if (!process.waitForStarted(10000))
        return -1;
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
        return -1;
    if (out)
        *out = process.readAllStandardOutput();
    if (err)
        *err = process.readAllStandardError();
    return process.exitCode();
}

void GatewayProcess::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
    m_output += m_process->readAll();
}

int GatewayProcess::terminate(int timeoutMs)
{
    if (!m_process)
        return -1;
    m_process->terminate();
    if (!m_process->waitForFinished(timeoutMs)) {
        kill();
        return -1;
    }
    m_output += m_process->readAll();
    if (m_process->exitStatus() != QProcess::NormalExit)
        return -1;
    return m_process->exitCode();
}

bool GatewayProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

qint64 GatewayProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

QUrl GatewayProcess::httpUrl(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

QUrl GatewayProcess::wsUrl() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_port));
}

} // namespace hchat::test
