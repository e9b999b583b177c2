// loadgen: a WebSocket load generator for HChat's protocol, driving either hchat-gateway or the
// Node.js reference (bench/reference/) with the same frames. Its own process; it shares nothing
// with either server beyond the code generated from proto/hchat.proto.
//
//   1. (hchat only) registers and logs in the users over HTTP (POST /v1/register, /v1/login);
//   2. opens N WebSocket connections to /ws (at most --connect-concurrency handshaking at once),
//      each sends Hello{protocol_version=1, token} → Welcome, then Join → ChannelJoined; connection
//      i joins channel i % C;
//   3. S senders (connections 0 .. S-1) send M messages in all at a target total rate R, on a fixed
//      schedule (message j is due at t0 + j/R, from sender j % S); every message body carries the
//      send time, so every Push received gives one send→receipt latency;
//   4. waits for the expected deliveries (every connection of the channel, the sender included)
//      or --drain-seconds, and prints one JSON line.
// The server's CPU seconds and peak RSS come from /proc/<pid>/stat and /proc/<pid>/status (VmHWM is
// reset through /proc/<pid>/clear_refs before the run when permitted); the generator's own CPU
// seconds from getrusage, so a saturated generator is visible.
//
// Usage: loadgen --port P --pid PID [--server hchat|reference] [--connections N] [--channels C]
//                [--senders S] [--messages M | --duration SECONDS] [--rate MSGS_PER_S]
//                [--users U] [--token-cache FILE] [--threads T] [--label NAME]
//                [--connect-concurrency K] [--drain-seconds D] [--body-bytes B]
//                [--hold-seconds H] [--expect-all] [--timeout SECONDS]
// Users (hchat): connection i uses user (i % C) % U, so a user's sessions are all in one channel
// when U >= C (the default U is C, capped at 1000); HChat pushes to every session of a member.
#include "BenchConnection.h"
#include "hchat.pb.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kMagic = 0x4843484154424e43ull; // "HCHATBNC"

[[noreturn]] void die(const std::string &what)
{
    std::fprintf(stderr, "loadgen: %s\n", what.c_str());
    std::exit(2);
}

std::int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

struct Options {
    unsigned short port = 0;
    long pid = 0;
    std::string server = "hchat";
    int connections = 100;
    int channels = 1;
    int senders = 1;
    long messages = 100;
    double duration = 0;
    double rate = 100;
    int users = 0;
    std::string tokenCache;
    int threads = 1;
    std::string label = "run";
    int connectConcurrency = 256;
    double drainSeconds = 5;
    int bodyBytes = 80;
    double holdSeconds = 0;
    bool expectAll = false;
    double timeout = 300;
};

// ---- /proc ------------------------------------------------------------------------------------

long procStatusKb(long pid, const char *field)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::atol(line.c_str() + std::strlen(field));
    return -1;
}

double procCpuSeconds(long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos)
        return -1;
    std::istringstream rest(text.substr(paren + 2));
    std::string field;
    // Fields after the command: 3 state … 14 utime, 15 stime (1-based in proc(5)).
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14)
            utime = std::strtoull(field.c_str(), nullptr, 10);
        if (i == 15)
            stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

bool resetPeakRss(long pid)
{
    std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
    clear << "5\n";
    clear.flush();
    return bool(clear);
}

double ownCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void raiseFileLimit(int connections)
{
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
    getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_cur < rlim_t(connections) + 64)
        die("RLIMIT_NOFILE (" + std::to_string(r.rlim_cur) + ") is too low for " + std::to_string(connections) +
            " connections");
}

// ---- HTTP login (hchat-gateway) -----------------------------------------------------------------

std::string login(unsigned short port, const std::string &nick)
{
    unsigned status = 0;
    std::string token = BenchConnection::login(port, nick, "loadgen password", "loadgen", &status);
    if (token.empty())
        die("login failed for " + nick + " (HTTP " + std::to_string(status) + ")");
    return token;
}

