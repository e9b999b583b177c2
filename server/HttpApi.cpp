#include "HttpApi.h"

#include "ChannelPages.h"
#include "Fanout.h"
#include "Limits.h"
#include "NameRules.h"
#include "ProtocolError.h"
#include "Secrets.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unordered_map>

namespace hchat::server {

using namespace hchat::v1;

namespace {
// A sync answer stops adding messages past this many body bytes (has_more tells the rest).
constexpr std::size_t kMaxSyncResponseBytes = 8 * 1024 * 1024;

// Signed bytes as the client's CanonicalBytes builds them: a domain string, then each field as a
// 32-bit big-endian length and its bytes (integers as 4 or 8 big-endian bytes).
class Canonical {
public:
    explicit Canonical(const std::string &domain) { add(domain); }
    Canonical &add(const std::string &field)
    {
        u32(std::uint32_t(field.size()));
        m_bytes += field;
        return *this;
    }
    Canonical &u32(std::uint32_t v) { return be(v, 4); }
    Canonical &u64(std::uint64_t v) { return be(v, 8); }
    bool verify(const std::string &signature, const std::string &publicKey) const
    {
        return signature.size() == crypto_sign_BYTES && publicKey.size() == crypto_sign_PUBLICKEYBYTES &&
               crypto_sign_verify_detached(reinterpret_cast<const unsigned char *>(signature.data()),
                                           reinterpret_cast<const unsigned char *>(m_bytes.data()),
                                           m_bytes.size(),
                                           reinterpret_cast<const unsigned char *>(publicKey.data())) == 0;
    }

private:
    Canonical &be(std::uint64_t v, int bytes)
    {
        for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
            m_bytes.push_back(char((v >> shift) & 0xff));
        return *this;
    }
    std::string m_bytes;
};

bool prekeySignatureValid(const std::string &deviceId, const OneTimePrekey &k, const std::string &identityKey)
{
    return Canonical("hchat-prekey-v1")
        .add(deviceId)
        .u32(k.key_id())
        .add(k.public_key())
        .verify(k.signature(), identityKey);
}

bool deviceListSignatureValid(const SignedDeviceList &l, const std::string &identityKey)
{
    Canonical c("hchat-devicelist-v1");
    c.u32(l.version()).add(l.nick()).u64(l.generation()).u32(std::uint32_t(l.devices_size()));
    for (const auto &d : l.devices())
        c.add(d.device_id()).add(d.identity_key());
    c.add(l.signer_device());
    return c.verify(l.signature(), identityKey);
}

// The published identity key of one of nick's devices (empty: none).
std::string identityKeyOf(MessageStore &st, const std::string &nick, const std::string &deviceId)
{
    for (const auto &k : st.fetchKeys(nick))
        if (k.device_id() == deviceId)
            return k.identity_key();
    return {};
}

template <class M> M parseBody(const std::string &body)
{
    M m;
    if (!m.ParseFromString(body))
        throw ProtocolError(ERROR_MALFORMED, "the request body is not a valid protobuf message");
    return m;
}
} // namespace

HttpApi::HttpApi(ServerContext &ctx, ChatService &chat) : m_ctx(ctx), m_chat(chat) {}

HttpResponse HttpApi::error(ErrorCode code, const std::string &message)
{
    m_ctx.metrics.countError(code);
    Error e;
    e.set_code(code);
    e.set_message(message);
    return HttpResponse{ProtocolError::httpStatus(code), "application/x-protobuf", e.SerializeAsString()};
}

HttpResponse HttpApi::ok(const google::protobuf::MessageLite &message)
{
    return HttpResponse{200, "application/x-protobuf", message.SerializeAsString()};
}

std::string HttpApi::bearer(const HttpRequest &request)
{
    const std::string &h = request.authorization;
    if (h.size() > 7 && (h.compare(0, 7, "Bearer ") == 0 || h.compare(0, 7, "bearer ") == 0))
        return h.substr(7);
    return {};
}

TokenRecord HttpApi::authenticate(MessageStore &store, const std::string &token)
{
    if (token.empty())
        throw ProtocolError(ERROR_NOT_AUTHENTICATED, "this endpoint wants Authorization: Bearer <token>");
    if (token.size() > 256)
        throw ProtocolError(ERROR_BAD_TOKEN, "unknown token");
    auto rec = store.findToken(Secrets::tokenHash(token));
    if (!rec || rec->revoked)
        throw ProtocolError(ERROR_BAD_TOKEN, "unknown token");
    if (rec->expiresMs <= ServerContext::nowMs())
        throw ProtocolError(ERROR_TOKEN_EXPIRED, "token expired; log in again");
    return *rec;
}

void HttpApi::onStore(bool read, Reply reply, std::function<HttpResponse(MessageStore &)> job)
{
    auto result = std::make_shared<HttpResponse>();
    auto run = [this, read, result, job = std::move(job)](MessageStore &st) {
        try {
            *result = job(st);
        } catch (const ProtocolError &e) {
            if (read) {
                *result = error(e.code(), e.what());
                return;
            }
            throw; // the writer rolls the job back and reports the code
        } catch (const StoreError &e) {
            std::fprintf(stderr, "hchat-gateway: store failure: %s\n", e.what());
            if (!read)
                throw;
            *result = error(ERROR_INTERNAL, "internal error");
        }
    };
    bool queued = false;
    if (read) {
        queued = m_ctx.readers.submit([run, reply, result](MessageStore &st) {
            run(st);
            if (result->status != 0) // 0: a chained step answers
                reply(std::move(*result));
        });
    } else {
        queued = m_ctx.writer.submit(run, [this, reply, result](ErrorCode code, const std::string &message) {
            if (code != ERROR_CODE_UNSPECIFIED)
                reply(error(code, message));
            else
                reply(std::move(*result));
        });
    }
    if (!queued)
        reply(error(ERROR_SHUTTING_DOWN, "the gateway is shutting down"));
}

const std::vector<HttpApi::Route> &HttpApi::routes()
{
    static const std::vector<Route> table = {
        {"POST", "/v1/register", Access::Public, &HttpApi::registerUser},
        {"POST", "/v1/login", Access::Public, &HttpApi::login},
        {"POST", "/v1/logout", Access::Token, &HttpApi::logout},
        {"POST", "/v1/sync", Access::Token, &HttpApi::sync},
        {"POST", "/v1/channels", Access::Token, &HttpApi::channels},
        {"POST", "/v1/keys/publish", Access::Token, &HttpApi::publishKeys},
        {"POST", "/v1/keys/fetch", Access::Token, &HttpApi::fetchKeys},
        {"POST", "/v1/keys/prekeys", Access::Token, &HttpApi::uploadPrekeys},
        {"POST", "/v1/keys/claim", Access::Token, &HttpApi::claimPrekeys},
        {"POST", "/v1/keys/devicelist", Access::Token, &HttpApi::publishDeviceList},
        {"POST", "/v1/devices", Access::Token, &HttpApi::devices},
        {"POST", "/v1/devices/revoke", Access::Token, &HttpApi::revokeDevice},
        {"POST", "/v1/account/password", Access::Token, &HttpApi::changePassword},
        {"POST", "/v1/account/logout-all", Access::Token, &HttpApi::logoutEverywhere},
        {"POST", "/v1/account/delete", Access::Token, &HttpApi::deleteAccount},
        {"POST", "/v1/uploads", Access::Token, &HttpApi::startUpload},
        {"PUT", "/v1/uploads/", Access::Token, &HttpApi::putUploadChunk, true},
        {"GET", "/v1/uploads/", Access::Token, &HttpApi::uploadStatus, true},
        {"GET", "/v1/attachments/", Access::Token, &HttpApi::downloadAttachment, true},
    };
    return table;
}

std::vector<HttpApi::RouteInfo> HttpApi::routeList()
{
    std::vector<RouteInfo> out;
    for (const Route &r : routes())
        out.push_back(
            {r.method, r.prefix ? r.path + std::string(limits::kUploadIdLength, '0') : r.path, r.access});
    return out;
}

// The <id> of /v1/uploads/<id> or /v1/attachments/<id>: 32 lowercase hex digits, else not found.
std::string HttpApi::routeId(const HttpRequest &request, const char *prefix)
{
    const std::string path = request.target.substr(0, request.target.find('?'));
    std::string id = path.substr(std::char_traits<char>::length(prefix));
    const bool wellFormed =
        id.size() == limits::kUploadIdLength && std::all_of(id.begin(), id.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        });
    if (!wellFormed)
        throw ProtocolError(ERROR_NOT_FOUND, "no such upload");
    return id;
}

