#pragma once

#include "ChannelRecord.h"
#include "StoredMessage.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/MembershipOp.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace hchat::crypto {

// Who is a member of one encrypted channel, derived from its history in seq order.
//   Signed (every channel made since the genesis record): only MESSAGE_KIND_MEMBERSHIP operations
//     count, each verified against the trusted key of the acting device. The genesis names the
//     creator (a member) and the first invitees; an invitee becomes a member only with its own
//     signed ACCEPT of that very invitation; members add, remove and leave. A direct channel has
//     the two people of its genesis, both members from it, for ever (nobody is added or removed;
//     either may leave). The gateway's MEMBER_* rows decide nothing: one
//     that adds someone no member invited is reported (Rejected, a warning for the user).
//   Legacy (a channel this device knew before signed membership): the gateway's MEMBER_* rows,
//     as HChat did before; the client says so to the user.
// An operation whose actor's key is not known yet blocks the channel's derivation (later events
// wait behind it, in order) until retry() finds the key. Pure logic: no storage, no network.
class ChannelMembership {
public:
    enum class Verdict { Applied, Ignored, Rejected, NeedsKey };
    struct Event {
        quint64 seq = 0;
        MessageKind kind = MessageKind::MemberAdded;
        QString sender;
        QString senderDevice;
        QString subject;
        QByteArray body; // Membership: the serialized MembershipOp
    };
    struct Outcome {
        quint64 seq = 0;
        Verdict verdict = Verdict::Ignored;
        QString reason; // Rejected: why, for the user
    };

    ChannelMembership() = default;
    // legacy: derived from the gateway's rows; legacyMembers at legacySeq are where it stands.
    ChannelMembership(QString channel, bool legacy, const QStringList &legacyMembers = {},
                      quint64 legacySeq = 0);

    // Events must come in seq order; an event at or below the last one fed is ignored. Returns the
    // outcome of every event decided now (this one, and those that waited behind a missing key).
    QList<Outcome> feed(const Event &event, const IdentityKeyLookup &trustedKey);
    QList<Outcome> retry(const IdentityKeyLookup &trustedKey);

    QString channel() const { return m_channel; }
    bool isLegacy() const { return m_legacy; }
    bool hasGenesis() const { return m_genesis; }
    ChannelRecord::Kind kind() const { return m_kind; }
    quint64 lastSeq() const { return m_lastSeq; }
    // Waiting for the device key of this nick (empty: not blocked).
    QString blockedOn() const { return m_blockedOn; }

    QStringList members() const; // lower-case, sorted
    // A member's role: the genesis makes its author owner of a private channel; ROLE operations by
    // the owner change roles. Direct channels and non-members: Member.
    MembershipOp::Role role(const QString &nick) const;
    // A member's role when message seq was stored (for deletions decrypted late): the last role
    // given before seq; Member when none was or nick was not a member then.
    MembershipOp::Role roleAt(const QString &nick, quint64 seq) const;
    bool isMember(const QString &nick) const;
    // Whether nick was a member when message seq was stored (for messages decrypted late).
    bool wasMemberAt(const QString &nick, quint64 seq) const;
    bool isInvited(const QString &nick) const;
    QString inviterOf(const QString &nick) const;
    // The hash an ACCEPT of nick's invitation must name as previous.
    QByteArray invitationOf(const QString &nick) const;
    // The hash of the last operation applied (what a new operation names as previous).
    QByteArray head() const { return m_head; }

private:
    struct Span {
        quint64 from = 0;
        quint64 to = 0; // 0: still a member
    };
    struct Invitation {
        QByteArray hash;
        QString inviter;
    };
    Outcome decide(const Event &event, const IdentityKeyLookup &trustedKey);
    Outcome applyServerRow(const Event &event);
    Outcome applyOp(const Event &event, const IdentityKeyLookup &trustedKey);
    Outcome checkAndApply(const MembershipOp &op, quint64 seq);
    void join(const QString &nick, quint64 seq);
    void part(const QString &nick, quint64 seq);
    void setRole(const QString &nick, MembershipOp::Role role, quint64 seq);

    QString m_channel;
    bool m_legacy = false;
    bool m_genesis = false;
    ChannelRecord::Kind m_kind = ChannelRecord::Kind::InviteOnly;
    QString m_serverCreator; // as the gateway's CHANNEL_CREATED row says
    quint64 m_lastSeq = 0;
    QString m_blockedOn;
    QList<Event> m_waiting;
    QSet<QString> m_members;
    QHash<QString, QList<Span>> m_spans;
    QHash<QString, Invitation> m_invited;
    QHash<QString, MembershipOp::Role> m_roles; // members above Member only
    struct RoleChange {
        quint64 seq = 0;
        MembershipOp::Role role = MembershipOp::Role::Member;
    };
    QHash<QString, QList<RoleChange>> m_roleHistory; // in seq order
    QSet<QByteArray> m_applied;
    QByteArray m_head;
};

} // namespace hchat::crypto
