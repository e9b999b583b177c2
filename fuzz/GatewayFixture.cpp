#include "GatewayFixture.h"

#include "DatabaseSnapshot.h"
#include "FuzzInput.h"
#include "NameRules.h"
#include "Secrets.h"
#include "SqlMessageStore.h"

#include <sodium.h>

#include <cstring>
#include <future>
#include <thread>
#include <tuple>

namespace hchat::fuzz {

using namespace hchat::server;
using namespace hchat::v1;

void FuzzStrand::post(std::function<void()> fn)
{
    std::lock_guard lock(m_mutex);
    m_queue.push_back(std::move(fn));
    ++m_posted;
}

std::uint64_t FuzzStrand::posted()
{
    std::lock_guard lock(m_mutex);
    return m_posted;
}

std::size_t FuzzStrand::runQueued()
{
    std::size_t ran = 0;
    for (;;) {
        std::function<void()> fn;
        {
            std::lock_guard lock(m_mutex);
            if (m_queue.empty())
                return ran;
            fn = std::move(m_queue.front());
            m_queue.pop_front();
        }
        fn();
        ++ran;
    }
}

void FuzzSession::enqueue(std::shared_ptr<const std::string> bytes, bool)
{
    Frame f;
    if (!f.ParseFromString(*bytes) || f.body_case() == Frame::BODY_NOT_SET)
        invariantBroken("the gateway wrote a WebSocket message that is not a Frame with a body");
    if (f.has_error() && f.error().code() == ERROR_INTERNAL)
        invariantBroken("the gateway answered ERROR_INTERNAL");
    ++framesOut;
}

GatewayFixture::GatewayFixture(const char *name)
{
    if (sodium_init() < 0)
        invariantBroken("libsodium does not initialise");
    // Cheap to verify, so that logins cost no Argon2id at full cost; registrations still pay it.
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, kPassword, std::strlen(kPassword), crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN) != 0)
        invariantBroken("crypto_pwhash_str failed");
    m_passwordHash = hash;

    m_config.databasePath = scratchDir(name) + "/gateway.db";
    m_config.passwordCostInteractive = true;
    // Rate limits and throttles are per user or address and outlive an input: with them on, an
    // input's outcome would depend on the inputs before it, and a crash would not reproduce.
    m_config.rateLimitPerSecond = 0;
    m_config.signalsPerSecond = 0;
    m_config.authAttemptsPerMinute = 0;
    const std::string path = m_config.databasePath;
    // The writer's store as the gateway opens it (with its channel cache).
    m_writer = std::make_unique<CommitWriter>(SqlMessageStore::open(path, true, true), m_metrics);
    // One reader and one hashing thread, so that a job queued behind the others is a barrier.
    m_readers = std::make_unique<StoreReaders>([path] { return SqlMessageStore::open(path, false); }, 1);
    // Argon2id at its minimal cost: a hash at a real cost is 64 MiB of memory traffic per
    // registration, most of a fuzz run's time, and it exercises no code of ours.
    m_hasher = std::make_unique<PasswordHasher>(1, PasswordHasher::Cost::Minimal, 4);
    m_fanout = std::make_unique<LocalFanout>(m_registry, m_metrics);
    m_throttle = std::make_unique<AuthThrottle>(m_config.authAttemptsPerMinute);
    m_userLimits = std::make_unique<UserRateLimits>(m_config.rateLimitPerSecond, m_config.signalsPerSecond);
    m_ctx.reset(new ServerContext{m_config, m_metrics, *m_writer, *m_readers, *m_hasher, *m_throttle,
                                  *m_userLimits, m_registry,
                                  std::make_shared<ConnectionLimiter>(ConnectionLimiter::Limits{})});
    m_chat = std::make_unique<ChatService>(*m_ctx);
    m_api = std::make_unique<HttpApi>(*m_ctx, *m_chat);
    m_ctx->chat = m_chat.get();
    m_ctx->api = m_api.get();
    m_ctx->fanout = m_fanout.get();

    const std::int64_t later = ServerContext::nowMs() + 365LL * 24 * 3600 * 1000;
    for (const auto &u : {kAlice, kBob, kCarol})
        addUser(u.nick, u.deviceId, u.token, later);
    write([](MessageStore &st) {
        const auto alice = st.findUser(kAlice.nick)->id;
        const auto bob = st.findUser(kBob.nick)->id;
        st.insertToken(Secrets::tokenHash(kExpiredToken), alice, kAlice.deviceId, 1);
        const std::string direct = NameRules::directName(kAlice.nick, kBob.nick);
        const auto sid = *st.createStream(direct, CHANNEL_KIND_DIRECT, false, {}, ServerContext::nowMs());
        st.addMember(sid, alice);
        st.addMember(sid, bob);
        for (const auto &name : {std::string("general"), direct}) {
            const auto stream = *st.findStream(name);
            Message m;
            m.set_sender(kBob.nick);
            m.set_sender_device(kBob.deviceId);
            m.set_client_msg_id(std::string(16, char(name.size())));
            m.set_body("hello from bob");
            m.set_kind(MESSAGE_KIND_TEXT);
            st.appendMessage(stream, bob, m);
        }
        DeviceKeys keys;
        keys.set_identity_key(std::string(32, 'i'));
        keys.set_exchange_key(std::string(32, 'x'));
        keys.set_signature(std::string(64, 's'));
        keys.set_nick(kBob.nick);
        keys.set_device_id(kBob.deviceId);
        st.publishKeys(bob, keys, ServerContext::nowMs());
    });
    m_snapshot = std::make_unique<DatabaseSnapshot>(path);
    m_snapshot->take();
}

