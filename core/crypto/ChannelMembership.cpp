#include "crypto/ChannelMembership.h"

#include "crypto/MembershipOp.h"

#include <QCoreApplication>

#include <algorithm>

namespace hchat::crypto {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("hchat::crypto::ChannelMembership", text);
}
} // namespace

ChannelMembership::ChannelMembership(QString channel, bool legacy, const QStringList &legacyMembers,
                                     quint64 legacySeq)
    : m_channel(std::move(channel)), m_legacy(legacy), m_lastSeq(legacySeq)
{
    m_kind = m_channel.startsWith(QLatin1Char('@')) ? ChannelRecord::Kind::Direct
                                                    : ChannelRecord::Kind::InviteOnly;
    for (const QString &nick : legacyMembers)
        join(nick, 0);
}

QList<ChannelMembership::Outcome> ChannelMembership::feed(const Event &event,
                                                          const IdentityKeyLookup &trustedKey)
{
    if (event.seq <= m_lastSeq || (!m_waiting.isEmpty() && event.seq <= m_waiting.last().seq))
        return {};
    m_waiting.append(event);
    return retry(trustedKey);
}

QList<ChannelMembership::Outcome> ChannelMembership::retry(const IdentityKeyLookup &trustedKey)
{
    QList<Outcome> out;
    m_blockedOn.clear();
    while (!m_waiting.isEmpty()) {
        const Event &next = m_waiting.first();
        Outcome o = decide(next, trustedKey);
        if (o.verdict == Verdict::NeedsKey) {
            m_blockedOn = o.reason;
            break;
        }
        m_lastSeq = next.seq;
        out.append(o);
        m_waiting.removeFirst();
    }
    return out;
}

ChannelMembership::Outcome ChannelMembership::decide(const Event &event, const IdentityKeyLookup &trustedKey)
{
    if (event.kind == MessageKind::Membership)
        return applyOp(event, trustedKey);
    return applyServerRow(event);
}

ChannelMembership::Outcome ChannelMembership::applyServerRow(const Event &e)
{
    const QString subject = (e.subject.isEmpty() ? e.sender : e.subject).toLower();
    Outcome o{e.seq, Verdict::Ignored, {}};
    switch (e.kind) {
    case MessageKind::ChannelCreated:
        m_serverCreator = subject;
        if (m_legacy) {
            join(subject, e.seq);
            o.verdict = Verdict::Applied;
        }
        return o;
    case MessageKind::MemberAdded:
    case MessageKind::MemberJoined:
        if (m_legacy) {
            join(subject, e.seq);
            o.verdict = Verdict::Applied;
        } else if (m_genesis && !m_members.contains(subject) && !m_invited.contains(subject)) {
            o.verdict = Verdict::Rejected;
            o.reason = tr("The server added %1 without a signed invitation from a member: %1 is not a member "
                          "and gets no keys.")
                           .arg(subject);
        }
        return o;
    case MessageKind::MemberRemoved:
    case MessageKind::MemberLeft:
        if (m_legacy) {
            part(subject, e.seq);
            o.verdict = Verdict::Applied;
        }
        return o;
    case MessageKind::UserDeleted:
        // A deleted account acts no more: dropping it only stops keys going to it.
        part(subject, e.seq);
        m_invited.remove(subject);
        o.verdict = Verdict::Applied;
        return o;
    default:
        return o;
    }
}

ChannelMembership::Outcome ChannelMembership::applyOp(const Event &e, const IdentityKeyLookup &trustedKey)
{
    Outcome o{e.seq, Verdict::Rejected, {}};
    QString why;
    const auto op = MembershipOp::parse(e.body, &why);
    if (!op) {
        o.reason = tr("An unreadable membership change (%1) was ignored.").arg(why);
        return o;
    }
    if (m_legacy) {
        o.verdict = Verdict::Ignored; // this channel's membership is the gateway's, as before
        return o;
    }
    if (op->channel != m_channel || op->actor.compare(e.sender, Qt::CaseInsensitive) != 0 ||
        op->actorDevice != e.senderDevice) {
        o.reason = tr("A membership change in the name of %1 was not sent by %1's device; it was ignored.")
                       .arg(op->actor);
        return o;
    }
    const QByteArray key = trustedKey ? trustedKey(op->actor, op->actorDevice) : QByteArray();
    if (key.isEmpty()) {
        o.verdict = Verdict::NeedsKey;
        o.reason = op->actor.toLower();
        return o;
    }
    if (!op->verify(key)) {
        o.reason =
            tr("A membership change in the name of %1 has a bad signature; it was ignored.").arg(op->actor);
        return o;
    }
    return checkAndApply(*op, e.seq);
}

