// Issue 21 end to end: real client cores against the real gateway. A spammer's message is
// deleted by the channel's owner on every member's device, the spammer is kicked (and may come
// back), then banned (and may not); topic, roles and read-only reach members live; the directory
// lists the channel; a blocked user's direct message is refused, and what a blocked user wrote
// stays out of the catch-up summary; administration and invite-only registration through the
// client.
#include "CoreTestHelpers.h"

#include <QProcess>

using hchat::ChannelRecord;
using hchat::Client;
using hchat::MessageKind;
using hchat::StoredMessage;
using hchat::test::GatewayProcess;
using hchat::test::HttpTestApi;
using hchat::test::signIn;
using hchat::test::TestClient;
using hchat::test::waitSent;

static constexpr int kWait = 15000;
static const QString kPassword = QStringLiteral("correct horse battery");

namespace {

// hchat-gateway admin … on the gateway's database; its standard output.
QString gatewayAdmin(const GatewayProcess &gw, const QStringList &args, bool *ok = nullptr)
{
    QProcess p;
    p.start(QStringLiteral(HCHAT_GATEWAY_BINARY),
            QStringList{QStringLiteral("admin"), QStringLiteral("--db"), gw.databasePath()} + args);
    const bool done = p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!done)
        qWarning() << "admin" << args << "failed:" << p.readAllStandardError();
    if (ok)
        *ok = done;
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

// The stored rows of kind in channel.
QList<StoredMessage> rowsOfKind(const TestClient &c, const QString &channel, MessageKind kind)
{
    QList<StoredMessage> out;
    for (const StoredMessage &m : c.store()->page(channel, 1, c.store()->maxSeq(channel)))
        if (m.kind == kind)
            out << m;
    return out;
}

} // namespace

class CommunityTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void spammerIsDeletedKickedAndBanned();
    void topicRolesAndReadOnlyReachMembers();
    void directoryListsOpenChannels();
    void blockedUserIsRefusedAndListed();
    void catchUpSummaryLeavesOutBlockedUsers();
    void administration();
    void inviteOnlyRegistration();
    void closedRegistration();

private:
    std::unique_ptr<GatewayProcess> m_gw;
};

void CommunityTest::initTestCase()
{
    m_gw = std::make_unique<GatewayProcess>();
    QVERIFY(m_gw->start());
}

