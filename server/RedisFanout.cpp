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

struct ContextDeleter {
    void operator()(redisContext *c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

Context connectTo(const std::string &host, int port, std::string &error)
{
    timeval timeout{1, 0};
    Context c(redisConnectWithTimeout(host.c_str(), port, timeout));
    if (!c) {
        error = "out of memory";
        return nullptr;
    }
    if (c->err) {
        error = c->errstr;
        return nullptr;
    }
    return c;
}

} // namespace

bool RedisFanout::isUrl(const std::string &url)
{
    return url.rfind("redis://", 0) == 0;
}

RedisFanout::RedisFanout(Fanout &local, Metrics &metrics, const std::string &url)
    : m_local(local), m_metrics(metrics)
{
    if (!isUrl(url))
        throw std::invalid_argument("--redis wants redis://HOST[:PORT], got '" + url + "'");
    std::string rest = url.substr(std::strlen("redis://"));
    if (const auto at = rest.rfind('@'); at != std::string::npos)
        throw std::invalid_argument("--redis: credentials in the URL are not supported");
    if (const auto slash = rest.find('/'); slash != std::string::npos)
        rest = rest.substr(0, slash);
    if (const auto colon = rest.rfind(':');
        colon != std::string::npos && rest.find(']') == std::string::npos) {
        const std::string port = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
        char *end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end != '\0' || p <= 0 || p > 65535)
            throw std::invalid_argument("--redis: bad port in '" + url + "'");
        m_port = int(p);
    }
    if (rest.empty())
        throw std::invalid_argument("--redis: no host in '" + url + "'");
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
    publish(std::move(e));
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
    publish(std::move(e));
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
    publish(std::move(e));
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
    Context c;
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
            c = connectTo(m_host, m_port, error);
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
        Context c = connectTo(m_host, m_port, error);
        if (c) {
            redisReply *reply = static_cast<redisReply *>(redisCommand(c.get(), "SUBSCRIBE %s", kChannel));
            if (!reply) {
                error = c->errstr;
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
