// Security of the gateway's front doors (issue 8): every HTTP route of the route table and every
// WebSocket frame type of the protobuf descriptor refuses a caller without a token or with a wrong
// one, and changes nothing; tokens are kept only as hashes and found by hash; passwords are
// Argon2id at the configured cost; with debug logging, the logs hold no token, password or body.
#include "GatewayProcess.h"
#include "HttpApi.h"
#include "ProtocolClient.h"
#include "Secrets.h"
#include "TestEnv.h"

#include <QFile>
#include <QtTest>

#include <google/protobuf/descriptor.h>
#include <sodium.h>
#include <sqlite3.h>

using namespace hchat::test;
using namespace hchat::v1;
using hchat::server::HttpApi;

namespace {
// Frame types a client may send (the rest are the gateway's answers and pushes).
const QSet<QString> kClientFrames = {
    QStringLiteral("hello"),          QStringLiteral("join"),      QStringLiteral("leave"),
    QStringLiteral("create_channel"), QStringLiteral("invite"),    QStringLiteral("remove_member"),
    QStringLiteral("send"),           QStringLiteral("mark_read"), QStringLiteral("ping")};

// A frame of the given body field with plausible content (so that only authentication stops it).
Frame frameOf(const google::protobuf::FieldDescriptor *field)
{
    Frame f;
    const auto *reflection = f.GetReflection();
    google::protobuf::Message *body = reflection->MutableMessage(&f, field);
    const auto *d = body->GetDescriptor();
    const auto *r = body->GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
        const auto *bf = d->field(i);
        if (bf->is_repeated())
            continue;
        if (bf->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
            r->SetString(body, bf, bf->name() == "nick" ? "victim" : "target");
        } else if (bf->type() == google::protobuf::FieldDescriptor::TYPE_BYTES) {
            r->SetString(body, bf,
                         bf->name() == "client_msg_id" ? std::string(16, 'x') : std::string("payload"));
        } else if (bf->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT64) {
            r->SetUInt64(body, bf, 1);
        }
    }
    return f;
}

std::string blob(sqlite3_stmt *s, int col)
{
    return std::string(static_cast<const char *>(sqlite3_column_blob(s, col)),
                       size_t(sqlite3_column_bytes(s, col)));
}
} // namespace

