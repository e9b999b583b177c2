#include "CommunityRoutes.h"

#include "AdminActions.h"
#include "ChannelPermissions.h"
#include "ChatService.h"
#include "Limits.h"
#include "NameRules.h"

namespace hchat::server {

using namespace hchat::v1;

void CommunityRoutes::directory(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto body = std::make_shared<std::string>(std::move(request.body));
    onStore(true, reply, [token, body](MessageStore &st) {
        const auto auth = authenticate(st, token);
        const auto req = parseBody<DirectoryRequest>(*body);
        if (req.query().size() > limits::kMaxChannelLength || req.after().size() > limits::kMaxChannelLength)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "query and after are at most 64 bytes");
        Directory res;
        for (auto &e :
             st.community().directory(req.query(), req.after(), limits::kMaxDirectoryPage, auth.userId))
            *res.add_channels() = std::move(e);
        if (res.channels_size() == int(limits::kMaxDirectoryPage))
            res.set_continue_after(res.channels(res.channels_size() - 1).name());
        return ok(res);
    });
}

void CommunityRoutes::members(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto body = std::make_shared<std::string>(std::move(request.body));
    onStore(true, reply, [token, body](MessageStore &st) {
        const auto auth = authenticate(st, token);
        const auto req = parseBody<MembersRequest>(*body);
        if (!NameRules::validChannel(req.channel()) && !NameRules::validDirectName(req.channel()))
            throw ProtocolError(ERROR_INVALID_NAME, "invalid channel name");
        const auto stream = st.findStream(req.channel());
        if (!stream || stream->kind == StreamRecord::kInbox)
            throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such channel");
        auto &community = st.community();
        ChannelPermissions::Asker asker;
        asker.member =
            st.isMember(stream->id, auth.userId) && community.invitedBy(stream->id, auth.userId) == 0;
        asker.role = community.role(stream->id, auth.userId);
        asker.admin = community.standing(auth.userId).admin;
        if (!asker.member && !asker.admin)
            throw ProtocolError(ERROR_NOT_MEMBER, "not a member of this channel");
        MemberList res;
        auto members = community.members(stream->id, limits::kMaxMembersListed + 1);
        res.set_truncated(members.size() > limits::kMaxMembersListed);
        members.resize(std::min(members.size(), limits::kMaxMembersListed));
        for (auto &m : members)
            *res.add_members() = std::move(m);
        if (ChannelPermissions::allows(ChannelPermissions::Action::Unban,
                                       static_cast<ChannelKind>(stream->kind), stream->encrypted, asker))
            for (auto &b : community.bans(stream->id)) {
                auto *e = res.add_bans();
                e->set_nick(b.nick);
                e->set_by(b.by);
                e->set_reason(b.reason);
                e->set_time_ms(b.timeMs);
            }
        return ok(res);
    });
}

void CommunityRoutes::blocks(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    onStore(true, reply, [token](MessageStore &st) {
        const auto auth = authenticate(st, token);
        BlockList res;
        for (auto &nick : st.community().blockList(auth.userId))
            res.add_nicks(std::move(nick));
        return ok(res);
    });
}

void CommunityRoutes::block(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto body = std::make_shared<std::string>(std::move(request.body));
    onStore(false, reply, [token, body](MessageStore &st) {
        const auto auth = authenticate(st, token);
        const auto req = parseBody<BlockRequest>(*body);
        if (!NameRules::validNick(req.nick()))
            throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
        const auto user = st.findUser(req.nick());
        if (!user)
            throw ProtocolError(ERROR_NO_SUCH_USER, "no such user");
        if (user->id == auth.userId)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "you cannot block yourself");
        auto &community = st.community();
        if (req.blocked() && community.blockList(auth.userId).size() >= limits::kMaxMembersListed)
            throw ProtocolError(ERROR_LIMIT_ABOVE_CAP, "you block 1000 users already");
        community.setBlocked(auth.userId, user->id, req.blocked(), ServerContext::nowMs());
        BlockList res;
        for (auto &nick : community.blockList(auth.userId))
            res.add_nicks(std::move(nick));
        return ok(res);
    });
}

void CommunityRoutes::admin(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<AdminRequest>(parseBody<AdminRequest>(request.body));
    if (!AdminActions::needsPassword(req->action()))
        return runAdmin(token, req, {}, std::move(reply));
    if (req->password().size() < limits::kMinPasswordLength ||
        req->password().size() > limits::kMaxPasswordLength)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "passwords are 8..256 bytes");
    // Only an administrator's request costs a hash: checked on a reader first.
    const std::string source = request.source;
    onStore(true, reply, [this, token, req, reply, source](MessageStore &st) -> HttpResponse {
        const auto auth = authenticate(st, token);
        if (!st.community().standing(auth.userId).admin)
            throw ProtocolError(ERROR_FORBIDDEN, "only the gateway's administrators may do that");
        const auto queued = m_ctx.hasher.hash(source, req->password(), [this, token, req, reply](auto hash) {
            if (!hash)
                return reply(error(ERROR_INTERNAL, "password hashing failed"));
            runAdmin(token, req, *hash, reply);
        });
        if (queued != PasswordHasher::Queued::Yes)
            return error(ERROR_RATE_LIMITED, "too many password checks at once; retry shortly");
        return HttpResponse{0, {}, {}};
    });
}

void CommunityRoutes::runAdmin(const std::string &token, std::shared_ptr<AdminRequest> req,
                               std::string passwordHash, Reply reply)
{
    const bool read = req->action() == ADMIN_ACTION_LIST_USERS ||
                      req->action() == ADMIN_ACTION_LIST_CHANNELS || req->action() == ADMIN_ACTION_AUDIT_LOG;
    auto effects = std::make_shared<AdminActions::Effects>();
    auto response = std::make_shared<AdminResponse>();
    onStore(
        read,
        [this, reply, effects](HttpResponse res) {
            if (res.status == 200) {
                for (const auto &[message, audience] : effects->stored)
                    m_chat.announceStored(audience, message);
                for (auto userId : effects->cutUsers)
                    m_chat.closeUserSessions(userId, {}, "signed out by an administrator");
                if (!effects->purgedChannel.empty())
                    m_chat.announceRemoval(effects->purgedFrom, effects->purgedChannel,
                                           "purged by an administrator");
            }
            reply(std::move(res));
        },
        [token, req, passwordHash, effects, response](MessageStore &st) {
            const auto auth = authenticate(st, token);
            if (!st.community().standing(auth.userId).admin)
                throw ProtocolError(ERROR_FORBIDDEN, "only the gateway's administrators may do that");
            response->Clear();
            *effects = AdminActions::run(st, auth.nick, *req, passwordHash, *response);
            return ok(*response);
        });
}

} // namespace hchat::server
