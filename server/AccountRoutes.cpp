#include "AccountRoutes.h"

#include "AccountDeletion.h"
#include "ChatService.h"
#include "Limits.h"
#include "NameRules.h"
#include "Secrets.h"

#include <algorithm>

namespace hchat::server {

using namespace hchat::v1;

void AccountRoutes::registerUser(HttpRequest &request, Reply reply)
{
    auto req = parseBody<RegisterRequest>(request.body);
    if (!NameRules::validNick(req.nick()))
        throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
    if (req.password().size() < limits::kMinPasswordLength ||
        req.password().size() > limits::kMaxPasswordLength)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "passwords are 8..256 bytes");
    using Registration = GatewayConfig::Registration;
    if (m_ctx.config.registration == Registration::Closed)
        throw ProtocolError(ERROR_REGISTRATION_CLOSED,
                            "this gateway does not take registrations; ask its administrator for an account");
    const bool invited = m_ctx.config.registration == Registration::Invite;
    if (invited && req.invite_code().empty())
        throw ProtocolError(ERROR_INVITE_REQUIRED, "this gateway registers with an invite code only");
    if (req.invite_code().size() > 64)
        throw ProtocolError(ERROR_INVITE_REQUIRED, "that invite code is not valid");
    const std::string source = request.source;
    refuseIfThrottled(source, {});
    const std::string nick = req.nick();
    const std::string codeHash = invited ? Secrets::tokenHash(req.invite_code()) : std::string();
    auto password = std::make_shared<std::string>(std::move(*req.mutable_password()));
    // A cheap look first, so a taken nick costs no hash; the insert below decides races.
    onStore(true, reply, [this, nick, password, reply, source, codeHash](MessageStore &st) -> HttpResponse {
        if (st.findUser(nick))
            throw ProtocolError(ERROR_NICK_TAKEN, "that nick is taken");
        // Every registration counts against the address, a refused invite code too (guessing).
        m_ctx.authThrottle.registered(source);
        const auto queued = m_ctx.hasher.hash(
            source, *password, [this, nick, reply, codeHash](std::optional<std::string> hash) {
                if (!hash)
                    return reply(error(ERROR_INTERNAL, "password hashing failed"));
                onStore(false, reply, [nick, hash, codeHash](MessageStore &st) -> HttpResponse {
                    // The code's use and the account commit together, or neither does.
                    if (!codeHash.empty() &&
                        !st.community().redeemInviteCode(codeHash, ServerContext::nowMs()))
                        throw ProtocolError(ERROR_INVITE_REQUIRED,
                                            "that invite code is not valid (unknown, used up or expired)");
                    if (!st.createUser(nick, *hash, ServerContext::nowMs()))
                        throw ProtocolError(ERROR_NICK_TAKEN, "that nick is taken");
                    RegisterResponse res;
                    res.set_nick(nick);
                    return ok(res);
                });
            });
        if (queued != PasswordHasher::Queued::Yes)
            return notQueued(queued);
        return HttpResponse{0, {}, {}}; // answered by the hashing chain
    });
}

// Before any hash is queued: the source's budget and the account's back-off.
void AccountRoutes::refuseIfThrottled(const std::string &source, const std::string &account)
{
    std::int64_t wait = m_ctx.authThrottle.waitForSource(source);
    if (wait == 0 && !account.empty())
        wait = m_ctx.authThrottle.waitForAccount(account);
    if (wait > 0)
        throw ProtocolError(ERROR_RATE_LIMITED, "too many attempts; retry in " + std::to_string(wait) + " s");
}

HttpResponse AccountRoutes::notQueued(PasswordHasher::Queued queued)
{
    if (queued == PasswordHasher::Queued::SourceBusy)
        return error(ERROR_RATE_LIMITED, "your address has password checks in progress; retry shortly");
    return error(ERROR_RATE_LIMITED, "too many password checks at once; retry shortly");
}