void GatewayFixture::keepAsSeed()
{
    quiesce();
    m_snapshot->take();
}

void GatewayFixture::reset()
{
    quiesce();
    m_snapshot->restore();
}

GatewayFixture::~GatewayFixture()
{
    quiesce();
    m_writer->stop();
    m_readers->stop();
    m_hasher->stop();
}

void GatewayFixture::addUser(const std::string &nick, const std::string &deviceId, const std::string &token,
                             std::int64_t expiresMs)
{
    write([&](MessageStore &st) {
        const auto now = ServerContext::nowMs();
        const auto id = st.createUser(nick, m_passwordHash, now);
        if (!id)
            invariantBroken("a fixture user exists already");
        st.createDevice(deviceId, *id, "fuzz device", now);
        st.createStream(NameRules::inboxName(deviceId), StreamRecord::kInbox, false, deviceId, now);
        st.insertToken(Secrets::tokenHash(token), *id, deviceId, expiresMs);
        for (const auto &[name, kind, encrypted] : {std::tuple{"general", CHANNEL_KIND_OPEN, false},
                                                    std::tuple{"secret", CHANNEL_KIND_INVITE_ONLY, true}}) {
            auto stream = st.findStream(name);
            if (!stream) {
                const auto sid = *st.createStream(name, kind, encrypted, {}, now);
                stream = StreamRecord{sid, name, kind, encrypted, 0, {}};
            }
            st.addMember(stream->id, *id);
        }
    });
}

void GatewayFixture::write(const std::function<void(MessageStore &)> &fn)
{
    std::promise<ErrorCode> done;
    m_writer->submit([&fn](MessageStore &st) { fn(st); },
                     [&done](ErrorCode code, const std::string &) { done.set_value(code); });
    if (done.get_future().get() != ERROR_CODE_UNSPECIFIED)
        invariantBroken("a fixture write failed");
}

void GatewayFixture::barrierReaders()
{
    std::promise<void> done;
    if (!m_readers->submit([&done](MessageStore &) { done.set_value(); }))
        invariantBroken("the store readers refused a job");
    done.get_future().wait();
}

void GatewayFixture::barrierWriter()
{
    std::promise<void> done;
    m_writer->submit([](MessageStore &) {}, [&done](ErrorCode, const std::string &) { done.set_value(); });
    done.get_future().wait();
}

void GatewayFixture::barrierHasher()
{
    std::promise<void> done;
    // An empty stored hash fails to verify at once. Requests here come from source "" and one
    // source's jobs run in order, so this one runs after theirs; while the source holds its
    // maximum, wait for a place.
    for (;;) {
        const auto queued = m_hasher->verify({}, {}, {}, [&done](bool) { done.set_value(); });
        if (queued == PasswordHasher::Queued::Yes)
            break;
        if (queued == PasswordHasher::Queued::Full)
            invariantBroken("the password hasher refused a job");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    done.get_future().wait();
}

void GatewayFixture::quiesce()
{
    // Work flows reader → hasher → writer → strand (→ reader, writer …): one pass of barriers in
    // that order finishes everything queued before it; a pass that leaves the strand empty is idle.
    // A barrier is a round trip through another thread, so a pool is visited only when it may have
    // work: neither idle nor settled (every job it took so far, up to our last barrier, is done).
    // The settled count matters: the fuzzing thread, woken by a barrier, often finds the pool still
    // answering that barrier's batch, hence not idle, and would go round again and again.
    // Quiet is a pass that runs nothing on the strand while nothing but its own barriers was
    // submitted anywhere: whatever was submitted before the pass was finished by a barrier or
    // found idle or settled.
    auto submittedSoFar = [this] {
        return m_readers->submitted() + m_hasher->submitted() + m_writer->submitted() + m_strand.posted();
    };
    auto visit = [](std::uint64_t submitted, bool idle, std::uint64_t &settled, const auto &barrier) {
        if (submitted == settled || idle)
            return false;
        // Every job up to the barrier, which comes after the first `submitted`, will be done.
        barrier();
        settled = submitted + 1;
        return true;
    };
    for (;;) {
        const auto before = submittedSoFar();
        std::uint64_t barriers = 0;
        barriers +=
            visit(m_readers->submitted(), m_readers->idle(), m_readersSettled, [this] { barrierReaders(); });
        barriers +=
            visit(m_hasher->submitted(), m_hasher->idle(), m_hasherSettled, [this] { barrierHasher(); });
        barriers +=
            visit(m_writer->submitted(), m_writer->idle(), m_writerSettled, [this] { barrierWriter(); });
        if (m_strand.runQueued() == 0 && submittedSoFar() == before + barriers)
            return;
    }
}

std::shared_ptr<FuzzSession> GatewayFixture::connect()
{
    auto s = std::make_shared<FuzzSession>(m_strand);
    m_registry.track(s);
    return s;
}

void GatewayFixture::disconnect(const std::shared_ptr<FuzzSession> &session)
{
    quiesce();
    m_registry.untrack(session->id(), session->identity().userId);
}

void GatewayFixture::hello(const std::shared_ptr<FuzzSession> &session, const std::string &token)
{
    Frame f;
    f.set_request_id(1);
    f.mutable_hello()->set_protocol_version(PROTOCOL_VERSION_CURRENT);
    f.mutable_hello()->set_token(token);
    const std::string bytes = f.SerializeAsString();
    m_chat->onMessage(session, true, bytes.data(), bytes.size());
    quiesce();
}

} // namespace hchat::fuzz
