// Running a community at the gateway (docs/PROTOCOL.md, "Roles and moderation", docs/ADMIN.md):
// the permission matrix of every moderation action in open, invite-only and direct channels for
// owner, moderator, member, outsider, banned user and gateway administrator; a spammer kicked,
// banned and kept out, its deleted message gone from what every member pulls; blocks; the
// directory and topics; invite-only and closed registration; administration from the command line
// (a password reset signs the user's open sessions out) and from an administrator's app.
#include "GatewayProcess.h"
#include "ProtocolClient.h"

#include <QtTest>

#include <memory>

using namespace hchat::test;
using namespace hchat::v1;

namespace {

const QString kPassword = QStringLiteral("correct horse battery");

enum class Kind { Open, Private, Direct };
enum class Who { Owner, Moderator, Member, Outsider, Banned, Admin };
enum class Act {
    Join,
    Post,
    RemoveMember,
    Kick,
    Ban,
    Unban,
    DeleteOthers,
    SetTopic,
    SetReadOnly,
    SetRole,
    HandOn
};

const char *kindName(Kind k)
{
    return k == Kind::Open ? "open" : k == Kind::Private ? "private" : "direct";
}
const char *whoName(Who w)
{
    static const char *names[] = {"owner", "moderator", "member", "outsider", "banned", "admin"};
    return names[int(w)];
}
const char *actName(Act a)
{
    static const char *names[] = {"join",          "post",     "remove-member", "kick",
                                  "ban",           "unban",    "delete-others", "set-topic",
                                  "set-read-only", "set-role", "hand-on"};
    return names[int(a)];
}

// The documented matrix (docs/PROTOCOL.md), written out independently of the gateway's code.
ErrorCode expected(Kind k, Act a, Who w)
{
    const bool member = w == Who::Owner || w == Who::Moderator || w == Who::Member;
    switch (a) {
    case Act::Join:
        if (member)
            return ERROR_CODE_UNSPECIFIED;
        if (k == Kind::Private)
            return ERROR_FORBIDDEN;
        return w == Who::Banned ? ERROR_BANNED : ERROR_CODE_UNSPECIFIED;
    case Act::Post:
        if (!member)
            return ERROR_NOT_MEMBER;
        return w == Who::Member && k != Kind::Direct ? ERROR_READ_ONLY : ERROR_CODE_UNSPECIFIED;
    case Act::RemoveMember:
        if (!member)
            return ERROR_NOT_MEMBER;
        if (k != Kind::Private || w == Who::Member)
            return ERROR_FORBIDDEN;
        return ERROR_CODE_UNSPECIFIED;
    default:
        break;
    }
    if (k == Kind::Direct)
        return ERROR_FORBIDDEN;
    if (w == Who::Outsider || w == Who::Banned)
        return ERROR_NOT_MEMBER;
    if (w == Who::Member)
        return ERROR_FORBIDDEN;
    if (w == Who::Moderator && (a == Act::SetRole || a == Act::HandOn))
        return ERROR_FORBIDDEN;
    return ERROR_CODE_UNSPECIFIED;
}

Frame moderate(const QString &channel, ModerationAction action, const QString &nick = {})
{
    Frame f;
    auto *m = f.mutable_moderate();
    m->set_channel(channel.toStdString());
    m->set_action(action);
    m->set_nick(nick.toStdString());
    return f;
}

// The error of an answer (UNSPECIFIED for a success, INTERNAL when there was no answer).
ErrorCode outcome(const std::optional<Frame> &answer)
{
    if (!answer)
        return ERROR_INTERNAL;
    return answer->has_error() ? answer->error().code() : ERROR_CODE_UNSPECIFIED;
}

QString describe(const std::optional<Frame> &answer)
{
    if (!answer)
        return QStringLiteral("no answer");
    if (answer->has_error())
        return QStringLiteral("%1: %2")
            .arg(int(answer->error().code()))
            .arg(QString::fromStdString(answer->error().message()));
    return QStringLiteral("ok");
}

} // namespace

