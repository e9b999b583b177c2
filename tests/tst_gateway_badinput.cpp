// Bad input, one test function each: every one is answered with the error code docs/PROTOCOL.md
// documents, stores nothing, and leaves the gateway serving everyone else.
#include "GatewayProcess.h"
#include "ProtocolClient.h"
#include "RawHttpExchange.h"

#include <QFile>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

using namespace hchat::test;
using namespace hchat::v1;

namespace {

// VmHWM / VmRSS of a process in kB (from /proc/<pid>/status).
qint64 procStatusKb(qint64 pid, const char *field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field)) + 1).trimmed().split(' ').first().toLongLong();
    return -1;
}

struct RawHttpAnswer {
    int status = 0;
    QByteArray body;
    qint64 bytesSent = 0;
    qint64 peakRssKb = 0;
};

// Parses "HTTP/1.1 413 ...\r\n...\r\n\r\nbody" (Content-Length bodies).
bool parseHttp(const QByteArray &raw, RawHttpAnswer &out)
{
    const int headerEnd = int(raw.indexOf("\r\n\r\n"));
    if (!raw.startsWith("HTTP/1.1 ") || headerEnd < 0)
        return false;
    out.status = raw.mid(9, 3).toInt();
    qint64 length = 0;
    for (const QByteArray &line : raw.left(headerEnd).split('\n'))
        if (line.toLower().startsWith("content-length:"))
            length = line.mid(15).trimmed().toLongLong();
    if (raw.size() < headerEnd + 4 + length)
        return false;
    out.body = raw.mid(headerEnd + 4, int(length));
    return true;
}

} // namespace

class GatewayBadInput : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void malformedProtobuf();
    void oversizedFrame();
    void oversizedHttpBody();
    void oversizedChunkedHttpBody();
    void malformedChunkedBodyIsAnsweredAsMalformed();
    void unknownFrameType();
    void sendBeforeAuth();
    void wrongPassword();
    void forgedToken();
    void expiredToken();
    void syncForChannelNotJoined();
    void syncLimitAboveCap();
    void sqlMetacharactersInNickAndChannel();
    void invalidSendFields();
    void rateLimitExceeded();
    void connectionLimitExceeded();

private:
    // The witness: a member of `witness-room` who must be served after every bad input.
    void verifyStillServing();
    quint64 storedMessages()
    {
        return quint64(m_witness->metric(QStringLiteral("hchat_messages_stored_total")));
    }
    RawHttpAnswer streamHugeBody(quint16 port, const QByteArray &head, qint64 bodyBytes, qint64 pid);

    std::unique_ptr<GatewayProcess> m_gw;
    std::unique_ptr<ProtocolClient> m_witness;
    std::unique_ptr<ProtocolClient> m_bad; // logged in, joined `target`
    quint64 m_stored = 0;
};

void GatewayBadInput::initTestCase()
{
    m_gw = std::make_unique<GatewayProcess>();
    m_gw->setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY2(m_gw->start(), m_gw->output().constData());
    m_witness = std::make_unique<ProtocolClient>(*m_gw);
    QVERIFY(m_witness->registerAndLogin(QStringLiteral("witness")));
    QVERIFY(m_witness->connectAndHello());
    QVERIFY(m_witness->join(QStringLiteral("witness-room")));
    m_bad = std::make_unique<ProtocolClient>(*m_gw);
    QVERIFY(m_bad->registerAndLogin(QStringLiteral("mallory")));
    QVERIFY(m_bad->connectAndHello());
    QVERIFY(m_bad->join(QStringLiteral("target")));
    m_stored = storedMessages();
}

void GatewayBadInput::cleanup()
{
    verifyStillServing();
}

void GatewayBadInput::verifyStillServing()
{
    QVERIFY2(m_gw->isRunning(), m_gw->output().constData());
    // Nothing was stored by the bad input (the witness's own sends are counted in).
    QCOMPARE(storedMessages(), m_stored);
    if (!m_witness->isConnected())
        QVERIFY(m_witness->connectAndHello());
    auto ack = m_witness->send(QStringLiteral("witness-room"), "still here");
    QVERIFY(ack);
    ++m_stored;
    QCOMPARE(storedMessages(), m_stored);
    if (!m_bad->isConnected()) {
        m_bad = std::make_unique<ProtocolClient>(*m_gw);
        QVERIFY(m_bad->login(QStringLiteral("mallory"), QStringLiteral("correct horse battery")).ok());
        QVERIFY(m_bad->connectAndHello());
    }
}

