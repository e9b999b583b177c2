// Account and devices at the gateway (docs/PROTOCOL.md, "Account"): a revoked device is cut off at
// once (its open WebSocket closed with ERROR_BAD_TOKEN, its token refused over HTTP and in Hello),
// change password (a wrong current password changes nothing; the other devices are logged out),
// log out everywhere, and delete account (the nick stays taken for good, every channel it was in
// gets a USER_DELETED message, sync answers mark its messages sender_deleted).
#include "GatewayProcess.h"
#include "ProtocolClient.h"

#include <QtTest>

using namespace hchat::test;
using namespace hchat::v1;

namespace {
const QString kPassword = QStringLiteral("correct horse battery");
const QString kNewPassword = QStringLiteral("a brand new passphrase");

// The error frame pushed to a session (request id 0), if any.
std::optional<Error> pushedError(const ProtocolClient &c)
{
    for (const auto &f : c.frames())
        if (f.request_id() == 0 && f.has_error())
            return f.error();
    return std::nullopt;
}

ProtocolClient::HttpResult changePassword(ProtocolClient &c, const QString &current, const QString &fresh)
{
    ChangePassword req;
    req.set_current_password(current.toStdString());
    req.set_new_password(fresh.toStdString());
    return c.post(QStringLiteral("/v1/account/password"), req);
}

ProtocolClient::HttpResult deleteAccount(ProtocolClient &c, const QString &password)
{
    DeleteAccount req;
    req.set_password(password.toStdString());
    return c.post(QStringLiteral("/v1/account/delete"), req);
}

bool tokenRefused(ProtocolClient &c)
{
    ChannelList list;
    const auto r = c.post(QStringLiteral("/v1/channels"), Ok(), &list);
    return r.status == 401 && r.error == ERROR_BAD_TOKEN;
}

// A new WebSocket with the client's token: Hello must be refused with ERROR_BAD_TOKEN.
bool helloRefused(const GatewayProcess &gw, const QString &token)
{
    ProtocolClient again(gw);
    again.token = token;
    if (!again.connectWs())
        return false;
    Error error;
    return !again.hello(nullptr, &error) && error.code() == ERROR_BAD_TOKEN;
}
} // namespace