// Tokens for users 0..count-1, from the cache file when it has them; logins run on 4 threads.
std::vector<std::string> tokensFor(const Options &o, int count)
{
    std::map<std::string, std::string> cache;
    if (!o.tokenCache.empty()) {
        std::ifstream in(o.tokenCache);
        std::string nick, token;
        while (in >> nick >> token)
            cache[nick] = token;
    }
    std::vector<std::string> nicks;
    std::vector<std::string> tokens(static_cast<std::size_t>(count));
    for (int u = 0; u < count; ++u)
        nicks.push_back("lg" + std::to_string(u));
    std::atomic<int> next{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; ++t)
        workers.emplace_back([&] {
            for (int u; (u = next++) < count;) {
                const auto &nick = nicks[std::size_t(u)];
                auto it = cache.find(nick);
                tokens[std::size_t(u)] = it != cache.end() ? it->second : login(o.port, nick);
            }
        });
    for (auto &w : workers)
        w.join();
    if (!o.tokenCache.empty()) {
        std::ofstream out(o.tokenCache, std::ios::trunc);
        for (int u = 0; u < count; ++u)
            out << nicks[std::size_t(u)] << ' ' << tokens[std::size_t(u)] << '\n';
    }
    return tokens;
}

// ---- the run's shared state ---------------------------------------------------------------------

struct Run {
    const Options *o = nullptr;
    std::atomic<long> ready{0}, connectFailures{0}, sent{0}, acks{0}, errors{0}, deliveries{0};
    std::atomic<std::int64_t> lastDeliveryNs{0};
    std::int64_t t0Ns = 0;       // the send schedule's start
    std::mutex errorMutex;
    std::map<int, long> errorCodes;
};

class Conn : public BenchConnection {
public:
    Conn(net::io_context &ioc, Run &run, int index, std::string channel, std::string token)
        : BenchConnection(net::make_strand(ioc), run.o->port, std::move(token), 1 << 20), m_timer(executor()),
          m_run(run), m_index(index), m_channel(std::move(channel))
    {
    }

    std::vector<std::uint32_t> latenciesUs;    // send → Push receipt
    std::vector<std::uint32_t> ackLatenciesUs; // send → SendAck (senders only)
    bool failed = false;
    bool isReady = false;

    void start(std::function<void()> whenSettled)
    {
        m_settled = std::move(whenSettled);
        auto self = shared();
        net::post(executor(), [self] { self->connect(); });
    }

    // Sender k of S: message n is due at t0 + (n*S + k)/rate; toSend messages in all.
    void startSending(int k, int senders, long toSend)
    {
        auto self = shared();
        net::post(executor(), [self, k, senders, toSend] {
            self->m_senderIndex = k;
            self->m_senderCount = senders;
            self->m_toSend = toSend;
            self->tick();
        });
    }

    void close()
    {
        auto self = shared();
        net::post(executor(), [self] {
            self->m_closing = true;
            self->m_timer.cancel();
            self->closeSocket();
        });
    }

private:
    std::shared_ptr<Conn> shared() { return std::static_pointer_cast<Conn>(shared_from_this()); }

    std::int64_t dueNs(long n) const
    {
        const double at = double(n * m_senderCount + m_senderIndex) / m_run.o->rate;
        return m_run.t0Ns + std::int64_t(at * 1e9);
    }

    void tick()
    {
        if (m_closing)
            return;
        const auto now = nowNs();
        while (m_sentCount < m_toSend && dueNs(m_sentCount) <= now)
            sendOne();
        if (m_sentCount >= m_toSend)
            return;
        auto self = shared();
        m_timer.expires_at(Clock::time_point(std::chrono::nanoseconds(dueNs(m_sentCount))));
        m_timer.async_wait([self](beast::error_code ec) {
            if (!ec)
                self->tick();
        });
    }

