#include "AdminActions.h"

#include "Limits.h"
#include "NameRules.h"
#include "ProtocolError.h"
#include "Secrets.h"
#include "ServerContext.h"

#include <sodium.h>

namespace hchat::server {

using namespace hchat::v1;

namespace {

constexpr std::size_t kPage = 100;
constexpr std::int64_t kDefaultInviteLifetimeS = 7 * 24 * 3600;
constexpr std::int64_t kMaxInviteLifetimeS = 365LL * 24 * 3600;
constexpr std::uint32_t kMaxInviteUses = 10000;

UserRecord requireUser(MessageStore &st, const std::string &nick)
{
    if (!NameRules::validNick(nick))
        throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
    auto user = st.findUser(nick);
    if (!user)
        throw ProtocolError(ERROR_NO_SUCH_USER, "no such user: " + nick);
    return *user;
}

} // namespace

const char *AdminActions::name(AdminAction action)
{
    switch (action) {
    case ADMIN_ACTION_LIST_USERS:
        return "list-users";
    case ADMIN_ACTION_LIST_CHANNELS:
        return "list-channels";
    case ADMIN_ACTION_CREATE_USER:
        return "create-user";
    case ADMIN_ACTION_RESET_PASSWORD:
        return "reset-password";
    case ADMIN_ACTION_SET_ADMIN:
        return "set-admin";
    case ADMIN_ACTION_SUSPEND:
        return "suspend";
    case ADMIN_ACTION_DELETE_USER:
        return "delete-user";
    case ADMIN_ACTION_CREATE_INVITE:
        return "create-invite";
    case ADMIN_ACTION_PURGE_CHANNEL:
        return "purge-channel";
    case ADMIN_ACTION_AUDIT_LOG:
        return "audit-log";
    default:
        return "unknown";
    }
}

bool AdminActions::needsPassword(AdminAction action)
{
    return action == ADMIN_ACTION_CREATE_USER || action == ADMIN_ACTION_RESET_PASSWORD;
}

std::string AdminActions::newInviteCode()
{
    static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789"; // no i, l, o, 0, 1
    std::string code;
    for (int i = 0; i < 24; ++i)
        code += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
    return code;
}

AdminActions::Effects AdminActions::run(MessageStore &st, const std::string &actor,
                                        const AdminRequest &request, const std::string &passwordHash,
                                        AdminResponse &response)
{
    auto &community = st.community();
    const auto now = ServerContext::nowMs();
    const std::string action = name(request.action());
    Effects effects;
    if (needsPassword(request.action()) &&
        (request.password().size() < limits::kMinPasswordLength ||
         request.password().size() > limits::kMaxPasswordLength || passwordHash.empty()))
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "passwords are 8..256 bytes");
    switch (request.action()) {
    case ADMIN_ACTION_LIST_USERS:
        for (auto &u : community.users(request.after(), kPage))
            *response.add_users() = std::move(u);
        if (response.users_size() == int(kPage))
            response.set_continue_after(response.users(response.users_size() - 1).nick());
        return effects;
    case ADMIN_ACTION_LIST_CHANNELS:
        for (auto &c : community.channels(request.after(), kPage))
            *response.add_channels() = std::move(c);
        if (response.channels_size() == int(kPage))
            response.set_continue_after(response.channels(response.channels_size() - 1).name());
        return effects;
    case ADMIN_ACTION_AUDIT_LOG:
        for (auto &e : community.auditLog(request.before_id(), kPage))
            *response.add_audit() = std::move(e);
        return effects;
    case ADMIN_ACTION_CREATE_USER: {
        if (!NameRules::validNick(request.nick()))
            throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
        const auto id = st.createUser(request.nick(), passwordHash, now);
        if (!id)
            throw ProtocolError(ERROR_NICK_TAKEN, "that nick is taken");
        if (request.flag())
            community.setAdmin(*id, true);
        community.audit(actor, action, request.nick(), request.flag() ? "administrator" : "", 0, now);
        response.set_message("created " + request.nick() + (request.flag() ? " (administrator)" : ""));
        return effects;
    }
    case ADMIN_ACTION_RESET_PASSWORD: {
        const UserRecord user = requireUser(st, request.nick());
        st.setPasswordHash(user.id, passwordHash);
        st.revokeUserTokens(user.id, {});
        community.audit(actor, action, user.nick, "every session signed out", user.id, now);
        effects.cutUsers.push_back(user.id);
        response.set_message("new password set for " + user.nick + "; every session signed out");
        return effects;
    }
    case ADMIN_ACTION_SET_ADMIN: {
        const UserRecord user = requireUser(st, request.nick());
        const bool wasAdmin = community.standing(user.id).admin;
        if (wasAdmin && !request.flag() && community.adminCount() <= 1)
            throw ProtocolError(ERROR_FORBIDDEN, "that is the last administrator; make another one first");
        community.setAdmin(user.id, request.flag());
        community.audit(actor, action, user.nick, request.flag() ? "on" : "off", 0, now);
        response.set_message(user.nick +
                             (request.flag() ? " is an administrator" : " is no longer an administrator"));
        return effects;
    }
    case ADMIN_ACTION_SUSPEND: {
        const UserRecord user = requireUser(st, request.nick());
        community.setSuspended(user.id, request.flag(), now);
        if (request.flag()) {
            st.revokeUserTokens(user.id, {});
            effects.cutUsers.push_back(user.id);
        }
        community.audit(actor, action, user.nick, request.flag() ? "suspended" : "lifted",
                        request.flag() ? user.id : 0, now);
        response.set_message(
            user.nick + (request.flag() ? " is suspended; every session signed out" : " may sign in again"));
        return effects;
    }
    case ADMIN_ACTION_DELETE_USER: {
        const UserRecord user = requireUser(st, request.nick());
        effects.stored = AccountDeletion::erase(st, user.id, user.nick, {}, now);
        community.audit(actor, action, user.nick, "", user.id, now);
        effects.cutUsers.push_back(user.id);
        response.set_message("deleted " + user.nick);
        return effects;
    }
    case ADMIN_ACTION_CREATE_INVITE: {
        const std::uint32_t uses = request.uses() == 0 ? 1 : request.uses();
        const std::int64_t lifetime =
            request.expires_in_s() == 0 ? kDefaultInviteLifetimeS : request.expires_in_s();
        if (uses > kMaxInviteUses || lifetime < 0 || lifetime > kMaxInviteLifetimeS)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "an invite code has 1..10000 uses and lasts at most a year");
        const std::string code = newInviteCode();
        const std::int64_t expires = now + lifetime * 1000;
        community.createInviteCode(Secrets::tokenHash(code), uses, expires, 0, now);
        // The log keeps what the code allows, never the code.
        community.audit(actor, action, "",
                        std::to_string(uses) + " use(s), expires at " + std::to_string(expires), 0, now);
        response.set_invite_code(code);
        response.set_message("invite code for " + std::to_string(uses) + " registration(s)");
        return effects;
    }
    case ADMIN_ACTION_PURGE_CHANNEL: {
        const auto stream = st.findStream(request.channel());
        if (!stream || stream->kind == StreamRecord::kInbox)
            throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such channel");
        effects.purgedFrom = st.memberIds(stream->id);
        effects.purgedChannel = stream->name;
        community.purgeChannel(stream->id);
        community.audit(actor, action, stream->name, std::to_string(stream->maxSeq) + " message(s)", 0, now);
        response.set_message("purged " + stream->name);
        return effects;
    }
    default:
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "unknown administrative action");
    }
}

} // namespace hchat::server
