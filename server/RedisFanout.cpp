#include "RedisFanout.h"

#include "hchat.pb.h"

#include <hiredis/hiredis.h>
#include <sodium.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace hchat::server {

namespace {

// Envelope: "HF1" | origin (16 bytes) | kind ('U' users, 'D' device) | countAsPush (0/1) |
//   'U': u32 n, n × i64 user id  /  'D': u32 length, device id  | the serialised Frame.
// A session cut (Fanout::closeSessions): "HF1" | origin | 'X' | SessionCut::By | u32 length, key |
//   i64 user id | u32 length, except token hash | reason.
constexpr char kMagic[3] = {'H', 'F', '1'};
constexpr std::size_t kOriginBytes = 16;

void putU32(std::string &out, std::uint32_t v)
{
    for (int i = 3; i >= 0; --i)
        out.push_back(char((v >> (8 * i)) & 0xff));
}
void putI64(std::string &out, std::int64_t v)
{
    const auto u = std::uint64_t(v);
    for (int i = 7; i >= 0; --i)
        out.push_back(char((u >> (8 * i)) & 0xff));
}
std::uint64_t getBig(const char *p, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

constexpr char kSealedMagic[3] = {'H', 'F', '2'};
constexpr std::int64_t kMaxEnvelopeAgeMs = 60000;

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

void RedisFanout::ContextDeleter::operator()(redisContext *c) const
{
    redisFree(c);
}

std::unique_ptr<redisContext, RedisFanout::ContextDeleter> RedisFanout::connect(std::string &error) const
{
    timeval timeout{1, 0};
    std::unique_ptr<redisContext, ContextDeleter> c(redisConnectWithTimeout(m_host.c_str(), m_port, timeout));
    if (!c) {
        error = "out of memory";
        return nullptr;
    }
    if (c->err) {
        error = c->errstr;
        return nullptr;
    }
    if (!m_password.empty()) {
        auto *reply = static_cast<redisReply *>(
            m_user.empty() ? redisCommand(c.get(), "AUTH %b", m_password.data(), m_password.size())
                           : redisCommand(c.get(), "AUTH %b %b", m_user.data(), m_user.size(),
                                          m_password.data(), m_password.size()));
        const bool ok = reply && reply->type == REDIS_REPLY_STATUS;
        error = !reply ? std::string(c->errstr)
                : ok   ? std::string()
                       : "authentication refused: " + std::string(reply->str ? reply->str : "");
        if (reply)
            freeReplyObject(reply);
        if (!ok)
            return nullptr;
    }
    return c;
}

std::string RedisFanout::seal(std::string envelope) const
{
    if (m_key.empty())
        return envelope;
    // HF2 | MAC (32) | time (8) | everything of the HF1 envelope after its magic.
    std::string body;
    putI64(body, nowMs());
    body.append(envelope, sizeof kMagic, std::string::npos);
    std::string out(kSealedMagic, sizeof kSealedMagic);
    out.resize(sizeof kSealedMagic + crypto_auth_BYTES);
    crypto_auth(reinterpret_cast<unsigned char *>(out.data() + sizeof kSealedMagic),
                reinterpret_cast<const unsigned char *>(body.data()), body.size(),
                reinterpret_cast<const unsigned char *>(m_key.data()));
    return out + body;
}

bool RedisFanout::isUrl(const std::string &url)
{
    return url.rfind("redis://", 0) == 0;
}

std::string RedisFanout::redact(const std::string &url)
{
    const auto at = url.rfind('@');
    const auto start = std::strlen("redis://");
    if (!isUrl(url) || at == std::string::npos || at < start)
        return url;
    const auto colon = url.find(':', start);
    if (colon == std::string::npos || colon > at)
        return url;
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}

RedisFanout::RedisFanout(Fanout &local, Metrics &metrics, const std::string &url, std::string key)
    : m_local(local), m_metrics(metrics), m_key(std::move(key))
{
    if (!isUrl(url))
        throw std::invalid_argument(
            "--redis wants redis://[[USER]:PASSWORD@]HOST[:PORT], got a malformed URL");
    if (!m_key.empty() && m_key.size() != crypto_auth_KEYBYTES)
        throw std::invalid_argument("the fan-out key must be 32 bytes");
    std::string rest = url.substr(std::strlen("redis://"));
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
        const std::string credentials = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = credentials.find(':');
        if (colon == std::string::npos || colon + 1 == credentials.size())
            throw std::invalid_argument("--redis: credentials are [USER]:PASSWORD@");
        m_user = credentials.substr(0, colon);
        m_password = credentials.substr(colon + 1);
    }
    if (const auto slash = rest.find('/'); slash != std::string::npos)
        rest = rest.substr(0, slash);
    if (const auto colon = rest.rfind(':');
        colon != std::string::npos && rest.find(']') == std::string::npos) {
        const std::string port = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
        char *end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end != '\0' || p <= 0 || p > 65535)
            throw std::invalid_argument("--redis: bad port in '" + rest + ":" + port + "'");
        m_port = int(p);
    }
    if (rest.empty())
        throw std::invalid_argument("--redis: no host in the URL");
    m_host = rest;
    m_endpoint = m_host + ":" + std::to_string(m_port);
    m_origin.resize(kOriginBytes);
    randombytes_buf(m_origin.data(), m_origin.size());
    m_publisher = std::thread([this] { runPublisher(); });
    m_subscriber = std::thread([this] { runSubscriber(); });
}