void CommunityTest::spammerIsDeletedKickedAndBanned()
{
    TestClient mod, spammer, bob;
    signIn(mod, *m_gw, QStringLiteral("mod"), QStringLiteral("lobby")); // creates it: its owner
    signIn(spammer, *m_gw, QStringLiteral("spammer"), QStringLiteral("lobby"));
    signIn(bob, *m_gw, QStringLiteral("bob"), QStringLiteral("lobby"));
    const QString lobby = QStringLiteral("lobby");
    QTRY_COMPARE_WITH_TIMEOUT(mod.store()->channel(lobby)->role, ChannelRecord::Role::Owner, kWait);
    QCOMPARE(bob.store()->channel(lobby)->role, ChannelRecord::Role::Member);

    // A plain member moderates nothing: the gateway's refusal comes back as the request's error.
    QString error;
    QVERIFY(!bob.run(bob->kick(lobby, QStringLiteral("spammer"), QStringLiteral("no")), &error));
    QVERIFY2(!error.isEmpty(), "a refusal says why");

    const quint64 spam = waitSent(spammer, spammer->sendMessage(lobby, QStringLiteral("BUY CHEAP WATCHES")));
    QVERIFY(spam > 0);
    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->message(lobby, spam).has_value(), kWait);
    QTRY_VERIFY_WITH_TIMEOUT(mod.store()->message(lobby, spam).has_value(), kWait);

    // The owner deletes it: gone from every member's device (the spammer's too).
    QSignalSpy bobChanged(bob.client.get(), &Client::messagesChanged);
    QVERIFY(mod.run(mod->deleteOthersMessage(lobby, spam)));
    for (const TestClient *c : {&mod, &bob, &spammer}) {
        QTRY_VERIFY_WITH_TIMEOUT(c->store()->message(lobby, spam)->deleted, kWait);
        QVERIFY(c->store()->message(lobby, spam)->body.isEmpty());
    }
    QVERIFY(bobChanged.count() > 0);
    // A member cannot delete someone else's message.
    const quint64 bobs = waitSent(bob, bob->sendMessage(lobby, QStringLiteral("hello all")));
    QVERIFY(bobs > 0);
    QVERIFY(!spammer.run(spammer->deleteOthersMessage(lobby, bobs), &error));
    QVERIFY(!error.isEmpty());

    // Kicked with a reason: out of the list, told why; the channel sees a notice.
    QSignalSpy removed(spammer.client.get(), &Client::channelRemoved);
    QVERIFY(mod.run(mod->kick(lobby, QStringLiteral("spammer"), QStringLiteral("spam"))));
    QTRY_COMPARE_WITH_TIMEOUT(removed.count(), 1, kWait);
    QCOMPARE(removed.at(0).at(0).toString(), lobby);
    QVERIFY2(removed.at(0).at(1).toString().contains(QStringLiteral("spam")),
             qPrintable(removed.at(0).at(1).toString()));
    QVERIFY(!spammer.store()->channel(lobby)->joined);
    const auto listed = spammer->channels();
    QVERIFY(
        std::none_of(listed.begin(), listed.end(), [&](const ChannelRecord &c) { return c.name == lobby; }));
    QTRY_COMPARE_WITH_TIMEOUT(rowsOfKind(bob, lobby, MessageKind::MemberKicked).size(), 1, kWait);
    const StoredMessage kicked = rowsOfKind(bob, lobby, MessageKind::MemberKicked).first();
    QCOMPARE(kicked.subject, QStringLiteral("spammer"));
    QCOMPARE(kicked.sender, QStringLiteral("mod"));
    QCOMPARE(QString::fromUtf8(kicked.body), QStringLiteral("spam"));

    // A kick is not a ban: the spammer may join again …
    QVERIFY(spammer.run(spammer->joinChannel(lobby)));
    // … until banned; then joining is refused with the gateway's reason.
    QVERIFY(mod.run(mod->ban(lobby, QStringLiteral("spammer"), QStringLiteral("still spamming"))));
    QTRY_COMPARE_WITH_TIMEOUT(removed.count(), 2, kWait);
    QVERIFY(!spammer.store()->channel(lobby)->joined);
    QVERIFY(!spammer.run(spammer->joinChannel(lobby), &error));
    QVERIFY2(!error.isEmpty(), "the ban is explained");
    QTRY_COMPARE_WITH_TIMEOUT(rowsOfKind(bob, lobby, MessageKind::MemberBanned).size(), 1, kWait);

    // The owner sees the ban (and lifts it); a member sees no bans.
    QSignalSpy modMembers(mod.client.get(), &Client::membersListed);
    QVERIFY(mod.run(mod->listMembers(lobby)));
    QCOMPARE(modMembers.count(), 1);
    const auto bans = modMembers.at(0).at(3).value<QList<hchat::ChannelBan>>();
    QCOMPARE(bans.size(), 1);
    QCOMPARE(bans.first().nick, QStringLiteral("spammer"));
    QCOMPARE(bans.first().reason, QStringLiteral("still spamming"));
    const auto members = modMembers.at(0).at(2).value<QList<hchat::ChannelMember>>();
    QVERIFY(std::any_of(members.begin(), members.end(), [](const hchat::ChannelMember &m) {
        return m.nick == QLatin1String("mod") && m.role == ChannelRecord::Role::Owner;
    }));
    QVERIFY(std::none_of(members.begin(), members.end(),
                         [](const hchat::ChannelMember &m) { return m.nick == QLatin1String("spammer"); }));
    QSignalSpy bobMembers(bob.client.get(), &Client::membersListed);
    QVERIFY(bob.run(bob->listMembers(lobby)));
    QVERIFY(bobMembers.at(0).at(3).value<QList<hchat::ChannelBan>>().isEmpty());
    QVERIFY(mod.run(mod->unban(lobby, QStringLiteral("spammer"))));
    QTRY_COMPARE_WITH_TIMEOUT(rowsOfKind(bob, lobby, MessageKind::MemberUnbanned).size(), 1, kWait);
    QVERIFY(spammer.run(spammer->joinChannel(lobby)));
}