    void sendOne()
    {
        ++m_sentCount;
        hchat::v1::Frame f;
        const auto rid = m_nextRequest++;
        f.set_request_id(rid);
        auto *s = f.mutable_send();
        s->set_channel(m_channel);
        unsigned char id[16];
        const std::uint64_t a = (std::uint64_t(m_index) << 32) | std::uint64_t(m_sentCount);
        const std::uint64_t b = m_run.o->port ^ (std::uint64_t(nowNs()) << 1);
        std::memcpy(id, &a, 8);
        std::memcpy(id + 8, &b, 8);
        s->set_client_msg_id(id, sizeof id);
        std::string body(std::size_t(std::max(16, m_run.o->bodyBytes)), 'x');
        const std::int64_t t = nowNs();
        std::memcpy(body.data(), &kMagic, 8);
        std::memcpy(body.data() + 8, &t, 8);
        s->set_body(std::move(body));
        m_sentAt.emplace(rid, t);
        m_run.sent++;
        write(f.SerializeAsString());
    }

    void onFailure(const char *what, const beast::error_code &ec) override { fail(what, ec); }

    void fail(const char *what, const beast::error_code &ec)
    {
        if (m_closing)
            return;
        if (!failed && !isReady)
            m_run.connectFailures++;
        if (!failed)
            std::fprintf(stderr, "loadgen: connection %d: %s: %s\n", m_index, what, ec.message().c_str());
        failed = true;
        settle();
    }

    void settle()
    {
        if (m_settled) {
            auto f = std::move(m_settled);
            m_settled = nullptr;
            f();
        }
    }

    void onFrame(const char *bytes, std::size_t size) override
    {
        // Fast path for the bulk of the traffic: a Push of one of our messages carries the magic and
        // the send time in its body, and no other frame carries a body, so it is timed without
        // parsing the whole frame (a full parse costs the generator more than the servers spend on
        // it).
        const void *hit = size >= 16 ? memmem(bytes, size - 8, &kMagic, 8) : nullptr;
        if (hit && static_cast<const char *>(hit) + 16 <= bytes + size)
            delivered(static_cast<const char *>(hit) + 8);
        else if (!m_frame.ParseFromArray(bytes, int(size)))
            std::fprintf(stderr, "loadgen: connection %d: a frame does not parse\n", m_index);
        else
            handle(m_frame);
    }

    void delivered(const char *timestamp)
    {
        std::int64_t t = 0;
        std::memcpy(&t, timestamp, 8);
        const auto now = nowNs();
        latenciesUs.push_back(std::uint32_t(std::clamp<std::int64_t>((now - t) / 1000, 0, 0xffffffff)));
        m_run.deliveries.fetch_add(1, std::memory_order_relaxed);
        std::int64_t prev = m_run.lastDeliveryNs.load(std::memory_order_relaxed);
        while (prev < now && !m_run.lastDeliveryNs.compare_exchange_weak(prev, now)) {
        }
    }

    void handle(const hchat::v1::Frame &f)
    {
        if (f.has_push()) {
            // A push without our magic: a message of someone else; not counted.
        } else if (f.has_send_ack()) {
            auto it = m_sentAt.find(f.request_id());
            if (it != m_sentAt.end()) {
                ackLatenciesUs.push_back(std::uint32_t(std::max<std::int64_t>(0, (nowNs() - it->second) / 1000)));
                m_sentAt.erase(it);
            }
            m_run.acks++;
        } else if (f.has_welcome()) {
            hchat::v1::Frame join;
            join.set_request_id(2);
            join.mutable_join()->set_channel(m_channel);
            write(join.SerializeAsString());
        } else if (f.has_channel_joined() && f.request_id() == 2) {
            isReady = true;
            m_run.ready++;
            settle();
        } else if (f.has_error()) {
            m_run.errors++;
            {
                std::lock_guard<std::mutex> lock(m_run.errorMutex);
                if (m_run.errorCodes[int(f.error().code())]++ == 0)
                    std::fprintf(stderr, "loadgen: connection %d: error %d: %s\n", m_index, int(f.error().code()),
                                 f.error().message().c_str());
            }
            if (!isReady) {
                failed = true;
                m_run.connectFailures++;
                settle();
            }
        }
    }

    net::steady_timer m_timer;
    Run &m_run;
    int m_index;
    std::string m_channel;
    hchat::v1::Frame m_frame;
    std::function<void()> m_settled;
    std::uint64_t m_nextRequest = 100;
    std::unordered_map<std::uint64_t, std::int64_t> m_sentAt;
    int m_senderIndex = 0;
    int m_senderCount = 1;
    long m_toSend = 0;
    long m_sentCount = 0;
    bool m_closing = false;
};

