#include "KeyRoutes.h"

#include "Fanout.h"
#include "Limits.h"
#include "NameRules.h"
#include "SignedBytes.h"

#include <sodium.h>

#include <algorithm>

namespace hchat::server {

using namespace hchat::v1;

namespace {

bool prekeySignatureValid(const std::string &deviceId, const OneTimePrekey &k, const std::string &identityKey)
{
    return SignedBytes("hchat-prekey-v1")
        .add(deviceId)
        .u32(k.key_id())
        .add(k.public_key())
        .verify(k.signature(), identityKey);
}

bool deviceListSignatureValid(const SignedDeviceList &l, const std::string &identityKey)
{
    SignedBytes c("hchat-devicelist-v1");
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
} // namespace

// A reply that, once a write committed, tells the user's sessions their devices changed.
KeyRoutes::Reply KeyRoutes::announcingDevices(Reply reply, std::shared_ptr<std::int64_t> userId)
{
    return [this, reply = std::move(reply), userId = std::move(userId)](HttpResponse res) {
        if (res.status == 200)
            devicesChanged(*userId);
        reply(std::move(res));
    };
}

void KeyRoutes::publishKeys(HttpRequest &request, Reply reply)
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

void KeyRoutes::fetchKeys(HttpRequest &request, Reply reply)
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
void KeyRoutes::devicesChanged(std::int64_t userId)
{
    Frame f;
    f.mutable_devices_changed();
    m_ctx.fanout->toUsers({userId}, std::make_shared<const std::string>(f.SerializeAsString()), false);
}

void KeyRoutes::publishDeviceList(HttpRequest &request, Reply reply)
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

void KeyRoutes::uploadPrekeys(HttpRequest &request, Reply reply)
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

void KeyRoutes::claimPrekeys(HttpRequest &request, Reply reply)
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

} // namespace hchat::server
