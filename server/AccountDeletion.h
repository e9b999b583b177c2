#pragma once

#include "MessageStore.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hchat::server {

// Deleting an account, by its owner or by an administrator: one USER_DELETED per channel the user
// was in or wrote to, in the channel's own stream (so every member's client learns it, live or on
// pull, and shows "deleted user"), then the account's keys, devices, tokens and memberships gone.
class AccountDeletion {
public:
    // A stored USER_DELETED and who it is pushed to.
    using Notices = std::vector<std::pair<hchat::v1::Message, std::vector<std::int64_t>>>;

    // Inside a write transaction.
    static Notices erase(MessageStore &st, std::int64_t userId, const std::string &nick,
                         const std::string &deviceId, std::int64_t nowMs);
};

} // namespace hchat::server