double percentileMs(const std::vector<std::uint32_t> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto i = std::min(sorted.size() - 1, std::size_t(p * double(sorted.size())));
    return double(sorted[i]) / 1000.0;
}

Options parse(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--expect-all") {
            o.expectAll = true;
            continue;
        }
        if (i + 1 >= argc)
            die("option " + a + " wants a value");
        const std::string v = argv[++i];
        if (a == "--port")
            o.port = static_cast<unsigned short>(std::atoi(v.c_str()));
        else if (a == "--pid")
            o.pid = std::atol(v.c_str());
        else if (a == "--server")
            o.server = v;
        else if (a == "--connections")
            o.connections = std::atoi(v.c_str());
        else if (a == "--channels")
            o.channels = std::atoi(v.c_str());
        else if (a == "--senders")
            o.senders = std::atoi(v.c_str());
        else if (a == "--messages")
            o.messages = std::atol(v.c_str());
        else if (a == "--duration")
            o.duration = std::atof(v.c_str());
        else if (a == "--rate")
            o.rate = std::atof(v.c_str());
        else if (a == "--users")
            o.users = std::atoi(v.c_str());
        else if (a == "--token-cache")
            o.tokenCache = v;
        else if (a == "--threads")
            o.threads = std::atoi(v.c_str());
        else if (a == "--label")
            o.label = v;
        else if (a == "--connect-concurrency")
            o.connectConcurrency = std::atoi(v.c_str());
        else if (a == "--drain-seconds")
            o.drainSeconds = std::atof(v.c_str());
        else if (a == "--body-bytes")
            o.bodyBytes = std::atoi(v.c_str());
        else if (a == "--hold-seconds")
            o.holdSeconds = std::atof(v.c_str());
        else if (a == "--timeout")
            o.timeout = std::atof(v.c_str());
        else
            die("unknown option " + a);
    }
    if (o.port == 0 || o.pid <= 0)
        die("--port and --pid are required");
    if (o.server != "hchat" && o.server != "reference")
        die("--server wants hchat or reference");
    if (o.connections < 1 || o.channels < 1 || o.channels > o.connections || o.senders < 0 ||
        o.senders > o.connections || o.rate <= 0 || o.threads < 1 || o.connectConcurrency < 1)
        die("bad sizes: need 1 <= channels <= connections, 0 <= senders <= connections, rate > 0");
    if (o.duration > 0)
        o.messages = long(o.rate * o.duration + 0.5);
    if (o.senders == 0)
        o.messages = 0;
    if (o.users <= 0)
        o.users = std::min(o.channels, 1000);
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    GOOGLE_PROTOBUF_VERIFY_VERSION;
    const Options o = parse(argc, argv);
    raiseFileLimit(o.connections);
    if (kill(pid_t(o.pid), 0) != 0)
        die("no process " + std::to_string(o.pid));

    const double ownCpuStart = ownCpuSeconds();
    std::vector<std::string> tokens;
    if (o.server == "hchat")
        tokens = tokensFor(o, o.users);
    else
        tokens.assign(std::size_t(o.users), "reference-accepts-any-token");

    Run run;
    run.o = &o;
    net::io_context ioc(o.threads);
    auto work = net::make_work_guard(ioc);
    std::vector<std::shared_ptr<Conn>> conns;
    conns.reserve(std::size_t(o.connections));
    std::vector<int> members(std::size_t(o.channels), 0);
    for (int i = 0; i < o.connections; ++i) {
        const int ch = i % o.channels;
        ++members[std::size_t(ch)];
        conns.push_back(std::make_shared<Conn>(ioc, run, i, "lg-" + o.label + "-" + std::to_string(ch),
                                               tokens[std::size_t(ch % o.users)]));
    }
    // Expected deliveries: each message reaches every connection of its channel.
    long expected = 0;
    for (int k = 0; k < o.senders; ++k) {
        const long mine = o.messages / o.senders + (k < o.messages % o.senders ? 1 : 0);
        expected += mine * members[std::size_t(k % o.channels)];
    }

    // Settle the server (password hashing and Node's start raise their RSS) before measuring.
    resetPeakRss(o.pid);
    usleep(200 * 1000);
    const long rssBeforeKb = procStatusKb(o.pid, "VmRSS:");
    const bool peakReset = resetPeakRss(o.pid);
    const double serverCpuStart = procCpuSeconds(o.pid);

    std::vector<std::thread> threads;
    for (int t = 0; t < o.threads; ++t)
        threads.emplace_back([&ioc] { ioc.run(); });

    bool timedOut = false;
    auto waitFor = [&](const std::function<bool()> &done, double seconds) {
        const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
        while (!done()) {
            if (Clock::now() >= until)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return true;
    };
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout));
    auto remaining = [&] { return std::max(0.0, std::chrono::duration<double>(deadline - Clock::now()).count()); };

    // Connection setup, at most connectConcurrency handshaking at once.
    std::atomic<long> settled{0};
    std::atomic<std::size_t> nextConn{0};
    std::function<void()> launchNext = [&] {
        const auto i = nextConn++;
        if (i < conns.size())
            conns[i]->start([&] {
                settled++;
                launchNext();
            });
    };
    const auto connectStart = Clock::now();
    for (int k = 0; k < std::min(o.connectConcurrency, o.connections); ++k)
        launchNext();
    if (!waitFor([&] { return settled.load() >= o.connections; }, remaining()))
        timedOut = true;
    const double connectSeconds = std::chrono::duration<double>(Clock::now() - connectStart).count();
    usleep(300 * 1000);
    const long rssConnectedKb = procStatusKb(o.pid, "VmRSS:");
    const double serverCpuAfterConnect = procCpuSeconds(o.pid);
    const double ownCpuAfterConnect = ownCpuSeconds();
    if (o.holdSeconds > 0)
        std::this_thread::sleep_for(std::chrono::duration<double>(o.holdSeconds));

    // Sending phase.
    double sendSeconds = 0, drainWait = 0;
    const long established = run.ready.load();
    if (o.messages > 0 && !timedOut) {
        run.t0Ns = nowNs() + 50'000'000; // 50 ms from now, so every sender is scheduled first
        for (int k = 0; k < o.senders; ++k) {
            const long mine = o.messages / o.senders + (k < o.messages % o.senders ? 1 : 0);
            conns[std::size_t(k)]->startSending(k, o.senders, mine);
        }
        const double scheduleSeconds = double(o.messages) / o.rate;
        if (!waitFor([&] { return run.sent.load() >= o.messages; }, std::min(remaining(), scheduleSeconds + 30)))
            timedOut = true;
        const auto sendEnd = Clock::now();
        sendSeconds = std::chrono::duration<double>(sendEnd - Clock::time_point(std::chrono::nanoseconds(run.t0Ns))).count();
        waitFor([&] { return run.deliveries.load() >= expected && run.acks.load() + run.errors.load() >= o.messages; },
                std::min(remaining(), o.drainSeconds));
        drainWait = std::chrono::duration<double>(Clock::now() - sendEnd).count();
    }
    const double serverCpuEnd = procCpuSeconds(o.pid);
    const double ownCpuEnd = ownCpuSeconds();
    const long serverPeakKb = procStatusKb(o.pid, "VmHWM:");
    const long serverRssEndKb = procStatusKb(o.pid, "VmRSS:");

    for (auto &c : conns)
        c->close();
    work.reset();
    waitFor([&] { return ioc.stopped(); }, 5);
    ioc.stop();
    for (auto &t : threads)
        t.join();

    std::vector<std::uint32_t> lat, ack;
    for (auto &c : conns) {
        lat.insert(lat.end(), c->latenciesUs.begin(), c->latenciesUs.end());
        ack.insert(ack.end(), c->ackLatenciesUs.begin(), c->ackLatenciesUs.end());
    }
    std::sort(lat.begin(), lat.end());
    std::sort(ack.begin(), ack.end());
    const long deliveries = run.deliveries.load();
    // Deliveries per second over the measured window: from the first scheduled send to the last
    // delivery received.
    double window = 0;
    if (deliveries > 0)
        window = double(run.lastDeliveryNs.load() - run.t0Ns) / 1e9;
    const double offeredPerS = o.messages > 0 ? double(expected) / (double(o.messages) / o.rate) : 0;
    const double deliveryRatio = expected > 0 ? double(deliveries) / double(expected) : 1.0;
    std::string errorCodes;
    for (const auto &[code, count] : run.errorCodes)
        errorCodes += (errorCodes.empty() ? "" : ",") + ("\"" + std::to_string(code) + "\":" + std::to_string(count));

    std::printf(
        "{\"bench\":\"loadgen\",\"label\":\"%s\",\"server\":\"%s\",\"connections\":%d,\"established\":%ld,"
        "\"connect_failures\":%ld,\"channels\":%d,\"senders\":%d,\"users\":%d,\"rate_target\":%.1f,\"messages\":%ld,"
        "\"sent\":%ld,\"acks\":%ld,\"errors\":%ld,\"error_codes\":{%s},\"deliveries\":%ld,\"deliveries_expected\":%ld,"
        "\"delivery_ratio\":%.4f,\"offered_deliveries_per_s\":%.0f,\"deliveries_per_s\":%.0f,\"send_seconds\":%.2f,"
        "\"drain_wait_seconds\":%.2f,\"latency_p50_ms\":%.2f,\"latency_p90_ms\":%.2f,\"latency_p99_ms\":%.2f,"
        "\"latency_max_ms\":%.2f,\"ack_p50_ms\":%.2f,\"ack_p99_ms\":%.2f,\"connect_seconds\":%.3f,"
        "\"connections_per_s\":%.0f,\"server_rss_before_kb\":%ld,\"server_rss_connected_kb\":%ld,"
        "\"rss_per_connection_kb\":%.2f,\"server_rss_end_kb\":%ld,\"server_peak_rss_kb\":%ld,\"peak_reset\":%s,"
        "\"server_cpu_connect_s\":%.2f,\"server_cpu_send_s\":%.2f,\"server_cpu_s\":%.2f,\"loadgen_cpu_s\":%.2f,"
        "\"loadgen_cpu_send_s\":%.2f,\"loadgen_threads\":%d,\"timed_out\":%s}\n",
        o.label.c_str(), o.server.c_str(), o.connections, established, run.connectFailures.load(), o.channels,
        o.senders, o.server == "hchat" ? o.users : 0, o.rate, o.messages, run.sent.load(), run.acks.load(),
        run.errors.load(), errorCodes.c_str(), deliveries, expected, deliveryRatio, offeredPerS,
        window > 0 ? double(deliveries) / window : 0.0, sendSeconds, drainWait, percentileMs(lat, 0.50),
        percentileMs(lat, 0.90), percentileMs(lat, 0.99), lat.empty() ? 0.0 : double(lat.back()) / 1000.0,
        percentileMs(ack, 0.50), percentileMs(ack, 0.99), connectSeconds,
        connectSeconds > 0 ? double(established) / connectSeconds : 0.0, rssBeforeKb, rssConnectedKb,
        established > 0 ? double(rssConnectedKb - rssBeforeKb) / double(established) : 0.0, serverRssEndKb,
        serverPeakKb, peakReset ? "true" : "false", serverCpuAfterConnect - serverCpuStart,
        serverCpuEnd - serverCpuAfterConnect, serverCpuEnd - serverCpuStart, ownCpuEnd - ownCpuStart,
        ownCpuEnd - ownCpuAfterConnect, o.threads, timedOut ? "true" : "false");
    std::fflush(stdout);

    const bool complete = established == o.connections && !timedOut;
    if (o.expectAll && (!complete || deliveries < expected || run.errors.load() > 0 || run.acks.load() < o.messages)) {
        std::fprintf(stderr, "loadgen: incomplete run: %ld/%d connected, %ld/%ld delivered, %ld/%ld acked, %ld errors\n",
                     established, o.connections, deliveries, expected, run.acks.load(), o.messages, run.errors.load());
        return 1;
    }
    return complete ? 0 : 1;
}