RedisFanout::~RedisFanout()
{
    stop();
}

void RedisFanout::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        if (m_subscriberFd >= 0)
            ::shutdown(m_subscriberFd, SHUT_RDWR);
    }
    m_cv.notify_all();
    if (m_publisher.joinable())
        m_publisher.join();
    if (m_subscriber.joinable())
        m_subscriber.join();
    m_sequencer.stop();
}

void RedisFanout::toUsers(const std::vector<std::int64_t> &userIds, std::shared_ptr<const std::string> frame,
                          bool countAsPush, std::uint64_t exceptSession)
{
    deliverLocally(frame, [this, userIds, frame, countAsPush, exceptSession] {
        m_local.toUsers(userIds, frame, countAsPush, exceptSession);
    });
    std::string e(kMagic, sizeof kMagic);
    e += m_origin;
    e.push_back('U');
    e.push_back(countAsPush ? 1 : 0);
    putU32(e, std::uint32_t(userIds.size()));
    for (auto id : userIds)
        putI64(e, id);
    e += *frame;
    publish(seal(std::move(e)));
}

void RedisFanout::toDevice(const std::string &deviceId, std::shared_ptr<const std::string> frame,
                           bool countAsPush)
{
    deliverLocally(frame,
                   [this, deviceId, frame, countAsPush] { m_local.toDevice(deviceId, frame, countAsPush); });
    std::string e(kMagic, sizeof kMagic);
    e += m_origin;
    e.push_back('D');
    e.push_back(countAsPush ? 1 : 0);
    putU32(e, std::uint32_t(deviceId.size()));
    e += deviceId;
    e += *frame;
    publish(seal(std::move(e)));
}

void RedisFanout::closeSessions(const SessionCut &cut)
{
    m_local.closeSessions(cut);
    std::string e(kMagic, sizeof kMagic);
    e += m_origin;
    e.push_back('X');
    e.push_back(static_cast<char>(cut.by));
    putU32(e, std::uint32_t(cut.key.size()));
    e += cut.key;
    putI64(e, cut.userId);
    putU32(e, std::uint32_t(cut.exceptTokenHash.size()));
    e += cut.exceptTokenHash;
    e += cut.reason;
    publish(seal(std::move(e)));
}

void RedisFanout::deliverLocally(const std::shared_ptr<const std::string> &frame,
                                 std::function<void()> deliver)
{
    hchat::v1::Frame f;
    if (f.ParseFromString(*frame) && f.has_push() && f.push().message().seq() > 0) {
        const auto &m = f.push().message();
        m_sequencer.offer(m.channel(), m.seq(), std::move(deliver));
        return;
    }
    deliver();
}

void RedisFanout::publish(std::string envelope)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        if (m_queue.size() >= kMaxQueued) {
            m_queue.pop_front();
            m_metrics.fanoutDropped.fetch_add(1, std::memory_order_relaxed);
        }
        m_queue.push_back(std::move(envelope));
    }
    m_cv.notify_one();
}

bool RedisFanout::sleepFor(std::chrono::milliseconds delay)
{
    std::unique_lock lock(m_mutex);
    return !m_cv.wait_for(lock, delay, [this] { return m_stopping; });
}