// Compared in constant time: the token is a secret of the operator's.
bool HttpApi::metricsTokenMatches(const HttpRequest &request) const
{
    const std::string &want = m_ctx.config.metricsToken;
    const std::string given = bearer(request);
    return !want.empty() && given.size() == want.size() &&
           sodium_memcmp(given.data(), want.data(), want.size()) == 0;
}

void HttpApi::handle(HttpRequest request, Reply reply)
{
    m_ctx.metrics.httpRequests.fetch_add(1, std::memory_order_relaxed);
    std::string path = request.target.substr(0, request.target.find('?'));
    if (path == "/healthz") {
        if (m_ctx.shuttingDown.load())
            return reply(HttpResponse{503, "text/plain", "shutting down\n"});
        return reply(HttpResponse{200, "text/plain", "ok\n"});
    }
    if (path == "/metrics") {
        if (request.internal || metricsTokenMatches(request))
            return reply(HttpResponse{200, "text/plain; version=0.0.4", m_ctx.metrics.render()});
        return reply(error(ERROR_NOT_FOUND, "no such endpoint"));
    }
    if (request.internal)
        return reply(error(ERROR_NOT_FOUND, "this address serves /metrics and /healthz only"));

    const Route *matched = nullptr;
    std::string wanted;
    for (const Route &route : routes()) {
        const bool matches = route.prefix
                                 ? path.size() > std::strlen(route.path) && path.rfind(route.path, 0) == 0
                                 : path == route.path;
        if (!matches)
            continue;
        if (request.method == route.method) {
            matched = &route;
            break;
        }
        wanted += wanted.empty() ? route.method : std::string(" or ") + route.method;
    }
    if (!matched && !wanted.empty())
        return reply(error(ERROR_INVALID_ARGUMENT, "this endpoint wants " + wanted));
    if (matched) {
        const Route &route = *matched;
        if (m_ctx.shuttingDown.load())
            return reply(error(ERROR_SHUTTING_DOWN, "the gateway is shutting down"));
        if (route.access == Access::Token && bearer(request).empty())
            return reply(error(ERROR_NOT_AUTHENTICATED, "this endpoint wants Authorization: Bearer <token>"));
        try {
            (this->*route.handler)(request, reply);
        } catch (const ProtocolError &e) {
            reply(error(e.code(), e.what()));
        }
        return;
    }
    reply(error(ERROR_NOT_FOUND, "no such endpoint"));
}

