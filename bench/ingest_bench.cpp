// ingest_bench: how many durable messages per second one hchat-gateway takes in (issue 19).
// S senders (default 200), each a user of its own with one WebSocket session and a channel of its
// own with two members (the sender and one partner user, invited, never connected), keep W
// messages in flight each (default 16): a new Send for every SendAck. Every ack is sent after the
// message's transaction committed (SQLite: WAL, synchronous=FULL; PostgreSQL: its default
// synchronous_commit=on), so this is the store's durable ingest rate.
// Measures acked msgs/s, ack latency p50/p99 (send → SendAck), the gateway's CPU seconds and this
// program's own. Runs the gateway on a temporary SQLite file and, with --postgres, again on a
// throw-away PostgreSQL started on loopback by scripts/local-services (as cluster_bench does).
// Prints one JSON line per store.
// Usage: ingest_bench [--gateway PATH] [--senders S] [--window W] [--messages M per sender]
//                     [--threads T] [--store sqlite|postgres|both] [--gateway-args "ARGS"]
#include "BenchConnection.h"
#include "hchat.pb.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>

#include <fcntl.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

extern char **environ;

namespace {

[[noreturn]] void die(const std::string &what)
{
    std::fprintf(stderr, "ingest_bench: %s\n", what.c_str());
    std::exit(1);
}

double processCpuSeconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14)
            utime = std::stoul(field);
        if (i == 15)
            stime = std::stoul(field);
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

double ownCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs a command, returns its standard output (*ok false on failure). The output goes through a
// file: servers the command leaves running keep what they inherited open.
std::string capture(const std::vector<std::string> &args, bool *ok)
{
    char path[] = "/tmp/hchat-ingest-out-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0)
        die("mkstemp failed");
    close(fd);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_TRUNC, 0600);
    std::vector<std::string> copy = args;
    std::vector<char *> argv;
    for (auto &a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    *ok = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0;
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    if (*ok)
        waitpid(pid, &status, 0);
    *ok = *ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    unlink(path);
    return text;
}

struct Gateway {
    pid_t pid = -1;
    unsigned short port = 0;
    std::string dir;

