#include "crypto/MembershipOp.h"

#include "crypto/CanonicalBytes.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/Sodium.h"
#include "hchat.pb.h"

#include <google/protobuf/stubs/logging.h>

#include <sodium.h>

namespace hchat::crypto {

namespace {
QString q(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

bool nameFits(const QString &s, bool required)
{
    const qsizetype bytes = s.toUtf8().size();
    return bytes <= MembershipOp::kMaxNameBytes && (!required || bytes > 0);
}
} // namespace

QByteArray MembershipOp::signedBytes() const
{
    CanonicalBytes bytes("hchat-membership-v1");
    bytes.addU32(kVersion)
        .add(channel)
        .addU32(quint32(action))
        .add(actor)
        .add(actorDevice)
        .add(subject)
        .add(previous)
        .addU64(quint64(timeMs))
        .addU32(quint32(kind))
        .addU32(encrypted ? 1 : 0)
        .addU32(quint32(members.size()));
    for (const QString &m : members)
        bytes.add(m);
    // Only role operations sign a role, so that every earlier operation's bytes stay as they were.
    if (action == Action::Role)
        bytes.addU32(quint32(role));
    return bytes.bytes();
}

QByteArray MembershipOp::hash() const
{
    if (!Sodium::ensureInitialized())
        return {};
    const QByteArray bytes = signedBytes();
    QByteArray out(kHashBytes, Qt::Uninitialized);
    crypto_generichash(reinterpret_cast<unsigned char *>(out.data()), std::size_t(out.size()),
                       reinterpret_cast<const unsigned char *>(bytes.constData()), std::size_t(bytes.size()),
                       nullptr, 0);
    return out;
}

QByteArray MembershipOp::signAndSerialize(const DeviceIdentity &identity)
{
    if (!nameFits(channel, true) || !nameFits(actor, true) || !nameFits(actorDevice, true) ||
        !nameFits(subject, false) || members.size() > kMaxMembers ||
        (!previous.isEmpty() && previous.size() != kHashBytes))
        return {};
    signature = identity.sign(signedBytes());
    hchat::v1::MembershipOp op;
    op.set_version(kVersion);
    op.set_channel(channel.toStdString());
    op.set_action(static_cast<hchat::v1::MembershipAction>(action));
    op.set_actor(actor.toStdString());
    op.set_actor_device(actorDevice.toStdString());
    op.set_subject(subject.toStdString());
    op.set_previous(previous.toStdString());
    op.set_time_ms(timeMs);
    op.set_kind(static_cast<hchat::v1::ChannelKind>(kind));
    op.set_encrypted(encrypted);
    for (const QString &m : members)
        op.add_members(m.toStdString());
    op.set_role(static_cast<hchat::v1::ChannelRole>(role));
    op.set_signature(signature.toStdString());
    const std::string out = op.SerializeAsString();
    return QByteArray(out.data(), qsizetype(out.size()));
}

std::optional<MembershipOp> MembershipOp::parse(QByteArrayView bytes, QString *why)
{
    auto fail = [why](const char *reason) {
        if (why)
            *why = QString::fromLatin1(reason);
        return std::nullopt;
    };
    const google::protobuf::LogSilencer quiet; // hostile input must not flood the log
    hchat::v1::MembershipOp op;
    if (bytes.isEmpty() || !op.ParseFromArray(bytes.data(), int(bytes.size())))
        return fail("not a membership operation");
    if (op.version() != kVersion)
        return fail("membership operation of an unsupported version");
    if (op.action() < hchat::v1::MEMBERSHIP_ACTION_GENESIS || op.action() > hchat::v1::MEMBERSHIP_ACTION_ROLE)
        return fail("unknown membership action");
    if (op.signature().size() != std::size_t(DeviceIdentity::kSignatureBytes) ||
        (!op.previous().empty() && op.previous().size() != std::size_t(kHashBytes)) ||
        op.members_size() > kMaxMembers)
        return fail("malformed membership operation");
    MembershipOp out;
    out.channel = q(op.channel());
    out.action = Action(op.action());
    out.actor = q(op.actor());
    out.actorDevice = q(op.actor_device());
    out.subject = q(op.subject());
    out.previous = QByteArray::fromStdString(op.previous());
    out.timeMs = op.time_ms();
    out.kind = ChannelRecord::Kind(op.kind());
    out.encrypted = op.encrypted();
    if (!hchat::v1::ChannelRole_IsValid(op.role()))
        return fail("malformed membership operation");
    out.role = Role(op.role());
    for (const auto &m : op.members()) {
        out.members << q(m);
        if (!nameFits(out.members.last(), true))
            return fail("malformed membership operation");
    }
    out.signature = QByteArray::fromStdString(op.signature());
    if (!nameFits(out.channel, true) || !nameFits(out.actor, true) || !nameFits(out.actorDevice, true) ||
        !nameFits(out.subject, false))
        return fail("malformed membership operation");
    return out;
}

bool MembershipOp::verify(QByteArrayView identityKey) const
{
    return identityKey.size() == DeviceIdentity::kPublicKeyBytes &&
           DeviceIdentity::verify(identityKey, signedBytes(), signature);
}

QString MembershipOp::actionName(Action action)
{
    switch (action) {
    case Action::Genesis:
        return QStringLiteral("genesis");
    case Action::Add:
        return QStringLiteral("add");
    case Action::Accept:
        return QStringLiteral("accept");
    case Action::Leave:
        return QStringLiteral("leave");
    case Action::Remove:
        return QStringLiteral("remove");
    case Action::Role:
        return QStringLiteral("role");
    }
    return QStringLiteral("unknown");
}

QString MembershipOp::roleName(Role role)
{
    switch (role) {
    case Role::Owner:
        return QStringLiteral("owner");
    case Role::Moderator:
        return QStringLiteral("moderator");
    case Role::Member:
        break;
    }
    return QStringLiteral("member");
}

} // namespace hchat::crypto
