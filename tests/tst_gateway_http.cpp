// The gateway's HTTP side and process behaviour: health and metrics, accounts, devices and keys,
// logout and revocation, the command line and config file, schema versioning, TLS, and logs that
// never hold secrets.
#include "GatewayProcess.h"
#include "ProtocolClient.h"
#include "TestEnv.h"

#include <QFile>
#include <QtTest>

#include <sodium.h>
#include <sqlite3.h>

using namespace hchat::test;
using namespace hchat::v1;

class GatewayHttp : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void healthAndMetrics();
    void metricsOnTheirOwnAddress();
    void unknownPathAndMethod();
    void registerValidation();
    void logoutRevokesTokenAndClosesSessions();
    void devicesListAndRevoke();
    void keyDirectory();
    void logsHoldNoSecrets();
    void badCommandLineExitsTwo();
    void configFile();
    void newerSchemaIsRefused();
    void tlsServesHttpsAndWss();
    void tls12AcceptsOnlyEcdheWithAead();

private:
    std::unique_ptr<GatewayProcess> m_gw;
};

namespace {
const QString kPassword = QStringLiteral("correct horse battery");

struct Run {
    int exitCode = -1;
    QByteArray out;
};
Run runGateway(const QStringList &args, int timeoutMs = 10000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(HCHAT_GATEWAY_BINARY), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.out = p.readAll();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}
// A certificate for 127.0.0.1 and its key, made by the openssl command; newKey: what follows
// -newkey (the key type and its options). An empty answer, or what openssl said.
QString selfSignedCertificate(const QString &cert, const QString &key, const QStringList &newKey)
{
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(QStringLiteral("openssl"),
                  QStringList{QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey")} +
                      newKey +
                      QStringList{QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                                  QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
                                  QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")});
    if (!openssl.waitForFinished(60000))
        return QStringLiteral("openssl did not finish");
    return openssl.exitCode() == 0 ? QString() : QString::fromUtf8(openssl.readAll());
}
} // namespace

void GatewayHttp::initTestCase()
{
    QVERIFY(sodium_init() >= 0);
    m_gw = std::make_unique<GatewayProcess>();
    QVERIFY2(m_gw->start(), m_gw->output().constData());
}

void GatewayHttp::healthAndMetrics()
{
    ProtocolClient c(*m_gw);
    auto r = c.get(QStringLiteral("/healthz"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.trimmed(), QByteArray("ok"));
    QVERIFY(c.registerAndLogin(QStringLiteral("metered")));
    QVERIFY(c.connectAndHello());
    QVERIFY(c.join(QStringLiteral("metrics")));
    QVERIFY(c.send(QStringLiteral("metrics"), "counted"));
    c.sync(QStringLiteral("metrics"), 1);
    // Not served on the public port without the operator's metrics token.
    QCOMPARE(c.get(QStringLiteral("/metrics")).status, 404);
    QCOMPARE(c.request("GET", QStringLiteral("/metrics"), {},
                       {{"Authorization", "Bearer not-the-metrics-token!"}}, false)
                 .status,
             404);
    r = c.request("GET", QStringLiteral("/metrics"), {},
                  {{"Authorization", "Bearer " + m_gw->metricsToken().toLatin1()}}, false);
    QCOMPARE(r.status, 200);
    const QString text = QString::fromUtf8(r.body);
    for (const char *name :
         {"hchat_connections", "hchat_messages_stored_total", "hchat_store_transactions_total",
          "hchat_pushes_sent_total", "hchat_sync_requests_total",
          "hchat_errors_total{code=\"ERROR_RATE_LIMITED\"}", "hchat_store_latency_seconds_bucket",
          "hchat_store_latency_seconds_count", "hchat_store_latency_seconds_sum",
          "# TYPE hchat_store_latency_seconds histogram"})
        QVERIFY2(text.contains(QLatin1String(name)), name);
    QCOMPARE(c.metric(QStringLiteral("hchat_connections")), 1.0);
    QVERIFY(c.metric(QStringLiteral("hchat_messages_stored_total")) >= 2);
    QVERIFY(c.metric(QStringLiteral("hchat_pushes_sent_total")) >= 2);
    QVERIFY(c.metric(QStringLiteral("hchat_sync_requests_total")) >= 1);
}

// --metrics-listen: a plain listener of its own serves /metrics without a token, and nothing but
// /metrics and /healthz (no API, no WebSocket).
void GatewayHttp::metricsOnTheirOwnAddress()
{
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--metrics-listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY2(gw.start(), gw.output().constData());
    const QRegularExpression re(QStringLiteral("hchat-gateway metrics on 127\\.0\\.0\\.1:(\\d+)"));
    const auto m = re.match(QString::fromUtf8(gw.output()));
    QVERIFY2(m.hasMatch(), gw.output().constData());
    const QUrl base(QStringLiteral("http://127.0.0.1:%1").arg(m.captured(1)));
    ProtocolClient metrics(base, QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m.captured(1))));
    const auto r = metrics.get(QStringLiteral("/metrics"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.contains("hchat_connections "));
    QCOMPARE(metrics.get(QStringLiteral("/healthz")).status, 200);
    QCOMPARE(metrics.registerUser(QStringLiteral("sideways"), QStringLiteral("correct horse battery")).status,
             404);
    QVERIFY(!metrics.connectWs(3000));
    // The public port still wants the token.
    ProtocolClient pub(gw);
    QCOMPARE(pub.get(QStringLiteral("/metrics")).status, 404);
}

void GatewayHttp::unknownPathAndMethod()
{
    ProtocolClient c(*m_gw);
    auto r = c.post(QStringLiteral("/v1/nothing"), QByteArray());
    QCOMPARE(r.status, 404);
    QCOMPARE(r.error, ERROR_NOT_FOUND);
    r = c.get(QStringLiteral("/v1/sync"));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
}

void GatewayHttp::registerValidation()
{
    ProtocolClient c(*m_gw);
    auto r = c.registerUser(QStringLiteral("shortpw"), QStringLiteral("1234567"));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    r = c.registerUser(QString(33, QLatin1Char('n')), kPassword);
    QCOMPARE(r.error, ERROR_INVALID_NAME);
    r = c.registerUser(QString(32, QLatin1Char('n')), kPassword);
    QCOMPARE(r.status, 200);
    RegisterResponse res;
    QVERIFY(res.ParseFromArray(r.body.constData(), int(r.body.size())));
    QCOMPARE(res.nick(), std::string(32, 'n'));
}

void GatewayHttp::logoutRevokesTokenAndClosesSessions()
{
    ProtocolClient c(*m_gw);
    QVERIFY(c.registerAndLogin(QStringLiteral("leaver")));
    QVERIFY(c.connectAndHello());
    auto r = c.post(QStringLiteral("/v1/logout"), QByteArray());
    QCOMPARE(r.status, 200);
    QVERIFY(c.waitForDisconnected(5000));
    ChannelList list;
    r = c.post(QStringLiteral("/v1/channels"), Ok(), &list);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.error, ERROR_BAD_TOKEN);
}

void GatewayHttp::devicesListAndRevoke()
{
    ProtocolClient phone(*m_gw), laptop(*m_gw);
    QVERIFY(phone.registerAndLogin(QStringLiteral("twodevices")));
    QVERIFY(laptop.login(QStringLiteral("twodevices"), kPassword).ok());
    QVERIFY(laptop.connectAndHello());
    DeviceList list;
    QVERIFY(phone.post(QStringLiteral("/v1/devices"), Ok(), &list).ok());
    QCOMPARE(list.devices_size(), 2);
    int current = 0;
    for (const auto &d : list.devices())
        if (d.current()) {
            ++current;
            QCOMPARE(QString::fromStdString(d.device_id()), phone.deviceId);
        }
    QCOMPARE(current, 1);
    // Someone else cannot revoke it.
    ProtocolClient stranger(*m_gw);
    QVERIFY(stranger.registerAndLogin(QStringLiteral("stranger")));
    RevokeDevice revoke;
    revoke.set_device_id(laptop.deviceId.toStdString());
    auto r = stranger.post(QStringLiteral("/v1/devices/revoke"), revoke);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.error, ERROR_NOT_FOUND);
    // The owner can: the laptop's session is closed and its token is dead at once.
    r = phone.post(QStringLiteral("/v1/devices/revoke"), revoke);
    QCOMPARE(r.status, 200);
    QVERIFY(laptop.waitForDisconnected(5000));
    ProtocolClient::HttpResult sr;
    laptop.sync(QStringLiteral("~") + laptop.deviceId, 1, 0, &sr);
    QCOMPARE(sr.status, 401);
    QCOMPARE(sr.error, ERROR_BAD_TOKEN);
    QVERIFY(phone.post(QStringLiteral("/v1/devices"), Ok(), &list).ok());
    QCOMPARE(list.devices_size(), 1);
    // Logging in again with the revoked device id gets a new device.
    ProtocolClient again(*m_gw);
    QVERIFY(again.login(QStringLiteral("twodevices"), kPassword, laptop.deviceId).ok());
    QVERIFY(again.deviceId != laptop.deviceId);
}

void GatewayHttp::keyDirectory()
{
    ProtocolClient a(*m_gw), b(*m_gw);
    QVERIFY(a.registerAndLogin(QStringLiteral("keyholder")));
    QVERIFY(b.registerAndLogin(QStringLiteral("keyfetcher")));
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES],
        xpk[crypto_scalarmult_BYTES];
    crypto_sign_keypair(pk, sk);
    QVERIFY(crypto_sign_ed25519_pk_to_curve25519(xpk, pk) == 0);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, xpk, sizeof xpk, sk);
    DeviceKeys keys;
    keys.set_nick("someone-else"); // ignored: taken from the token
    keys.set_identity_key(pk, sizeof pk);
    keys.set_exchange_key(xpk, sizeof xpk);
    keys.set_signature(sig, sizeof sig);
    QVERIFY(a.post(QStringLiteral("/v1/keys/publish"), keys).ok());
    // A bad signature is refused.
    DeviceKeys bad = keys;
    (*bad.mutable_signature())[0] ^= 1;
    auto r = a.post(QStringLiteral("/v1/keys/publish"), bad);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);

    KeysRequest req;
    req.add_nicks("KeyHolder");
    req.add_nicks("nobody-such");
    KeysResponse res;
    QVERIFY(b.post(QStringLiteral("/v1/keys/fetch"), req, &res).ok());
    QCOMPARE(res.devices_size(), 1);
    QCOMPARE(res.devices(0).nick(), std::string("keyholder"));
    QCOMPARE(QString::fromStdString(res.devices(0).device_id()), a.deviceId);
    QCOMPARE(res.devices(0).identity_key(), keys.identity_key());
    QCOMPARE(res.devices(0).exchange_key(), keys.exchange_key());
    QCOMPARE(res.devices(0).signature(), keys.signature());
}

