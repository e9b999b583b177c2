#include "HistoryRoutes.h"

#include "ChannelPages.h"
#include "Limits.h"
#include "NameRules.h"

#include <algorithm>

namespace hchat::server {

using namespace hchat::v1;

namespace {
// A sync answer stops adding messages past this many body bytes (has_more tells the rest).
constexpr std::size_t kMaxSyncResponseBytes = 8 * 1024 * 1024;
} // namespace

void HistoryRoutes::sync(HttpRequest &request, Reply reply)
{
    m_ctx.metrics.syncRequests.fetch_add(1, std::memory_order_relaxed);
    const std::string token = bearer(request);
    auto body = std::make_shared<std::string>(std::move(request.body));
    onStore(true, reply, [token, body](MessageStore &st) {
        const auto auth = authenticate(st, token);
        auto req = parseBody<SyncRequest>(*body);
        if (req.limit() > limits::kMaxSyncBatch)
            throw ProtocolError(ERROR_LIMIT_ABOVE_CAP, "limit above 1000 (MAX_SYNC_BATCH)");
        const std::uint32_t limit = req.limit() == 0 ? limits::kDefaultSyncBatch : req.limit();
        std::uint64_t from = req.from_seq() == 0 ? 1 : req.from_seq();
        const std::string &name = req.channel();
        const bool inbox = NameRules::isInboxName(name);
        if (!inbox && !NameRules::validChannel(name) && !NameRules::validDirectName(name))
            throw ProtocolError(ERROR_INVALID_NAME, "invalid channel name");
        auto stream = st.findStream(name);
        if (inbox) {
            if (!stream || stream->ownerDevice != auth.deviceId)
                throw ProtocolError(ERROR_FORBIDDEN, "only its own device may read an inbox");
        } else {
            if (!stream || stream->kind == StreamRecord::kInbox)
                throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such channel");
            if (!st.isMember(stream->id, auth.userId))
                throw ProtocolError(ERROR_NOT_MEMBER, "not a member of this channel");
        }
        SyncResponse res;
        res.set_channel(name);
        res.set_server_max_seq(stream->maxSeq);
        // An inbox's acknowledged rows are gone: a pull from below starts after them.
        if (inbox && stream->ackedSeq > 0) {
            res.set_acknowledged_seq(stream->ackedSeq);
            from = std::max(from, stream->ackedSeq + 1);
        }
        std::uint64_t last = from - 1;
        // Nothing lies past the stream's max seq (and a from_seq above INT64_MAX would wrap in the store).
        auto messages = from <= stream->maxSeq ? st.readMessages(*stream, from, limit, kMaxSyncResponseBytes)
                                               : std::vector<Message>();
        for (auto &m : messages) {
            last = m.seq();
            *res.add_messages() = std::move(m);
        }
        res.set_has_more(last < stream->maxSeq && res.messages_size() > 0);
        return ok(res);
    });
}

void HistoryRoutes::channels(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<ChannelListRequest>(parseBody<ChannelListRequest>(request.body));
    onStore(true, reply, [token, req](MessageStore &st) {
        const auto auth = authenticate(st, token);
        ChannelList list;
        auto page = channelPage(st.channelsOf(auth.userId), req->after(), limits::kChannelPageBytes);
        for (auto &c : page.channels)
            *list.add_channels() = std::move(c);
        list.set_continue_after(page.continueAfter);
        for (auto &c : invitationsWithin(st.invitationsOf(auth.userId, limits::kMaxListedInvitations),
                                         limits::kInvitationListBytes))
            *list.add_invitations() = std::move(c);
        if (auto inbox = st.findStream(NameRules::inboxName(auth.deviceId)))
            list.set_inbox_max_seq(inbox->maxSeq);
        return ok(list);
    });
}

} // namespace hchat::server