void RedisFanout::runPublisher()
{
    std::unique_ptr<redisContext, ContextDeleter> c;
    auto backoff = std::chrono::milliseconds(100);
    for (;;) {
        std::deque<std::string> batch;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_stopping)
                return; // what is still queued is dropped: clients heal by pulling
            batch.swap(m_queue);
        }
        if (!c) {
            std::string error;
            c = connect(error);
            if (!c) {
                m_metrics.fanoutDropped.fetch_add(batch.size(), std::memory_order_relaxed);
                std::fprintf(stderr, "hchat-gateway: redis fan-out: cannot publish to %s: %s (retrying)\n",
                             m_endpoint.c_str(), error.c_str());
                if (!sleepFor(backoff))
                    return;
                backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
                continue;
            }
            backoff = std::chrono::milliseconds(100);
        }
        // Pipelined: append every PUBLISH, then read the replies.
        for (const auto &e : batch)
            redisAppendCommand(c.get(), "PUBLISH %s %b", kChannel, e.data(), e.size());
        bool ok = true;
        for (std::size_t i = 0; i < batch.size() && ok; ++i) {
            void *reply = nullptr;
            if (redisGetReply(c.get(), &reply) != REDIS_OK) {
                ok = false;
                m_metrics.fanoutDropped.fetch_add(batch.size() - i, std::memory_order_relaxed);
                std::fprintf(stderr, "hchat-gateway: redis fan-out: publish failed: %s (reconnecting)\n",
                             c->errstr);
                break;
            }
            m_metrics.fanoutPublished.fetch_add(1, std::memory_order_relaxed);
            freeReplyObject(reply);
        }
        if (!ok)
            c.reset();
    }
}

void RedisFanout::runSubscriber()
{
    auto backoff = std::chrono::milliseconds(100);
    bool everSubscribed = false;
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return;
        }
        std::string error;
        auto c = connect(error);
        if (!c)
            std::fprintf(stderr, "hchat-gateway: redis fan-out: cannot subscribe on %s: %s (retrying)\n",
                         m_endpoint.c_str(), error.c_str());
        if (c) {
            redisReply *reply = static_cast<redisReply *>(redisCommand(c.get(), "SUBSCRIBE %s", kChannel));
            if (!reply || reply->type != REDIS_REPLY_ARRAY) {
                // An error reply (NOAUTH, ACL) is not a subscription.
                error = !reply
                            ? std::string(c->errstr)
                            : std::string(reply->type == REDIS_REPLY_ERROR && reply->str ? reply->str
                                                                                         : "not subscribed");
                std::fprintf(stderr, "hchat-gateway: redis fan-out: cannot subscribe on %s: %s (retrying)\n",
                             m_endpoint.c_str(), error.c_str());
                if (reply)
                    freeReplyObject(reply);
                c.reset();
            } else {
                freeReplyObject(reply);
                // Block on the subscription without a read timeout (an idle channel is fine);
                // keepalive notices a peer that vanished without closing.
                redisSetTimeout(c.get(), timeval{0, 0});
                redisEnableKeepAlive(c.get());
            }
        }
        if (!c) {
            if (!sleepFor(backoff))
                return;
            backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
            continue;
        }
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return;
            m_subscriberFd = c->fd;
        }
        backoff = std::chrono::milliseconds(100);
        m_metrics.fanoutSubscribed.store(1);
        if (everSubscribed)
            m_metrics.fanoutResubscriptions.fetch_add(1, std::memory_order_relaxed);
        everSubscribed = true;
        std::fprintf(stderr, "hchat-gateway: redis fan-out: subscribed to %s on %s\n", kChannel,
                     m_endpoint.c_str());
        for (;;) {
            void *raw = nullptr;
            if (redisGetReply(c.get(), &raw) != REDIS_OK || !raw)
                break;
            auto *reply = static_cast<redisReply *>(raw);
            if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
                reply->element[2]->type == REDIS_REPLY_STRING) {
                try {
                    onEnvelope(reply->element[2]->str, reply->element[2]->len);
                } catch (const std::exception &e) {
                    std::fprintf(stderr, "hchat-gateway: redis fan-out: bad envelope: %s\n", e.what());
                }
            }
            freeReplyObject(reply);
        }
        m_metrics.fanoutSubscribed.store(0);
        {
            std::lock_guard lock(m_mutex);
            m_subscriberFd = -1;
            if (m_stopping)
                return;
        }
        std::fprintf(stderr, "hchat-gateway: redis fan-out: lost the subscription on %s; resubscribing\n",
                     m_endpoint.c_str());
    }
}