void GatewayHttp::logsHoldNoSecrets()
{
    ProtocolClient c(*m_gw);
    const QString password = QStringLiteral("very-secret-password-4711");
    QVERIFY(c.registerAndLogin(QStringLiteral("secretive"), password));
    QVERIFY(c.connectAndHello());
    QVERIFY(c.join(QStringLiteral("quiet")));
    QVERIFY(c.send(QStringLiteral("quiet"), "the body nobody may log"));
    c.login(QStringLiteral("secretive"), QStringLiteral("wrong-password-0815"));
    QTest::qWait(200);
    const QByteArray log = m_gw->output();
    QVERIFY(!log.contains(password.toUtf8()));
    QVERIFY(!log.contains("wrong-password-0815"));
    QVERIFY(!log.contains(c.token.toUtf8()));
    QVERIFY(!log.contains("the body nobody may log"));
    QVERIFY(log.contains("listening on"));
}

void GatewayHttp::badCommandLineExitsTwo()
{
    const QString db = scratchRoot() + QStringLiteral("/cli-never-created.db");
    struct Case {
        QStringList args;
        const char *mentions;
    };
    const QList<Case> cases = {
        {{QStringLiteral("--listen"), QStringLiteral("nonsense"), QStringLiteral("--db"), db}, "--listen"},
        {{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:99999"), QStringLiteral("--db"), db}, "port"},
        {{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db,
          QStringLiteral("--password-cost"), QStringLiteral("extreme")},
         "--password-cost"},
        {{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db,
          QStringLiteral("--threads"), QStringLiteral("many")},
         "--threads"},
        {{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")}, "--db"},
        {{QStringLiteral("--frobnicate")}, "unknown option"},
        {{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db,
          QStringLiteral("--tls-cert"), QStringLiteral("only-cert.pem")},
         "--tls-key"},
    };
    for (const auto &c : cases) {
        const Run r = runGateway(c.args);
        QVERIFY2(r.exitCode == 2, qPrintable(c.args.join(QLatin1Char(' ')) + QStringLiteral(" → ") +
                                             QString::number(r.exitCode)));
        QVERIFY2(r.out.contains(c.mentions), r.out.constData());
    }
    QVERIFY(!QFile::exists(db));
    const Run version = runGateway({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("hchat-gateway "));
    const Run help = runGateway({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("--max-connections-per-address"));
    // Every option --help names with a value is one the parser takes (--version stops before
    // the values are checked, so any value will do): the help and the parser cannot drift apart.
    static const QRegularExpression option(QStringLiteral("^  --([a-z-]+) [A-Z]"),
                                           QRegularExpression::MultilineOption);
    int named = 0;
    for (auto it = option.globalMatch(QString::fromUtf8(help.out)); it.hasNext(); ++named) {
        const QString name = it.next().captured(1);
        const Run r =
            runGateway({QStringLiteral("--") + name, QStringLiteral("1"), QStringLiteral("--version")});
        QVERIFY2(r.exitCode == 0, qPrintable(QStringLiteral("--%1: %2").arg(name, QString::fromUtf8(r.out))));
    }
    QVERIFY2(named >= 18, qPrintable(QString::number(named)));
}

void GatewayHttp::configFile()
{
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/config-XXXXXX"));
    const QString conf = dir.path() + QStringLiteral("/gateway.conf");
    QFile f(conf);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("# hchat-gateway settings\nlisten = 127.0.0.1:0\ndb = " + dir.path().toUtf8() +
            "/conf.db\npassword-cost = interactive\nrate-limit = 50\n");
    f.close();
    QProcess p;
    p.start(QStringLiteral(HCHAT_GATEWAY_BINARY), {QStringLiteral("--config"), conf});
    QVERIFY(p.waitForStarted());
    QByteArray out;
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            out += p.readAllStandardOutput();
            return out.contains("listening on") || p.state() == QProcess::NotRunning;
        },
        10000));
    QVERIFY2(out.startsWith("hchat-gateway listening on 127.0.0.1:"), out.constData());
    QCOMPARE(out.count('\n'), 1);
    p.terminate();
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFile::exists(dir.path() + QStringLiteral("/conf.db")));
    // A bad line is reported with its line number.
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("listen = 127.0.0.1:0\nthreads = lots\n");
    f.close();
    const Run r = runGateway({QStringLiteral("--config"), conf});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.out.contains("gateway.conf:2"), r.out.constData());
}

void GatewayHttp::newerSchemaIsRefused()
{
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/schema-XXXXXX"));
    {
        GatewayProcess gw(dir.path());
        QVERIFY2(gw.start(), gw.output().constData());
        QCOMPARE(gw.terminate(), 0);
    }
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open((dir.path() + QStringLiteral("/gateway.db")).toUtf8().constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(db);
    const Run r = runGateway({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                              QStringLiteral("--db"), dir.path() + QStringLiteral("/gateway.db")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("schema version 99") && r.out.contains("newer"), r.out.constData());
    QVERIFY(!r.out.contains("listening on"));
}

void GatewayHttp::tlsServesHttpsAndWss()
{
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/tls-XXXXXX"));
    const QString cert = dir.path() + QStringLiteral("/cert.pem");
    const QString key = dir.path() + QStringLiteral("/key.pem");
    const QString made = selfSignedCertificate(
        cert, key,
        {QStringLiteral("ec"), QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1")});
    QVERIFY2(made.isEmpty(), qPrintable(made));

    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key});
    QVERIFY2(gw.start(), gw.output().constData());
    QUrl https = gw.httpUrl();
    https.setScheme(QStringLiteral("https"));
    QUrl wss = gw.wsUrl();
    wss.setScheme(QStringLiteral("wss"));
    ProtocolClient c(https, wss);
    c.setIgnoreSslErrors(true);
    auto r = c.get(QStringLiteral("/healthz"));
    QCOMPARE(r.status, 200);
    QVERIFY(c.registerAndLogin(QStringLiteral("tlsuser")));
    QVERIFY(c.connectAndHello());
    QVERIFY(c.join(QStringLiteral("encrypted-transport")));
    auto ack = c.send(QStringLiteral("encrypted-transport"), "over tls");
    QVERIFY(ack);
    QCOMPARE(ack->seq(), 2u);
    QVERIFY(ProtocolClient::waitFor(
        [&] { return c.pushedMessages(QStringLiteral("encrypted-transport")).size() == 2; }, 5000));
    // Plain HTTP on the TLS port gets nothing useful.
    ProtocolClient plain(gw);
    QCOMPARE(plain.get(QStringLiteral("/healthz"), 5000).status, 0);
    QCOMPARE(gw.terminate(), 0);
}

// TLS 1.2 is limited to forward-secret key exchange (ECDHE) with AEAD ciphers: static RSA and CBC
// suites fail the handshake (before, `openssl s_client -tls1_2 -cipher AES128-SHA` connected).
// An RSA certificate, so that the RSA suites could be chosen at all.
void GatewayHttp::tls12AcceptsOnlyEcdheWithAead()
{
    QTemporaryDir dir(scratchRoot() + QStringLiteral("/tls-rsa-XXXXXX"));
    const QString cert = dir.path() + QStringLiteral("/cert.pem");
    const QString key = dir.path() + QStringLiteral("/key.pem");
    const QString made = selfSignedCertificate(cert, key, {QStringLiteral("rsa:2048")});
    QVERIFY2(made.isEmpty(), qPrintable(made));
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key});
    QVERIFY2(gw.start(), gw.output().constData());
    auto handshake = [&](const QStringList &how) {
        QProcess client;
        client.setProcessChannelMode(QProcess::MergedChannels);
        client.start(QStringLiteral("openssl"),
                     QStringList{QStringLiteral("s_client"), QStringLiteral("-connect"),
                                 QStringLiteral("127.0.0.1:%1").arg(gw.port())} +
                         how);
        client.closeWriteChannel();
        if (!client.waitForFinished(20000))
            return -1;
        return client.exitCode();
    };
    for (const char *weak :
         {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384"})
        QVERIFY2(
            handshake({QStringLiteral("-tls1_2"), QStringLiteral("-cipher"), QString::fromLatin1(weak)}) != 0,
            weak);
    for (const char *strong : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305"})
        QVERIFY2(handshake({QStringLiteral("-tls1_2"), QStringLiteral("-cipher"),
                            QString::fromLatin1(strong)}) == 0,
                 strong);
    QCOMPARE(handshake({QStringLiteral("-tls1_3")}), 0);
    QVERIFY(handshake({QStringLiteral("-tls1_1")}) != 0);
}

QTEST_GUILESS_MAIN(GatewayHttp)
#include "tst_gateway_http.moc"