void GatewayBadInput::malformedProtobuf()
{
    // Authenticated: an Error with request id 0, the session stays.
    m_bad->clearReceived();
    m_bad->sendRaw(QByteArray("\x52\x10\x0a\x05", 4));
    QVERIFY(ProtocolClient::waitFor([&] { return !m_bad->frames().isEmpty(); }, 5000));
    QVERIFY(m_bad->frames().first().has_error());
    QCOMPARE(m_bad->frames().first().error().code(), ERROR_MALFORMED);
    QCOMPARE(m_bad->frames().first().request_id(), 0u);
    QVERIFY(m_bad->isConnected());
    // A text message is malformed too.
    m_bad->clearReceived();
    m_bad->socket().sendTextMessage(QStringLiteral("{\"send\": \"json\"}"));
    QVERIFY(ProtocolClient::waitFor([&] { return !m_bad->frames().isEmpty(); }, 5000));
    QCOMPARE(m_bad->frames().first().error().code(), ERROR_MALFORMED);
    // Before authentication: the Error, then the connection is closed.
    ProtocolClient fresh(*m_gw);
    QVERIFY(fresh.connectWs());
    fresh.sendRaw(QByteArray("\xff\xff\xff\xff garbage", 12));
    QVERIFY(fresh.waitForDisconnected(5000));
    QVERIFY(!fresh.frames().isEmpty());
    QCOMPARE(fresh.frames().first().error().code(), ERROR_MALFORMED);
    // Over HTTP: 400 with ERROR_MALFORMED.
    auto r = m_bad->post(QStringLiteral("/v1/sync"), QByteArray("\x0a\x50zz", 4));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error, ERROR_MALFORMED);
}

void GatewayBadInput::oversizedFrame()
{
    // A body above MAX_BODY_BYTES inside a legal frame: ERROR_TOO_LARGE, the session stays.
    Error err;
    QVERIFY(!m_bad->send(QStringLiteral("target"), QByteArray(70 * 1024, 'x'), {}, &err));
    QCOMPARE(err.code(), ERROR_TOO_LARGE);
    QVERIFY(m_bad->isConnected());
    // A frame above MAX_FRAME_BYTES: the connection is closed with 1009 (message too big).
    Frame f;
    f.mutable_send()->set_channel("target");
    f.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    f.mutable_send()->set_body(std::string(300 * 1024, 'y'));
    m_bad->sendFrame(f);
    QVERIFY(m_bad->waitForDisconnected(10000));
    QCOMPARE(m_bad->closeCode(), 1009);
    QVERIFY(m_witness->metric(QStringLiteral("hchat_errors_total{code=\"ERROR_TOO_LARGE\"}")) >= 2);
}

// Streams `head` and then up to `bodyBytes` through a plain socket, as fast as the gateway takes
// them, until the gateway closes the connection; samples the gateway's RSS meanwhile.
RawHttpAnswer GatewayBadInput::streamHugeBody(quint16 port, const QByteArray &head, qint64 bodyBytes,
                                              qint64 pid)
{
    RawHttpAnswer answer;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return answer;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return answer;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    QByteArray out = head;
    qint64 headLeft = head.size();
    const QByteArray chunk(256 * 1024, 'z');
    QByteArray received;
    char buf[16384];
    QElapsedTimer timer;
    timer.start();
    qint64 sent = 0;
    bool writable = true;
    bool readable = true;
    int samples = 0;
    while (timer.elapsed() < 60000 && (writable || readable)) {
        pollfd p{fd, short((readable ? POLLIN : 0) | (writable ? POLLOUT : 0)), 0};
        if (::poll(&p, 1, 20) < 0)
            break;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            const auto n = ::recv(fd, buf, sizeof buf, 0);
            if (n > 0)
                received.append(buf, int(n));
            else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                readable = false; // the gateway closed its side; keep sending until it resets
        }
        if (writable && (p.revents & POLLOUT)) {
            const char *data = headLeft > 0 ? out.constData() + (out.size() - headLeft) : chunk.constData();
            qint64 len = headLeft > 0 ? headLeft : std::min<qint64>(chunk.size(), bodyBytes - sent);
            const auto n = ::send(fd, data, size_t(len), MSG_NOSIGNAL);
            if (n > 0) {
                if (headLeft > 0)
                    headLeft -= n;
                else
                    sent += n;
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                writable = false; // reset or shut down by the gateway: read what it answered
            }
            if (sent >= bodyBytes)
                writable = false;
        }
        if (++samples % 16 == 0)
            answer.peakRssKb = std::max(answer.peakRssKb, procStatusKb(pid, "VmRSS:"));
        if (!writable && parseHttp(received, answer))
            break;
    }
    ::close(fd);
    answer.bytesSent = sent;
    parseHttp(received, answer);
    answer.peakRssKb = std::max(answer.peakRssKb, procStatusKb(pid, "VmRSS:"));
    return answer;
}