void RedisFanout::onEnvelope(const char *data, std::size_t size)
{
    std::string opened; // an HF2 envelope, checked and turned back into HF1
    if (!m_key.empty()) {
        constexpr std::size_t sealedHeader = sizeof kSealedMagic + crypto_auth_BYTES + 8;
        if (size < sealedHeader || std::memcmp(data, kSealedMagic, sizeof kSealedMagic) != 0 ||
            crypto_auth_verify(
                reinterpret_cast<const unsigned char *>(data + sizeof kSealedMagic),
                reinterpret_cast<const unsigned char *>(data + sizeof kSealedMagic + crypto_auth_BYTES),
                size - sizeof kSealedMagic - crypto_auth_BYTES,
                reinterpret_cast<const unsigned char *>(m_key.data())) != 0) {
            m_metrics.fanoutRejected.fetch_add(1, std::memory_order_relaxed);
            throw std::runtime_error("no valid MAC (a forged envelope, or a gateway with another key)");
        }
        const auto sent = std::int64_t(getBig(data + sizeof kSealedMagic + crypto_auth_BYTES, 8));
        if (std::llabs(nowMs() - sent) > kMaxEnvelopeAgeMs) {
            m_metrics.fanoutRejected.fetch_add(1, std::memory_order_relaxed);
            throw std::runtime_error("an envelope more than a minute old (a replay?)");
        }
        opened.assign(kMagic, sizeof kMagic);
        opened.append(data + sealedHeader, size - sealedHeader);
        data = opened.data();
        size = opened.size();
    }
    constexpr std::size_t header = sizeof kMagic + kOriginBytes + 2 + 4;
    if (size < header || std::memcmp(data, kMagic, sizeof kMagic) != 0)
        throw std::runtime_error("too short or wrong magic");
    if (std::memcmp(data + sizeof kMagic, m_origin.data(), kOriginBytes) == 0)
        return; // our own: already delivered locally
    const char *p = data + sizeof kMagic + kOriginBytes;
    const char kind = p[0];
    const bool countAsPush = p[1] != 0;
    const char by = p[1]; // 'X': SessionCut::By in the place of countAsPush
    const std::size_t n = std::size_t(getBig(p + 2, 4));
    p += 6;
    std::size_t left = size - header;
    m_metrics.fanoutReceived.fetch_add(1, std::memory_order_relaxed);
    if (kind == 'U') {
        if (n > left / 8)
            throw std::runtime_error("user list past the end");
        std::vector<std::int64_t> users(n);
        for (std::size_t i = 0; i < n; ++i)
            users[i] = std::int64_t(getBig(p + 8 * i, 8));
        p += 8 * n;
        left -= 8 * n;
        auto frame = std::make_shared<const std::string>(p, left);
        deliverLocally(frame, [this, users = std::move(users), frame, countAsPush] {
            m_local.toUsers(users, frame, countAsPush);
        });
    } else if (kind == 'D') {
        if (n > left)
            throw std::runtime_error("device id past the end");
        std::string device(p, n);
        auto frame = std::make_shared<const std::string>(p + n, left - n);
        deliverLocally(frame, [this, device = std::move(device), frame, countAsPush] {
            m_local.toDevice(device, frame, countAsPush);
        });
    } else if (kind == 'X') {
        if (by != char(SessionCut::By::Device) && by != char(SessionCut::By::Token) &&
            by != char(SessionCut::By::User))
            throw std::runtime_error("unknown session cut");
        if (n > left || left - n < 12)
            throw std::runtime_error("session cut past the end");
        SessionCut cut;
        cut.by = SessionCut::By(by);
        cut.key.assign(p, n);
        p += n;
        left -= n;
        cut.userId = std::int64_t(getBig(p, 8));
        const std::size_t exceptLength = std::size_t(getBig(p + 8, 4));
        p += 12;
        left -= 12;
        if (exceptLength > left)
            throw std::runtime_error("session cut past the end");
        cut.exceptTokenHash.assign(p, exceptLength);
        cut.reason.assign(p + exceptLength, left - exceptLength);
        m_local.closeSessions(cut);
    } else {
        throw std::runtime_error("unknown kind");
    }
}

} // namespace hchat::server
