#pragma once

#include "ChannelRecord.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>

namespace hchat::crypto {

class DeviceIdentity;

// One signed membership operation of an encrypted channel (hchat.v1.MembershipOp, the body of a
// MESSAGE_KIND_MEMBERSHIP message): what a member's device did, signed by that device, chained to
// an earlier operation by the hash of its signed bytes. ChannelMembership applies them.
struct MembershipOp {
    enum class Action : int { Genesis = 1, Add = 2, Accept = 3, Leave = 4, Remove = 5, Role = 6 };
    // A member's role in a channel (hchat.v1.ChannelRole).
    enum class Role : int { Member = 0, Moderator = 1, Owner = 2 };
    static constexpr quint32 kVersion = 1;
    static constexpr int kHashBytes = 32;
    static constexpr int kMaxMembers = 256;
    static constexpr int kMaxNameBytes = 128;

    QString channel;
    Action action = Action::Add;
    QString actor;
    QString actorDevice;
    QString subject;     // Add, Remove
    QByteArray previous; // hash of an applied operation (empty for Genesis)
    qint64 timeMs = 0;
    ChannelRecord::Kind kind = ChannelRecord::Kind::InviteOnly; // Genesis
    bool encrypted = true;                                      // Genesis
    QStringList members;                                        // Genesis: the first invitees
    Role role = Role::Member;                                   // Role: the subject's new role
    QByteArray signature;

    // The canonical bytes the signature covers, and their BLAKE2b-256 (what `previous` names).
    QByteArray signedBytes() const;
    QByteArray hash() const;
    // Signs with the actor device's identity and returns the serialized operation (empty when a
    // field is out of range).
    QByteArray signAndSerialize(const DeviceIdentity &identity);
    // Structure and sizes only (no signature check); nullopt with *why otherwise.
    static std::optional<MembershipOp> parse(QByteArrayView bytes, QString *why = nullptr);
    bool verify(QByteArrayView identityKey) const;

    static QString actionName(Action action);
    static QString roleName(Role role);
};

} // namespace hchat::crypto