void GatewayBadInput::oversizedHttpBody()
{
    const qint64 pid = m_gw->pid();
    const qint64 hwmBefore = procStatusKb(pid, "VmHWM:");
    const qint64 rssBefore = procStatusKb(pid, "VmRSS:");
    QVERIFY(hwmBefore > 0 && rssBefore > 0);
    const qint64 size = 200LL * 1024 * 1024;
    const QByteArray head =
        "POST /v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
        "Authorization: Bearer " +
        m_bad->token.toUtf8() + "\r\nContent-Length: " + QByteArray::number(size) + "\r\n\r\n";
    const auto answer = streamHugeBody(m_gw->port(), head, size, pid);
    QCOMPARE(answer.status, 413);
    Error e;
    QVERIFY(e.ParseFromArray(answer.body.constData(), int(answer.body.size())));
    QCOMPARE(e.code(), ERROR_TOO_LARGE);
    const qint64 hwmAfter = procStatusKb(pid, "VmHWM:");
    qInfo("sent %lld bytes; VmHWM %lld -> %lld kB; VmRSS %lld -> peak %lld kB", answer.bytesSent, hwmBefore,
          hwmAfter, rssBefore, answer.peakRssKb);
    QVERIFY2(hwmAfter - hwmBefore < 10 * 1024, "peak RSS grew by 10 MB or more");
    QVERIFY2(answer.peakRssKb - rssBefore < 10 * 1024, "RSS grew by 10 MB or more");
}

void GatewayBadInput::oversizedChunkedHttpBody()
{
    // No Content-Length to refuse up front: the body limit stops the read at 1 MiB.
    const qint64 pid = m_gw->pid();
    const qint64 rssBefore = procStatusKb(pid, "VmRSS:");
    QTcpSocket sock;
    sock.connectToHost(QStringLiteral("127.0.0.1"), m_gw->port());
    QVERIFY(sock.waitForConnected(5000));
    sock.write("POST /v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    const QByteArray chunk = QByteArray::number(64 * 1024, 16) + "\r\n" + QByteArray(64 * 1024, 'q') + "\r\n";
    QByteArray received;
    RawHttpAnswer answer;
    for (int i = 0; i < 32 * 16 && sock.state() == QAbstractSocket::ConnectedState; ++i) { // up to 32 MiB
        sock.write(chunk);
        sock.waitForBytesWritten(50);
        received += sock.readAll();
        if (parseHttp(received, answer))
            break;
    }
    QElapsedTimer wait;
    wait.start();
    while (!parseHttp(received, answer) && wait.elapsed() < 10000 &&
           (sock.state() == QAbstractSocket::ConnectedState || sock.bytesAvailable())) {
        sock.waitForReadyRead(50);
        received += sock.readAll();
    }
    QCOMPARE(answer.status, 413);
    Error e;
    QVERIFY(e.ParseFromArray(answer.body.constData(), int(answer.body.size())));
    QCOMPARE(e.code(), ERROR_TOO_LARGE);
    QVERIFY(procStatusKb(pid, "VmRSS:") - rssBefore < 10 * 1024);
}

void GatewayBadInput::unknownFrameType()
{
    // An empty Frame (no body).
    Frame empty;
    empty.set_request_id(777);
    auto reply = m_bad->request(empty);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->request_id(), 777u);
    QCOMPARE(reply->error().code(), ERROR_UNKNOWN_FRAME);
    // Frames only the gateway sends.
    Frame ack;
    ack.mutable_send_ack()->set_channel("target");
    ack.mutable_send_ack()->set_seq(99);
    reply = m_bad->request(ack);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_UNKNOWN_FRAME);
    Frame push;
    push.mutable_push()->mutable_message()->set_channel("target");
    push.mutable_push()->mutable_message()->set_body("forged push");
    reply = m_bad->request(push);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_UNKNOWN_FRAME);
    // An unknown field number (a newer client's frame) parses as an empty body: the same answer.
    reply = std::nullopt;
    m_bad->clearReceived();
    m_bad->sendRaw(QByteArray("\x08\x2a\xfa\x06\x00", 5)); // request_id 42, field 111 (empty)
    reply = m_bad->waitForReply(42);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_UNKNOWN_FRAME);
    QVERIFY(m_bad->isConnected());
}

