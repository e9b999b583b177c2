#pragma once

#include "MessageStore.h"

#include <cstdint>
#include <string>

namespace hchat::server {

// What the chat handlers check of a channel before they touch it; each check throws the
// ProtocolError the client gets.
class ChannelAccess {
public:
    // A channel name a client may address: an open or invite-only channel, or a direct one.
    static void requireName(const std::string &name);
    // A channel (never a device inbox) of that name.
    static StreamRecord requireStream(MessageStore &st, const std::string &name);
    static void requireMember(MessageStore &st, const StreamRecord &stream, std::int64_t userId);
    // The user is in fewer than MAX_CHANNELS_PER_USER channels.
    static void requireRoomForAChannel(MessageStore &st, std::int64_t userId);
};

} // namespace hchat::server