class GatewaySecurity : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(sodium_init() >= 0);
        m_gw = std::make_unique<GatewayProcess>();
        m_gw->setExtraArguments({QStringLiteral("--log-level"), QStringLiteral("debug")});
        QVERIFY(m_gw->start());
        m_owner = std::make_unique<ProtocolClient>(*m_gw);
        QVERIFY(m_owner->registerAndLogin(QStringLiteral("owner")));
        QVERIFY(m_owner->connectAndHello());
        QVERIFY(m_owner->join(QStringLiteral("target")));
        QVERIFY(m_owner->send(QStringLiteral("target"), "first"));
    }
    void cleanupTestCase()
    {
        m_owner.reset();
        m_gw.reset();
    }

    void everyHttpRouteRefusesAMissingOrWrongToken()
    {
        const auto routes = HttpApi::routeList();
        QVERIFY(routes.size() >= 9);
        int guarded = 0;
        for (const auto &route : routes) {
            const QString path = QString::fromStdString(route.path);
            ProtocolClient anonymous(*m_gw);
            if (route.access == HttpApi::Access::Public) {
                // Register and login take no token; login with a wrong password is refused alike.
                if (path == QLatin1String("/v1/login")) {
                    const auto r =
                        anonymous.login(QStringLiteral("owner"), QStringLiteral("not the password"));
                    QCOMPARE(r.status, 401);
                    QVERIFY(anonymous.token.isEmpty());
                }
                continue;
            }
            ++guarded;
            const QByteArray method = QByteArray::fromStdString(route.method);
            const auto none = anonymous.request(method, path, QByteArray(), {}, false);
            QVERIFY2(none.status == 401 && none.error == ERROR_NOT_AUTHENTICATED,
                     qPrintable(QStringLiteral("%1 without a token: %2").arg(path).arg(none.status)));
            anonymous.token = QStringLiteral("not-a-token-") + path;
            const auto wrong = anonymous.request(method, path, QByteArray(), {}, true);
            QVERIFY2(wrong.status == 401 && wrong.error == ERROR_BAD_TOKEN,
                     qPrintable(QStringLiteral("%1 with a wrong token: %2").arg(path).arg(wrong.status)));
            // The owner's token with one character changed is just as wrong.
            anonymous.token = m_owner->token;
            anonymous.token[0] =
                anonymous.token.at(0) == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
            QCOMPARE(anonymous.request(method, path, QByteArray(), {}, true).status, 401);
        }
        QCOMPARE(guarded, int(routes.size()) - 2);
        // Nothing changed: the owner still holds exactly one device and one message.
        QCOMPARE(m_owner->syncAll(QStringLiteral("target")).size(), size_t(2)); // join + "first"
    }

    void everyClientFrameTypeRefusesAnUnauthenticatedSession()
    {
        const auto *body = Frame::descriptor()->FindOneofByName("body");
        QVERIFY(body);
        QSet<QString> seen;
        for (int i = 0; i < body->field_count(); ++i) {
            const auto *field = body->field(i);
            const QString name = QString::fromStdString(field->name());
            seen << name;
            if (name == QLatin1String("hello"))
                continue;
            // No Hello at all: the first frame is refused and the connection closed.
            {
                ProtocolClient c(*m_gw);
                QVERIFY(c.connectWs());
                const auto reply = c.request(frameOf(field));
                QVERIFY2(reply && reply->has_error() && reply->error().code() == ERROR_NOT_AUTHENTICATED,
                         qPrintable(name));
                QVERIFY2(c.waitForDisconnected(), qPrintable(name));
            }
            // A Hello with a wrong token, and the frame right behind it: refused, closed.
            {
                ProtocolClient c(*m_gw);
                QVERIFY(c.connectWs());
                Frame hello;
                hello.mutable_hello()->set_protocol_version(PROTOCOL_VERSION_CURRENT);
                hello.mutable_hello()->set_token("forged-token-for-" + field->name());
                const quint64 helloId = c.sendFrame(hello);
                const quint64 id = c.sendFrame(frameOf(field));
                const auto refused = c.waitForReply(helloId);
                QVERIFY2(refused && refused->has_error() && refused->error().code() == ERROR_BAD_TOKEN,
                         qPrintable(name));
                QVERIFY2(c.waitForDisconnected(), qPrintable(name));
                QVERIFY2(!c.hasReply(id) || c.reply(id).has_error(), qPrintable(name));
            }
        }
        // The descriptor lists what clients send and also the gateway's own frames.
        QVERIFY(seen.contains(kClientFrames));
        // Nothing any of them asked for happened.
        QCOMPARE(m_owner->syncAll(QStringLiteral("target")).size(), size_t(2));
    }

    void tokensAreKeptOnlyAsHashes()
    {
        ProtocolClient c(*m_gw);
        QVERIFY(c.registerAndLogin(QStringLiteral("hashed")));
        QVERIFY(c.connectAndHello());
        const QByteArray token = c.token.toUtf8();
        QVERIFY(token.size() >= 32);
        QTest::qWait(200);
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile f(m_gw->databasePath() + suffix);
            if (f.open(QIODevice::ReadOnly))
                QVERIFY2(!f.readAll().contains(token),
                         qPrintable(QStringLiteral("token in gateway.db") + suffix));
        }
        sqlite3 *db = nullptr;
        QCOMPARE(
            sqlite3_open_v2(m_gw->databasePath().toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
        sqlite3_stmt *s = nullptr;
        QCOMPARE(sqlite3_prepare_v2(db, "SELECT hash FROM tokens WHERE hash = ?", -1, &s, nullptr),
                 SQLITE_OK);
        const std::string hash = hchat::server::Secrets::tokenHash(token.toStdString());
        sqlite3_bind_blob(s, 1, hash.data(), int(hash.size()), SQLITE_TRANSIENT);
        QCOMPARE(sqlite3_step(s), SQLITE_ROW);
        QCOMPARE(blob(s, 0), hash);
        sqlite3_finalize(s);
        sqlite3_close(db);
    }

    void passwordsAreArgon2idAtTheConfiguredCost_data()
    {
        QTest::addColumn<QString>("cost");
        QTest::newRow("interactive") << QStringLiteral("interactive");
        QTest::newRow("moderate (the default)") << QString();
    }

    void passwordsAreArgon2idAtTheConfiguredCost()
    {
        QFETCH(QString, cost);
        QTemporaryDir dir(scratchRoot() + QStringLiteral("/pwcost-XXXXXX"));
        GatewayProcess gw(dir.path());
        if (cost.isEmpty())
            gw.setExtraArguments({QStringLiteral("--password-cost"), QStringLiteral("moderate")});
        QVERIFY(gw.start());
        ProtocolClient c(gw);
        const QString password = QStringLiteral("a password to hash");
        QVERIFY(c.registerUser(QStringLiteral("argon"), password).ok());
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open_v2(gw.databasePath().toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr),
                 SQLITE_OK);
        sqlite3_stmt *s = nullptr;
        QCOMPARE(
            sqlite3_prepare_v2(db, "SELECT password_hash FROM users WHERE nick = 'argon'", -1, &s, nullptr),
            SQLITE_OK);
        QCOMPARE(sqlite3_step(s), SQLITE_ROW);
        const std::string stored(reinterpret_cast<const char *>(sqlite3_column_text(s, 0)));
        sqlite3_finalize(s);
        sqlite3_close(db);
        QVERIFY2(stored.rfind("$argon2id$", 0) == 0, stored.c_str());
        const bool interactive = cost == QLatin1String("interactive");
        const auto ops = interactive ? crypto_pwhash_OPSLIMIT_INTERACTIVE : crypto_pwhash_OPSLIMIT_MODERATE;
        const auto mem = interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE : crypto_pwhash_MEMLIMIT_MODERATE;
        QCOMPARE(crypto_pwhash_str_needs_rehash(stored.c_str(), ops, mem), 0); // exactly this cost
        QCOMPARE(crypto_pwhash_str_verify(stored.c_str(), "a password to hash", 18), 0);
        QVERIFY(stored.find("a password to hash") == std::string::npos);
    }

    void debugLogsHoldNoTokenPasswordOrBody()
    {
        ProtocolClient c(*m_gw);
        const QString password = QStringLiteral("debug-log-password-9931");
        QVERIFY(c.registerAndLogin(QStringLiteral("logged"), password));
        QVERIFY(c.connectAndHello());
        QVERIFY(c.join(QStringLiteral("logbook")));
        QVERIFY(c.send(QStringLiteral("logbook"), "debug-log-body-5521"));
        c.sync(QStringLiteral("logbook"), 1);
        ProtocolClient other(*m_gw);
        other.login(QStringLiteral("logged"), QStringLiteral("debug-log-wrong-7788"));
        QTest::qWait(300);
        const QByteArray log = m_gw->output();
        // Debug logging is on and describes the traffic...
        QVERIFY(log.contains("debug hchat-gateway: committed logbook seq"));
        QVERIFY(log.contains("debug hchat-gateway: http POST /v1/login"));
        QVERIFY(log.contains("debug hchat-gateway: session authenticated: logged"));
        // ...without any secret or body.
        QVERIFY(!log.contains(password.toUtf8()));
        QVERIFY(!log.contains("debug-log-wrong-7788"));
        QVERIFY(!log.contains(c.token.toUtf8()));
        QVERIFY(!log.contains(m_owner->token.toUtf8()));
        QVERIFY(!log.contains("debug-log-body-5521"));
        QVERIFY(!log.contains("forged-token-for-"));
    }

private:
    std::unique_ptr<GatewayProcess> m_gw;
    std::unique_ptr<ProtocolClient> m_owner;
};

QTEST_GUILESS_MAIN(GatewaySecurity)
#include "tst_gateway_security.moc"