void HttpApi::registerUser(HttpRequest &request, Reply reply)
{
    auto req = parseBody<RegisterRequest>(request.body);
    if (!NameRules::validNick(req.nick()))
        throw ProtocolError(ERROR_INVALID_NAME, "nicks are 1..32 of [A-Za-z0-9_.-]");
    if (req.password().size() < limits::kMinPasswordLength ||
        req.password().size() > limits::kMaxPasswordLength)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "passwords are 8..256 bytes");
    const std::string source = request.source;
    refuseIfThrottled(source, {});
    const std::string nick = req.nick();
    auto password = std::make_shared<std::string>(std::move(*req.mutable_password()));
    // A cheap look first, so a taken nick costs no hash; the insert below decides races.
    onStore(true, reply, [this, nick, password, reply, source](MessageStore &st) -> HttpResponse {
        if (st.findUser(nick))
            throw ProtocolError(ERROR_NICK_TAKEN, "that nick is taken");
        m_ctx.authThrottle.registered(source);
        const auto queued =
            m_ctx.hasher.hash(source, *password, [this, nick, reply](std::optional<std::string> hash) {
                if (!hash)
                    return reply(error(ERROR_INTERNAL, "password hashing failed"));
                onStore(false, reply, [nick, hash](MessageStore &st) -> HttpResponse {
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
void HttpApi::refuseIfThrottled(const std::string &source, const std::string &account)
{
    std::int64_t wait = m_ctx.authThrottle.waitForSource(source);
    if (wait == 0 && !account.empty())
        wait = m_ctx.authThrottle.waitForAccount(account);
    if (wait > 0)
        throw ProtocolError(ERROR_RATE_LIMITED, "too many attempts; retry in " + std::to_string(wait) + " s");
}

HttpResponse HttpApi::notQueued(PasswordHasher::Queued queued)
{
    if (queued == PasswordHasher::Queued::SourceBusy)
        return error(ERROR_RATE_LIMITED, "your address has password checks in progress; retry shortly");
    return error(ERROR_RATE_LIMITED, "too many password checks at once; retry shortly");
}

void HttpApi::login(HttpRequest &request, Reply reply)
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

void HttpApi::logout(HttpRequest &request, Reply reply)
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

void HttpApi::sync(HttpRequest &request, Reply reply)
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

void HttpApi::channels(HttpRequest &request, Reply reply)
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

// A reply that, once a write committed, tells the user's sessions their devices changed.
HttpApi::Reply HttpApi::announcingDevices(Reply reply, std::shared_ptr<std::int64_t> userId)
{
    return [this, reply = std::move(reply), userId = std::move(userId)](HttpResponse res) {
        if (res.status == 200)
            devicesChanged(*userId);
        reply(std::move(res));
    };
}

void HttpApi::publishKeys(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto keys = std::make_shared<DeviceKeys>(parseBody<DeviceKeys>(request.body));
    auto userId = std::make_shared<std::int64_t>(0);
    // Checked after authentication, so that a caller without a valid token learns nothing else.
    onStore(false, announcingDevices(reply, userId), [token, keys, userId](MessageStore &st) {
        const auto auth = authenticate(st, token);
        *userId = auth.userId;
        if (keys->identity_key().size() != crypto_sign_PUBLICKEYBYTES ||
            keys->exchange_key().size() != crypto_box_PUBLICKEYBYTES ||
            keys->signature().size() != crypto_sign_BYTES)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "identity_key and exchange_key are 32 bytes, signature 64");
        if (crypto_sign_verify_detached(
                reinterpret_cast<const unsigned char *>(keys->signature().data()),
                reinterpret_cast<const unsigned char *>(keys->exchange_key().data()),
                keys->exchange_key().size(),
                reinterpret_cast<const unsigned char *>(keys->identity_key().data())) != 0)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "signature does not verify: sign exchange_key with identity_key");
        keys->set_nick(auth.nick);
        keys->set_device_id(auth.deviceId);
        st.publishKeys(auth.userId, *keys, ServerContext::nowMs());
        return ok(Ok());
    });
}

void HttpApi::fetchKeys(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<KeysRequest>(parseBody<KeysRequest>(request.body));
    if (req->nicks_size() > 256)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "at most 256 nicks per request");
    for (const auto &nick : req->nicks())
        if (!NameRules::validNick(nick))
            throw ProtocolError(ERROR_INVALID_NAME, "invalid nick");
    onStore(true, reply, [token, req](MessageStore &st) {
        authenticate(st, token);
        KeysResponse res;
        for (const auto &nick : req->nicks()) {
            for (auto &k : st.fetchKeys(nick))
                *res.add_devices() = std::move(k);
            if (auto body = st.deviceList(nick); body && !res.add_device_lists()->ParseFromString(*body))
                res.mutable_device_lists()->RemoveLast();
        }
        return ok(res);
    });
}

// The user's sessions (every gateway) learn that its devices changed: a device to approve, or an
// approval, is one key fetch away.
void HttpApi::devicesChanged(std::int64_t userId)
{
    Frame f;
    f.mutable_devices_changed();
    m_ctx.fanout->toUsers({userId}, std::make_shared<const std::string>(f.SerializeAsString()), false);
}

void HttpApi::publishDeviceList(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto list = std::make_shared<SignedDeviceList>(parseBody<SignedDeviceList>(request.body));
    auto userId = std::make_shared<std::int64_t>(0);
    onStore(false, announcingDevices(reply, userId), [token, list, userId](MessageStore &st) {
        const auto auth = authenticate(st, token);
        *userId = auth.userId;
        // The form is checked after authentication, so that a caller without a valid token
        // learns nothing else.
        if (list->version() != 1)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "device list version 1 is the only one");
        if (list->devices_size() < 1 || std::size_t(list->devices_size()) > limits::kMaxDevicesPerList)
            throw ProtocolError(ERROR_LIMIT_ABOVE_CAP,
                                "a device list holds 1..64 devices (MAX_DEVICES_PER_LIST)");
        for (int i = 0; i < list->devices_size(); ++i) {
            const auto &d = list->devices(i);
            if (d.device_id().empty() || d.device_id().size() > 64 ||
                d.identity_key().size() != crypto_sign_PUBLICKEYBYTES)
                throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                    "a device list entry is a device id (1..64 bytes) and a 32-byte key");
            if (i > 0 && !(list->devices(i - 1).device_id() < d.device_id()))
                throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                    "a device list is sorted by device id, each device once");
        }
        if (list->generation() == 0 || list->signature().size() != crypto_sign_BYTES)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "a device list has a generation above 0 and a 64-byte signature");
        if (list->nick() != auth.nick || list->signer_device() != auth.deviceId)
            throw ProtocolError(ERROR_FORBIDDEN,
                                "a device publishes only its own account's list, signed by itself");
        const std::string signerKey = identityKeyOf(st, auth.nick, auth.deviceId);
        if (signerKey.empty())
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "publish the device's keys (/v1/keys/publish) first");
        if (!deviceListSignatureValid(*list, signerKey))
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "the device list's signature does not verify");
        auto inList = [](const SignedDeviceList &l, const std::string &device, const std::string &key) {
            return std::any_of(l.devices().begin(), l.devices().end(), [&](const DeviceListEntry &d) {
                return d.device_id() == device && (key.empty() || d.identity_key() == key);
            });
        };
        if (auto stored = st.deviceList(auth.nick)) {
            SignedDeviceList previous;
            previous.ParseFromString(*stored);
            if (list->generation() <= previous.generation())
                throw ProtocolError(ERROR_STALE, "a newer device list is stored (generation " +
                                                     std::to_string(previous.generation()) + ")");
            // Only a device the account already approved changes its list.
            if (!inList(previous, auth.deviceId, signerKey))
                throw ProtocolError(ERROR_FORBIDDEN, "this device is not in the account's device list");
        } else if (!inList(*list, auth.deviceId, signerKey)) {
            throw ProtocolError(ERROR_FORBIDDEN,
                                "an account's first device list names the device that signs it");
        }
        st.putDeviceList(auth.userId, list->generation(), list->SerializeAsString());
        return ok(Ok());
    });
}

