#include "ChannelPermissions.h"

#include "ProtocolError.h"

#include <string>

namespace hchat::server {

using namespace hchat::v1;

namespace {

bool needsTarget(ChannelPermissions::Action action)
{
    using A = ChannelPermissions::Action;
    return action == A::Kick || action == A::Ban || action == A::SetRole || action == A::HandOnOwnership;
}

} // namespace

const char *ChannelPermissions::name(Action action)
{
    switch (action) {
    case Action::Kick:
        return "remove members";
    case Action::Ban:
        return "ban";
    case Action::Unban:
        return "lift bans";
    case Action::DeleteOthers:
    case Action::DeleteOthersSigned:
        return "delete others' messages";
    case Action::SetTopic:
        return "set the topic";
    case Action::SetReadOnly:
        return "make the channel read-only";
    case Action::SetRole:
        return "change roles";
    case Action::HandOnOwnership:
        return "hand ownership on";
    case Action::PostReadOnly:
        return "post in a read-only channel";
    }
    return "do that";
}

void ChannelPermissions::require(Action action, ChannelKind kind, bool encrypted, const Asker &asker,
                                 ChannelRole target)
{
    const std::string what = name(action);
    if (kind == CHANNEL_KIND_DIRECT)
        throw ProtocolError(ERROR_FORBIDDEN, "direct channels have no moderators: nobody may " + what);
    // Members' clients honour a signed deletion by the channel's signed roles, which know nothing
    // of gateway administrators.
    const bool adminCounts = asker.admin && action != Action::DeleteOthersSigned;
    if (!asker.member && !adminCounts)
        throw ProtocolError(ERROR_NOT_MEMBER, "you are not a member of this channel");
    if (needsTarget(action) && asker.self)
        throw ProtocolError(ERROR_INVALID_ARGUMENT,
                            "that action is for other members (leave the channel instead)");
    if (action == Action::DeleteOthers && encrypted)
        throw ProtocolError(ERROR_FORBIDDEN, "the gateway cannot delete messages of an encrypted channel; "
                                             "a moderator's device sends a signed deletion there");
    if (action == Action::DeleteOthersSigned && !encrypted)
        throw ProtocolError(ERROR_FORBIDDEN, "only its sender can edit or delete a message "
                                             "(moderators delete through Moderate)");
    const ChannelRole role = adminCounts ? CHANNEL_ROLE_OWNER : asker.role;
    const bool ownerOnly = action == Action::SetRole || action == Action::HandOnOwnership;
    const ChannelRole needed = ownerOnly ? CHANNEL_ROLE_OWNER : CHANNEL_ROLE_MODERATOR;
    if (role < needed)
        throw ProtocolError(ERROR_FORBIDDEN, std::string("only the channel's owner") +
                                                 (ownerOnly ? "" : " and moderators") + " may " + what);
    // Nobody acts on someone of their own rank or above; an administrator on anyone.
    if ((action == Action::Kick || action == Action::Ban) && !asker.admin && target >= role)
        throw ProtocolError(ERROR_FORBIDDEN, target == CHANNEL_ROLE_OWNER
                                                 ? "nobody may remove the channel's owner"
                                                 : "moderators may not remove other moderators");
    if (action == Action::SetRole && target == CHANNEL_ROLE_OWNER)
        throw ProtocolError(ERROR_FORBIDDEN, "the owner's role changes only by handing ownership on");
}

bool ChannelPermissions::allows(Action action, ChannelKind kind, bool encrypted, const Asker &asker,
                                ChannelRole target)
{
    try {
        require(action, kind, encrypted, asker, target);
        return true;
    } catch (const ProtocolError &) {
        return false;
    }
}

} // namespace hchat::server