void CommunityTest::topicRolesAndReadOnlyReachMembers()
{
    TestClient owner, alice;
    const QString room = QStringLiteral("announcements");
    signIn(owner, *m_gw, QStringLiteral("owner1"), room);
    signIn(alice, *m_gw, QStringLiteral("alice"), room);

    QVERIFY(owner.run(owner->setTopic(room, QStringLiteral("News of the project"))));
    QTRY_COMPARE_WITH_TIMEOUT(alice.store()->channel(room)->topic, QStringLiteral("News of the project"),
                              kWait);
    QTRY_COMPARE_WITH_TIMEOUT(rowsOfKind(alice, room, MessageKind::Topic).size(), 1, kWait);

    // Roles: alice becomes a moderator, then a member again.
    QVERIFY(owner.run(owner->setMemberRole(room, QStringLiteral("alice"), ChannelRecord::Role::Moderator)));
    QTRY_COMPARE_WITH_TIMEOUT(alice.store()->channel(room)->role, ChannelRecord::Role::Moderator, kWait);
    QVERIFY(alice.store()->channel(room)->canModerate());
    // A moderator sets the topic too; a moderator cannot make moderators.
    QVERIFY(alice.run(alice->setTopic(room, QStringLiteral("News, weekly"))));
    QString error;
    QVERIFY(!alice.run(alice->setMemberRole(room, QStringLiteral("owner1"), ChannelRecord::Role::Member),
                       &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(owner.run(owner->setMemberRole(room, QStringLiteral("alice"), ChannelRecord::Role::Member)));
    QTRY_COMPARE_WITH_TIMEOUT(alice.store()->channel(room)->role, ChannelRecord::Role::Member, kWait);

    // Read-only: members read, their sends are refused; the owner still writes.
    QVERIFY(owner.run(owner->setReadOnly(room, true)));
    QTRY_VERIFY_WITH_TIMEOUT(alice.store()->channel(room)->readOnly, kWait);
    QVERIFY(!alice.store()->channel(room)->canPost());
    QTRY_COMPARE_WITH_TIMEOUT(rowsOfKind(alice, room, MessageKind::ReadOnly).size(), 1, kWait);
    QVERIFY(waitSent(owner, owner->sendMessage(room, QStringLiteral("release on Friday"))) > 0);

    // Handing ownership on: alice owns it, the old owner moderates.
    QVERIFY(owner.run(owner->setMemberRole(room, QStringLiteral("alice"), ChannelRecord::Role::Owner)));
    QTRY_COMPARE_WITH_TIMEOUT(alice.store()->channel(room)->role, ChannelRecord::Role::Owner, kWait);
    QTRY_COMPARE_WITH_TIMEOUT(owner.store()->channel(room)->role, ChannelRecord::Role::Moderator, kWait);
    QVERIFY(alice.run(alice->setReadOnly(room, false)));
    QTRY_VERIFY_WITH_TIMEOUT(owner.store()->channel(room)->canPost(), kWait);

    // A fresh device learns all of it from the Welcome.
    TestClient aliceAgain;
    aliceAgain.connectTo({m_gw->wsUrl()}, HttpTestApi(m_gw->httpUrl()).account(QStringLiteral("alice")));
    QVERIFY(aliceAgain.waitOnline());
    QTRY_VERIFY_WITH_TIMEOUT(aliceAgain.store()->channel(room).has_value(), kWait);
    QCOMPARE(aliceAgain.store()->channel(room)->role, ChannelRecord::Role::Owner);
    QCOMPARE(aliceAgain.store()->channel(room)->topic, QStringLiteral("News, weekly"));
}

void CommunityTest::directoryListsOpenChannels()
{
    TestClient dora, eve;
    signIn(dora, *m_gw, QStringLiteral("dora"), QStringLiteral("gardening"));
    signIn(eve, *m_gw, QStringLiteral("eve"));
    QVERIFY(dora.run(dora->setTopic(QStringLiteral("gardening"), QStringLiteral("Tomatoes and roses"))));
    QSignalSpy listed(eve.client.get(), &Client::directoryListed);
    QVERIFY(eve.run(eve->browseDirectory(QStringLiteral("TOMATO"))));
    QCOMPARE(listed.count(), 1);
    auto entries = listed.at(0).at(1).value<QList<hchat::DirectoryEntry>>();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().name, QStringLiteral("gardening"));
    QCOMPARE(entries.first().topic, QStringLiteral("Tomatoes and roses"));
    QCOMPARE(entries.first().memberCount, quint64(1));
    QVERIFY(!entries.first().joined);
    QVERIFY(eve.run(eve->joinChannel(QStringLiteral("gardening"))));
    QVERIFY(eve.run(eve->browseDirectory(QStringLiteral("garden"))));
    entries = listed.at(1).at(1).value<QList<hchat::DirectoryEntry>>();
    QCOMPARE(entries.size(), 1);
    QVERIFY(entries.first().joined);
    QCOMPARE(entries.first().memberCount, quint64(2));
}

void CommunityTest::blockedUserIsRefusedAndListed()
{
    TestClient frank, troll;
    signIn(frank, *m_gw, QStringLiteral("frank"));
    signIn(troll, *m_gw, QStringLiteral("troll"));
    QSignalSpy changed(frank.client.get(), &Client::blockListChanged);
    QVERIFY(frank.run(frank->setBlocked(QStringLiteral("troll"), true)));
    QVERIFY(frank->isBlocked(QStringLiteral("Troll")));
    QCOMPARE(frank->blockedUsers(), QStringList{QStringLiteral("troll")});
    QVERIFY(changed.count() > 0);

    // The troll's direct message is refused; the troll is not told it is blocked.
    QString error;
    QString direct;
    QVERIFY(!troll.run(troll->openDirectChannel(QStringLiteral("frank"), &direct), &error));
    QVERIFY(!error.contains(QStringLiteral("block"), Qt::CaseInsensitive));
    QVERIFY(!frank.store()->channel(direct).has_value());

    // The list is in the profile and comes back from the gateway on another device.
    TestClient frankAgain;
    frankAgain.connectTo({m_gw->wsUrl()}, HttpTestApi(m_gw->httpUrl()).account(QStringLiteral("frank")));
    QVERIFY(frankAgain.waitOnline());
    QTRY_VERIFY_WITH_TIMEOUT(frankAgain->isBlocked(QStringLiteral("troll")), kWait);
    QVERIFY(frank.run(frank->setBlocked(QStringLiteral("troll"), false)));
    QVERIFY(!frank->isBlocked(QStringLiteral("troll")));
    QVERIFY(troll.run(troll->openDirectChannel(QStringLiteral("frank"), &direct)));
}

void CommunityTest::catchUpSummaryLeavesOutBlockedUsers()
{
    TestClient reader, heckler, friendly;
    const QString shared = QStringLiteral("summary-shared");
    const QString heckled = QStringLiteral("summary-heckled"); // only the heckler writes there
    signIn(reader, *m_gw, QStringLiteral("summaryreader"), shared);
    QVERIFY(reader.run(reader->joinChannel(heckled)));
    signIn(heckler, *m_gw, QStringLiteral("heckler"), shared);
    QVERIFY(heckler.run(heckler->joinChannel(heckled)));
    signIn(friendly, *m_gw, QStringLiteral("friendly"), shared);
    QTRY_VERIFY_WITH_TIMEOUT(reader.store()->maxSeq(shared) >= 3, kWait); // the three joins
    QTRY_VERIFY_WITH_TIMEOUT(reader.store()->maxSeq(heckled) >= 2, kWait);
    QVERIFY(reader.run(reader->setBlocked(QStringLiteral("heckler"), true)));

    reader->disconnectFromGateway();
    // The friend writes first, the heckler last: the summary's newest message is the friend's.
    QVERIFY(waitSent(friendly, friendly->sendMessage(shared, QStringLiteral("welcome back @summaryreader"))) >
            0);
    for (const QString &text : {QStringLiteral("@summaryreader look at me"),
                                QStringLiteral("@summaryreader hey"), QStringLiteral("buy my stuff")})
        QVERIFY(waitSent(heckler, heckler->sendMessage(shared, text)) > 0);
    QVERIFY(waitSent(heckler, heckler->sendMessage(heckled, QStringLiteral("@summaryreader over here"))) > 0);

    QList<hchat::CatchUpReport> reports;
    connect(reader.client.get(), &Client::catchUpFinished, this,
            [&reports](const hchat::CatchUpReport &r) { reports << r; });
    reader->startSession(reader.token);
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 1, kWait);
    const hchat::CatchUpReport &report = reports.first();
    // Only the friend's message counts and is named; the channel with only the heckler's is left out.
    QCOMPARE(report.channels.size(), 1);
    QCOMPARE(report.total(), quint64(1));
    QCOMPARE(report.channels[0].channel, shared);
    QCOMPARE(report.channels[0].count, quint64(1));
    QCOMPARE(report.channels[0].senders, QStringList{QStringLiteral("friendly")});
    QCOMPARE(report.channels[0].newest.text(), QStringLiteral("welcome back @summaryreader"));
    QCOMPARE(report.channels[0].mentions, quint64(1)); // the heckler's mentions do not count
    // The heckler's messages are stored all the same (hidden in the list, not lost).
    QCOMPARE(reader.store()->maxSeq(shared), heckler.store()->maxSeq(shared));
    QCOMPARE(reader.store()->maxSeq(heckled), heckler.store()->maxSeq(heckled));

    // Unblocked, the heckler counts again in the next summary.
    QVERIFY(reader.run(reader->setBlocked(QStringLiteral("heckler"), false)));
    reader->disconnectFromGateway();
    QVERIFY(waitSent(heckler, heckler->sendMessage(heckled, QStringLiteral("am I back?"))) > 0);
    reader->startSession(reader.token);
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 2, kWait);
    QCOMPARE(reports[1].channels.size(), 1);
    QCOMPARE(reports[1].channels[0].channel, heckled);
    QCOMPARE(reports[1].channels[0].senders, QStringList{QStringLiteral("heckler")});
}