void HttpApi::uploadPrekeys(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<PrekeyUpload>(parseBody<PrekeyUpload>(request.body));
    if (std::size_t(req->prekeys_size()) > limits::kMaxPrekeysPerUpload)
        throw ProtocolError(ERROR_LIMIT_ABOVE_CAP,
                            "at most 100 prekeys per request (MAX_PREKEYS_PER_UPLOAD)");
    for (const auto &k : req->prekeys())
        if (k.key_id() == 0 || k.public_key().size() != crypto_box_PUBLICKEYBYTES ||
            k.signature().size() != crypto_sign_BYTES)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "a prekey has a key_id above 0, 32 key bytes and 64 signature bytes");
    onStore(false, reply, [token, req](MessageStore &st) {
        const auto auth = authenticate(st, token);
        if (req->prekeys_size() > 0) {
            const std::string identityKey = identityKeyOf(st, auth.nick, auth.deviceId);
            if (identityKey.size() != crypto_sign_PUBLICKEYBYTES)
                throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                    "publish the device's keys (/v1/keys/publish) first");
            for (const auto &k : req->prekeys())
                if (!prekeySignatureValid(auth.deviceId, k, identityKey))
                    throw ProtocolError(ERROR_INVALID_ARGUMENT, "a prekey's signature does not verify");
            const std::uint64_t have = st.prekeyCount(auth.deviceId);
            if (have + std::uint64_t(req->prekeys_size()) > limits::kMaxPrekeysPerDevice)
                throw ProtocolError(ERROR_LIMIT_ABOVE_CAP,
                                    "a device keeps at most 200 prekeys (MAX_PREKEYS_PER_DEVICE); " +
                                        std::to_string(have) + " are left");
            st.addPrekeys(auth.deviceId, {req->prekeys().begin(), req->prekeys().end()});
        }
        PrekeyCount count;
        count.set_available(std::uint32_t(st.prekeyCount(auth.deviceId)));
        return ok(count);
    });
}