class GatewayCommunity : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<GatewayProcess> m_gw;
    QHash<QString, std::shared_ptr<ProtocolClient>> m_clients;
    int m_channels = 0;

    ProtocolClient &client(const QString &nick)
    {
        auto &c = m_clients[nick];
        if (!c) {
            c = std::make_shared<ProtocolClient>(*m_gw);
            if (!c->registerAndLogin(nick) || !c->connectAndHello())
                qFatal("cannot sign %s in", qPrintable(nick));
        }
        return *c;
    }

    std::optional<Frame> ask(const QString &nick, Frame f) { return client(nick).request(std::move(f)); }

    bool ok(const QString &nick, Frame f)
    {
        const auto a = ask(nick, std::move(f));
        if (outcome(a) != ERROR_CODE_UNSPECIFIED)
            qWarning().noquote() << nick << "was refused:" << describe(a);
        return outcome(a) == ERROR_CODE_UNSPECIFIED;
    }

    Frame createFrame(const QString &name, ChannelKind kind, const QStringList &members = {})
    {
        Frame f;
        auto *c = f.mutable_create_channel();
        c->set_channel(name.toStdString());
        c->set_kind(kind);
        for (const auto &m : members)
            c->add_members(m.toStdString());
        return f;
    }
    Frame joinFrame(const QString &name)
    {
        Frame f;
        f.mutable_join()->set_channel(name.toStdString());
        return f;
    }
    Frame sendFrame(const QString &name, const QByteArray &body)
    {
        Frame f;
        auto *s = f.mutable_send();
        s->set_channel(name.toStdString());
        s->set_client_msg_id(ProtocolClient::newClientMsgId().toStdString());
        s->set_body(body.toStdString());
        return f;
    }
    Frame inviteFrame(const QString &name, const QString &nick)
    {
        Frame f;
        f.mutable_invite()->set_channel(name.toStdString());
        f.mutable_invite()->set_nick(nick.toStdString());
        return f;
    }
    Frame removeFrame(const QString &name, const QString &nick)
    {
        Frame f;
        f.mutable_remove_member()->set_channel(name.toStdString());
        f.mutable_remove_member()->set_nick(nick.toStdString());
        return f;
    }
    Frame roleFrame(const QString &name, const QString &nick, ChannelRole role)
    {
        Frame f = moderate(name, MODERATION_ACTION_SET_ROLE, nick);
        f.mutable_moderate()->set_role(role);
        return f;
    }
    // A member of an open channel joins; of a private one, is invited by the owner and accepts.
    bool bringIn(Kind kind, const QString &channel, const QString &owner, const QString &nick)
    {
        if (kind == Kind::Private && !ok(owner, inviteFrame(channel, nick)))
            return false;
        return ok(nick, joinFrame(channel));
    }

    // A pull as `nick`: the messages, or the error the gateway answered.
    ErrorCode pull(const QString &nick, const QString &channel, std::vector<Message> *out = nullptr)
    {
        ProtocolClient::HttpResult r;
        const auto res = client(nick).sync(channel, 1, 0, &r);
        if (out)
            out->assign(res.messages().begin(), res.messages().end());
        return r.ok() ? ERROR_CODE_UNSPECIFIED : r.error;
    }

