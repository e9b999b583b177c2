#pragma once

#include "hchat.pb.h"

namespace hchat::server {

// Who may do what in a channel: the permission matrix of docs/PROTOCOL.md ("Roles and
// moderation") in one place. Pure: the handlers look up the facts, this decides; each refusal
// throws the ProtocolError the client gets.
class ChannelPermissions {
public:
    enum class Action {
        Kick, // remove a member (open channels: Moderate KICK; private: also RemoveMember)
        Ban,  // remove and keep out
        Unban,
        DeleteOthers,       // delete someone else's message through the gateway (Moderate)
        DeleteOthersSigned, // the same by a signed deletion, which encrypted channels' members honour
        SetTopic,
        SetReadOnly,
        SetRole,         // make a member a moderator or a moderator a member
        HandOnOwnership, // make another member the owner
        PostReadOnly,    // post in a read-only channel
    };

    // The one asking. A gateway administrator may do everything a channel's owner may, in any
    // channel but a direct one, member or not.
    struct Asker {
        bool member = false;
        hchat::v1::ChannelRole role = hchat::v1::CHANNEL_ROLE_MEMBER;
        bool admin = false;
        bool self = false; // the asker is the target (kick, ban, role of oneself)
    };

    // Throws unless `asker` may do `action` in a channel of `kind` (encrypted or not) to a target
    // whose role is `target` (ignored by actions without one).
    static void require(Action action, hchat::v1::ChannelKind kind, bool encrypted, const Asker &asker,
                        hchat::v1::ChannelRole target = hchat::v1::CHANNEL_ROLE_MEMBER);
    // Whether require() would pass.
    static bool allows(Action action, hchat::v1::ChannelKind kind, bool encrypted, const Asker &asker,
                       hchat::v1::ChannelRole target = hchat::v1::CHANNEL_ROLE_MEMBER);
    static const char *name(Action action);
};

} // namespace hchat::server