void HttpApi::claimPrekeys(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<PrekeyClaim>(parseBody<PrekeyClaim>(request.body));
    if (std::size_t(req->device_ids_size()) > limits::kMaxPrekeyClaims)
        throw ProtocolError(ERROR_LIMIT_ABOVE_CAP, "at most 256 devices per claim (MAX_PREKEY_CLAIMS)");
    for (const auto &id : req->device_ids())
        if (id.empty() || id.size() > 64)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "a device id is 1..64 bytes");
    onStore(false, reply, [token, req](MessageStore &st) {
        authenticate(st, token);
        PrekeyClaimResponse res;
        std::vector<std::string> seen;
        for (const auto &id : req->device_ids()) {
            if (std::find(seen.begin(), seen.end(), id) != seen.end())
                continue; // one key per device and claim
            seen.push_back(id);
            const auto device = st.findDevice(id);
            if (!device || device->revoked)
                continue;
            auto prekey = st.claimPrekey(id);
            if (!prekey)
                continue;
            auto *claimed = res.add_prekeys();
            claimed->set_device_id(id);
            *claimed->mutable_prekey() = std::move(*prekey);
        }
        return ok(res);
    });
}

void HttpApi::devices(HttpRequest &request, Reply reply)
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

void HttpApi::revokeDevice(HttpRequest &request, Reply reply)
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