void GatewayBadInput::sendBeforeAuth()
{
    ProtocolClient anon(*m_gw);
    QVERIFY(anon.connectWs());
    Frame f;
    f.set_request_id(5);
    f.mutable_send()->set_channel("target");
    f.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
    f.mutable_send()->set_body("sneaky");
    anon.sendFrame(f);
    QVERIFY(anon.waitForDisconnected(5000));
    QCOMPARE(anon.frames().size(), 1);
    QCOMPARE(anon.frames().first().request_id(), 5u);
    QCOMPARE(anon.frames().first().error().code(), ERROR_NOT_AUTHENTICATED);
    QCOMPARE(anon.closeCode(), 1008);
    // HTTP without a token.
    ProtocolClient noToken(*m_gw);
    SyncRequest req;
    req.set_channel("target");
    auto r = noToken.post(QStringLiteral("/v1/sync"), req);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.error, ERROR_NOT_AUTHENTICATED);
}

void GatewayBadInput::wrongPassword()
{
    ProtocolClient c(*m_gw);
    auto r = c.login(QStringLiteral("mallory"), QStringLiteral("not the password"));
    QCOMPARE(r.status, 401);
    QCOMPARE(r.error, ERROR_BAD_CREDENTIALS);
    QVERIFY(c.token.isEmpty());
    r = c.login(QStringLiteral("nobody-here"), QStringLiteral("whatever password"));
    QCOMPARE(r.status, 401);
    QCOMPARE(r.error, ERROR_BAD_CREDENTIALS);
    // Registering a taken nick (in any case) is refused too.
    r = c.registerUser(QStringLiteral("MALLORY"), QStringLiteral("another password"));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.error, ERROR_NICK_TAKEN);
}

void GatewayBadInput::forgedToken()
{
    ProtocolClient c(*m_gw);
    c.token = QString(64, QLatin1Char('a'));
    QVERIFY(c.connectWs());
    Error err;
    QVERIFY(!c.hello(nullptr, &err));
    QCOMPARE(err.code(), ERROR_BAD_TOKEN);
    QVERIFY(c.waitForDisconnected(5000));
    // A real token with one character changed.
    ProtocolClient d(*m_gw);
    d.token = m_bad->token;
    d.token[0] = d.token[0] == QLatin1Char('0') ? QLatin1Char('1') : QLatin1Char('0');
    ProtocolClient::HttpResult r;
    d.sync(QStringLiteral("target"), 1, 0, &r);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.error, ERROR_BAD_TOKEN);
}

void GatewayBadInput::expiredToken()
{
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--token-ttl"), QStringLiteral("2")});
    QVERIFY2(gw.start(), gw.output().constData());
    ProtocolClient c(gw);
    QVERIFY(c.registerAndLogin(QStringLiteral("shortlived")));
    QVERIFY(c.connectAndHello()); // fine while fresh
    QVERIFY(c.join(QStringLiteral("brief")));
    QTest::qWait(2300);
    ProtocolClient::HttpResult r;
    c.sync(QStringLiteral("brief"), 1, 0, &r);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.error, ERROR_TOKEN_EXPIRED);
    ProtocolClient again(gw);
    again.token = c.token;
    QVERIFY(again.connectWs());
    Error err;
    QVERIFY(!again.hello(nullptr, &err));
    QCOMPARE(err.code(), ERROR_TOKEN_EXPIRED);
    QVERIFY(again.waitForDisconnected(5000));
}

