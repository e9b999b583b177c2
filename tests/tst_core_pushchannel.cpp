// PushChannel against the real gateway: TLS with a pinned certificate (the right one connects, a
// wrong one or the system CA store refuses with a clear error), the reconnect-now hook, a dead
// link noticed by keep-alive, and an expired token ending the session instead of retrying.
#include "CoreTestHelpers.h"

#include "PushChannel.h"

#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>

using namespace hchat;
using namespace hchat::test;

namespace {
// Makes a self-signed certificate for 127.0.0.1 with the openssl tool.
bool makeCert(const QString &dir, const QString &name)
{
    QProcess p;
    p.start(QStringLiteral("openssl"),
            {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
             QStringLiteral("-nodes"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
             QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1"),
             QStringLiteral("-keyout"), dir + QLatin1Char('/') + name + QStringLiteral(".key"), QStringLiteral("-out"),
             dir + QLatin1Char('/') + name + QStringLiteral(".pem")});
    return p.waitForFinished(30000) && p.exitCode() == 0;
}

QSslCertificate loadCert(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QSslCertificate();
    return QSslCertificate(f.readAll(), QSsl::Pem);
}

// A TCP relay that can freeze: bytes stop flowing both ways, the sockets stay open.
class FreezableRelay : public QObject {
public:
    explicit FreezableRelay(quint16 target) : m_target(target)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *in = m_server.nextPendingConnection()) {
                auto *out = new QTcpSocket(in);
                out->connectToHost(QHostAddress::LocalHost, m_target);
                // Frozen: bytes vanish (a black hole), nothing is answered.
                connect(in, &QTcpSocket::readyRead, this, [this, in, out] {
                    const QByteArray d = in->readAll();
                    if (!frozen)
                        out->write(d);
                });
                connect(out, &QTcpSocket::readyRead, this, [this, in, out] {
                    const QByteArray d = out->readAll();
                    if (!frozen)
                        in->write(d);
                });
                connect(in, &QTcpSocket::disconnected, in, &QObject::deleteLater);
                connect(out, &QTcpSocket::disconnected, in, [in] { in->disconnectFromHost(); });
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }
    QUrl wsUrl() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_server.serverPort())); }
    bool frozen = false;

private:
    QTcpServer m_server;
    quint16 m_target;
};
} // namespace

class TestPushChannel : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_certs;
    std::unique_ptr<GatewayProcess> m_tlsGw;

    QUrl wssUrl() const { return QUrl(QStringLiteral("wss://127.0.0.1:%1/ws").arg(m_tlsGw->port())); }

