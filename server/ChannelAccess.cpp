#include "ChannelAccess.h"

#include "Limits.h"
#include "NameRules.h"
#include "ProtocolError.h"

namespace hchat::server {

using namespace hchat::v1;

void ChannelAccess::requireName(const std::string &name)
{
    if (!NameRules::validChannel(name) && !NameRules::validDirectName(name))
        throw ProtocolError(ERROR_INVALID_NAME,
                            "invalid channel name (1..64 of [a-z0-9_.-], or @a+b for a direct channel)");
}

StreamRecord ChannelAccess::requireStream(MessageStore &st, const std::string &name)
{
    auto stream = st.findStream(name);
    if (!stream || stream->kind == StreamRecord::kInbox)
        throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such channel");
    return *stream;
}

void ChannelAccess::requireMember(MessageStore &st, const StreamRecord &stream, std::int64_t userId)
{
    if (!st.isMember(stream.id, userId))
        throw ProtocolError(ERROR_NOT_MEMBER, "not a member of this channel");
}

void ChannelAccess::requireRoomForAChannel(MessageStore &st, std::int64_t userId)
{
    if (st.membershipCount(userId) >= limits::kMaxChannelsPerUser)
        throw ProtocolError(ERROR_LIMIT_ABOVE_CAP, "you are in " +
                                                       std::to_string(limits::kMaxChannelsPerUser) +
                                                       " channels; leave one before joining another");
}

} // namespace hchat::server
