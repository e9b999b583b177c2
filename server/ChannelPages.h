#pragma once

#include "hchat.pb.h"

#include <cstddef>
#include <string>
#include <vector>

namespace hchat::server {

// Splits a user's channels into pages that fit a frame (Welcome, ChannelList): in the order of
// their names, starting after `after`, as many as fit in `budget` bytes (at least one).
struct ChannelPage {
    std::vector<hchat::v1::ChannelInfo> channels;
    std::string continueAfter; // empty: this was the last page
};

ChannelPage channelPage(std::vector<hchat::v1::ChannelInfo> all, const std::string &after,
                        std::size_t budget);
// The first invitations (newest first, as given) that fit in `budget` bytes.
std::vector<hchat::v1::ChannelInfo> invitationsWithin(std::vector<hchat::v1::ChannelInfo> all,
                                                      std::size_t budget);

} // namespace hchat::server