// ---- account -----------------------------------------------------------------------------------

void HttpApi::withPassword(const std::string &source, const std::string &token,
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

void HttpApi::changePassword(HttpRequest &request, Reply reply)
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

void HttpApi::logoutEverywhere(HttpRequest &request, Reply reply)
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

void HttpApi::deleteAccount(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto req = std::make_shared<DeleteAccount>(parseBody<DeleteAccount>(request.body));
    auto password = std::make_shared<const std::string>(std::move(*req->mutable_password()));
    withPassword(request.source, token, password, reply, {}, [this, token, reply](const TokenRecord &) {
        struct Result {
            std::int64_t userId = 0;
            std::vector<std::pair<Message, std::vector<std::int64_t>>> notices; // message, its audience
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
                // One USER_DELETED per channel the user was in or wrote to, in the channel's own
                // stream (gap-free seq, pushed after the commit), so that every member's client
                // learns it by push or by its next pull and shows "deleted user".
                for (const auto &stream : st.streamsOfUser(auth.userId)) {
                    Message m;
                    m.set_sender(auth.nick);
                    m.set_sender_device(auth.deviceId);
                    m.set_server_time_ms(now);
                    m.set_kind(MESSAGE_KIND_USER_DELETED);
                    m.set_subject(auth.nick);
                    st.appendMessage(stream, auth.userId, m);
                    m.set_sender_deleted(true);
                    st.removeMember(stream.id, auth.userId);
                    r->notices.emplace_back(std::move(m), st.memberIds(stream.id));
                }
                st.deleteUser(auth.userId, now);
                return ok(Ok());
            });
    });
}