class GatewayAccount : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_gw = std::make_unique<GatewayProcess>();
        QVERIFY2(m_gw->start(), m_gw->output().constData());
    }

    void revokedDeviceIsCutOffAtOnce()
    {
        ProtocolClient phone(*m_gw), laptop(*m_gw);
        QVERIFY(phone.registerAndLogin(QStringLiteral("revoker")));
        QVERIFY(laptop.login(QStringLiteral("revoker"), kPassword).ok());
        QVERIFY(laptop.connectAndHello());
        QVERIFY(laptop.join(QStringLiteral("revoked-room")));
        QVERIFY(phone.connectAndHello());
        RevokeDevice revoke;
        revoke.set_device_id(laptop.deviceId.toStdString());
        QElapsedTimer t;
        t.start();
        QVERIFY(phone.post(QStringLiteral("/v1/devices/revoke"), revoke).ok());
        // The open WebSocket is told why and closed, promptly.
        QVERIFY(laptop.waitForDisconnected(3000));
        QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
        const auto error = pushedError(laptop);
        QVERIFY(error);
        QCOMPARE(error->code(), ERROR_BAD_TOKEN);
        QCOMPARE(laptop.closeCode(), 1008);
        // Its token is refused over HTTP and in a new Hello; the phone is untouched.
        QVERIFY(tokenRefused(laptop));
        QVERIFY(helloRefused(*m_gw, laptop.token));
        QVERIFY(phone.isConnected());
        QVERIFY(!tokenRefused(phone));
    }

    void changePasswordRefusesAWrongCurrentPasswordAndChangesNothing()
    {
        ProtocolClient a(*m_gw), other(*m_gw);
        QVERIFY(a.registerAndLogin(QStringLiteral("keeper")));
        QVERIFY(other.login(QStringLiteral("keeper"), kPassword).ok());
        QVERIFY(other.connectAndHello());
        auto r = changePassword(a, QStringLiteral("not the password"), kNewPassword);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.error, ERROR_BAD_CREDENTIALS);
        // A weak or invalid new password is refused before anything is hashed or stored.
        r = changePassword(a, kPassword, QStringLiteral("short"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
        r = changePassword(a, kPassword, QString(257, QLatin1Char('x')));
        QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
        r = changePassword(a, kPassword, kPassword);
        QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
        r = a.post(QStringLiteral("/v1/account/password"), QByteArrayLiteral("\xff\xff\xff"));
        QCOMPARE(r.error, ERROR_MALFORMED);
        // Nothing changed: the old password logs in, the new one does not, nobody was logged out.
        QTest::qWait(200);
        QVERIFY(other.isConnected());
        QVERIFY(!tokenRefused(other));
        ProtocolClient probe(*m_gw);
        QCOMPARE(probe.login(QStringLiteral("keeper"), kNewPassword).status, 401);
        QVERIFY(probe.login(QStringLiteral("keeper"), kPassword).ok());
    }

    void changePasswordLogsOutTheOtherDevicesAndKeepsThisOne()
    {
        ProtocolClient a(*m_gw), other(*m_gw);
        QVERIFY(a.registerAndLogin(QStringLiteral("changer")));
        QVERIFY(other.login(QStringLiteral("changer"), kPassword).ok());
        QVERIFY(a.connectAndHello());
        QVERIFY(other.connectAndHello());
        QVERIFY(changePassword(a, kPassword, kNewPassword).ok());
        QVERIFY(other.waitForDisconnected(3000));
        QCOMPARE(pushedError(other)->code(), ERROR_BAD_TOKEN);
        QVERIFY(tokenRefused(other));
        // The caller stays signed in (its session and its token).
        QTest::qWait(200);
        QVERIFY(a.isConnected());
        QVERIFY(!tokenRefused(a));
        QVERIFY(a.join(QStringLiteral("still-here")));
        ProtocolClient probe(*m_gw);
        QCOMPARE(probe.login(QStringLiteral("changer"), kPassword).error, ERROR_BAD_CREDENTIALS);
        // The other device logs in again with the new password and keeps its device id.
        QVERIFY(other.login(QStringLiteral("changer"), kNewPassword, other.deviceId).ok());
        QVERIFY(!tokenRefused(other));
    }

    void logOutEverywhereRevokesEveryTokenTheCallersToo()
    {
        ProtocolClient a(*m_gw), b(*m_gw);
        QVERIFY(a.registerAndLogin(QStringLiteral("everywhere")));
        QVERIFY(b.login(QStringLiteral("everywhere"), kPassword).ok());
        QVERIFY(a.connectAndHello());
        QVERIFY(b.connectAndHello());
        ProtocolClient stranger(*m_gw);
        QVERIFY(stranger.registerAndLogin(QStringLiteral("bystander")));
        QVERIFY(stranger.connectAndHello());
        QVERIFY(a.post(QStringLiteral("/v1/account/logout-all"), QByteArray()).ok());
        QVERIFY(a.waitForDisconnected(3000));
        QVERIFY(b.waitForDisconnected(3000));
        QVERIFY(tokenRefused(a));
        QVERIFY(tokenRefused(b));
        QVERIFY(helloRefused(*m_gw, b.token));
        // Other users are not affected; the account itself logs in again.
        QVERIFY(stranger.isConnected());
        QVERIFY(!tokenRefused(stranger));
        QVERIFY(a.login(QStringLiteral("everywhere"), kPassword, a.deviceId).ok());
        QVERIFY(!tokenRefused(a));
    }

    void deleteAccountRefusesAWrongPasswordAndChangesNothing()
    {
        ProtocolClient a(*m_gw);
        QVERIFY(a.registerAndLogin(QStringLiteral("undecided")));
        QVERIFY(a.connectAndHello());
        QVERIFY(a.join(QStringLiteral("undecided-room")));
        auto r = deleteAccount(a, QStringLiteral("wrong password"));
        QCOMPARE(r.status, 401);
        QCOMPARE(r.error, ERROR_BAD_CREDENTIALS);
        QCOMPARE(deleteAccount(a, QString()).error, ERROR_BAD_CREDENTIALS);
        QTest::qWait(200);
        QVERIFY(a.isConnected());
        QVERIFY(!tokenRefused(a));
        const auto messages = a.syncAll(QStringLiteral("undecided-room"));
        QCOMPARE(messages.size(), size_t(1)); // the join only: no USER_DELETED
        ProtocolClient probe(*m_gw);
        QVERIFY(probe.login(QStringLiteral("undecided"), kPassword).ok());
    }

    void deleteAccountMakesItsMessagesDeletedUserAndTheNickNeverReturns()
    {
        ProtocolClient bob(*m_gw), bobPhone(*m_gw), alice(*m_gw), carol(*m_gw);
        QVERIFY(bob.registerAndLogin(QStringLiteral("Bob")));
        QVERIFY(bobPhone.login(QStringLiteral("bob"), kPassword).ok());
        QVERIFY(alice.registerAndLogin(QStringLiteral("alice")));
        QVERIFY(carol.registerAndLogin(QStringLiteral("carol")));
        QVERIFY(bob.connectAndHello());
        QVERIFY(bobPhone.connectAndHello());
        QVERIFY(alice.connectAndHello());
        QVERIFY(carol.connectAndHello());
        // "lobby": all three; bob writes. "past": bob wrote, then left. "secret": invite-only.
        for (auto *c : {&bob, &alice, &carol})
            QVERIFY(c->join(QStringLiteral("lobby")));
        QVERIFY(bob.send(QStringLiteral("lobby"), "hello from bob"));
        QVERIFY(alice.send(QStringLiteral("lobby"), "hi bob"));
        QVERIFY(bob.join(QStringLiteral("past")));
        QVERIFY(carol.join(QStringLiteral("past")));
        QVERIFY(bob.send(QStringLiteral("past"), "I was here"));
        Frame leave;
        leave.mutable_leave()->set_channel("past");
        QVERIFY(bob.request(leave)->has_ok());
        Frame create;
        create.mutable_create_channel()->set_channel("secret");
        create.mutable_create_channel()->set_kind(CHANNEL_KIND_INVITE_ONLY);
        create.mutable_create_channel()->add_members("Bob");
        QVERIFY(alice.request(create)->has_channel_joined());
        // Carol goes offline; she catches up later.
        carol.disconnectWs();
        const quint64 lobbyBefore = alice.syncAll(QStringLiteral("lobby")).back().seq();

        QVERIFY(deleteAccount(bob, kPassword).ok());
        // Every session of bob is closed, every token dead, login refused.
        QVERIFY(bob.waitForDisconnected(3000));
        QVERIFY(bobPhone.waitForDisconnected(3000));
        QCOMPARE(pushedError(bobPhone)->code(), ERROR_BAD_TOKEN);
        QVERIFY(tokenRefused(bob));
        QVERIFY(tokenRefused(bobPhone));
        QVERIFY(helloRefused(*m_gw, bobPhone.token));
        ProtocolClient probe(*m_gw);
        QCOMPARE(probe.login(QStringLiteral("bob"), kPassword).error, ERROR_BAD_CREDENTIALS);
        // The nick is never free again, in any spelling.
        QCOMPARE(probe.registerUser(QStringLiteral("bob"), kPassword).error, ERROR_NICK_TAKEN);
        QCOMPARE(probe.registerUser(QStringLiteral("BOB"), QStringLiteral("another password")).error,
                 ERROR_NICK_TAKEN);
        // Its keys are gone and nobody can add it anywhere.
        KeysRequest keysReq;
        keysReq.add_nicks("bob");
        KeysResponse keys;
        QVERIFY(alice.post(QStringLiteral("/v1/keys/fetch"), keysReq, &keys).ok());
        QCOMPARE(keys.devices_size(), 0);
        Frame invite;
        invite.mutable_invite()->set_channel("secret");
        invite.mutable_invite()->set_nick("bob");
        auto answer = alice.request(invite);
        QVERIFY(answer && answer->has_error());
        QCOMPARE(answer->error().code(), ERROR_NO_SUCH_USER);

        // Alice (online) gets a USER_DELETED push in each shared channel, right after the old max.
        QVERIFY(ProtocolClient::waitFor(
            [&] { return alice.pushedMessages(QStringLiteral("secret")).size() >= 3; }, 5000));
        const auto lobbyPushes = alice.pushedMessages(QStringLiteral("lobby"));
        const auto first = std::find_if(lobbyPushes.begin(), lobbyPushes.end(),
                                        [&](const Message &m) { return m.seq() > lobbyBefore; });
        QVERIFY(first != lobbyPushes.end());
        const Message notice = *first;
        QCOMPARE(notice.kind(), MESSAGE_KIND_USER_DELETED);
        QCOMPARE(notice.seq(), lobbyBefore + 1);
        QCOMPARE(notice.subject(), std::string("Bob"));
        QVERIFY(notice.sender_deleted());
        QCOMPARE(alice.pushedMessages(QStringLiteral("secret")).back().kind(), MESSAGE_KIND_USER_DELETED);
        // Bob left every channel: the invite-only member list no longer names him.
        ChannelList list;
        QVERIFY(alice.post(QStringLiteral("/v1/channels"), Ok(), &list).ok());
        for (const auto &c : list.channels())
            if (c.name() == "secret") {
                QCOMPARE(c.members_size(), 1);
                QCOMPARE(c.members(0), std::string("alice"));
            }

        // Carol catches up: gap-free, bob's old messages marked, and a USER_DELETED in "past" too
        // (bob had left it, but he had written there).
        for (const QString &channel : {QStringLiteral("lobby"), QStringLiteral("past")}) {
            bool ok = false;
            const auto messages = carol.syncAll(channel, 1, 2, nullptr, &ok);
            QVERIFY(ok);
            quint64 expected = 1;
            bool sawNotice = false, sawBobText = false;
            for (const auto &m : messages) {
                QCOMPARE(m.seq(), expected++);
                const bool fromBob =
                    QString::fromStdString(m.sender()).compare(QStringLiteral("bob"), Qt::CaseInsensitive) ==
                    0;
                QCOMPARE(m.sender_deleted(), fromBob);
                if (fromBob && m.kind() == MESSAGE_KIND_TEXT)
                    sawBobText = true;
                if (m.kind() == MESSAGE_KIND_USER_DELETED) {
                    QCOMPARE(m.subject(), std::string("Bob"));
                    sawNotice = true;
                }
            }
            QVERIFY2(sawNotice && sawBobText, qPrintable(channel));
            // The notice ends the channel, or the ROLE that hands on a channel bob owned.
            const Message &last = messages.back();
            QVERIFY(last.kind() == MESSAGE_KIND_USER_DELETED ||
                    (last.kind() == MESSAGE_KIND_ROLE && last.body() == "owner" && last.subject() != "Bob"));
        }
        // Nobody can send a USER_DELETED themselves.
        Frame forged;
        forged.mutable_send()->set_channel("lobby");
        forged.mutable_send()->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
        forged.mutable_send()->set_body("x");
        forged.mutable_send()->set_kind(MESSAGE_KIND_USER_DELETED);
        answer = alice.request(forged);
        QVERIFY(answer && answer->has_error());
        QCOMPARE(answer->error().code(), ERROR_INVALID_ARGUMENT);
    }

    void accountRoutesWantAToken()
    {
        ProtocolClient anonymous(*m_gw);
        for (const char *path : {"/v1/account/password", "/v1/account/logout-all", "/v1/account/delete"}) {
            const auto r = anonymous.post(QString::fromLatin1(path), QByteArray(), false);
            QCOMPARE(r.status, 401);
            QCOMPARE(r.error, ERROR_NOT_AUTHENTICATED);
        }
    }

private:
    std::unique_ptr<GatewayProcess> m_gw;
};

QTEST_GUILESS_MAIN(GatewayAccount)
#include "tst_gateway_account.moc"
