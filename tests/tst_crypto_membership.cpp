// ChannelMembership, the rules of signed membership (issue 16): who is a member of an encrypted
// channel is decided by operations signed by members' devices, never by the gateway's rows. Each
// test is a stream of events as a hostile gateway or member might shape it.
#include "crypto/ChannelMembership.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/MembershipOp.h"
#include "hchat.pb.h"

#include <QtTest>

#include <sodium.h>

using namespace hchat;
using namespace hchat::crypto;
using V = ChannelMembership::Verdict;
using A = MembershipOp::Action;

namespace {

struct Person {
    QString nick;
    QString device;
    DeviceIdentity id;
};

Person person(const QString &nick)
{
    return Person{nick, nick + QStringLiteral("-device"), *DeviceIdentity::generate()};
}

} // namespace

class CryptoMembership : public QObject {
    Q_OBJECT
    Person alice = person(QStringLiteral("alice"));
    Person bob = person(QStringLiteral("bob"));
    Person carol = person(QStringLiteral("carol"));
    Person mallory = person(QStringLiteral("mallory"));
    quint64 seq = 0;
    QList<Person *> known{&alice, &bob, &carol, &mallory};

    IdentityKeyLookup keys()
    {
        return [this](const QString &nick, const QString &device) {
            for (Person *p : known)
                if (p->nick == nick.toLower() && p->device == device)
                    return p->id.identityKey();
            return QByteArray();
        };
    }
    ChannelMembership::Event row(MessageKind kind, const Person &sender, const QString &subject = {})
    {
        return ChannelMembership::Event{++seq, kind, sender.nick, sender.device, subject, {}};
    }
    ChannelMembership::Event op(const ChannelMembership &m, const Person &actor, A action,
                                const QString &subject = {}, const QStringList &members = {},
                                const QByteArray &previous = {})
    {
        MembershipOp o;
        o.channel = m.channel();
        o.action = action;
        o.actor = actor.nick;
        o.actorDevice = actor.device;
        o.subject = subject;
        o.members = members;
        o.kind = m.channel().startsWith(QLatin1Char('@')) ? ChannelRecord::Kind::Direct
                                                          : ChannelRecord::Kind::InviteOnly;
        o.previous = !previous.isNull()     ? previous
                     : action == A::Genesis ? QByteArray()
                     : action == A::Accept  ? m.invitationOf(actor.nick)
                                            : m.head();
        return ChannelMembership::Event{++seq, MessageKind::Membership,     actor.nick, actor.device,
                                        {},    o.signAndSerialize(actor.id)};
    }
    ChannelMembership::Event roleOp(const ChannelMembership &m, const Person &actor, const QString &subject,
                                    MembershipOp::Role role)
    {
        MembershipOp o;
        o.channel = m.channel();
        o.action = A::Role;
        o.actor = actor.nick;
        o.actorDevice = actor.device;
        o.subject = subject;
        o.role = role;
        o.previous = m.head();
        return ChannelMembership::Event{++seq, MessageKind::Membership,     actor.nick, actor.device,
                                        {},    o.signAndSerialize(actor.id)};
    }
    V feed(ChannelMembership &m, const ChannelMembership::Event &e, QString *reason = nullptr)
    {
        const auto out = m.feed(e, keys());
        if (out.isEmpty())
            return V::NeedsKey;
        if (reason)
            *reason = out.last().reason;
        return out.last().verdict;
    }
    // "plans": alice founded it inviting bob, who accepted.
    ChannelMembership plans()
    {
        ChannelMembership m(QStringLiteral("plans"), false);
        feed(m, row(MessageKind::ChannelCreated, alice, alice.nick));
        feed(m, op(m, alice, A::Genesis, {}, {bob.nick}));
        feed(m, op(m, bob, A::Accept));
        return m;
    }

private slots:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }

    void anInviteeIsAMemberOnlyOnceItAccepts()
    {
        ChannelMembership m(QStringLiteral("plans"), false);
        QCOMPARE(feed(m, row(MessageKind::ChannelCreated, alice, alice.nick)), V::Ignored);
        QVERIFY(m.members().isEmpty()); // no genesis yet: nobody
        QCOMPARE(feed(m, op(m, alice, A::Genesis, {}, {bob.nick})), V::Applied);
        QCOMPARE(m.members(), QStringList{QStringLiteral("alice")});
        QVERIFY(m.isInvited(bob.nick));
        QCOMPARE(m.inviterOf(bob.nick), QStringLiteral("alice"));
        // The gateway's row for the first invitee, before or after the genesis: no effect.
        QCOMPARE(feed(m, row(MessageKind::MemberAdded, alice, bob.nick)), V::Ignored);
        QVERIFY(!m.isMember(bob.nick));
        const quint64 before = seq;
        QCOMPARE(feed(m, op(m, bob, A::Accept)), V::Applied);
        QVERIFY(m.isMember(bob.nick));
        QVERIFY(!m.isInvited(bob.nick));
        QVERIFY(!m.wasMemberAt(bob.nick, before));
        QVERIFY(m.wasMemberAt(bob.nick, seq + 1));
    }

    void theGatewayAddingSomeoneChangesNothingAndIsReported()
    {
        ChannelMembership m = plans();
        QString reason;
        QCOMPARE(feed(m, row(MessageKind::MemberAdded, alice, mallory.nick), &reason), V::Rejected);
        QVERIFY(reason.contains(QStringLiteral("without a signed invitation")));
        QVERIFY(!m.isMember(mallory.nick) && !m.isInvited(mallory.nick));
        // Nor can she accept an invitation nobody made.
        QCOMPARE(feed(m, op(m, mallory, A::Accept, {}, {}, m.head())), V::Rejected);
        QVERIFY(!m.isMember(mallory.nick));
        // A removal row by the gateway does not remove anyone either.
        QCOMPARE(feed(m, row(MessageKind::MemberRemoved, alice, bob.nick)), V::Ignored);
        QVERIFY(m.isMember(bob.nick));
    }

    void forgedAndMisaddressedOperationsAreRefused()
    {
        ChannelMembership m = plans();
        // Signed by mallory's key, in bob's name (the key directory knows bob's real key).
        MembershipOp o;
        o.channel = m.channel();
        o.action = A::Add;
        o.actor = bob.nick;
        o.actorDevice = bob.device;
        o.subject = mallory.nick;
        o.previous = m.head();
        ChannelMembership::Event forged{++seq, MessageKind::Membership,       bob.nick, bob.device,
                                        {},    o.signAndSerialize(mallory.id)};
        QString reason;
        QCOMPARE(feed(m, forged, &reason), V::Rejected);
        QVERIFY(reason.contains(QStringLiteral("bad signature")));
        // A genuine operation of bob's, relayed as if mallory had sent it.
        auto relayed = op(m, bob, A::Add, carol.nick);
        relayed.sender = mallory.nick;
        relayed.senderDevice = mallory.device;
        QCOMPARE(feed(m, relayed), V::Rejected);
        // One of another channel, replayed here.
        ChannelMembership other(QStringLiteral("elsewhere"), false);
        feed(other, op(other, alice, A::Genesis, {}, {carol.nick}));
        QCOMPARE(feed(m, op(other, alice, A::Add, mallory.nick)), V::Rejected);
        // A non-member cannot invite; garbage is refused with a reason.
        QCOMPARE(feed(m, op(m, carol, A::Add, mallory.nick)), V::Rejected);
        QCOMPARE(
            feed(m,
                 ChannelMembership::Event{++seq, MessageKind::Membership, bob.nick, bob.device, {}, "junk"}),
            V::Rejected);
        QCOMPARE(m.members(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    }

    void operationsChainToWhatWasSeen()
    {
        ChannelMembership m = plans();
        // previous names an operation this client never saw (the gateway withheld it).
        QString reason;
        QCOMPARE(feed(m, op(m, alice, A::Add, carol.nick, {}, QByteArray(32, 'x')), &reason), V::Rejected);
        QVERIFY(reason.contains(QStringLiteral("never saw")));
        // An acceptance must name its very invitation, not just any operation seen.
        const QByteArray beforeInvitation = m.head();
        QCOMPARE(feed(m, op(m, alice, A::Add, carol.nick)), V::Applied);
        QCOMPARE(feed(m, op(m, carol, A::Accept, {}, {}, beforeInvitation), &reason), V::Rejected);
        QVERIFY(reason.contains(QStringLiteral("does not exist")));
        QVERIFY(!m.isMember(carol.nick));
        QCOMPARE(feed(m, op(m, carol, A::Accept)), V::Applied);
        QVERIFY(m.isMember(carol.nick));
        // The same operation twice: once.
        const auto leave = op(m, carol, A::Leave);
        QCOMPARE(feed(m, leave), V::Applied);
        auto again = leave;
        again.seq = ++seq;
        QCOMPARE(feed(m, again), V::Ignored);
        // Events at or below what was applied (a replay of the history) are skipped.
        auto old = op(m, alice, A::Remove, bob.nick);
        old.seq = 2;
        QVERIFY(m.feed(old, keys()).isEmpty());
        QVERIFY(m.isMember(bob.nick));
    }

    void oneGenesisByTheCreator()
    {
        ChannelMembership m(QStringLiteral("plans"), false);
        feed(m, row(MessageKind::ChannelCreated, alice, alice.nick));
        QCOMPARE(feed(m, op(m, mallory, A::Genesis, {}, {mallory.nick})), V::Rejected); // not the creator
        QCOMPARE(feed(m, op(m, alice, A::Add, bob.nick)), V::Rejected);                 // before any genesis
        QCOMPARE(feed(m, op(m, alice, A::Genesis, {}, {bob.nick})), V::Applied);
        QCOMPARE(feed(m, op(m, alice, A::Genesis, {}, {carol.nick})), V::Rejected); // a second one
        QVERIFY(!m.isInvited(carol.nick));
    }

    void aDirectChannelIsItsTwoPeopleForEver()
    {
        const QString dm = ChannelRecord::directName(alice.nick, bob.nick);
        ChannelMembership m(dm, false);
        QCOMPARE(m.kind(), ChannelRecord::Kind::Direct);
        feed(m, row(MessageKind::ChannelCreated, alice, alice.nick));
        // A genesis naming someone else than the other person of the name is refused.
        QCOMPARE(feed(m, op(m, alice, A::Genesis, {}, {carol.nick})), V::Rejected);
        QCOMPARE(feed(m, op(m, alice, A::Genesis, {}, {bob.nick})), V::Applied);
        QCOMPARE(m.members(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")})); // both, at once
        QString reason;
        QCOMPARE(feed(m, op(m, alice, A::Add, carol.nick), &reason), V::Rejected);
        QVERIFY(reason.contains(QStringLiteral("direct channel")));
        QCOMPARE(feed(m, op(m, alice, A::Remove, bob.nick)), V::Rejected);
        QCOMPARE(feed(m, row(MessageKind::MemberAdded, alice, carol.nick)), V::Rejected);
        QCOMPARE(m.members(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
        QCOMPARE(feed(m, op(m, bob, A::Leave)), V::Applied);
        QCOMPARE(m.members(), QStringList{QStringLiteral("alice")});
    }

    void anUnknownKeyHoldsTheRestInOrder()
    {
        ChannelMembership m(QStringLiteral("plans"), false);
        known.removeAll(&bob); // bob's device keys are not here yet
        feed(m, op(m, alice, A::Genesis, {}, {bob.nick}));
        QVERIFY(m.feed(op(m, bob, A::Accept), keys()).isEmpty());
        QCOMPARE(m.blockedOn(), QStringLiteral("bob"));
        // Later events wait behind it, even those that need no key.
        QVERIFY(m.feed(row(MessageKind::UserDeleted, carol, carol.nick), keys()).isEmpty());
        QVERIFY(!m.isMember(bob.nick));
        known.append(&bob);
        const auto out = m.retry(keys());
        QCOMPARE(out.size(), 2);
        QCOMPARE(out.first().verdict, V::Applied);
        QVERIFY(m.blockedOn().isEmpty());
        QVERIFY(m.isMember(bob.nick));
    }

    void removalsAndLeavesEndMembership()
    {
        ChannelMembership m = plans();
        QCOMPARE(feed(m, op(m, alice, A::Add, carol.nick)), V::Applied);
        QCOMPARE(feed(m, op(m, carol, A::Accept)), V::Applied);
        const quint64 whileMember = ++seq;
        QCOMPARE(feed(m, op(m, alice, A::Remove, carol.nick)), V::Applied);
        QVERIFY(!m.isMember(carol.nick));
        QVERIFY(m.wasMemberAt(carol.nick, whileMember));
        QVERIFY(!m.wasMemberAt(carol.nick, seq + 1)); // an ex-member's later message
        QCOMPARE(feed(m, op(m, carol, A::Add, mallory.nick)), V::Rejected);
        // Withdrawing an invitation before it is accepted.
        QCOMPARE(feed(m, op(m, alice, A::Add, mallory.nick)), V::Applied);
        QCOMPARE(feed(m, op(m, alice, A::Remove, mallory.nick)), V::Applied);
        QVERIFY(!m.isInvited(mallory.nick));
        QCOMPARE(feed(m, op(m, mallory, A::Accept, {}, {}, m.head())), V::Rejected);
    }

    // Issue 21: removals by the owner and moderators only (over lower roles), roles by the owner
    // only, whatever a gateway stores.
    void onlyTheOwnerAndModeratorsRemoveAndOnlyTheOwnerGivesRoles()
    {
        ChannelMembership m = plans();
        QCOMPARE(m.role(alice.nick), MembershipOp::Role::Owner);
        QCOMPARE(m.role(bob.nick), MembershipOp::Role::Member);
        QCOMPARE(feed(m, op(m, alice, A::Add, carol.nick)), V::Applied);
        QCOMPARE(feed(m, op(m, carol, A::Accept)), V::Applied);
        // A plain member removes nobody, and gives no roles.
        QString reason;
        QCOMPARE(feed(m, op(m, bob, A::Remove, carol.nick), &reason), V::Rejected);
        QVERIFY2(reason.contains(QStringLiteral("may not remove")), qPrintable(reason));
        QVERIFY(m.isMember(carol.nick));
        QCOMPARE(feed(m, roleOp(m, bob, bob.nick, MembershipOp::Role::Moderator)), V::Rejected);
        QCOMPARE(feed(m, roleOp(m, bob, carol.nick, MembershipOp::Role::Moderator)), V::Rejected);
        QCOMPARE(m.role(carol.nick), MembershipOp::Role::Member);
        // The owner makes bob a moderator: bob removes a member, but not the owner.
        QCOMPARE(feed(m, roleOp(m, alice, bob.nick, MembershipOp::Role::Moderator)), V::Applied);
        QCOMPARE(feed(m, op(m, bob, A::Remove, alice.nick)), V::Rejected);
        QCOMPARE(feed(m, op(m, bob, A::Remove, carol.nick)), V::Applied);
        QVERIFY(!m.isMember(carol.nick));
        // A role signed for one value and presented with another fails its signature.
        ChannelMembership::Event forged = roleOp(m, alice, bob.nick, MembershipOp::Role::Member);
        auto parsed = MembershipOp::parse(forged.body);
        QVERIFY(parsed);
        hchat::v1::MembershipOp wire;
        QVERIFY(wire.ParseFromArray(forged.body.constData(), int(forged.body.size())));
        wire.set_role(hchat::v1::CHANNEL_ROLE_OWNER);
        forged.body = QByteArray::fromStdString(wire.SerializeAsString());
        QCOMPARE(feed(m, forged), V::Rejected);
        QCOMPARE(m.role(bob.nick), MembershipOp::Role::Moderator);
        // Ownership handed on: alice becomes a moderator; bob, the owner, may remove her.
        QCOMPARE(feed(m, roleOp(m, alice, bob.nick, MembershipOp::Role::Owner)), V::Applied);
        QCOMPARE(m.role(bob.nick), MembershipOp::Role::Owner);
        QCOMPARE(m.role(alice.nick), MembershipOp::Role::Moderator);
        QCOMPARE(feed(m, roleOp(m, alice, bob.nick, MembershipOp::Role::Member)), V::Rejected);
        QCOMPARE(feed(m, op(m, bob, A::Remove, alice.nick)), V::Applied);
        // Whoever invited someone may withdraw the pending invitation, moderator or not.
        QCOMPARE(feed(m, op(m, bob, A::Add, carol.nick)), V::Applied);
        QCOMPARE(feed(m, op(m, bob, A::Remove, carol.nick)), V::Applied);
        QVERIFY(!m.isInvited(carol.nick));
    }

    // A deletion decrypted late is judged by the role its sender had when it was stored.
    void theRoleAtAMessageIsTheOneSignedBeforeIt()
    {
        ChannelMembership m = plans();
        const quint64 beforeRole = ++seq;
        QCOMPARE(feed(m, roleOp(m, alice, bob.nick, MembershipOp::Role::Moderator)), V::Applied);
        const quint64 whileModerator = ++seq;
        QCOMPARE(feed(m, roleOp(m, alice, bob.nick, MembershipOp::Role::Member)), V::Applied);
        const quint64 demoted = ++seq;
        QCOMPARE(feed(m, roleOp(m, alice, bob.nick, MembershipOp::Role::Moderator)), V::Applied);
        QCOMPARE(feed(m, op(m, bob, A::Leave)), V::Applied);
        const quint64 gone = ++seq;
        QCOMPARE(m.roleAt(bob.nick, beforeRole), MembershipOp::Role::Member);
        QCOMPARE(m.roleAt(bob.nick, whileModerator), MembershipOp::Role::Moderator);
        QCOMPARE(m.roleAt(bob.nick, demoted), MembershipOp::Role::Member);
        QCOMPARE(m.roleAt(bob.nick, gone), MembershipOp::Role::Member);
        QCOMPARE(m.roleAt(alice.nick, gone), MembershipOp::Role::Owner);
        QCOMPARE(m.roleAt(carol.nick, whileModerator), MembershipOp::Role::Member);
    }

    void legacyChannelsFollowTheGatewayAsBefore()
    {
        ChannelMembership m(QStringLiteral("old"), true, {QStringLiteral("alice"), QStringLiteral("bob")},
                            10);
        QVERIFY(m.isLegacy());
        QVERIFY(m.isMember(bob.nick));
        seq = 10;
        QCOMPARE(feed(m, row(MessageKind::MemberAdded, alice, carol.nick)), V::Applied);
        QVERIFY(m.isMember(carol.nick));
        QCOMPARE(feed(m, op(m, alice, A::Genesis, {}, {})), V::Ignored);
        QVERIFY(!m.hasGenesis());
    }
};

QTEST_GUILESS_MAIN(CryptoMembership)
#include "tst_crypto_membership.moc"
