#include "ChannelPages.h"

#include <algorithm>

namespace hchat::server {

namespace {
// A repeated field's element costs its bytes, a tag and a length.
std::size_t encodedSize(const hchat::v1::ChannelInfo &c)
{
    return c.ByteSizeLong() + 6;
}
} // namespace

ChannelPage channelPage(std::vector<hchat::v1::ChannelInfo> all, const std::string &after, std::size_t budget)
{
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a.name() < b.name(); });
    auto it = std::upper_bound(all.begin(), all.end(), after,
                               [](const std::string &name, const auto &c) { return name < c.name(); });
    ChannelPage page;
    std::size_t used = 0;
    for (; it != all.end(); ++it) {
        const std::size_t size = encodedSize(*it);
        if (!page.channels.empty() && used + size > budget)
            break;
        used += size;
        page.channels.push_back(std::move(*it));
    }
    if (it != all.end())
        page.continueAfter = page.channels.back().name();
    return page;
}

std::vector<hchat::v1::ChannelInfo> invitationsWithin(std::vector<hchat::v1::ChannelInfo> all,
                                                      std::size_t budget)
{
    std::size_t used = 0;
    std::size_t keep = 0;
    for (; keep < all.size(); ++keep) {
        used += encodedSize(all[keep]);
        if (used > budget)
            break;
    }
    all.resize(keep);
    return all;
}

} // namespace hchat::server
