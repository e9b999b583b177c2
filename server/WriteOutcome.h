#pragma once

#include "hchat.pb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hchat::server {

// How a chat write ended: filled in by its job inside the commit writer's transaction, acted on
// once that transaction committed (ChatService::submitWrite). The answer goes to the asker first,
// then each notice to its users, then the stored messages are counted and pushed.
struct WriteOutcome {
    // A frame for every session of some users (ChannelJoined, ReadPosition, ReadReceipt).
    struct Notice {
        std::vector<std::int64_t> userIds;
        hchat::v1::Frame frame;
        bool skipAsker = false; // not to the session that asked
    };

    hchat::v1::Frame reply; // the answer's body (request_id is set on the way out); none: Ok
    std::vector<Notice> notices;
    std::vector<hchat::v1::Message> stored; // in seq order, all of one stream
    std::vector<std::int64_t> audience;     // who `stored` is pushed to: the channel's members,
    std::string inboxDevice;                // or the device whose inbox it went to
    // A Send stored before: `stored` holds the earlier message, counted as a duplicate, not pushed.
    bool duplicate = false;
};

} // namespace hchat::server
