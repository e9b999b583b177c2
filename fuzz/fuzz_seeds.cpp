// Writes the seed corpora (fuzz/corpus/<target>/) from real protocol messages, in the input
// formats the targets document. Usage: fuzz_seeds <corpus dir>
#include "E2eeFixture.h"
#include "FuzzInput.h"
#include "GatewayFixture.h"

#include "crypto/DeviceList.h"
#include "crypto/KeyShare.h"
#include "crypto/MembershipOp.h"
#include "crypto/MessageCrypto.h"
#include "crypto/PrekeyStore.h"
#include "hchat.pb.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

using namespace hchat;
using namespace hchat::fuzz;
using namespace hchat::v1;

namespace {

std::filesystem::path g_out;

void seed(const char *target, const char *name, const std::string &bytes)
{
    const auto dir = g_out / target;
    std::filesystem::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string str(const google::protobuf::MessageLite &m)
{
    return m.SerializeAsString();
}

std::string qstr(const QByteArray &b)
{
    return std::string(b.constData(), std::size_t(b.size()));
}

// ---- gateway_ws: a flags byte, then one chunk per WebSocket message -----------------------------

std::string frame(std::uint64_t rid, const std::function<void(Frame &)> &fill, std::uint8_t tag = 0)
{
    Frame f;
    f.set_request_id(rid);
    fill(f);
    return chunk(tag, str(f));
}

std::string send(std::uint64_t rid, const std::string &channel, const std::string &body, char id,
                 MessageKind kind = MESSAGE_KIND_TEXT, bool encrypted = false)
{
    return frame(rid, [&](Frame &f) {
        auto *s = f.mutable_send();
        s->set_channel(channel);
        s->set_body(body);
        s->set_client_msg_id(std::string(16, id));
        s->set_kind(kind);
        s->set_encrypted(encrypted);
    });
}

void gatewayWsSeeds()
{
    const std::string authed(1, '\x01');
    seed("gateway_ws", "join-send-read-leave",
         authed + frame(2, [](Frame &f) { f.mutable_join()->set_channel("general"); }) +
             send(3, "general", "hi all", 'a') +
             frame(4,
                   [](Frame &f) {
                       f.mutable_mark_read()->set_channel("general");
                       f.mutable_mark_read()->set_seq(2);
                   }) +
             frame(5, [](Frame &f) { f.mutable_ping()->set_client_time_ms(1); }) +
             frame(6, [](Frame &f) { f.mutable_leave()->set_channel("general"); }));
    seed("gateway_ws", "create-invite-remove",
         authed +
             frame(2,
                   [](Frame &f) {
                       auto *c = f.mutable_create_channel();
                       c->set_channel("team");
                       c->set_kind(CHANNEL_KIND_INVITE_ONLY);
                       c->set_encrypted(true);
                       c->add_members(kBob.nick);
                   }) +
             frame(3,
                   [](Frame &f) {
                       f.mutable_invite()->set_channel("team");
                       f.mutable_invite()->set_nick(kCarol.nick);
                   }) +
             frame(4,
                   [](Frame &f) {
                       f.mutable_remove_member()->set_channel("team");
                       f.mutable_remove_member()->set_nick(kCarol.nick);
                   }) +
             send(5, "secret", "ciphertext", 'b', MESSAGE_KIND_TEXT, true) +
             send(6, std::string("~") + kBob.deviceId, "sealed share", 'c', MESSAGE_KIND_KEY_SHARE, true));
    seed("gateway_ws", "hello-then-pipelined",
         std::string(1, '\0') +
             frame(
                 1,
                 [](Frame &f) {
                     f.mutable_hello()->set_protocol_version(PROTOCOL_VERSION_CURRENT);
                     f.mutable_hello()->set_token(kAlice.token);
                 },
                 2) +
             frame(
                 2, [](Frame &f) { f.mutable_join()->set_channel("general"); }, 2) +
             send(3, "general", "early", 'd', MESSAGE_KIND_TEXT, false));
    seed("gateway_ws", "direct-and-duplicate",
         authed +
             frame(2,
                   [](Frame &f) {
                       auto *c = f.mutable_create_channel();
                       c->set_channel("@alice+carol");
                       c->set_kind(CHANNEL_KIND_DIRECT);
                       c->add_members(kCarol.nick);
                   }) +
             send(3, "@alice+carol", "psst", 'e') + send(4, "@alice+carol", "psst", 'e'));
    seed("gateway_ws", "bad-hellos",
         std::string(1, '\0') +
             frame(1,
                   [](Frame &f) {
                       f.mutable_hello()->set_protocol_version(PROTOCOL_VERSION_CURRENT);
                       f.mutable_hello()->set_token(kExpiredToken);
                   }) +
             chunk(1, "text message") + chunk(0, "\xff\xff\xff"));
    seed("gateway_ws", "malformed-after-auth",
         authed + chunk(0, "\x0a\x05") + chunk(1, "hello") + frame(7, [](Frame &f) { f.mutable_ok(); }) +
             frame(8, [](Frame &f) {
                 f.mutable_hello()->set_protocol_version(PROTOCOL_VERSION_CURRENT);
                 f.mutable_hello()->set_token(kAlice.token);
             }));
}

// ---- gateway_http: one chunk per request (tag = route | auth << 4) ------------------------------

enum Route : std::uint8_t {
    Register,
    Login,
    Logout,
    Sync,
    Channels,
    Publish,
    Fetch,
    Devices,
    Revoke,
    Healthz,
    Metrics,
    Uploads = 14,
    RawTarget = 15
};
constexpr std::uint8_t kOwnToken = 1 << 4, kBobToken = 2 << 4, kExpired = 3 << 4;

std::string syncReq(const std::string &channel, std::uint64_t from, std::uint32_t limit)
{
    SyncRequest r;
    r.set_channel(channel);
    r.set_from_seq(from);
    r.set_limit(limit);
    return str(r);
}

void gatewayHttpSeeds()
{
    RegisterRequest reg;
    reg.set_nick("n$ME");
    reg.set_password("password1");
    LoginRequest login;
    login.set_nick("$ME");
    login.set_password(kPassword);
    login.set_device_name("laptop");
    LoginRequest again = login;
    again.set_device_id("$D1");
    seed("gateway_http", "register-login",
         chunk(Register, str(reg)) + chunk(Login, str(login)) + chunk(Login, str(again)));
    seed("gateway_http", "sync",
         chunk(Sync | kOwnToken, syncReq("general", 1, 10)) + chunk(Sync | kOwnToken, syncReq("~$D1", 0, 0)) +
             chunk(Sync | kOwnToken, syncReq("@alice+bob", 1, 5)) +
             chunk(Sync | kBobToken, syncReq("@alice+bob", 1, 5)) +
             chunk(Sync | kExpired, syncReq("general", 1, 1)) +
             chunk(Sync | kOwnToken, syncReq("general", 1, 5000)));
    RevokeDevice revoke;
    revoke.set_device_id("$D2");
    seed("gateway_http", "account",
         chunk(Channels | kOwnToken, {}) + chunk(Devices | kOwnToken, {}) +
             chunk(Revoke | kOwnToken, str(revoke)) + chunk(Devices | kOwnToken, {}) +
             chunk(Logout | kOwnToken, {}) + chunk(Channels | kOwnToken, {}));
    DeviceKeys keys;
    myIdentity().fillDeviceKeys(&keys, QStringLiteral("ignored"), QStringLiteral("ignored"));
    KeysRequest fetch;
    fetch.add_nicks(kBob.nick);
    fetch.add_nicks("$ME");
    seed("gateway_http", "keys",
         chunk(Publish | kOwnToken, str(keys)) + chunk(Fetch | kOwnToken, str(fetch)));
    seed("gateway_http", "misc",
         chunk(Healthz, {}) + chunk(Metrics, {}) +
             chunk(RawTarget | kOwnToken, "/v1/sync?from=1\n" + syncReq("general", 2, 1)) +
             chunk(Sync | kOwnToken | 0x80, syncReq("general", 1, 1)) + chunk(RawTarget, "/nowhere\n"));
    UploadRequest upload;
    upload.set_channel("general");
    upload.set_size(10);
    seed("gateway_http", "uploads",
         chunk(Uploads | kOwnToken, str(upload)) +
             chunk(RawTarget | kOwnToken, "PUT /v1/uploads/$UP\nUpload-Offset: 0\n0123456789") +
             chunk(RawTarget | kOwnToken, "GET /v1/uploads/$UP\n") +
             chunk(RawTarget | kOwnToken, "GET /v1/attachments/$UP\nRange: bytes=2-5\n") +
             chunk(RawTarget | kBobToken, "GET /v1/attachments/$UP\n") +
             chunk(RawTarget | kOwnToken, "PUT /v1/uploads/$UP\nUpload-Offset: 5\nxyz"));
}

// ---- client_sync: chunks (0 push frame, 1 raw answer, 2 plausible answer, 3 error answer) -------

Message message(const std::string &channel, std::uint64_t seq, const std::string &sender,
                const std::string &body, MessageKind kind = MESSAGE_KIND_TEXT,
                const std::string &subject = {})
{
    Message m;
    m.set_channel(channel);
    m.set_seq(seq);
    m.set_sender(sender);
    m.set_sender_device(kBob.deviceId);
    m.set_client_msg_id(std::string(16, char('0' + seq % 10)));
    m.set_server_time_ms(1700000000000 + std::int64_t(seq));
    m.set_body(body);
    m.set_kind(kind);
    m.set_subject(subject);
    return m;
}

std::string pushed(const Message &m)
{
    Frame f;
    *f.mutable_push()->mutable_message() = m;
    return chunk(0, str(f));
}

std::string answer(const std::string &channel, std::initializer_list<Message> messages,
                   std::uint64_t serverMax, bool hasMore = false, std::uint8_t tag = 2)
{
    SyncResponse r;
    r.set_channel(channel);
    for (const auto &m : messages)
        *r.add_messages() = m;
    r.set_server_max_seq(serverMax);
    r.set_has_more(hasMore);
    return chunk(tag, str(r));
}

void clientSyncSeeds()
{
    const std::string inbox = std::string("~") + kAlice.deviceId;
    Frame welcome;
    auto *w = welcome.mutable_welcome();
    w->set_protocol_version(PROTOCOL_VERSION_CURRENT);
    w->set_nick(kAlice.nick);
    w->set_device_id(kAlice.deviceId);
    auto *general = w->add_channels();
    general->set_name("general");
    general->set_kind(CHANNEL_KIND_OPEN);
    general->set_server_max_seq(3);
    general->set_read_seq(1);
    auto *secret = w->add_channels();
    secret->set_name("secret");
    secret->set_kind(CHANNEL_KIND_INVITE_ONLY);
    secret->set_encrypted(true);
    secret->set_server_max_seq(2);
    secret->add_members(kAlice.nick);
    secret->add_members(kBob.nick);
    w->set_inbox_max_seq(1);
    seed("client_sync", "welcome-catchup",
         answer("general", {message("general", 1, "bob", "one"), message("general", 2, "bob", "two")}, 3,
                true) +
             answer("general", {message("general", 3, "carol", "three")}, 3) +
             answer("secret",
                    {message("secret", 1, "bob", "", MESSAGE_KIND_CHANNEL_CREATED, "bob"),
                     message("secret", 2, "bob", "", MESSAGE_KIND_MEMBER_ADDED, "alice")},
                    2) +
             answer(inbox, {message(inbox, 1, "bob", "sealed", MESSAGE_KIND_KEY_SHARE)}, 1) +
             chunk(0, str(welcome)));
    seed("client_sync", "push-gap-fill",
         pushed(message("general", 1, "bob", "a")) + pushed(message("general", 2, "bob", "b")) +
             answer("general", {message("general", 3, "bob", "c"), message("general", 4, "bob", "d")}, 5) +
             pushed(message("general", 5, "bob", "e")) + pushed(message("general", 5, "bob", "e")));
    Frame joined;
    auto *info = joined.mutable_channel_joined()->mutable_channel();
    info->set_name("team");
    info->set_kind(CHANNEL_KIND_INVITE_ONLY);
    info->set_server_max_seq(2);
    info->add_members(kAlice.nick);
    info->add_members(kBob.nick);
    Frame read;
    read.mutable_read_position()->set_channel("team");
    read.mutable_read_position()->set_seq(2);
    seed("client_sync", "joined-membership-read",
         answer("team",
                {message("team", 1, "bob", "", MESSAGE_KIND_CHANNEL_CREATED, "bob"),
                 message("team", 2, "bob", "", MESSAGE_KIND_MEMBER_ADDED, "alice")},
                2) +
             chunk(0, str(joined)) +
             pushed(message("team", 3, "bob", "", MESSAGE_KIND_MEMBER_REMOVED, "alice")) +
             chunk(0, str(read)));
    // Attachments: one whose content names its upload, one that names another, one edited and
    // one recalled.
    AttachmentContent content;
    content.set_attachment_id(std::string(32, 'a'));
    content.set_name("photo.jpg");
    content.set_mime_type("image/jpeg");
    content.set_size(1234);
    content.set_caption("look");
    content.set_thumbnail(std::string("\xff\xd8\xff\xe0", 4));
    Message file = message("general", 1, "bob", str(content), MESSAGE_KIND_ATTACHMENT);
    file.set_attachment_id(std::string(32, 'a'));
    Message other = message("general", 2, "bob", str(content), MESSAGE_KIND_ATTACHMENT);
    other.set_attachment_id(std::string(32, 'b'));
    Message edit = message("general", 3, "bob", "new caption", MESSAGE_KIND_EDIT);
    edit.set_ref_seq(1);
    Message recall = message("general", 4, "bob", "", MESSAGE_KIND_DELETE);
    recall.set_ref_seq(1);
    seed("client_sync", "attachments", pushed(file) + pushed(other) + answer("general", {edit, recall}, 4));
    Error err;
    err.set_code(ERROR_NOT_MEMBER);
    err.set_message("not a member of this channel");
    seed("client_sync", "errors-and-resync",
         chunk(3, std::string(1, '\x02') + str(err)) + chunk(3, std::string(1, '\0')) +
             chunk(0, "\x0a\x03zzz") + chunk(4, {}) +
             answer("elsewhere", {message("elsewhere", 1, "bob", "x")}, 1, false, 1) +
             pushed(message("general", 9, "bob", "far ahead")) + chunk(5, {}));
}

// ---- e2ee: mode byte, flags byte, payload -------------------------------------------------------

std::string e2ee(std::uint8_t mode, std::uint8_t flags, const std::string &payload)
{
    return std::string(1, char(mode)) + std::string(1, char(flags)) + payload;
}

void e2eeSeeds()
{
    const crypto::DeviceIdentity bob = senderIdentity();
    const crypto::DeviceIdentity alice = myIdentity();
    crypto::SenderSession session = senderSession(5);
    const QByteArray envelope = crypto::MessageCrypto::encrypt(session, bob, kSender, kSenderDevice,
                                                               QByteArray(16, '\x03'), "hello alice");
    seed("e2ee", "envelope", e2ee(0, 1, qstr(envelope)));
    seed("e2ee", "envelope-resigned", e2ee(1, 1, qstr(envelope)));
    seed("e2ee", "encrypt-decrypt", e2ee(2, 0, "a secret message"));
    auto fresh =
        crypto::SenderSession::fromKey(kE2eeChannel, QByteArray(16, '\x33'), 2, QByteArray(32, '\x44'));
    const QByteArray share =
        crypto::KeyShare::seal(*fresh, bob, kSender, kSenderDevice,
                               crypto::KeyShare::Recipient{kMe, kMyDevice, alice.identityKey()});
    seed("e2ee", "key-share", e2ee(3, 0, qstr(share)));
    KeySharePayload payload;
    payload.set_channel("secret");
    payload.set_session_id(std::string(16, '\x55'));
    payload.set_start_index(0);
    payload.set_sender_key(std::string(32, '\x66'));
    payload.set_sender(kSender.toStdString());
    payload.set_sender_device(kSenderDevice.toStdString());
    payload.set_recipient(kMe.toStdString());
    payload.set_recipient_device(kMyDevice.toStdString());
    seed("e2ee", "key-share-payload", e2ee(4, 0, str(payload)));
    seed("e2ee", "key-share-payload-prekey", e2ee(4, 7, str(payload)));
    // Claimed prekeys: one signed by bob's device for itself, one for a device it is not.
    crypto::PrekeyStore::Prekey prekey{3, QByteArray(32, '\x21'), {}};
    prekey.signature =
        bob.sign(crypto::PrekeyStore::signedBytes(kSenderDevice, prekey.keyId, prekey.publicKey));
    PrekeyClaimResponse claims;
    for (const QString &device : {kSenderDevice, QStringLiteral("ca000000000000000000000000000003")}) {
        auto *c = claims.add_prekeys();
        c->set_device_id(device.toStdString());
        c->mutable_prekey()->set_key_id(prekey.keyId);
        c->mutable_prekey()->set_public_key(prekey.publicKey.toStdString());
        c->mutable_prekey()->set_signature(prekey.signature.toStdString());
    }
    seed("e2ee", "claimed-prekeys", e2ee(9, 0, str(claims)));
    // Device lists of carol: her first (self-signed), a newer one, and one signed by a stranger.
    const crypto::DeviceIdentity carol = fixedIdentity('C');
    const QString carolDevice = QStringLiteral("ca000000000000000000000000000003");
    for (quint64 generation : {1, 2}) {
        const auto list = crypto::DeviceList::make(QStringLiteral("carol"), generation,
                                                   {{carolDevice, carol.identityKey()}}, carol, carolDevice);
        SignedDeviceList p;
        list->toProto(&p);
        seed("e2ee", ("device-list-" + std::to_string(generation)).c_str(), e2ee(10, 0, str(p)));
        seed("e2ee", ("device-list-resigned-" + std::to_string(generation)).c_str(), e2ee(10, 7, str(p)));
    }
    const auto stranger = crypto::DeviceList::make(QStringLiteral("carol"), 9,
                                                   {{kSenderDevice, bob.identityKey()}}, bob, kSenderDevice);
    SignedDeviceList strangerList;
    stranger->toProto(&strangerList);
    seed("e2ee", "device-list-stranger", e2ee(10, 1, str(strangerList)));
    KeysResponse keys;
    fixedIdentity('C').fillDeviceKeys(keys.add_devices(), QStringLiteral("carol"),
                                      QStringLiteral("ca000000000000000000000000000003"));
    seed("e2ee", "key-directory", e2ee(5, 0, str(keys)));
    Message added = message("secret", 1, "bob", "", MESSAGE_KIND_MEMBER_ADDED, "carol");
    seed("e2ee", "membership", e2ee(6, 0, str(added)));
    // Signed membership operations (mode 7 signs them again as bob's; mode 8 takes them as sent).
    auto op = [](MembershipAction action, const std::string &subject) {
        hchat::v1::MembershipOp o;
        o.set_version(1);
        o.set_channel("secret");
        o.set_action(action);
        o.set_actor("bob");
        o.set_actor_device(kSenderDevice.toStdString());
        o.set_subject(subject);
        o.set_time_ms(1700000000000);
        o.set_signature(std::string(64, '\0'));
        return o;
    };
    seed("e2ee", "op-add", e2ee(7, 1, str(op(MEMBERSHIP_ACTION_ADD, "carol"))));
    seed("e2ee", "op-remove", e2ee(7, 1, str(op(MEMBERSHIP_ACTION_REMOVE, "alice"))));
    seed("e2ee", "op-leave", e2ee(7, 1, str(op(MEMBERSHIP_ACTION_LEAVE, ""))));
    auto genesis = op(MEMBERSHIP_ACTION_GENESIS, "");
    genesis.set_kind(CHANNEL_KIND_DIRECT);
    genesis.set_encrypted(true);
    genesis.add_members("alice");
    seed("e2ee", "op-second-genesis", e2ee(7, 0, str(genesis)));
    crypto::MembershipOp signedAdd;
    signedAdd.channel = QStringLiteral("secret");
    signedAdd.action = crypto::MembershipOp::Action::Add;
    signedAdd.actor = kSender;
    signedAdd.actorDevice = kSenderDevice;
    signedAdd.subject = QStringLiteral("mallory");
    signedAdd.previous = QByteArray(32, '\x11'); // an operation alice never saw
    seed("e2ee", "op-signed-unknown-previous", e2ee(8, 0, qstr(signedAdd.signAndSerialize(bob))));
    crypto::SenderSession elsewhere = *crypto::SenderSession::fromKey(
        QStringLiteral("other"), QByteArray(16, '\x5e'), 0, QByteArray(32, '\x6b'));
    seed("e2ee", "envelope-other-channel",
         e2ee(0, 3,
              qstr(crypto::MessageCrypto::encrypt(elsewhere, bob, kSender, kSenderDevice,
                                                  QByteArray(16, '\x04'), "wrong channel"))));
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    g_out = argv[1];
    gatewayWsSeeds();
    gatewayHttpSeeds();
    clientSyncSeeds();
    e2eeSeeds();
    return 0;
}