    void start(const std::string &binary, const std::string &database, const std::vector<std::string> &extra)
    {
        char tmpl[] = "/tmp/hchat-ingest-XXXXXX";
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
        const std::string db = database.empty() ? dir + "/gateway.db" : database;
        std::vector<std::string> args = {binary,
                                         "--listen",
                                         "127.0.0.1:0",
                                         "--db",
                                         db,
                                         "--password-cost",
                                         "interactive",
                                         "--rate-limit",
                                         "0",
                                         "--accept-rate",
                                         "0",
                                         "--auth-rate",
                                         "0",
                                         "--password-checks-per-address",
                                         "64",
                                         "--max-connections-per-address",
                                         "100000",
                                         "--max-connections",
                                         "100000"};
        args.insert(args.end(), extra.begin(), extra.end());
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
        close(out[0]);
        const auto colon = text.rfind(':');
        port = static_cast<unsigned short>(std::atoi(text.c_str() + colon + 1));
    }
    void stop()
    {
        if (pid > 0) {
            kill(pid, SIGTERM);
            int status = 0;
            waitpid(pid, &status, 0);
            pid = -1;
        }
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

class Sender : public BenchConnection {
public:
    Sender(net::io_context &ioc, unsigned short port, std::string token)
        : BenchConnection(ioc.get_executor(), port, std::move(token))
    {
    }

    std::string channel;
    std::string partner;
    int toSend = 0;
    int window = 16;
    std::function<void()> onReady;     // channel created and partner invited (or failed)
    std::function<void(double)> onAck; // seconds
    bool failed = false;
    std::vector<double> latencies;

    void beginSending()
    {
        for (int i = 0; i < window; ++i)
            sendOne();
    }

private:
    void onFailure(const char *what, const beast::error_code &ec) override
    {
        if (!failed)
            std::fprintf(stderr, "ingest_bench: %s: %s\n", what, ec.message().c_str());
        failed = true;
        ready();
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
        if (f.has_welcome()) {
            hchat::v1::Frame create;
            create.set_request_id(2);
            create.mutable_create_channel()->set_channel(channel);
            create.mutable_create_channel()->set_kind(hchat::v1::CHANNEL_KIND_INVITE_ONLY);
            write(create.SerializeAsString());
        } else if (f.request_id() == 2) {
            if (!f.has_channel_joined())
                return fail("create " + channel, f);
            hchat::v1::Frame invite;
            invite.set_request_id(3);
            invite.mutable_invite()->set_channel(channel);
            invite.mutable_invite()->set_nick(partner);
            write(invite.SerializeAsString());
        } else if (f.request_id() == 3) {
            if (!f.has_ok())
                return fail("invite to " + channel, f);
            ready();
        } else if (f.has_send_ack()) {
            auto it = m_sentAt.find(f.request_id());
            if (it != m_sentAt.end()) {
                const double seconds = std::chrono::duration<double>(Clock::now() - it->second).count();
                latencies.push_back(seconds);
                m_sentAt.erase(it);
                if (onAck)
                    onAck(seconds);
            }
            sendOne();
        } else if (f.has_error()) {
            fail("send", f);
        }
    }

    void fail(const std::string &what, const hchat::v1::Frame &f)
    {
        std::fprintf(stderr, "ingest_bench: %s: error %d: %s\n", what.c_str(), int(f.error().code()),
                     f.error().message().c_str());
        failed = true;
        ready();
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

struct Options {
    std::string binary = HCHAT_GATEWAY_BINARY;
    int senders = 200;
    int window = 16;
    int perSender = 250;
    int threads = 2;
    std::vector<std::string> gatewayArgs;
};

// Logs in every sender and the partner (threads: the password hashing is the gateway's cost).
std::vector<std::string> loginAll(unsigned short port, int senders)
{
    std::vector<std::string> tokens(std::size_t(senders) + 1);
    std::atomic<int> next{0};
    std::atomic<bool> bad{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < 8; ++t)
        pool.emplace_back([&] {
            for (int i = next++; i <= senders; i = next++) {
                const std::string nick = i == senders ? "ingestpartner" : "ingest" + std::to_string(i);
                unsigned status = 0;
                tokens[std::size_t(i)] =
                    BenchConnection::login(port, nick, "benchmark password", {}, &status);
                if (tokens[std::size_t(i)].empty()) {
                    std::fprintf(stderr, "ingest_bench: login of %s failed (HTTP %u)\n", nick.c_str(),
                                 status);
                    bad = true;
                }
            }
        });
    for (auto &t : pool)
        t.join();
    if (bad)
        die("logins failed");
    return tokens;
}

std::string runOnce(const Options &o, const std::string &store, const std::string &database)
{
    Gateway gw;
    gw.start(o.binary, database, o.gatewayArgs);
    const auto tokens = loginAll(gw.port, o.senders);

    const int threads = std::max(1, o.threads);
    std::vector<std::unique_ptr<net::io_context>> iocs;
    for (int t = 0; t < threads; ++t)
        iocs.push_back(std::make_unique<net::io_context>(1));
    std::vector<std::shared_ptr<Sender>> senders;
    std::mutex mutex;
    int ready = 0, failedSetup = 0;
    const long total = long(o.senders) * o.perSender;
    std::atomic<long> acked{0};
    std::atomic<bool> go{false};
    Clock::time_point started, finished;
    std::mutex doneMutex;
    bool done = false;
    std::condition_variable doneCv;
    std::condition_variable readyCv;
    for (int i = 0; i < o.senders; ++i) {
        auto &ioc = *iocs[std::size_t(i % threads)];
        auto s = std::make_shared<Sender>(ioc, gw.port, tokens[std::size_t(i)]);
        s->channel = "ingest-" + std::to_string(i);
        s->partner = "ingestpartner";
        s->toSend = o.perSender;
        s->window = o.window;
        s->onReady = [&, sp = s.get()] {
            std::lock_guard lock(mutex);
            ++ready;
            if (sp->failed)
                ++failedSetup;
            readyCv.notify_all();
        };
        s->onAck = [&](double) {
            if (++acked == total) {
                std::lock_guard lock(doneMutex);
                finished = Clock::now();
                done = true;
                doneCv.notify_all();
            }
        };
        senders.push_back(s);
    }
    std::vector<std::unique_ptr<net::executor_work_guard<net::io_context::executor_type>>> guards;
    for (auto &ioc : iocs)
        guards.push_back(
            std::make_unique<net::executor_work_guard<net::io_context::executor_type>>(ioc->get_executor()));
    std::vector<std::thread> runners;
    for (auto &ioc : iocs)
        runners.emplace_back([&ioc] { ioc->run(); });
    for (auto &s : senders)
        net::post(s->executor(), [s] { s->connect(); });
    {
        std::unique_lock lock(mutex);
        if (!readyCv.wait_for(lock, std::chrono::minutes(3), [&] { return ready == o.senders; }))
            die("the senders did not get ready");
        if (failedSetup)
            die(std::to_string(failedSetup) + " senders failed to set up");
    }
    const double cpuBefore = processCpuSeconds(gw.pid);
    const double ownBefore = ownCpuSeconds();
    // For a profiler attached from outside: the sending starts now.
    std::fprintf(stderr, "ingest_bench: %s: gateway %d sending\n", store.c_str(), int(gw.pid));
    started = Clock::now();
    for (auto &s : senders)
        net::post(s->executor(), [s] { s->beginSending(); });
    {
        std::unique_lock lock(doneMutex);
        if (!doneCv.wait_for(lock, std::chrono::minutes(5), [&] { return done; }))
            die("only " + std::to_string(acked.load()) + " of " + std::to_string(total) +
                " sends were acknowledged");
    }
    const double cpu = processCpuSeconds(gw.pid) - cpuBefore;
    const double own = ownCpuSeconds() - ownBefore;
    for (auto &s : senders)
        net::post(s->executor(), [s] { s->closeSocket(); });
    guards.clear();
    for (auto &ioc : iocs)
        ioc->stop();
    for (auto &t : runners)
        t.join();
    std::vector<double> latencies;
    for (auto &s : senders)
        latencies.insert(latencies.end(), s->latencies.begin(), s->latencies.end());
    std::sort(latencies.begin(), latencies.end());
    gw.stop();
    const double seconds = std::chrono::duration<double>(finished - started).count();
    char line[1024];
    std::snprintf(
        line, sizeof line,
        "{\"benchmark\":\"ingest\",\"store\":\"%s\",\"senders\":%d,\"window_per_sender\":%d,"
        "\"members_per_channel\":2,\"acked_messages\":%ld,\"seconds\":%.2f,\"acked_messages_per_s\":%.0f,"
        "\"ack_latency_p50_ms\":%.2f,\"ack_latency_p99_ms\":%.2f,\"gateway_cpu_s\":%.2f,"
        "\"bench_cpu_s\":%.2f,\"gateway_cpu_us_per_message\":%.1f}",
        store.c_str(), o.senders, o.window, acked.load(), seconds, double(acked.load()) / seconds,
        latencies[latencies.size() / 2] * 1000,
        latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)] * 1000, cpu, own,
        cpu * 1e6 / double(acked.load()));
    return line;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    std::string stores = "sqlite";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const std::string v = argv[i + 1];
        if (a == "--gateway")
            o.binary = v;
        else if (a == "--senders")
            o.senders = std::max(1, std::atoi(v.c_str()));
        else if (a == "--window")
            o.window = std::max(1, std::atoi(v.c_str()));
        else if (a == "--messages")
            o.perSender = std::max(1, std::atoi(v.c_str()));
        else if (a == "--threads")
            o.threads = std::max(1, std::atoi(v.c_str()));
        else if (a == "--store")
            stores = v;
        else if (a == "--gateway-args") {
            std::istringstream words(v);
            for (std::string w; words >> w;)
                o.gatewayArgs.push_back(w);
        } else
            die("unknown option " + a);
    }
    if (sodium_init() < 0)
        die("libsodium failed");
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    signal(SIGPIPE, SIG_IGN);
    if (stores == "sqlite" || stores == "both")
        std::printf("%s\n", runOnce(o, "sqlite", {}).c_str()), std::fflush(stdout);
    if (stores == "postgres" || stores == "both") {
        char tmpl[] = "/tmp/hchat-ingest-pg-XXXXXX";
        if (!mkdtemp(tmpl))
            die("mkdtemp failed");
        std::filesystem::permissions(
            tmpl, std::filesystem::perms::others_read | std::filesystem::perms::others_exec,
            std::filesystem::perm_options::add);
        const std::string services = std::string(tmpl) + "/services";
        const std::string script = HCHAT_SOURCE_DIR "/scripts/local-services";
        bool ok = false;
        capture({script, "start", services}, &ok);
        if (!ok)
            die("PostgreSQL did not start (scripts/local-services start)");
        std::string url = capture({script, "createdb", services, "ingest"}, &ok);
        while (!url.empty() && (url.back() == '\n' || url.back() == ' '))
            url.pop_back();
        url = url.substr(url.rfind('\n') == std::string::npos ? 0 : url.rfind('\n') + 1);
        if (!ok || url.empty())
            die("createdb failed");
        const std::string line = runOnce(o, "postgresql", url);
        capture({script, "stop", services}, &ok);
        std::error_code ec;
        std::filesystem::remove_all(tmpl, ec);
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    }
    return 0;
}