void AccountRoutes::login(HttpRequest &request, Reply reply)
{
    auto req = std::make_shared<LoginRequest>(parseBody<LoginRequest>(request.body));
    if (!NameRules::validNick(req->nick()) || req->password().size() > limits::kMaxPasswordLength)
        throw ProtocolError(ERROR_BAD_CREDENTIALS, "wrong nick or password");
    if (req->device_name().size() > limits::kMaxDeviceNameLength)
        req->mutable_device_name()->resize(limits::kMaxDeviceNameLength);
    const std::string source = request.source;
    const std::string account = NameRules::lower(req->nick());
    refuseIfThrottled(source, account);
    m_ctx.authThrottle.attempting(account);
    const std::int64_t ttlMs = m_ctx.config.tokenTtlSeconds * 1000;
    onStore(true, reply, [this, req, reply, ttlMs, source, account](MessageStore &st) -> HttpResponse {
        auto user = st.findUser(req->nick());
        PasswordHasher::Queued queued;
        if (!user) {
            // As long as a wrong password takes, so that timing does not tell which nicks exist.
            queued =
                m_ctx.hasher.verifyUnknown(source, req->password(), [this, reply, source, account](bool) {
                    m_ctx.authThrottle.failed(source);
                    reply(error(ERROR_BAD_CREDENTIALS, "wrong nick or password"));
                });
        } else {
            queued = m_ctx.hasher.verify(
                source, user->passwordHash, req->password(),
                [this, req, reply, ttlMs, source, account, user = *user](bool good) {
                    if (!good) {
                        m_ctx.authThrottle.failed(source);
                        return reply(error(ERROR_BAD_CREDENTIALS, "wrong nick or password"));
                    }
                    m_ctx.authThrottle.succeeded(account);
                    onStore(false, reply, [req, user, ttlMs](MessageStore &st) -> HttpResponse {
                        if (st.community().standing(user.id).suspended)
                            throw ProtocolError(ERROR_SUSPENDED,
                                                "this account is suspended; ask the gateway's administrator");
                        const auto now = ServerContext::nowMs();
                        std::string deviceId;
                        if (!req->device_id().empty()) {
                            auto device = st.findDevice(req->device_id());
                            if (device && device->userId == user.id && !device->revoked) {
                                deviceId = device->deviceId;
                                st.touchDevice(deviceId, req->device_name(), now);
                            }
                        }
                        if (deviceId.empty()) {
                            const auto devices = st.listDevices(user.id);
                            if (std::count_if(devices.begin(), devices.end(), [](const auto &d) {
                                    return !d.revoked;
                                }) >= std::ptrdiff_t(limits::kMaxDevicesPerAccount))
                                throw ProtocolError(ERROR_LIMIT_ABOVE_CAP,
                                                    "this account has " +
                                                        std::to_string(limits::kMaxDevicesPerAccount) +
                                                        " devices; remove one before signing in on another");
                            deviceId = Secrets::newDeviceId();
                            st.createDevice(deviceId, user.id, req->device_name(), now);
                            st.createStream(NameRules::inboxName(deviceId), StreamRecord::kInbox, false,
                                            deviceId, now);
                        }
                        const std::string token = Secrets::newToken();
                        st.insertToken(Secrets::tokenHash(token), user.id, deviceId, now + ttlMs);
                        LoginResponse res;
                        res.set_token(token);
                        res.set_expires_at_ms(now + ttlMs);
                        res.set_device_id(deviceId);
                        res.set_nick(user.nick);
                        return ok(res);
                    });
                });
        }
        if (queued != PasswordHasher::Queued::Yes)
            return notQueued(queued);
        return HttpResponse{0, {}, {}};
    });
}

void AccountRoutes::logout(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    onStore(
        false,
        [this, reply, token](HttpResponse res) {
            if (res.status == 200)
                m_chat.closeTokenSessions(Secrets::tokenHash(token));
            reply(std::move(res));
        },
        [token](MessageStore &st) {
            authenticate(st, token);
            st.revokeToken(Secrets::tokenHash(token));
            return ok(Ok());
        });
}

void AccountRoutes::devices(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    onStore(true, reply, [token](MessageStore &st) {
        const auto auth = authenticate(st, token);
        DeviceList list;
        for (const auto &d : st.listDevices(auth.userId)) {
            auto *info = list.add_devices();
            info->set_device_id(d.deviceId);
            info->set_name(d.name);
            info->set_created_ms(d.createdMs);
            info->set_last_seen_ms(d.lastSeenMs);
            info->set_current(d.deviceId == auth.deviceId);
        }
        return ok(list);
    });
}

void AccountRoutes::revokeDevice(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<RevokeDevice>(parseBody<RevokeDevice>(request.body));
    const std::string deviceId = req->device_id();
    onStore(
        false,
        [this, reply, deviceId](HttpResponse res) {
            if (res.status == 200)
                m_chat.closeDeviceSessions(deviceId);
            reply(std::move(res));
        },
        [token, deviceId](MessageStore &st) {
            const auto auth = authenticate(st, token);
            auto device = st.findDevice(deviceId);
            if (!device || device->userId != auth.userId || device->revoked)
                throw ProtocolError(ERROR_NOT_FOUND, "no such device");
            st.revokeDevice(deviceId);
            return ok(Ok());
        });
}