ChannelMembership::Outcome ChannelMembership::checkAndApply(const MembershipOp &op, quint64 seq)
{
    Outcome o{seq, Verdict::Rejected, {}};
    const QString actor = op.actor.toLower();
    const QString subject = op.subject.toLower();
    const QByteArray hash = op.hash();
    auto reject = [&](const QString &why) {
        o.reason = why;
        return o;
    };
    if (m_applied.contains(hash))
        return Outcome{seq, Verdict::Ignored, {}};
    if (op.action == MembershipOp::Action::Genesis) {
        if (m_genesis)
            return reject(tr("A second genesis of this channel, by %1, was ignored.").arg(actor));
        if (!op.previous.isEmpty() || !op.encrypted ||
            (op.kind != ChannelRecord::Kind::InviteOnly && op.kind != ChannelRecord::Kind::Direct))
            return reject(tr("A malformed genesis of this channel was ignored."));
        if (!m_serverCreator.isEmpty() && m_serverCreator != actor)
            return reject(tr("A genesis by %1, who did not create this channel, was ignored.").arg(actor));
        if (op.kind == ChannelRecord::Kind::Direct &&
            (op.members.size() != 1 || ChannelRecord::directName(actor, op.members.first()) != m_channel))
            return reject(tr("A direct channel's genesis must name its two people; it was ignored."));
        if (op.kind == ChannelRecord::Kind::InviteOnly && m_channel.startsWith(QLatin1Char('@')))
            return reject(tr("A direct channel cannot have a private channel's genesis; it was ignored."));
        m_genesis = true;
        m_kind = op.kind;
        join(actor, seq);
        if (m_kind == ChannelRecord::Kind::InviteOnly)
            setRole(actor, MembershipOp::Role::Owner, seq);
        // A direct channel is its two people from the start; a private channel's first members
        // are invited and join only with their own acceptance.
        for (const QString &m : op.members) {
            if (m.toLower() == actor)
                continue;
            if (m_kind == ChannelRecord::Kind::Direct)
                join(m, seq);
            else
                m_invited.insert(m.toLower(), Invitation{hash, actor});
        }
    } else {
        if (!m_genesis)
            return reject(tr("A membership change before the channel's genesis was ignored."));
        if (!m_applied.contains(op.previous))
            return reject(
                tr("A membership change by %1 follows a change this device never saw; it was ignored.")
                    .arg(actor));
        switch (op.action) {
        case MembershipOp::Action::Add:
            if (m_kind == ChannelRecord::Kind::Direct)
                return reject(
                    tr("Nobody can be added to a direct channel; %1's invitation of %2 was ignored.")
                        .arg(actor, subject));
            if (!m_members.contains(actor))
                return reject(tr("%1, not a member, cannot invite %2; ignored.").arg(actor, subject));
            if (subject.isEmpty() || m_members.contains(subject) || m_invited.contains(subject))
                return Outcome{seq, Verdict::Ignored, {}};
            m_invited.insert(subject, Invitation{hash, actor});
            break;
        case MembershipOp::Action::Accept: {
            const auto it = m_invited.constFind(actor);
            if (it == m_invited.cend() || it->hash != op.previous)
                return reject(tr("%1 accepted an invitation that does not exist; ignored.").arg(actor));
            m_invited.remove(actor);
            join(actor, seq);
            break;
        }
        case MembershipOp::Action::Leave:
            if (!m_members.contains(actor) && !m_invited.contains(actor))
                return Outcome{seq, Verdict::Ignored, {}};
            m_invited.remove(actor);
            part(actor, seq);
            break;
        case MembershipOp::Action::Remove: {
            if (m_kind == ChannelRecord::Kind::Direct)
                return reject(tr("Nobody can be removed from a direct channel; ignored."));
            if (!m_members.contains(actor))
                return reject(tr("%1, not a member, cannot remove %2; ignored.").arg(actor, subject));
            if (!m_members.contains(subject) && !m_invited.contains(subject))
                return Outcome{seq, Verdict::Ignored, {}};
            // The owner and moderators remove members of a lower role; whoever invited someone
            // may withdraw the invitation while it waits.
            const auto invitation = m_invited.constFind(subject);
            const bool withdrawal = invitation != m_invited.cend() && invitation->inviter == actor;
            const MembershipOp::Role mine = role(actor);
            if (!withdrawal && (mine == MembershipOp::Role::Member || role(subject) >= mine))
                return reject(
                    tr("%1 may not remove %2 (only the owner and moderators remove, and not their equals); "
                       "ignored.")
                        .arg(actor, subject));
            m_invited.remove(subject);
            part(subject, seq);
            break;
        }
        case MembershipOp::Action::Role:
            if (m_kind == ChannelRecord::Kind::Direct)
                return reject(tr("A direct channel has no roles; ignored."));
            if (role(actor) != MembershipOp::Role::Owner)
                return reject(tr("%1, not the owner, cannot change %2's role; ignored.").arg(actor, subject));
            if (!m_members.contains(subject) || subject == actor)
                return reject(
                    tr("%1's role change for %2, not another member, was ignored.").arg(actor, subject));
            if (op.role == MembershipOp::Role::Owner)
                setRole(actor, MembershipOp::Role::Moderator, seq); // ownership handed on
            setRole(subject, op.role, seq);
            break;
        case MembershipOp::Action::Genesis:
            break;
        }
    }
    m_applied.insert(hash);
    m_head = hash;
    o.verdict = Verdict::Applied;
    return o;
}