// ---- attachments ---------------------------------------------------------------------------------

namespace {

UploadStatus statusOf(const UploadRecord &u)
{
    UploadStatus st;
    st.set_upload_id(u.id);
    st.set_channel(u.channel);
    st.set_size(u.size);
    st.set_received(u.received);
    st.set_chunk_size(std::uint32_t(limits::kAttachmentChunkBytes));
    st.set_complete(u.complete());
    return st;
}

bool parseUnsigned(std::string_view text, std::uint64_t &out)
{
    if (text.empty() || text.size() > 19)
        return false;
    const auto *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

// A byte position of a Range: digits only, any length; a value past 2^64-1 saturates (it lies
// past the end of any attachment either way).
bool parsePosition(std::string_view text, std::uint64_t &out)
{
    if (text.empty() || text.size() > 64 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc::result_out_of_range)
        out = std::numeric_limits<std::uint64_t>::max();
    return true;
}

// One range of "bytes=first-[last]"; false for anything else (several ranges, suffix ranges).
bool parseRange(const std::string &header, std::uint64_t &first, std::optional<std::uint64_t> &last)
{
    constexpr std::string_view unit = "bytes=";
    if (header.rfind(unit, 0) != 0)
        return false;
    const std::string_view spec = std::string_view(header).substr(unit.size());
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos || !parsePosition(spec.substr(0, dash), first))
        return false;
    const std::string_view tail = spec.substr(dash + 1);
    if (tail.empty())
        return true;
    std::uint64_t l = 0;
    if (!parsePosition(tail, l) || l < first)
        return false;
    last = l;
    return true;
}

// The most one download answer carries; a client asks for the rest with Range.
constexpr std::uint64_t kMaxDownloadPiece = 4 * 1024 * 1024;

} // namespace

// Each attachment endpoint authenticates before it looks at its input: a stranger learns nothing.
void HttpApi::startUpload(HttpRequest &request, Reply reply)
{
    const std::uint64_t max = m_ctx.config.maxAttachmentBytes;
    onStore(false, reply,
            [token = bearer(request), body = std::move(request.body), max](MessageStore &st) -> HttpResponse {
                const TokenRecord tok = authenticate(st, token);
                const auto req = parseBody<UploadRequest>(body);
                const std::string channel = req.channel();
                if (!NameRules::validChannel(channel) && !NameRules::validDirectName(channel))
                    throw ProtocolError(ERROR_INVALID_NAME, "not a channel name");
                if (req.size() == 0)
                    throw ProtocolError(ERROR_INVALID_ARGUMENT, "an upload has at least one byte");
                if (req.size() > max)
                    throw ProtocolError(ERROR_TOO_LARGE,
                                        "attachments are at most " + std::to_string(max) + " bytes");
                const std::uint64_t size = req.size();
                const auto stream = st.findStream(channel);
                if (!stream || stream->kind == StreamRecord::kInbox)
                    throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such channel");
                if (!st.isMember(stream->id, tok.userId))
                    throw ProtocolError(ERROR_NOT_MEMBER, "not a member of " + channel);
                if (st.openUploads(tok.userId) >= limits::kMaxOpenUploads)
                    throw ProtocolError(ERROR_RATE_LIMITED,
                                        "already " + std::to_string(limits::kMaxOpenUploads) +
                                            " uploads not sent yet; finish or send one first");
                UploadRecord u;
                u.id = Secrets::newUploadId();
                u.streamId = stream->id;
                u.channel = stream->name;
                u.uploaderId = tok.userId;
                u.size = size;
                u.createdMs = ServerContext::nowMs();
                st.createUpload(u);
                return ok(statusOf(u));
            });
}