void GatewayBadInput::syncForChannelNotJoined()
{
    ProtocolClient::HttpResult r;
    m_bad->sync(QStringLiteral("witness-room"), 1, 0, &r);
    QCOMPARE(r.status, 403);
    QCOMPARE(r.error, ERROR_NOT_MEMBER);
    m_bad->sync(QStringLiteral("no-such-room"), 1, 0, &r);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.error, ERROR_NO_SUCH_CHANNEL);
    // Sending to it is refused the same way.
    Error err;
    QVERIFY(!m_bad->send(QStringLiteral("witness-room"), "intrusion", {}, &err));
    QCOMPARE(err.code(), ERROR_NOT_MEMBER);
}

void GatewayBadInput::syncLimitAboveCap()
{
    ProtocolClient::HttpResult r;
    m_bad->sync(QStringLiteral("target"), 1, 1001, &r);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.error, ERROR_LIMIT_ABOVE_CAP);
    m_bad->sync(QStringLiteral("target"), 1, 1000, &r);
    QCOMPARE(r.status, 200);
}

void GatewayBadInput::sqlMetacharactersInNickAndChannel()
{
    ProtocolClient c(*m_gw);
    for (const QString &nick : {QStringLiteral("x'; DROP TABLE users;--"), QStringLiteral("a\" OR \"1\"=\"1"),
                                QStringLiteral("mallory'--"), QStringLiteral("%_")}) {
        auto r = c.registerUser(nick, QStringLiteral("long enough password"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error, ERROR_INVALID_NAME);
        r = c.login(nick, QStringLiteral("correct horse battery"));
        QCOMPARE(r.status, 401);
        QCOMPARE(r.error, ERROR_BAD_CREDENTIALS);
    }
    for (const char *channel : {"x'; DROP TABLE messages;--", "target' OR '1'='1", "TARGET", "a b", ""}) {
        Error err;
        QVERIFY(!m_bad->join(QString::fromUtf8(channel), &err));
        QCOMPARE(err.code(), ERROR_INVALID_NAME);
        QVERIFY(!m_bad->send(QString::fromUtf8(channel), "x", {}, &err));
        QCOMPARE(err.code(), ERROR_INVALID_NAME);
        ProtocolClient::HttpResult r;
        m_bad->sync(QString::fromUtf8(channel), 1, 0, &r);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error, ERROR_INVALID_NAME);
    }
    // The tables are intact: mallory still logs in and reads her channel.
    ProtocolClient again(*m_gw);
    QVERIFY(again.login(QStringLiteral("mallory"), QStringLiteral("correct horse battery")).ok());
    ProtocolClient::HttpResult r;
    auto res = again.sync(QStringLiteral("target"), 1, 0, &r);
    QVERIFY(r.ok());
    QCOMPARE(res.messages_size(), 1);
}

void GatewayBadInput::invalidSendFields()
{
    Error err;
    QVERIFY(!m_bad->send(QStringLiteral("target"), "short id", QByteArray(5, 'i'), &err));
    QCOMPARE(err.code(), ERROR_INVALID_ARGUMENT);
    QVERIFY(!m_bad->send(QStringLiteral("target"), QByteArray(), {}, &err));
    QCOMPARE(err.code(), ERROR_INVALID_ARGUMENT);
    Frame hello;
    hello.mutable_hello()->set_protocol_version(1);
    hello.mutable_hello()->set_token("again");
    auto reply = m_bad->request(hello);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_INVALID_ARGUMENT);
    // A protocol version the gateway does not speak.
    ProtocolClient v2(*m_gw);
    v2.token = m_bad->token;
    QVERIFY(v2.connectWs());
    Frame future;
    future.mutable_hello()->set_protocol_version(2);
    future.mutable_hello()->set_token(m_bad->token.toStdString());
    reply = v2.request(future);
    QVERIFY(reply && reply->has_error());
    QCOMPARE(reply->error().code(), ERROR_UNSUPPORTED_VERSION);
    QVERIFY(v2.waitForDisconnected(5000));
}