void ChannelMembership::join(const QString &nick, quint64 seq)
{
    const QString n = nick.toLower();
    if (n.isEmpty() || m_members.contains(n))
        return;
    m_members.insert(n);
    m_spans[n].append(Span{seq, 0});
}

void ChannelMembership::part(const QString &nick, quint64 seq)
{
    const QString n = nick.toLower();
    if (!m_members.remove(n))
        return;
    // An owner who leaves leaves the channel without one (moderators keep moderating): nothing
    // signed names a successor, and every member must derive the same roles.
    setRole(n, MembershipOp::Role::Member, seq);
    auto &spans = m_spans[n];
    if (!spans.isEmpty() && spans.last().to == 0)
        spans.last().to = seq;
}

MembershipOp::Role ChannelMembership::role(const QString &nick) const
{
    return m_roles.value(nick.toLower(), MembershipOp::Role::Member);
}

void ChannelMembership::setRole(const QString &nick, MembershipOp::Role role, quint64 seq)
{
    const QString n = nick.toLower();
    if (role == this->role(n))
        return;
    if (role == MembershipOp::Role::Member)
        m_roles.remove(n);
    else
        m_roles.insert(n, role);
    m_roleHistory[n].append(RoleChange{seq, role});
}

MembershipOp::Role ChannelMembership::roleAt(const QString &nick, quint64 seq) const
{
    const QString n = nick.toLower();
    if (!wasMemberAt(n, seq))
        return MembershipOp::Role::Member;
    const auto it = m_roleHistory.constFind(n);
    if (it == m_roleHistory.cend())
        return MembershipOp::Role::Member;
    MembershipOp::Role role = MembershipOp::Role::Member;
    for (const RoleChange &c : *it) {
        if (c.seq >= seq)
            break;
        role = c.role;
    }
    return role;
}

QStringList ChannelMembership::members() const
{
    QStringList out(m_members.cbegin(), m_members.cend());
    out.sort();
    return out;
}

bool ChannelMembership::isMember(const QString &nick) const
{
    return m_members.contains(nick.toLower());
}

bool ChannelMembership::wasMemberAt(const QString &nick, quint64 seq) const
{
    const auto it = m_spans.constFind(nick.toLower());
    if (it == m_spans.cend())
        return false;
    return std::any_of(it->cbegin(), it->cend(),
                       [seq](const Span &s) { return seq > s.from && (s.to == 0 || seq < s.to); });
}

bool ChannelMembership::isInvited(const QString &nick) const
{
    return m_invited.contains(nick.toLower());
}

QString ChannelMembership::inviterOf(const QString &nick) const
{
    return m_invited.value(nick.toLower()).inviter;
}

QByteArray ChannelMembership::invitationOf(const QString &nick) const
{
    return m_invited.value(nick.toLower()).hash;
}

} // namespace hchat::crypto