void HttpApi::putUploadChunk(HttpRequest &request, Reply reply)
{
    const std::string id = routeId(request, "/v1/uploads/");
    auto bytes = std::make_shared<std::string>(std::move(request.body));
    onStore(false, reply,
            [token = bearer(request), id, header = request.uploadOffset, hasHeader = request.hasUploadOffset,
             bytes](MessageStore &st) -> HttpResponse {
                const TokenRecord tok = authenticate(st, token);
                std::uint64_t offset = 0;
                if (!hasHeader || !parseUnsigned(header, offset))
                    throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                        "a chunk wants the header Upload-Offset: <bytes already sent>");
                if (bytes->empty())
                    throw ProtocolError(ERROR_INVALID_ARGUMENT, "an empty chunk");
                if (bytes->size() > limits::kAttachmentChunkBytes)
                    throw ProtocolError(ERROR_TOO_LARGE, "chunks are at most " +
                                                             std::to_string(limits::kAttachmentChunkBytes) +
                                                             " bytes");
                auto u = st.findUpload(id);
                if (!u || u->uploaderId != tok.userId)
                    throw ProtocolError(ERROR_NOT_FOUND, "no such upload");
                if (offset != u->received)
                    throw ProtocolError(ERROR_OFFSET_MISMATCH, "the upload holds " +
                                                                   std::to_string(u->received) +
                                                                   " bytes; send from there");
                const std::uint64_t expected =
                    std::min<std::uint64_t>(limits::kAttachmentChunkBytes, u->size - u->received);
                if (bytes->size() != expected)
                    throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                        "this chunk must be " + std::to_string(expected) + " bytes");
                u->received += bytes->size();
                st.appendUploadChunk(id, offset / limits::kAttachmentChunkBytes, *bytes, u->received);
                return ok(statusOf(*u));
            });
}

void HttpApi::uploadStatus(HttpRequest &request, Reply reply)
{
    const std::string id = routeId(request, "/v1/uploads/");
    onStore(true, reply, [token = bearer(request), id](MessageStore &st) -> HttpResponse {
        const TokenRecord tok = authenticate(st, token);
        const auto u = st.findUpload(id);
        if (!u || u->uploaderId != tok.userId)
            throw ProtocolError(ERROR_NOT_FOUND, "no such upload");
        return ok(statusOf(*u));
    });
}

void HttpApi::downloadAttachment(HttpRequest &request, Reply reply)
{
    const std::string id = routeId(request, "/v1/attachments/");
    onStore(
        true, reply,
        [this, token = bearer(request), id, range = request.range](MessageStore &st) -> HttpResponse {
            const TokenRecord tok = authenticate(st, token);
            std::uint64_t first = 0;
            std::optional<std::uint64_t> last;
            const bool ranged = !range.empty();
            if (ranged && !parseRange(range, first, last))
                throw ProtocolError(ERROR_INVALID_ARGUMENT, "Range wants one range: bytes=<first>-[<last>]");
            const auto u = st.findUpload(id);
            // Unknown, unfinished and foreign uploads look alike.
            if (!u || !u->complete() || !st.isMember(u->streamId, tok.userId))
                throw ProtocolError(ERROR_NOT_FOUND, "no such attachment");
            if (first >= u->size) {
                HttpResponse r = error(ERROR_INVALID_ARGUMENT, "the range starts past the attachment's end");
                r.status = 416;
                r.contentRange = "bytes */" + std::to_string(u->size);
                return r;
            }
            const std::uint64_t end =
                std::min({last.value_or(u->size - 1), u->size - 1, first + (kMaxDownloadPiece - 1)});
            HttpResponse r{ranged || end + 1 < u->size ? 206u : 200u,
                           "application/octet-stream",
                           st.readUpload(id, first, end - first + 1),
                           {}};
            if (r.status == 206)
                r.contentRange = "bytes " + std::to_string(first) + "-" + std::to_string(end) + "/" +
                                 std::to_string(u->size);
            return r;
        });
}

} // namespace hchat::server