void GatewayBadInput::rateLimitExceeded()
{
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("5")});
    QVERIFY2(gw.start(), gw.output().constData());
    ProtocolClient c(gw), other(gw);
    QVERIFY(c.registerAndLogin(QStringLiteral("flooder")));
    QVERIFY(other.registerAndLogin(QStringLiteral("calm")));
    QVERIFY(c.connectAndHello());
    QVERIFY(other.connectAndHello());
    QVERIFY(c.join(QStringLiteral("flood")));
    QVERIFY(other.join(QStringLiteral("calm")));
    QList<quint64> rids;
    for (int i = 0; i < 60; ++i)
        rids << c.sendAsync(QStringLiteral("flood"), "spam", ProtocolClient::newClientMsgId());
    // Refusals are answered at once, acks after the commit: wait for every answer.
    QVERIFY(ProtocolClient::waitFor(
        [&] { return std::all_of(rids.cbegin(), rids.cend(), [&](quint64 rid) { return c.hasReply(rid); }); },
        10000));
    int acked = 0, limited = 0;
    for (auto rid : rids) {
        const Frame f = c.reply(rid);
        if (f.has_send_ack())
            ++acked;
        else if (f.has_error() && f.error().code() == ERROR_RATE_LIMITED)
            ++limited;
    }
    qInfo("acked %d, rate limited %d", acked, limited);
    QVERIFY(limited >= 40);
    QCOMPARE(acked + limited, 60);
    // Exactly the acknowledged ones are stored.
    const auto stored = c.syncAll(QStringLiteral("flood"));
    QCOMPARE(int(stored.size()), 1 + acked);
    // Others are not affected, and the flooder may send again after a pause.
    QVERIFY(other.send(QStringLiteral("calm"), "unaffected"));
    QTest::qWait(500);
    QVERIFY(c.send(QStringLiteral("flood"), "after a pause"));
}

void GatewayBadInput::connectionLimitExceeded()
{
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--max-connections-per-address"), QStringLiteral("3")});
    QVERIFY2(gw.start(), gw.output().constData());
    ProtocolClient login(gw);
    QVERIFY(login.registerAndLogin(QStringLiteral("crowded")));
    login.closeHttpConnections();
    QTest::qWait(200);
    std::vector<std::unique_ptr<ProtocolClient>> sessions;
    for (int i = 0; i < 3; ++i) {
        sessions.push_back(std::make_unique<ProtocolClient>(gw));
        sessions.back()->token = login.token;
        QVERIFY(sessions.back()->connectAndHello());
    }
    // The fourth WebSocket is refused at accept time: the upgrade never happens (the answer is a
    // 503 the gateway sends without reading the request).
    ProtocolClient fourth(gw);
    fourth.token = login.token;
    QVERIFY(!fourth.connectWs(5000));
    QVERIFY(fourth.frames().isEmpty());
    // An HTTP request on a fourth connection: 503 ERROR_TOO_MANY_CONNECTIONS.
    ProtocolClient http(gw);
    auto r = http.get(QStringLiteral("/healthz"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.error, ERROR_TOO_MANY_CONNECTIONS);
    // The three are served; closing one frees a place.
    QVERIFY(sessions[0]->join(QStringLiteral("room")));
    QVERIFY(sessions[0]->send(QStringLiteral("room"), "fine"));
    sessions[2]->disconnectWs();
    QVERIFY(ProtocolClient::waitFor(
        [&] {
            ProtocolClient probe(gw);
            return probe.get(QStringLiteral("/healthz")).ok();
        },
        5000));
}

// A chunk size that is not hexadecimal: 400 ERROR_MALFORMED as documented (before: the connection
// was closed without an answer), nothing done, and the gateway serves the next request.
void GatewayBadInput::malformedChunkedBodyIsAnsweredAsMalformed()
{
    const QByteArray request =
        "POST /v1/register HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n";
    const auto a = RawHttpExchange::run(m_gw->port(), request);
    QCOMPARE(a.status, 400);
    QCOMPARE(a.error, ERROR_MALFORMED);
    ProtocolClient probe(*m_gw);
    QVERIFY(probe.get(QStringLiteral("/healthz")).ok());
}

QTEST_GUILESS_MAIN(GatewayBadInput)
#include "tst_gateway_badinput.moc"
