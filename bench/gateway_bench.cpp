// gateway_bench: starts the real hchat-gateway on a loopback port with a temporary database and
// measures, with Beast WebSocket clients in this separate process:
//   - acknowledged messages per second with 50 concurrent senders (pipelined, one shared channel
//     that all 50 sessions are members of, so every message is also pushed 50 times), and the ack
//     latency p50/p99 (send → SendAck);
//   - the reference in the same run: one sender waiting for each ack before the next send;
//   - RSS per idle connection: the gateway's RSS growth for 10,000 authenticated, idle WebSocket
//     connections (5 users share them), current and peak.
// Prints one JSON line.
// Usage: gateway_bench [--gateway PATH] [--connections N] [--messages N per sender] [--window N]
//                      [--reference N messages of the single sender]
#include "BenchConnection.h"
#include "hchat.pb.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>

#include <sodium.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

extern char **environ;

namespace {

[[noreturn]] void die(const std::string &what)
{
    std::fprintf(stderr, "gateway_bench: %s\n", what.c_str());
    std::exit(1);
}

long procStatusKb(pid_t pid, const char *field)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::atol(line.c_str() + std::strlen(field));
    return -1;
}

void raiseFileLimit()
{
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

struct Gateway {
    pid_t pid = -1;
    unsigned short port = 0;
    std::string dir;

    void start(const std::string &binary, int connections)
    {
        char tmpl[] = "/tmp/hchat-bench-XXXXXX";
        if (!mkdtemp(tmpl))
            die("mkdtemp failed");
        dir = tmpl;
        int out[2];
        if (pipe(out) != 0)
            die("pipe failed");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        const std::string db = dir + "/gateway.db";
        const std::string maxConn = std::to_string(connections + 1000);
        std::vector<std::string> args = {binary,          "--listen",        "127.0.0.1:0", "--db", db,
                                         "--password-cost", "interactive",   "--rate-limit", "0",
                                         "--max-connections-per-address", maxConn, "--max-connections", maxConn,
                                         "--accept-rate", "0", "--auth-rate", "0"};
        std::vector<char *> argv;
        for (auto &a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0)
            die("cannot start " + binary);
        close(out[1]);
        std::string text;
        char buf[256];
        while (text.find('\n') == std::string::npos) {
            const auto n = read(out[0], buf, sizeof buf);
            if (n <= 0)
                die("the gateway did not report its address");
            text.append(buf, std::size_t(n));
        }
        const auto colon = text.rfind(':');
        port = static_cast<unsigned short>(std::atoi(text.c_str() + colon + 1));
        // Keep draining stdout in the background is unnecessary: the gateway prints one line.
    }
    void stop()
    {
        if (pid > 0) {
            kill(pid, SIGTERM);
            int status = 0;
            waitpid(pid, &status, 0);
        }
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

std::string login(unsigned short port, const std::string &nick)
{
    unsigned status = 0;
    std::string token = BenchConnection::login(port, nick, "benchmark password", {}, &status);
    if (token.empty())
        die("login failed for " + nick + " (HTTP " + std::to_string(status) + ")");
    return token;
}

// One asynchronous WebSocket client: Hello, optional Join, then a pipelined send loop.
class Client : public BenchConnection {
public:
    Client(net::io_context &ioc, unsigned short port, std::string token)
        : BenchConnection(ioc.get_executor(), port, std::move(token))
    {
    }

    std::function<void()> onReady;            // after Welcome (and ChannelJoined)
    std::function<void(double)> onAck;        // latency in seconds
    std::string channel;                      // join this after Welcome
    int toSend = 0;
    int window = 1;
    int referenceMessages = 500;
    bool failed = false;

    void start() { connect(); }

    void beginSending()
    {
        for (int i = 0; i < window; ++i)
            sendOne();
    }

private:
    void onFailure(const char *what, const beast::error_code &ec) override
    {
        if (!failed)
            std::fprintf(stderr, "gateway_bench: %s: %s\n", what, ec.message().c_str());
        failed = true;
        if (onReady) {
            auto f = std::move(onReady);
            onReady = nullptr;
            f();
        }
    }

    void sendOne()
    {
        if (m_sent >= toSend)
            return;
        ++m_sent;
        hchat::v1::Frame f;
        const auto rid = m_nextRequest++;
        f.set_request_id(rid);
        auto *s = f.mutable_send();
        s->set_channel(channel);
        unsigned char id[16];
        randombytes_buf(id, sizeof id);
        s->set_client_msg_id(id, sizeof id);
        s->set_body("benchmark message body of a typical chat line length, about eighty bytes");
        m_sentAt[rid] = Clock::now();
        write(f.SerializeAsString());
    }

    void onFrame(const char *data, std::size_t size) override
    {
        hchat::v1::Frame f;
        f.ParseFromArray(data, int(size));
        handle(f);
    }

    void handle(const hchat::v1::Frame &f)
    {
        if (f.has_welcome()) {
            if (channel.empty())
                return ready();
            hchat::v1::Frame join;
            join.set_request_id(2);
            join.mutable_join()->set_channel(channel);
            write(join.SerializeAsString());
        } else if (f.has_channel_joined() && f.request_id() == 2) {
            ready();
        } else if (f.has_send_ack()) {
            auto it = m_sentAt.find(f.request_id());
            if (it != m_sentAt.end()) {
                if (onAck)
                    onAck(std::chrono::duration<double>(Clock::now() - it->second).count());
                m_sentAt.erase(it);
            }
            sendOne();
        } else if (f.has_error()) {
            std::fprintf(stderr, "gateway_bench: error %d: %s\n", int(f.error().code()), f.error().message().c_str());
            failed = true;
        }
    }

    void ready()
    {
        if (onReady) {
            auto f = std::move(onReady);
            onReady = nullptr;
            f();
        }
    }

    std::uint64_t m_nextRequest = 100;
    int m_sent = 0;
    std::unordered_map<std::uint64_t, Clock::time_point> m_sentAt;
};

struct SendResult {
    double messagesPerSecond = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    long acked = 0;
};

SendResult runSenders(unsigned short port, const std::vector<std::string> &tokens, int senders, int perSender,
                      int window, const std::string &channel)
{
    net::io_context ioc;
    std::vector<std::shared_ptr<Client>> clients;
    std::vector<double> latencies;
    latencies.reserve(std::size_t(senders) * std::size_t(perSender));
    int ready = 0;
    long acked = 0;
    const long total = long(senders) * perSender;
    Clock::time_point started;
    Clock::time_point finished;
    for (int i = 0; i < senders; ++i) {
        auto c = std::make_shared<Client>(ioc, port, tokens[std::size_t(i) % tokens.size()]);
        c->channel = channel;
        c->toSend = perSender;
        c->window = window;
        c->onAck = [&](double seconds) {
            latencies.push_back(seconds);
            if (++acked == total) {
                finished = Clock::now();
                ioc.stop();
            }
        };
        c->onReady = [&] {
            if (++ready == senders) {
                started = Clock::now();
                for (auto &cl : clients)
                    cl->beginSending();
            }
        };
        clients.push_back(c);
    }
    for (auto &c : clients)
        c->start();
    net::steady_timer guard(ioc, std::chrono::minutes(3));
    guard.async_wait([&](beast::error_code ec) {
        if (!ec)
            ioc.stop();
    });
    ioc.run();
    if (acked < total)
        die("only " + std::to_string(acked) + " of " + std::to_string(total) + " sends were acknowledged");
    std::sort(latencies.begin(), latencies.end());
    SendResult r;
    r.acked = acked;
    r.messagesPerSecond = double(acked) / std::chrono::duration<double>(finished - started).count();
    r.p50Ms = latencies[latencies.size() / 2] * 1000;
    r.p99Ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)] * 1000;
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    std::string binary = HCHAT_GATEWAY_BINARY;
    int connections = 10000;
    int perSender = 200;
    int window = 1;
    int referenceMessages = 500;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--gateway")
            binary = argv[i + 1];
        else if (a == "--connections")
            connections = std::atoi(argv[i + 1]);
        else if (a == "--messages")
            perSender = std::atoi(argv[i + 1]);
        else if (a == "--reference")
            referenceMessages = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--window")
            window = std::max(1, std::atoi(argv[i + 1]));
        else
            die("unknown option " + a);
    }
    if (sodium_init() < 0)
        die("libsodium failed");
    raiseFileLimit();
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < rlim_t(connections) + 100)
        die("RLIMIT_NOFILE (" + std::to_string(files.rlim_cur) + ") is too low for " + std::to_string(connections) +
            " connections");

    Gateway gw;
    gw.start(binary, connections);
    std::vector<std::string> tokens;
    for (int u = 0; u < 5; ++u)
        tokens.push_back(login(gw.port, "bench" + std::to_string(u)));

    // Reference: one sender, one message in flight at a time.
    const SendResult single = runSenders(gw.port, {tokens[0]}, 1, referenceMessages, 1, "reference");
    // 50 concurrent senders, `window` messages in flight each, one shared channel (fan-out to 50
    // sessions).
    const SendResult many = runSenders(gw.port, tokens, 50, perSender, window, "crowd");

    // Idle connections. Reset the gateway's peak RSS first (password hashing raised it).
    {
        std::ofstream clear("/proc/" + std::to_string(gw.pid) + "/clear_refs");
        clear << "5\n";
    }
    usleep(200 * 1000);
    long rssBefore = 0, rssAfter = 0, hwm = 0;
    int established = 0;
    double connectSeconds = 0;
    {
        rssBefore = procStatusKb(gw.pid, "VmRSS:");
        net::io_context ioc;
        std::vector<std::shared_ptr<Client>> idle;
        int ready = 0, failed = 0;
        for (int i = 0; i < connections; ++i) {
            auto c = std::make_shared<Client>(ioc, gw.port, tokens[std::size_t(i) % tokens.size()]);
            c->onReady = [&, cp = c.get()] {
                ++ready;
                if (cp->failed)
                    ++failed;
                if (ready == connections)
                    ioc.stop();
            };
            idle.push_back(c);
        }
        // Connect in waves so the accept backlog never overflows.
        std::size_t next = 0;
        std::function<void()> wave;
        net::steady_timer waveTimer(ioc);
        wave = [&] {
            for (int k = 0; k < 500 && next < idle.size(); ++k)
                idle[next++]->start();
            if (next < idle.size()) {
                waveTimer.expires_after(std::chrono::milliseconds(20));
                waveTimer.async_wait([&](beast::error_code) { wave(); });
            }
        };
        wave();
        net::steady_timer guard(ioc, std::chrono::minutes(3));
        guard.async_wait([&](beast::error_code ec) {
            if (!ec)
                ioc.stop();
        });
        const auto connectStart = Clock::now();
        ioc.run();
        connectSeconds = std::chrono::duration<double>(Clock::now() - connectStart).count();
        usleep(500 * 1000);
        rssAfter = procStatusKb(gw.pid, "VmRSS:");
        hwm = procStatusKb(gw.pid, "VmHWM:");
        established = ready - failed;
    } // the idle connections close here
    std::printf("{\"benchmark\":\"gateway\",\"senders\":50,\"window_per_sender\":%d,\"acked_messages\":%ld,\"acked_messages_per_s\":%.0f,"
                "\"ack_latency_p50_ms\":%.2f,\"ack_latency_p99_ms\":%.2f,\"fanout_per_message\":50,"
                "\"reference_single_sender_messages_per_s\":%.0f,\"reference_single_sender_p50_ms\":%.2f,"
                "\"throughput_ratio_vs_reference\":%.1f,\"idle_connections\":%d,\"idle_connect_seconds\":%.1f,"
                "\"gateway_rss_before_kb\":%ld,\"gateway_rss_after_kb\":%ld,\"gateway_peak_rss_kb\":%ld,"
                "\"rss_per_idle_connection_kb\":%.1f,\"peak_rss_per_idle_connection_kb\":%.1f}\n",
                window, many.acked, many.messagesPerSecond, many.p50Ms, many.p99Ms, single.messagesPerSecond, single.p50Ms,
                many.messagesPerSecond / std::max(1.0, single.messagesPerSecond), established, connectSeconds,
                rssBefore, rssAfter, hwm, established ? double(rssAfter - rssBefore) / established : 0.0,
                established ? double(hwm - rssBefore) / established : 0.0);
    std::fflush(stdout);
    gw.stop();
    return established == connections ? 0 : 1;
}