void CommunityTest::administration()
{
    const QString token = HttpTestApi(m_gw->httpUrl()).account(QStringLiteral("root"));
    QVERIFY(!token.isEmpty());
    bool ok = false;
    gatewayAdmin(*m_gw, {QStringLiteral("set-admin"), QStringLiteral("root"), QStringLiteral("on")}, &ok);
    QVERIFY(ok);
    TestClient root, plain;
    root.connectTo({m_gw->wsUrl()}, token);
    QVERIFY(root.waitOnline());
    QVERIFY(root->isAdmin());
    signIn(plain, *m_gw, QStringLiteral("plainuser"));
    QVERIFY(!plain->isAdmin());

    QSignalSpy answered(root.client.get(), &Client::adminAnswered);
    QVERIFY(root.run(root->administer({hchat::AdminCommand::Action::ListUsers})));
    QCOMPARE(answered.count(), 1);
    const auto users = answered.at(0).at(1).value<hchat::AdminReport>().users;
    QVERIFY(std::any_of(users.begin(), users.end(), [](const hchat::AdminReport::User &u) {
        return u.nick == QLatin1String("root") && u.admin;
    }));
    hchat::AdminCommand invite{hchat::AdminCommand::Action::CreateInvite};
    invite.uses = 2;
    QVERIFY(root.run(root->administer(invite)));
    QVERIFY(!answered.last().at(1).value<hchat::AdminReport>().inviteCode.isEmpty());
    QVERIFY(root.run(root->administer({hchat::AdminCommand::Action::AuditLog})));
    QVERIFY(!answered.last().at(1).value<hchat::AdminReport>().audit.isEmpty());

    // Not an administrator: refused with the gateway's reason.
    QString error;
    QVERIFY(!plain.run(plain->administer({hchat::AdminCommand::Action::ListUsers}), &error));
    QVERIFY(!error.isEmpty());
}

