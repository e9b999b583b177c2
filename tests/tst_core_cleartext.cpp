// The client core talks to a gateway on another machine only over TLS, unless the user allowed
// that host and port without it; a gateway on this machine needs no consent. No connection
// leaves the machine: a RecordingProxy is the application proxy and shows where the client
// tried to go.
#include "CleartextPolicy.h"
#include "CoreTestHelpers.h"
#include "RecordingProxy.h"

#include <QTcpServer>

using hchat::CleartextPolicy;
using hchat::Client;
using hchat::test::RecordingProxy;
using hchat::test::TestClient;

class CoreCleartext : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(m_proxy.install()); }
    void init() { m_proxy.clear(); }

    void loopbackIsThisMachineAndConsentIsPerHostAndPort()
    {
        for (const char *host :
             {"127.0.0.1", "127.12.0.9", "::1", "localhost", "LocalHost", "::ffff:127.0.0.1"})
            QVERIFY2(CleartextPolicy::isLoopbackHost(QString::fromLatin1(host)), host);
        for (const char *host : {"10.0.0.1", "0.0.0.0", "128.0.0.1", "example.invalid",
                                 "127.0.0.1.example.invalid", "localhost.example.invalid", "::2", ""})
            QVERIFY2(!CleartextPolicy::isLoopbackHost(QString::fromLatin1(host)), host);
        const QUrl remote(QStringLiteral("ws://10.0.0.1:8745/ws"));
        QVERIFY(CleartextPolicy::needsConsent(remote));
        QVERIFY(CleartextPolicy::needsConsent(QUrl(QStringLiteral("http://example.invalid"))));
        QVERIFY(!CleartextPolicy::needsConsent(QUrl(QStringLiteral("wss://10.0.0.1:8745/ws"))));
        QVERIFY(!CleartextPolicy::needsConsent(QUrl(QStringLiteral("ws://127.0.0.1:8745/ws"))));
        QVERIFY(!CleartextPolicy::needsConsent(QUrl(QStringLiteral("http://[::1]:8745"))));
        QCOMPARE(CleartextPolicy::authority(remote), QStringLiteral("10.0.0.1:8745"));
        QCOMPARE(CleartextPolicy::authority(QUrl(QStringLiteral("http://Example.invalid"))),
                 QStringLiteral("example.invalid:80"));
        QCOMPARE(CleartextPolicy::authority(QUrl(QStringLiteral("ws://[fd00::1]:8745/ws"))),
                 QStringLiteral("[fd00::1]:8745"));
        CleartextPolicy policy;
        QVERIFY(!policy.permits(remote));
        policy.allow(CleartextPolicy::authority(remote));
        QVERIFY(policy.permits(remote));
        QVERIFY(
            policy.permits(QUrl(QStringLiteral("http://10.0.0.1:8745/v1/login")))); // the same gateway's HTTP
        QVERIFY(!policy.permits(QUrl(QStringLiteral("ws://10.0.0.1:8746/ws"))));
        QVERIFY(!policy.permits(QUrl(QStringLiteral("ws://10.0.0.2:8745/ws"))));
    }

    void cleartextToAnotherMachineIsRefusedUntilAllowed()
    {
        const QUrl remote(QStringLiteral("ws://10.0.0.1:8745/ws"));
        TestClient first;
        QSignalSpy errors(first.client.get(), &Client::errorOccurred);
        first->setGatewayUrls({remote});
        QVERIFY(!first->isCleartextAllowed(remote));

        // Neither the log-in (HTTP) nor the session (WebSocket) goes anywhere.
        QString error;
        QVERIFY(!first.run(first->logIn(QStringLiteral("olga"), QStringLiteral("a password"), {}), &error));
        QVERIFY2(error.contains(QStringLiteral("without encryption")), qPrintable(error));
        first->startSession(QStringLiteral("a token"));
        QTRY_VERIFY(!errors.isEmpty());
        QVERIFY2(errors.last().at(0).toString().contains(QStringLiteral("without encryption")),
                 qPrintable(errors.last().at(0).toString()));
        QTest::qWait(500);
        QVERIFY2(m_proxy.requestLines().isEmpty(), m_proxy.requestLines().join('\n').constData());
        first->disconnectFromGateway();

        // Allowed: this host and port only, kept in the profile.
        first->allowCleartext(remote);
        QVERIFY(first->isCleartextAllowed(remote));
        QVERIFY(!first->isCleartextAllowed(QUrl(QStringLiteral("ws://10.0.0.1:9999/ws"))));
        QVERIFY(!first.run(first->logIn(QStringLiteral("olga"), QStringLiteral("a password"), {}), &error));
        QVERIFY2(!error.contains(QStringLiteral("without encryption")), qPrintable(error));
        QVERIFY2(m_proxy.sawRequestFor("10.0.0.1:8745"), m_proxy.requestLines().join('\n').constData());
        m_proxy.clear();
        first->startSession(QStringLiteral("a token"));
        QTRY_VERIFY2(m_proxy.sawRequestFor("10.0.0.1:8745"), m_proxy.requestLines().join('\n').constData());
        first->disconnectFromGateway();

        const QString profile = first.dir->path();
        first.client.reset();
        TestClient again(profile);
        QVERIFY(again->isCleartextAllowed(remote));
        QVERIFY(!again->isCleartextAllowed(QUrl(QStringLiteral("ws://10.0.0.2:8745/ws"))));
    }

    void aGatewayOnThisMachineNeedsNoConsent()
    {
        QTcpServer probe; // a port nothing listens on
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        const QUrl local(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port));
        TestClient client;
        client->setGatewayUrls({local});
        QVERIFY(client->isCleartextAllowed(local));
        QString error;
        QVERIFY(!client.run(client->logIn(QStringLiteral("olga"), QStringLiteral("a password"), {}), &error));
        QVERIFY2(!error.contains(QStringLiteral("without encryption")), qPrintable(error));
        QVERIFY2(m_proxy.requestLines().isEmpty(), m_proxy.requestLines().join('\n').constData());
    }

private:
    RecordingProxy m_proxy;
};

QTEST_MAIN(CoreCleartext)
#include "tst_core_cleartext.moc"