private slots:
    void initTestCase()
    {
        m_gw = std::make_unique<GatewayProcess>();
        QVERIFY2(m_gw->start(), m_gw->output().constData());
        for (const char *nick : {"own", "mod", "mem", "out", "ban", "adm", "vic"})
            client(QString::fromLatin1(nick));
        QByteArray err;
        QCOMPARE(m_gw->admin({QStringLiteral("set-admin"), QStringLiteral("adm"), QStringLiteral("on")}, {},
                             nullptr, &err),
                 0);
    }

    void permissionMatrix_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("act");
        QTest::addColumn<int>("who");
        for (Kind k : {Kind::Open, Kind::Private, Kind::Direct})
            for (int a = 0; a <= int(Act::HandOn); ++a)
                for (Who w :
                     {Who::Owner, Who::Moderator, Who::Member, Who::Outsider, Who::Banned, Who::Admin}) {
                    // A direct channel has its two people only: the "owner" (who opened it),
                    // outsiders and administrators.
                    if (k == Kind::Direct && (w == Who::Moderator || w == Who::Member || w == Who::Banned))
                        continue;
                    if (k == Kind::Direct && Act(a) == Act::Join)
                        continue;
                    QTest::addRow("%s-%s-by-%s", kindName(k), actName(Act(a)), whoName(w))
                        << int(k) << a << int(w);
                }
    }

    // Each row on a channel of its own: set up who is what, then the action, then its error.
    void permissionMatrix()
    {
        QFETCH(int, kind);
        QFETCH(int, act);
        QFETCH(int, who);
        const Kind k = Kind(kind);
        const Act a = Act(act);
        const Who w = Who(who);
        const QString own = QStringLiteral("own"), mod = QStringLiteral("mod"), mem = QStringLiteral("mem"),
                      vic = QStringLiteral("vic");
        const QHash<Who, QString> asker{{Who::Owner, own},
                                        {Who::Moderator, mod},
                                        {Who::Member, mem},
                                        {Who::Outsider, QStringLiteral("out")},
                                        {Who::Banned, QStringLiteral("ban")},
                                        {Who::Admin, QStringLiteral("adm")}};
        QString channel;
        if (k == Kind::Direct) {
            channel = QStringLiteral("@own+vic");
            QVERIFY(ok(own, createFrame(channel, CHANNEL_KIND_DIRECT, {vic}))); // made once, then found
        } else {
            channel = QStringLiteral("matrix-%1").arg(++m_channels);
            QVERIFY(ok(own,
                       createFrame(channel, k == Kind::Open ? CHANNEL_KIND_OPEN : CHANNEL_KIND_INVITE_ONLY)));
            QVERIFY(bringIn(k, channel, own, mod));
            QVERIFY(ok(own, roleFrame(channel, mod, CHANNEL_ROLE_MODERATOR)));
            QVERIFY(bringIn(k, channel, own, mem));
            QVERIFY(bringIn(k, channel, own, vic));
            if (w == Who::Banned) {
                QVERIFY(bringIn(k, channel, own, QStringLiteral("ban")));
                Frame b = moderate(channel, MODERATION_ACTION_BAN, QStringLiteral("ban"));
                QVERIFY(ok(own, b));
            }
        }
        Frame f;
        switch (a) {
        case Act::Join:
            f = joinFrame(channel);
            break;
        case Act::Post:
            if (k != Kind::Direct) {
                Frame ro = moderate(channel, MODERATION_ACTION_SET_READ_ONLY);
                ro.mutable_moderate()->set_read_only(true);
                QVERIFY(ok(own, ro));
            }
            f = sendFrame(channel, "hello");
            break;
        case Act::RemoveMember:
            f = removeFrame(channel, vic);
            break;
        case Act::Kick:
            f = moderate(channel, MODERATION_ACTION_KICK, vic);
            f.mutable_moderate()->set_reason("spam");
            break;
        case Act::Ban:
            f = moderate(channel, MODERATION_ACTION_BAN, vic);
            break;
        case Act::Unban:
            if (k != Kind::Direct)
                QVERIFY(ok(own, moderate(channel, MODERATION_ACTION_BAN, vic)));
            f = moderate(channel, MODERATION_ACTION_UNBAN, vic);
            break;
        case Act::DeleteOthers: {
            const auto ack = ask(vic, sendFrame(channel, "a message to delete"));
            QVERIFY(ack && ack->has_send_ack());
            f = moderate(channel, MODERATION_ACTION_DELETE_MESSAGE);
            f.mutable_moderate()->set_ref_seq(ack->send_ack().seq());
            break;
        }
        case Act::SetTopic:
            f = moderate(channel, MODERATION_ACTION_SET_TOPIC);
            f.mutable_moderate()->set_topic("a topic");
            break;
        case Act::SetReadOnly:
            f = moderate(channel, MODERATION_ACTION_SET_READ_ONLY);
            f.mutable_moderate()->set_read_only(true);
            break;
        case Act::SetRole:
            f = roleFrame(channel, vic, CHANNEL_ROLE_MODERATOR);
            break;
        case Act::HandOn:
            f = roleFrame(channel, vic, CHANNEL_ROLE_OWNER);
            break;
        }
        const auto answer = ask(asker[w], f);
        const ErrorCode want = expected(k, a, w);
        QVERIFY2(outcome(answer) == want,
                 qPrintable(QStringLiteral("expected %1, got %2").arg(int(want)).arg(describe(answer))));
        if (want != ERROR_CODE_UNSPECIFIED || k == Kind::Direct)
            return;
        // What a permitted action did, as the members pull it.
        std::vector<Message> rows;
        switch (a) {
        case Act::Kick:
        case Act::Ban:
        case Act::RemoveMember:
            QCOMPARE(pull(vic, channel), ERROR_NOT_MEMBER);
            QCOMPARE(outcome(ask(vic, joinFrame(channel))), k == Kind::Private ? ERROR_FORBIDDEN
                                                            : a == Act::Ban    ? ERROR_BANNED
                                                                               : ERROR_CODE_UNSPECIFIED);
            break;
        case Act::DeleteOthers:
            QCOMPARE(pull(mem, channel, &rows), ERROR_CODE_UNSPECIFIED);
            QVERIFY(std::any_of(rows.begin(), rows.end(),
                                [](const Message &m) { return m.deleted() && m.body().empty(); }));
            break;
        case Act::HandOn: {
            QVERIFY(ok(vic, moderate(channel, MODERATION_ACTION_SET_TOPIC))); // the new owner may
            Frame back = roleFrame(channel, own, CHANNEL_ROLE_MEMBER);
            QCOMPARE(outcome(ask(vic, back)), ERROR_CODE_UNSPECIFIED); // and the old one is a moderator
            break;
        }
        default:
            break;
        }
    }

    // In an encrypted channel roles and removals are the members' signed operations: the gateway
    // stores one only from whoever may make it (and keeps its own roles in step), and refuses the
    // moderation it cannot carry out for the members.
    void signedRemovalsAndRolesFollowTheRolesInEncryptedChannels()
    {
        const QString ch = QStringLiteral("vault");
        Frame create =
            createFrame(ch, CHANNEL_KIND_INVITE_ONLY, {QStringLiteral("mem"), QStringLiteral("vic")});
        create.mutable_create_channel()->set_encrypted(true);
        QVERIFY(ok(QStringLiteral("own"), create));
        QVERIFY(ok(QStringLiteral("mem"), joinFrame(ch)));
        QVERIFY(ok(QStringLiteral("vic"), joinFrame(ch)));
        auto signedOp = [&](const QString &actor, MembershipAction action, const QString &subject,
                            ChannelRole role = CHANNEL_ROLE_MEMBER) {
            MembershipOp op;
            op.set_version(1);
            op.set_channel(ch.toStdString());
            op.set_action(action);
            op.set_actor(actor.toStdString());
            op.set_actor_device(client(actor).deviceId.toStdString());
            op.set_subject(subject.toStdString());
            op.set_previous(std::string(32, '\1'));
            op.set_role(role);
            op.set_signature(std::string(64, '\2')); // members' clients check it; the gateway cannot
            Frame f = sendFrame(ch, QByteArray::fromStdString(op.SerializeAsString()));
            f.mutable_send()->set_kind(MESSAGE_KIND_MEMBERSHIP);
            return ask(actor, f);
        };
        // Ciphertext the gateway cannot read: a text, and deletions or edits naming it.
        auto encrypted = [&](const QString &from, MessageKind kind, quint64 ref, bool encrypt = true) {
            Frame f = sendFrame(ch, QByteArray(48, '\3'));
            f.mutable_send()->set_kind(kind);
            f.mutable_send()->set_ref_seq(ref);
            f.mutable_send()->set_encrypted(encrypt);
            if (!encrypt)
                f.mutable_send()->clear_body();
            return ask(from, f);
        };
        const auto spam = encrypted(QStringLiteral("vic"), MESSAGE_KIND_TEXT, 0);
        const auto rules = encrypted(QStringLiteral("own"), MESSAGE_KIND_TEXT, 0);
        QVERIFY(spam && spam->has_send_ack() && rules && rules->has_send_ack());
        const quint64 spamSeq = spam->send_ack().seq(), rulesSeq = rules->send_ack().seq();
        // A plain member's signed deletion of someone else's message is refused.
        QCOMPARE(outcome(encrypted(QStringLiteral("mem"), MESSAGE_KIND_DELETE, spamSeq)), ERROR_FORBIDDEN);
        QCOMPARE(outcome(signedOp(QStringLiteral("mem"), MEMBERSHIP_ACTION_REMOVE, QStringLiteral("vic"))),
                 ERROR_FORBIDDEN);
        QCOMPARE(outcome(signedOp(QStringLiteral("mem"), MEMBERSHIP_ACTION_ROLE, QStringLiteral("vic"),
                                  CHANNEL_ROLE_MODERATOR)),
                 ERROR_FORBIDDEN);
        QCOMPARE(outcome(signedOp(QStringLiteral("own"), MEMBERSHIP_ACTION_ROLE, QStringLiteral("own"),
                                  CHANNEL_ROLE_MODERATOR)),
                 ERROR_INVALID_ARGUMENT);
        QCOMPARE(
            outcome(ask(QStringLiteral("own"), roleFrame(ch, QStringLiteral("mem"), CHANNEL_ROLE_MODERATOR))),
            ERROR_FORBIDDEN);
        QCOMPARE(outcome(signedOp(QStringLiteral("own"), MEMBERSHIP_ACTION_ROLE, QStringLiteral("mem"),
                                  CHANNEL_ROLE_MODERATOR)),
                 ERROR_CODE_UNSPECIFIED);
        MembersRequest req;
        req.set_channel(ch.toStdString());
        MemberList list;
        QVERIFY(client(QStringLiteral("own")).post(QStringLiteral("/v1/members"), req, &list).ok());
        QCOMPARE(list.members(1).nick(), "mem");
        QCOMPARE(list.members(1).role(), CHANNEL_ROLE_MODERATOR);
        // A moderator deletes others' messages with a signed deletion only (never edits them); the
        // gateway erases the ciphertext, and members' clients check the signed role themselves.
        QCOMPARE(outcome(encrypted(QStringLiteral("mem"), MESSAGE_KIND_DELETE, spamSeq, false)),
                 ERROR_INVALID_ARGUMENT);
        QCOMPARE(outcome(encrypted(QStringLiteral("mem"), MESSAGE_KIND_EDIT, rulesSeq)), ERROR_FORBIDDEN);
        QCOMPARE(outcome(encrypted(QStringLiteral("mem"), MESSAGE_KIND_DELETE, spamSeq)),
                 ERROR_CODE_UNSPECIFIED);
        QCOMPARE(outcome(encrypted(QStringLiteral("mem"), MESSAGE_KIND_DELETE, spamSeq)),
                 ERROR_INVALID_ARGUMENT);
        QCOMPARE(outcome(signedOp(QStringLiteral("mem"), MEMBERSHIP_ACTION_REMOVE, QStringLiteral("own"))),
                 ERROR_FORBIDDEN);
        QCOMPARE(outcome(signedOp(QStringLiteral("mem"), MEMBERSHIP_ACTION_REMOVE, QStringLiteral("vic"))),
                 ERROR_CODE_UNSPECIFIED);
        QVERIFY(ok(QStringLiteral("mem"), removeFrame(ch, QStringLiteral("vic"))));
        // A ban of a member still in it waits for the signed removal; a moderator deletes nothing.
        QCOMPARE(
            outcome(ask(QStringLiteral("own"), moderate(ch, MODERATION_ACTION_BAN, QStringLiteral("mem")))),
            ERROR_FORBIDDEN);
        QVERIFY(ok(QStringLiteral("own"), moderate(ch, MODERATION_ACTION_BAN, QStringLiteral("vic"))));
        Frame del = moderate(ch, MODERATION_ACTION_DELETE_MESSAGE);
        del.mutable_moderate()->set_ref_seq(1);
        QCOMPARE(outcome(ask(QStringLiteral("own"), del)), ERROR_FORBIDDEN);
    }

    void spammerIsKickedThenBannedAndItsDeletedMessageIsGoneForEveryone()
    {
        const QString ch = QStringLiteral("lobby-spam");
        const QString owner = QStringLiteral("own"), spammer = QStringLiteral("spammer"),
                      reader = QStringLiteral("mem");
        QVERIFY(ok(owner, createFrame(ch, CHANNEL_KIND_OPEN)));
        QVERIFY(ok(reader, joinFrame(ch)));
        QVERIFY(ok(spammer, joinFrame(ch)));
        const auto spam = ask(spammer, sendFrame(ch, "BUY CHEAP WATCHES"));
        QVERIFY(spam && spam->has_send_ack());
        Frame del = moderate(ch, MODERATION_ACTION_DELETE_MESSAGE);
        del.mutable_moderate()->set_ref_seq(spam->send_ack().seq());
        QVERIFY(ok(owner, del));
        // The body is erased at the gateway: a member pulling afresh finds the row deleted and empty,
        // and the DELETE by the moderator that tells clients which already hold it.
        std::vector<Message> rows;
        QCOMPARE(pull(reader, ch, &rows), ERROR_CODE_UNSPECIFIED);
        bool erased = false, told = false;
        for (const auto &m : rows) {
            erased = erased || (m.seq() == spam->send_ack().seq() && m.deleted() && m.body().empty());
            told = told || (m.kind() == MESSAGE_KIND_DELETE && m.ref_seq() == spam->send_ack().seq() &&
                            m.sender() == "own");
            QVERIFY(m.body().find("WATCHES") == std::string::npos);
        }
        QVERIFY(erased);
        QVERIFY(told);
        QVERIFY(m_gw->output().indexOf("WATCHES") < 0);

        // Kicked with a reason: told by a stored notice and a ChannelUpdated; may come back.
        client(spammer).clearReceived();
        Frame kick = moderate(ch, MODERATION_ACTION_KICK, spammer);
        kick.mutable_moderate()->set_reason("spam");
        QVERIFY(ok(owner, kick));
        QVERIFY(ProtocolClient::waitFor(
            [&] {
                for (const auto &f : client(spammer).frames())
                    if (f.has_channel_updated() && f.channel_updated().removed() &&
                        f.channel_updated().channel().name() == ch.toStdString())
                        return true;
                return false;
            },
            5000));
        const auto kicked = client(reader).pushedMessages(ch);
        QVERIFY(ProtocolClient::waitFor(
            [&] {
                for (const auto &m : client(reader).pushedMessages(ch))
                    if (m.kind() == MESSAGE_KIND_MEMBER_KICKED && m.subject() == "spammer" &&
                        m.body() == "spam")
                        return true;
                return false;
            },
            5000));
        QCOMPARE(outcome(ask(spammer, sendFrame(ch, "again"))), ERROR_NOT_MEMBER);
        QVERIFY(ok(spammer, joinFrame(ch)));

        // Banned: out, and kept out until the ban is lifted.
        QVERIFY(ok(owner, moderate(ch, MODERATION_ACTION_BAN, spammer)));
        QCOMPARE(outcome(ask(spammer, joinFrame(ch))), ERROR_BANNED);
        QCOMPARE(pull(spammer, ch), ERROR_NOT_MEMBER);
        MembersRequest req;
        req.set_channel(ch.toStdString());
        MemberList list;
        QVERIFY(client(owner).post(QStringLiteral("/v1/members"), req, &list).ok());
        QCOMPARE(list.bans_size(), 1);
        QCOMPARE(list.bans(0).nick(), "spammer");
        QCOMPARE(list.bans(0).by(), "own");
        QVERIFY(std::none_of(list.members().begin(), list.members().end(),
                             [](const MemberEntry &e) { return e.nick() == "spammer"; }));
        // A plain member sees the members and their roles but not the bans.
        QVERIFY(client(reader).post(QStringLiteral("/v1/members"), req, &list).ok());
        QCOMPARE(list.bans_size(), 0);
        QCOMPARE(list.members(0).nick(), "own");
        QCOMPARE(list.members(0).role(), CHANNEL_ROLE_OWNER);
        QVERIFY(ok(owner, moderate(ch, MODERATION_ACTION_UNBAN, spammer)));
        QVERIFY(ok(spammer, joinFrame(ch)));
    }

    void ownershipPassesOnWhenTheOwnerLeaves()
    {
        const QString ch = QStringLiteral("succession");
        QVERIFY(ok(QStringLiteral("own"), createFrame(ch, CHANNEL_KIND_OPEN)));
        QVERIFY(ok(QStringLiteral("mem"), joinFrame(ch)));
        QVERIFY(ok(QStringLiteral("mod"), joinFrame(ch)));
        QVERIFY(ok(QStringLiteral("own"), roleFrame(ch, QStringLiteral("mod"), CHANNEL_ROLE_MODERATOR)));
        Frame leave;
        leave.mutable_leave()->set_channel(ch.toStdString());
        QVERIFY(ok(QStringLiteral("own"), leave));
        // The moderator (before any plain member) owns it now, and may hand out roles.
        QVERIFY(ok(QStringLiteral("mod"), roleFrame(ch, QStringLiteral("mem"), CHANNEL_ROLE_MODERATOR)));
        std::vector<Message> rows;
        QCOMPARE(pull(QStringLiteral("mem"), ch, &rows), ERROR_CODE_UNSPECIFIED);
        QVERIFY(std::any_of(rows.begin(), rows.end(), [](const Message &m) {
            return m.kind() == MESSAGE_KIND_ROLE && m.subject() == "mod" && m.body() == "owner";
        }));
    }

    // An owner whose account is deleted leaves channels owned by the next member in line.
    void ownershipPassesOnWhenTheOwnersAccountIsDeleted()
    {
        const QString ch = QStringLiteral("bequest");
        QVERIFY(ok(QStringLiteral("founder"), createFrame(ch, CHANNEL_KIND_OPEN)));
        QVERIFY(ok(QStringLiteral("mem"), joinFrame(ch)));
        QByteArray err;
        QCOMPARE(m_gw->admin({QStringLiteral("delete-user"), QStringLiteral("founder")}, {}, nullptr, &err),
                 0);
        // Only the owner hands out roles.
        QVERIFY(ok(QStringLiteral("own"), joinFrame(ch)));
        QVERIFY(ok(QStringLiteral("mem"), roleFrame(ch, QStringLiteral("own"), CHANNEL_ROLE_MODERATOR)));
        std::vector<Message> rows;
        QCOMPARE(pull(QStringLiteral("mem"), ch, &rows), ERROR_CODE_UNSPECIFIED);
        QVERIFY(std::any_of(rows.begin(), rows.end(), [](const Message &m) {
            return m.kind() == MESSAGE_KIND_ROLE && m.subject() == "mem" && m.body() == "owner" &&
                   m.sender() == "founder";
        }));
    }

    void topicAndReadOnlyAreInTheChannelInfoAndTheDirectory()
    {
        const QString ch = QStringLiteral("gardening");
        QVERIFY(ok(QStringLiteral("own"), createFrame(ch, CHANNEL_KIND_OPEN)));
        Frame topic = moderate(ch, MODERATION_ACTION_SET_TOPIC);
        topic.mutable_moderate()->set_topic("Tomatoes, mostly 🍅");
        QVERIFY(ok(QStringLiteral("own"), topic));
        Frame tooLong = moderate(ch, MODERATION_ACTION_SET_TOPIC);
        tooLong.mutable_moderate()->set_topic(std::string(513, 'x'));
        QCOMPARE(outcome(ask(QStringLiteral("own"), tooLong)), ERROR_TOO_LARGE);
        Frame ro = moderate(ch, MODERATION_ACTION_SET_READ_ONLY);
        ro.mutable_moderate()->set_read_only(true);
        QVERIFY(ok(QStringLiteral("own"), ro));
        const auto joined = ask(QStringLiteral("mem"), joinFrame(ch));
        QVERIFY(joined && joined->has_channel_joined());
        QCOMPARE(joined->channel_joined().channel().topic(), "Tomatoes, mostly 🍅");
        QVERIFY(joined->channel_joined().channel().read_only());
        QCOMPARE(joined->channel_joined().channel().role(), CHANNEL_ROLE_MEMBER);
        // A new session's Welcome carries them too, and the owner's role.
        ProtocolClient again(*m_gw);
        QVERIFY(again.login(QStringLiteral("own"), kPassword).ok());
        Welcome welcome;
        QVERIFY(again.connectAndHello(&welcome));
        bool found = false;
        for (const auto &c : welcome.channels())
            if (c.name() == ch.toStdString()) {
                found = true;
                QCOMPARE(c.topic(), "Tomatoes, mostly 🍅");
                QVERIFY(c.read_only());
                QCOMPARE(c.role(), CHANNEL_ROLE_OWNER);
            }
        QVERIFY(found);
        QVERIFY(!welcome.admin());
        // The directory finds it by a word of its topic, case-insensitively, with its member count;
        // private channels never show there, and LIKE's wildcards are taken literally.
        QVERIFY(ok(QStringLiteral("own"),
                   createFrame(QStringLiteral("secret-tomatoes"), CHANNEL_KIND_INVITE_ONLY)));
        DirectoryRequest req;
        req.set_query("TOMATO");
        Directory dir;
        QVERIFY(client(QStringLiteral("out")).post(QStringLiteral("/v1/directory"), req, &dir).ok());
        QCOMPARE(dir.channels_size(), 1);
        QCOMPARE(dir.channels(0).name(), "gardening");
        QCOMPARE(dir.channels(0).member_count(), 2u);
        QVERIFY(!dir.channels(0).joined());
        req.set_query("%");
        QVERIFY(client(QStringLiteral("out")).post(QStringLiteral("/v1/directory"), req, &dir).ok());
        QCOMPARE(dir.channels_size(), 0);
        req.set_query(std::string(65, 'x'));
        QCOMPARE(client(QStringLiteral("out")).post(QStringLiteral("/v1/directory"), req, &dir).error,
                 ERROR_INVALID_ARGUMENT);
    }

    void blockedUsersDirectMessagesAndInvitationsAreRefused()
    {
        const QString blocker = QStringLiteral("quiet"), pest = QStringLiteral("pest");
        client(blocker);
        client(pest);
        QVERIFY(ok(pest, createFrame(QStringLiteral("@pest+quiet"), CHANNEL_KIND_DIRECT, {blocker})));
        QVERIFY(ok(pest, sendFrame(QStringLiteral("@pest+quiet"), "hi")));
        BlockRequest block;
        block.set_nick("pest");
        block.set_blocked(true);
        BlockList list;
        QVERIFY(client(blocker).post(QStringLiteral("/v1/block"), block, &list).ok());
        QCOMPARE(list.nicks_size(), 1);
        // The pest hears nothing of it; its next direct message and invitation are refused.
        QTest::qWait(100);
        for (const auto &f : client(pest).frames())
            QVERIFY(f.request_id() != 0 || f.has_push() || f.has_welcome());
        const auto dm = ask(pest, sendFrame(QStringLiteral("@pest+quiet"), "hello??"));
        QCOMPARE(outcome(dm), ERROR_FORBIDDEN);
        QVERIFY(ok(pest, createFrame(QStringLiteral("pest-club"), CHANNEL_KIND_INVITE_ONLY)));
        QCOMPARE(outcome(ask(pest, inviteFrame(QStringLiteral("pest-club"), blocker))), ERROR_FORBIDDEN);
        std::vector<Message> rows;
        QCOMPARE(pull(blocker, QStringLiteral("@pest+quiet"), &rows), ERROR_CODE_UNSPECIFIED);
        QCOMPARE(int(rows.size()), 3); // created, added, "hi"
        // The blocker may still write; unblocked, the pest may again.
        QVERIFY(ok(blocker, sendFrame(QStringLiteral("@pest+quiet"), "please stop")));
        block.set_blocked(false);
        QVERIFY(client(blocker).post(QStringLiteral("/v1/block"), block, &list).ok());
        QCOMPARE(list.nicks_size(), 0);
        QVERIFY(ok(pest, sendFrame(QStringLiteral("@pest+quiet"), "sorry")));
        block.set_nick("nobody-here");
        QCOMPARE(client(blocker).post(QStringLiteral("/v1/block"), block, &list).error, ERROR_NO_SUCH_USER);
        block.set_nick("quiet");
        QCOMPARE(client(blocker).post(QStringLiteral("/v1/block"), block, &list).error,
                 ERROR_INVALID_ARGUMENT);
    }

    void inviteOnlyRegistrationTakesAValidCodeOnce()
    {
        GatewayProcess gw;
        gw.setExtraArguments({QStringLiteral("--registration"), QStringLiteral("invite")});
        QVERIFY2(gw.start(), gw.output().constData());
        ProtocolClient c(gw);
        auto registerWith = [&](const QString &nick, const std::string &code) {
            RegisterRequest r;
            r.set_nick(nick.toStdString());
            r.set_password(kPassword.toStdString());
            r.set_invite_code(code);
            return c.post(QStringLiteral("/v1/register"), r, nullptr, false);
        };
        QCOMPARE(registerWith(QStringLiteral("newbie"), "").error, ERROR_INVITE_REQUIRED);
        QCOMPARE(registerWith(QStringLiteral("newbie"), "madeupcode").error, ERROR_INVITE_REQUIRED);
        QByteArray out;
        QCOMPARE(gw.admin({QStringLiteral("invite")}, {}, &out), 0);
        const std::string code = out.trimmed().toStdString();
        QCOMPARE(code.size(), 24u);
        QVERIFY(registerWith(QStringLiteral("newbie"), code).ok());
        QCOMPARE(registerWith(QStringLiteral("second"), code).error, ERROR_INVITE_REQUIRED);
        // A code is used only with the account it made: a taken nick does not use it up.
        QCOMPARE(
            gw.admin({QStringLiteral("invite"), QStringLiteral("--uses"), QStringLiteral("2")}, {}, &out), 0);
        const std::string two = out.trimmed().toStdString();
        QCOMPARE(registerWith(QStringLiteral("newbie"), two).error, ERROR_NICK_TAKEN);
        QVERIFY(registerWith(QStringLiteral("third"), two).ok());
        QVERIFY(registerWith(QStringLiteral("fourth"), two).ok());
        QCOMPARE(registerWith(QStringLiteral("fifth"), two).error, ERROR_INVITE_REQUIRED);
        // An expired code: made by an administrator's app to last one second.
        QCOMPARE(gw.admin({QStringLiteral("set-admin"), QStringLiteral("newbie"), QStringLiteral("on")}), 0);
        QVERIFY(c.login(QStringLiteral("newbie"), kPassword).ok());
        AdminRequest make;
        make.set_action(ADMIN_ACTION_CREATE_INVITE);
        make.set_expires_in_s(1);
        AdminResponse made;
        QVERIFY(c.post(QStringLiteral("/v1/admin"), make, &made).ok());
        QTest::qWait(1200);
        QCOMPARE(registerWith(QStringLiteral("late"), made.invite_code()).error, ERROR_INVITE_REQUIRED);
        // The audit log has each code's making, never the code itself.
        QCOMPARE(gw.admin({QStringLiteral("audit")}, {}, &out), 0);
        QVERIFY(out.contains("create-invite"));
        QVERIFY(!out.contains(QByteArray::fromStdString(code)));
        gw.terminate();

        GatewayProcess closed;
        closed.setExtraArguments({QStringLiteral("--registration"), QStringLiteral("closed")});
        QVERIFY2(closed.start(), closed.output().constData());
        ProtocolClient d(closed);
        QCOMPARE(d.registerUser(QStringLiteral("anyone"), kPassword).error, ERROR_REGISTRATION_CLOSED);
        QCOMPARE(closed.admin({QStringLiteral("create-user"), QStringLiteral("anyone")},
                              kPassword.toUtf8() + '\n'),
                 0);
        QVERIFY(d.login(QStringLiteral("anyone"), kPassword).ok());
    }

    void adminCommandResetsAPasswordAndCutsTheOldSessions()
    {
        ProtocolClient &victim = client(QStringLiteral("forgetful"));
        QVERIFY(victim.isConnected());
        const QString newPassword = QStringLiteral("a fresh password");
        QByteArray err;
        QCOMPARE(m_gw->admin({QStringLiteral("reset-password"), QStringLiteral("forgetful")},
                             newPassword.toUtf8() + '\n', nullptr, &err),
                 0);
        // The running gateway follows the audit log and closes the session.
        QVERIFY(victim.waitForDisconnected(5000));
        ProtocolClient probe(*m_gw);
        QCOMPARE(probe.login(QStringLiteral("forgetful"), kPassword).error, ERROR_BAD_CREDENTIALS);
        QVERIFY(probe.login(QStringLiteral("forgetful"), newPassword).ok());
        m_clients.remove(QStringLiteral("forgetful"));
        // Bad usage changes nothing and says why.
        QCOMPARE(m_gw->admin({QStringLiteral("reset-password"), QStringLiteral("nobody-at-all")},
                             "whatever pw\n", nullptr, &err),
                 1);
        QVERIFY(err.contains("no such user"));
        QCOMPARE(m_gw->admin({QStringLiteral("reset-password")}, {}, nullptr, &err), 2);
        QCOMPARE(m_gw->admin({QStringLiteral("reset-password"), QStringLiteral("forgetful")}, "short\n",
                             nullptr, &err),
                 1);
        QVERIFY(probe.login(QStringLiteral("forgetful"), newPassword).ok());
    }

    // The running gateway's writer remembers channels between its transactions; a channel purged
    // by the command line (another connection) must not live on there.
    void aChannelPurgedByTheCommandLineIsGoneForTheRunningGateway()
    {
        const QString ch = QStringLiteral("short-lived");
        QVERIFY(ok(QStringLiteral("own"), createFrame(ch, CHANNEL_KIND_OPEN)));
        QVERIFY(ok(QStringLiteral("mem"), joinFrame(ch)));
        for (int i = 0; i < 3; ++i)
            QVERIFY(ok(QStringLiteral("mem"), sendFrame(ch, "cached by now")));
        QByteArray err;
        QCOMPARE(m_gw->admin({QStringLiteral("purge-channel"), ch}, {}, nullptr, &err), 0);
        QCOMPARE(outcome(ask(QStringLiteral("mem"), sendFrame(ch, "into the void?"))), ERROR_NO_SUCH_CHANNEL);
        QCOMPARE(pull(QStringLiteral("own"), ch), ERROR_NO_SUCH_CHANNEL);
        // The name is free again, and starts from seq 1.
        const auto joined = ask(QStringLiteral("own"), joinFrame(ch));
        QVERIFY(joined && joined->has_channel_joined());
        QCOMPARE(joined->channel_joined().channel().server_max_seq(), 1u);
    }

    void administratorsActFromTheAppAndOthersCannot()
    {
        AdminRequest list;
        list.set_action(ADMIN_ACTION_LIST_USERS);
        AdminResponse res;
        QCOMPARE(client(QStringLiteral("mem")).post(QStringLiteral("/v1/admin"), list, &res).error,
                 ERROR_FORBIDDEN);
        QVERIFY(client(QStringLiteral("adm")).post(QStringLiteral("/v1/admin"), list, &res).ok());
        QVERIFY(std::any_of(res.users().begin(), res.users().end(),
                            [](const AdminUser &u) { return u.nick() == "adm" && u.admin(); }));
        // Suspension: the user's session is closed and its logins refused until lifted.
        ProtocolClient &troll = client(QStringLiteral("troll"));
        AdminRequest suspend;
        suspend.set_action(ADMIN_ACTION_SUSPEND);
        suspend.set_nick("troll");
        suspend.set_flag(true);
        QVERIFY(client(QStringLiteral("adm")).post(QStringLiteral("/v1/admin"), suspend, &res).ok());
        QVERIFY(troll.waitForDisconnected(5000));
        ProtocolClient probe(*m_gw);
        QCOMPARE(probe.login(QStringLiteral("troll"), kPassword).error, ERROR_SUSPENDED);
        suspend.set_flag(false);
        QVERIFY(client(QStringLiteral("adm")).post(QStringLiteral("/v1/admin"), suspend, &res).ok());
        QVERIFY(probe.login(QStringLiteral("troll"), kPassword).ok());
        m_clients.remove(QStringLiteral("troll"));
        // Purging a channel: its members are told, and it is gone.
        const QString ch = QStringLiteral("doomed");
        QVERIFY(ok(QStringLiteral("own"), createFrame(ch, CHANNEL_KIND_OPEN)));
        QVERIFY(ok(QStringLiteral("mem"), joinFrame(ch)));
        QVERIFY(ok(QStringLiteral("mem"), sendFrame(ch, "soon gone")));
        client(QStringLiteral("mem")).clearReceived();
        AdminRequest purge;
        purge.set_action(ADMIN_ACTION_PURGE_CHANNEL);
        purge.set_channel(ch.toStdString());
        QVERIFY(client(QStringLiteral("adm")).post(QStringLiteral("/v1/admin"), purge, &res).ok());
        QVERIFY(ProtocolClient::waitFor(
            [&] {
                for (const auto &f : client(QStringLiteral("mem")).frames())
                    if (f.has_channel_updated() && f.channel_updated().removed())
                        return true;
                return false;
            },
            5000));
        QCOMPARE(pull(QStringLiteral("mem"), ch), ERROR_NO_SUCH_CHANNEL);
        // Removing the last administrator is refused; every action is in the audit log.
        AdminRequest unadmin;
        unadmin.set_action(ADMIN_ACTION_SET_ADMIN);
        unadmin.set_nick("adm");
        QCOMPARE(client(QStringLiteral("adm")).post(QStringLiteral("/v1/admin"), unadmin, &res).error,
                 ERROR_FORBIDDEN);
        AdminRequest audit;
        audit.set_action(ADMIN_ACTION_AUDIT_LOG);
        QVERIFY(client(QStringLiteral("adm")).post(QStringLiteral("/v1/admin"), audit, &res).ok());
        QStringList actions;
        for (const auto &e : res.audit())
            actions << QString::fromStdString(e.action() + " " + e.subject() + " by " + e.actor());
        QVERIFY2(actions.contains(QStringLiteral("purge-channel doomed by adm")),
                 qPrintable(actions.join(QLatin1Char('\n'))));
        QVERIFY(actions.contains(QStringLiteral("suspend troll by adm")));
    }

    void welcomeChannelWaitsOnAFreshDatabase()
    {
        GatewayProcess gw;
        gw.setExtraArguments({QStringLiteral("--welcome-channel"), QStringLiteral("general")});
        QVERIFY2(gw.start(), gw.output().constData());
        ProtocolClient c(gw);
        QVERIFY(c.registerAndLogin(QStringLiteral("newcomer")));
        Directory dir;
        QVERIFY(ProtocolClient::waitFor(
            [&] {
                return c.post(QStringLiteral("/v1/directory"), DirectoryRequest(), &dir).ok() &&
                       dir.channels_size() == 1;
            },
            5000));
        QCOMPARE(dir.channels(0).name(), "general");
        QVERIFY(!dir.channels(0).topic().empty());
        QVERIFY(c.connectAndHello());
        QVERIFY(c.join(QStringLiteral("general")));
    }
};

QTEST_GUILESS_MAIN(GatewayCommunity)
#include "tst_gateway_community.moc"