private slots:
    void initTestCase()
    {
        m_certs = std::make_unique<QTemporaryDir>(scratchRoot() + QStringLiteral("/certs-XXXXXX"));
        QVERIFY(makeCert(m_certs->path(), QStringLiteral("gateway")));
        QVERIFY(makeCert(m_certs->path(), QStringLiteral("other")));
        m_tlsGw = std::make_unique<GatewayProcess>();
        m_tlsGw->setExtraArguments({QStringLiteral("--tls-cert"), m_certs->filePath(QStringLiteral("gateway.pem")),
                                    QStringLiteral("--tls-key"), m_certs->filePath(QStringLiteral("gateway.key"))});
        QVERIFY(m_tlsGw->start());
        // Log in over HTTPS with the pinned certificate through the core's own HTTP path.
        TestClient c;
        c->setPinnedCertificate(loadCert(m_certs->filePath(QStringLiteral("gateway.pem"))));
        c->setGatewayUrls({wssUrl()});
        QString error;
        QVERIFY2(c.run(c->registerAccount(QStringLiteral("tess"), QStringLiteral("correct horse battery")), &error, 20000),
                 qPrintable(error));
        QVERIFY2(c.run(c->logIn(QStringLiteral("tess"), QStringLiteral("correct horse battery")), &error, 20000),
                 qPrintable(error));
        QVERIFY(c.waitOnline());
    }

    void pinnedCertificateConnects()
    {
        TestClient c;
        c->setPinnedCertificate(loadCert(m_certs->filePath(QStringLiteral("gateway.pem"))));
        c->setGatewayUrls({wssUrl()});
        QString error;
        QVERIFY2(c.run(c->logIn(QStringLiteral("tess"), QStringLiteral("correct horse battery")), &error, 20000),
                 qPrintable(error));
        QVERIFY(c.waitOnline());
        QVERIFY(c.run(c->joinChannel(QStringLiteral("secure"))));
        QTRY_VERIFY_WITH_TIMEOUT(c.store()->maxSeq(QStringLiteral("secure")) >= 1, 5000); // pulled over HTTPS
    }

    void wrongCertificateRefused_data()
    {
        QTest::addColumn<bool>("pinOther");
        QTest::newRow("another pinned certificate") << true;
        QTest::newRow("system CA store") << false;
    }

    void wrongCertificateRefused()
    {
        QFETCH(bool, pinOther);
        PushChannel push;
        push.backoff().setBase(std::chrono::milliseconds(100));
        if (pinOther)
            push.setPinnedCertificate(loadCert(m_certs->filePath(QStringLiteral("other.pem"))));
        push.setUrls({wssUrl()});
        push.setToken(QStringLiteral("irrelevant"));
        QSignalSpy errors(&push, &PushChannel::errorOccurred);
        QSignalSpy welcomed(&push, &PushChannel::welcomed);
        push.start();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 10000);
        const QString text = errors.first().first().toString();
        QVERIFY2(text.contains(QStringLiteral("certificate")) && text.contains(QStringLiteral("refused")), qPrintable(text));
        QTest::qWait(300);
        QCOMPARE(welcomed.count(), 0);
        QVERIFY(!push.isConnected());
        push.stop();
    }

    void deadLinkIsNoticedAndReconnectNowHook()
    {
        GatewayProcess gw;
        QVERIFY(gw.start());
        const QString token = HttpTestApi(gw.httpUrl()).account(QStringLiteral("dora"));
        FreezableRelay relay(gw.port());
        PushChannel push;
        push.setKeepAlive(200, 800);
        push.setHandshakeTimeout(1000);
        push.backoff().setBase(std::chrono::milliseconds(50));
        push.backoff().setCap(std::chrono::milliseconds(200));
        push.setUrls({relay.wsUrl()});
        push.setToken(token);
        QSignalSpy welcomed(&push, &PushChannel::welcomed);
        QSignalSpy dropped(&push, &PushChannel::disconnected);
        push.start();
        QTRY_COMPARE_WITH_TIMEOUT(welcomed.count(), 1, 10000);
        QTest::qWait(600); // pings answered: still up
        QCOMPARE(dropped.count(), 0);
        relay.frozen = true; // the network silently dies
        QTRY_VERIFY_WITH_TIMEOUT(dropped.count() >= 1, 5000);
        QVERIFY2(dropped.first().first().toString().contains(QStringLiteral("dead")), qPrintable(dropped.first().first().toString()));
        relay.frozen = false;
        QTRY_VERIFY_WITH_TIMEOUT(welcomed.count() >= 2, 10000);

        // reconnectNow while waiting in a long backoff connects at once.
        push.backoff().setBase(std::chrono::seconds(60));
        push.backoff().setCap(std::chrono::seconds(60));
        gw.kill();
        QTRY_COMPARE_WITH_TIMEOUT(push.state(), PushChannel::State::WaitingToReconnect, 10000);
        GatewayProcess again(gw.dataDir());
        again.setPort(gw.port());
        QVERIFY(again.start());
        // Let the backoff draw a long wait first.
        QTest::qWait(300);
        const int before = welcomed.count();
        if (push.state() == PushChannel::State::WaitingToReconnect) {
            push.reconnectNow();
            QTRY_VERIFY_WITH_TIMEOUT(welcomed.count() > before, 5000);
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(welcomed.count() > before, 5000);
        }
        push.stop();
    }

    void badTokenStopsRetrying()
    {
        GatewayProcess gw;
        QVERIFY(gw.start());
        PushChannel push;
        push.backoff().setBase(std::chrono::milliseconds(20));
        push.setUrls({gw.wsUrl()});
        push.setToken(QStringLiteral("forged-token"));
        QSignalSpy authFailed(&push, &PushChannel::authenticationFailed);
        QSignalSpy stateSpy(&push, &PushChannel::stateChanged);
        push.start();
        QTRY_COMPARE_WITH_TIMEOUT(authFailed.count(), 1, 10000);
        QTest::qWait(300);
        QCOMPARE(authFailed.count(), 1);
        QCOMPARE(push.state(), PushChannel::State::Idle);
    }
};

QTEST_GUILESS_MAIN(TestPushChannel)
#include "tst_core_pushchannel.moc"