void CommunityTest::inviteOnlyRegistration()
{
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--registration"), QStringLiteral("invite")});
    QVERIFY(gw.start());
    TestClient newbie;
    newbie->setGatewayUrls({gw.wsUrl()});
    QString error;
    QVERIFY(!newbie.run(newbie->registerAccount(QStringLiteral("newbie"), kPassword), &error));
    QVERIFY2(error.contains(QStringLiteral("invite code")), qPrintable(error));
    QVERIFY(!newbie.run(
        newbie->registerAccount(QStringLiteral("newbie"), kPassword, QStringLiteral("made-up")), &error));
    QVERIFY2(error.contains(QStringLiteral("invite code")), qPrintable(error));
    bool ok = false;
    const QString code =
        gatewayAdmin(gw, {QStringLiteral("invite")}, &ok).split(QLatin1Char('\n')).last().trimmed();
    QVERIFY(ok && !code.isEmpty());
    QVERIFY(newbie.run(newbie->registerAccount(QStringLiteral("newbie"), kPassword, code), &error));
    // Used once: a second account with it is refused.
    QVERIFY(!newbie.run(newbie->registerAccount(QStringLiteral("newbie2"), kPassword, code), &error));
    QVERIFY2(error.contains(QStringLiteral("invite code")), qPrintable(error));
}

void CommunityTest::closedRegistration()
{
    GatewayProcess gw;
    gw.setExtraArguments({QStringLiteral("--registration"), QStringLiteral("closed")});
    QVERIFY(gw.start());
    TestClient newbie;
    newbie->setGatewayUrls({gw.wsUrl()});
    QString error;
    QVERIFY(!newbie.run(newbie->registerAccount(QStringLiteral("newbie"), kPassword), &error));
    QVERIFY2(error.contains(QStringLiteral("does not take new accounts")), qPrintable(error));
}

QTEST_GUILESS_MAIN(CommunityTest)
#include "tst_core_community.moc"