void AccountRoutes::withPassword(const std::string &source, const std::string &token,
                                 std::shared_ptr<const std::string> password, Reply reply,
                                 std::function<void()> check, std::function<void(const TokenRecord &)> then)
{
    onStore(
        true, reply, [this, source, token, password, reply, check, then](MessageStore &st) -> HttpResponse {
            const auto auth = authenticate(st, token);
            if (check)
                check();
            auto user = st.findUser(auth.nick);
            if (!user || user->id != auth.userId)
                throw ProtocolError(ERROR_BAD_TOKEN, "unknown token");
            if (password->empty() || password->size() > limits::kMaxPasswordLength)
                throw ProtocolError(ERROR_BAD_CREDENTIALS, "wrong password");
            const std::string account = NameRules::lower(auth.nick);
            refuseIfThrottled(source, account);
            m_ctx.authThrottle.attempting(account);
            const auto queued = m_ctx.hasher.verify(
                source, user->passwordHash, *password, [this, reply, auth, then, source, account](bool good) {
                    if (!good) {
                        m_ctx.authThrottle.failed(source);
                        return reply(error(ERROR_BAD_CREDENTIALS, "wrong password"));
                    }
                    m_ctx.authThrottle.succeeded(account);
                    then(auth);
                });
            if (queued != PasswordHasher::Queued::Yes)
                return notQueued(queued);
            return HttpResponse{0, {}, {}}; // answered by the hashing chain
        });
}

void AccountRoutes::changePassword(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<ChangePassword>(parseBody<ChangePassword>(request.body));
    auto current = std::make_shared<const std::string>(std::move(*req->mutable_current_password()));
    auto fresh = std::make_shared<const std::string>(std::move(*req->mutable_new_password()));
    const std::string tokenHash = Secrets::tokenHash(token);
    // The new password is checked after the token (so that a caller without one learns nothing)
    // and before any hashing.
    auto check = [current, fresh] {
        if (fresh->size() < limits::kMinPasswordLength || fresh->size() > limits::kMaxPasswordLength)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "passwords are 8..256 bytes");
        if (*fresh == *current)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "the new password is the current one");
    };
    const std::string source = request.source;
    withPassword(source, token, current, reply, check,
                 [this, source, token, tokenHash, fresh, reply](const TokenRecord &) {
                     const auto queued = m_ctx.hasher.hash(
                         source, *fresh, [this, token, tokenHash, reply](std::optional<std::string> hash) {
                             if (!hash)
                                 return reply(error(ERROR_INTERNAL, "password hashing failed"));
                             auto userId = std::make_shared<std::int64_t>(0);
                             onStore(
                                 false,
                                 [this, reply, userId, tokenHash](HttpResponse res) {
                                     if (res.status == 200)
                                         m_chat.closeUserSessions(*userId, tokenHash,
                                                                  "the password was changed; log in again");
                                     reply(std::move(res));
                                 },
                                 [token, tokenHash, hash, userId](MessageStore &st) {
                                     const auto auth = authenticate(st, token); // still valid at commit time
                                     *userId = auth.userId;
                                     st.setPasswordHash(auth.userId, *hash);
                                     // Every other device is logged out; this one stays signed in.
                                     st.revokeUserTokens(auth.userId, tokenHash);
                                     return ok(Ok());
                                 });
                         });
                     if (queued != PasswordHasher::Queued::Yes)
                         reply(notQueued(queued));
                 });
}

void AccountRoutes::logoutEverywhere(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto userId = std::make_shared<std::int64_t>(0);
    onStore(
        false,
        [this, reply, userId](HttpResponse res) {
            if (res.status == 200)
                m_chat.closeUserSessions(*userId, {}, "logged out everywhere");
            reply(std::move(res));
        },
        [token, userId](MessageStore &st) {
            const auto auth = authenticate(st, token);
            *userId = auth.userId;
            st.revokeUserTokens(auth.userId, {});
            return ok(Ok());
        });
}

void AccountRoutes::deleteAccount(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<DeleteAccount>(parseBody<DeleteAccount>(request.body));
    auto password = std::make_shared<const std::string>(std::move(*req->mutable_password()));
    withPassword(request.source, token, password, reply, {}, [this, token, reply](const TokenRecord &) {
        struct Result {
            std::int64_t userId = 0;
            AccountDeletion::Notices notices;
        };
        auto r = std::make_shared<Result>();
        onStore(
            false,
            [this, reply, r](HttpResponse res) {
                if (res.status == 200) {
                    for (const auto &[message, audience] : r->notices)
                        m_chat.announceStored(audience, message);
                    m_chat.closeUserSessions(r->userId, {}, "the account was deleted");
                }
                reply(std::move(res));
            },
            [token, r](MessageStore &st) {
                const auto auth = authenticate(st, token);
                r->userId = auth.userId;
                r->notices.clear(); // a retried job starts afresh
                const auto now = ServerContext::nowMs();
                r->notices = AccountDeletion::erase(st, auth.userId, auth.nick, auth.deviceId, now);
                return ok(Ok());
            });
    });
}

} // namespace hchat::server
