#include "Gateway.h"

#include "BeastTypes.h"

#include "ChatService.h"
#include "CommitWriter.h"
#include "ConnectionLimiter.h"
#include "DeliveryOutbox.h"
#include "HttpApi.h"
#include "Listener.h"
#include "LocalFanout.h"
#include "Metrics.h"
#include "PasswordHasher.h"
#include "PostgresConnection.h"
#include "RedisFanout.h"
#include "ServerContext.h"
#include "SessionRegistry.h"
#include "SqlMessageStore.h"
#include "StoreReaders.h"
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include <sys/resource.h>

namespace hchat::server {

namespace {
// Past the open-file limit accept() fails for everyone; the cap stays below it, leaving room for
// the database, logs and Redis.
ConnectionLimiter::Limits connectionLimits(const GatewayConfig &config)
{
    ConnectionLimiter::Limits limits{config.maxConnectionsPerAddress, config.maxConnections,
                                     config.acceptsPerSecondPerAddress};
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
        const auto room = files.rlim_cur > 128 ? files.rlim_cur - 128 : 16;
        if (limits.total > room) {
            std::fprintf(stderr,
                         "hchat-gateway: --max-connections lowered from %u to %llu (open-file limit %llu)\n",
                         limits.total, static_cast<unsigned long long>(room),
                         static_cast<unsigned long long>(files.rlim_cur));
            limits.total = static_cast<unsigned>(room);
        }
    }
    return limits;
}
} // namespace

// Members are declared in dependency order: what the I/O context's handlers (sessions) use is
// declared before the I/O context, so it is destroyed after the sessions.
struct Gateway::Impl {
    GatewayConfig config;
    Metrics metrics;
    SessionRegistry registry;
    std::unique_ptr<LocalFanout> localFanout;
    std::unique_ptr<RedisFanout> redisFanout;
    std::shared_ptr<ConnectionLimiter> limiter;
    std::unique_ptr<CommitWriter> writer;
    std::unique_ptr<StoreReaders> readers;
    std::unique_ptr<PasswordHasher> hasher;
    std::unique_ptr<AuthThrottle> authThrottle;
    std::unique_ptr<UserRateLimits> userLimits;
    std::unique_ptr<ServerContext> ctx;
    std::unique_ptr<ChatService> chat;
    std::unique_ptr<HttpApi> api;
    std::unique_ptr<net::ssl::context> ssl;
    net::io_context ioc;
    // The commit writer's answers reach the sessions through these, one per I/O thread
    // (DeliveryOutbox).
    std::vector<net::strand<net::io_context::executor_type>> lanes;
    std::unique_ptr<DeliveryLanes> deliveryLanes;
    std::shared_ptr<Listener> listener;
    std::shared_ptr<Listener> metricsListener; // --metrics-listen
    std::unique_ptr<net::signal_set> signals;
    std::unique_ptr<net::steady_timer> housekeeping;
    std::unique_ptr<net::steady_timer> auditTimer;
    std::int64_t auditSeen = 0; // the audit log's entries up to here were acted on
    std::thread shutdownThread;
    std::atomic<bool> shutdownStarted{false};
    unsigned threads = 2;
    std::string metricsAddress;

    explicit Impl(GatewayConfig c)
        : config(std::move(c)), limiter(std::make_shared<ConnectionLimiter>(connectionLimits(config))),
          ioc(int(threadCount(config)))
    {
        threads = threadCount(config);
        const std::string path = config.databasePath;
        // SQLite: up to 4,096 writes per transaction (a batch's cost is mostly its pages and its
        // fsync, which more messages share); PostgreSQL: 1,024 (each write is its own round trips,
        // so a larger batch only delays the first acknowledgement and holds row locks longer).
        const std::size_t maxBatch = PostgresConnection::isUrl(path) ? 1024 : 4096;
        writer = std::make_unique<CommitWriter>(SqlMessageStore::open(path, true, true, config.channelCache),
                                                metrics, maxBatch);
        for (unsigned i = 0; i < threads; ++i)
            lanes.push_back(net::make_strand(ioc.get_executor()));
        deliveryLanes = std::make_unique<DeliveryLanes>(
            lanes.size(),
            [this](std::size_t lane, std::function<void()> run) { net::post(lanes[lane], std::move(run)); });
        writer->setAnswerScope([this](const std::function<void()> &answer) {
            DeliveryOutbox outbox(*deliveryLanes);
            {
                DeliveryOutbox::Scope scope(outbox);
                answer();
            }
            outbox.flush();
        });
        readers = std::make_unique<StoreReaders>([path] { return SqlMessageStore::open(path, false); },
                                                 std::max(1u, config.readerThreads));
        localFanout = std::make_unique<LocalFanout>(registry, metrics);
        if (!config.redisUrl.empty())
            redisFanout =
                std::make_unique<RedisFanout>(*localFanout, metrics, config.redisUrl, config.fanoutKey);
        hasher =
            std::make_unique<PasswordHasher>(std::max(1u, config.passwordWorkers),
                                             config.passwordCostInteractive, config.passwordChecksPerAddress);
        authThrottle = std::make_unique<AuthThrottle>(config.authAttemptsPerMinute);
        userLimits = std::make_unique<UserRateLimits>(config.rateLimitPerSecond, config.signalsPerSecond);
        ctx.reset(new ServerContext{config, metrics, *writer, *readers, *hasher, *authThrottle, *userLimits,
                                    registry, limiter});
        chat = std::make_unique<ChatService>(*ctx);
        api = std::make_unique<HttpApi>(*ctx, *chat);
        ctx->chat = chat.get();
        ctx->api = api.get();
        ctx->fanout = redisFanout ? static_cast<Fanout *>(redisFanout.get()) : localFanout.get();
        if (config.tlsEnabled()) {
            ssl = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
            ssl->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                             net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                             net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
            // TLS 1.2: forward-secret key exchange and AEAD only (no static RSA, no CBC); TLS 1.3's
            // suites are all of that kind already.
            if (SSL_CTX_set_cipher_list(ssl->native_handle(),
                                        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1)
                throw std::runtime_error("the TLS library refused HChat's cipher list");
            SSL_CTX_set_options(ssl->native_handle(),
                                SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
            beast::error_code ec;
            ssl->use_certificate_chain_file(config.tlsCertFile, ec);
            if (ec)
                throw std::runtime_error("cannot load TLS certificate '" + config.tlsCertFile +
                                         "': " + ec.message());
            ssl->use_private_key_file(config.tlsKeyFile, net::ssl::context::pem, ec);
            if (ec)
                throw std::runtime_error("cannot load TLS key '" + config.tlsKeyFile + "': " + ec.message());
        }
        listener = std::make_shared<Listener>(ioc, *ctx, ssl.get());
        if (!config.metricsListen.empty())
            // Limits of its own: a flood on the public port must not keep the scraper out.
            metricsListener = std::make_shared<Listener>(
                ioc, *ctx, nullptr, true,
                std::make_shared<ConnectionLimiter>(ConnectionLimiter::Limits{16, 64, 0}));
        // Installed before the address is reported, so that a SIGTERM right after start-up is a
        // graceful shutdown too.
        signals = std::make_unique<net::signal_set>(ioc, SIGINT, SIGTERM);
        signals->async_wait([this](beast::error_code ec, int) {
            if (!ec)
                beginShutdown();
        });
        housekeeping = std::make_unique<net::steady_timer>(ioc);
        removeStaleUploads();
        if (!config.welcomeChannel.empty())
            createWelcomeChannel(config.welcomeChannel);
        auditSeen = SqlMessageStore::open(path, false)->community().lastAuditId();
        auditTimer = std::make_unique<net::steady_timer>(ioc);
        followSessionCuts();
    }

    // An open channel for newcomers, made once (by nobody: it has no owner until an administrator
    // hands it to someone).
    void createWelcomeChannel(const std::string &name)
    {
        writer->submit(
            [name](MessageStore &st) {
                if (st.findStream(name))
                    return;
                const auto id =
                    st.createStream(name, hchat::v1::CHANNEL_KIND_OPEN, false, {}, ServerContext::nowMs());
                if (id) // (else another gateway made it just now)
                    st.community().setTopic(*id, "Everyone is welcome here: say hello!");
            },
            [name](hchat::v1::ErrorCode code, const std::string &message) {
                if (code != hchat::v1::ERROR_CODE_UNSPECIFIED)
                    std::fprintf(stderr, "hchat-gateway: could not create #%s: %s\n", name.c_str(),
                                 message.c_str());
            });
    }

    // Administrative actions that sign a user out are in the audit log, whoever took them (this
    // gateway, another one on the same database, or `hchat-gateway admin`): every second, the
    // sessions of users named there since the last look are closed.
    void followSessionCuts()
    {
        readers->submit([this, after = auditSeen](MessageStore &st) {
            std::vector<std::pair<std::int64_t, std::int64_t>> cuts;
            try {
                cuts = st.community().sessionCutsAfter(after);
            } catch (const std::exception &e) {
                std::fprintf(stderr, "hchat-gateway: reading the audit log failed: %s\n", e.what());
            }
            net::post(ioc, [this, cuts = std::move(cuts)] {
                for (const auto &[id, userId] : cuts) {
                    auditSeen = std::max(auditSeen, id);
                    localFanout->closeSessions(
                        SessionCut{SessionCut::By::User, {}, userId, {}, "signed out by an administrator"});
                }
                auditTimer->expires_after(std::chrono::seconds(1));
                auditTimer->async_wait([this](beast::error_code ec) {
                    if (!ec && !shutdownStarted.load())
                        followSessionCuts();
                });
            });
        });
    }

    // Uploads left unfinished for a day, and finished ones no message refers to after a day, go;
    // now and then every hour.
    void removeStaleUploads()
    {
        constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
        writer->submit(
            [](MessageStore &st) {
                const auto stale = st.staleUploads(ServerContext::nowMs() - kDayMs);
                for (const std::string &id : stale)
                    st.deleteUpload(id);
                if (!stale.empty())
                    std::fprintf(stderr, "hchat-gateway: removed %zu stale uploads\n", stale.size());
            },
            [](hchat::v1::ErrorCode, const std::string &) {});
        housekeeping->expires_after(std::chrono::hours(1));
        housekeeping->async_wait([this](beast::error_code ec) {
            if (!ec && !shutdownStarted.load())
                removeStaleUploads();
        });
    }

    static unsigned threadCount(const GatewayConfig &c)
    {
        if (c.threads > 0)
            return c.threads;
        return std::max(2u, std::thread::hardware_concurrency());
    }

    void beginShutdown()
    {
        if (shutdownStarted.exchange(true))
            return;
        std::fprintf(stderr, "hchat-gateway: shutting down\n");
        ctx->shuttingDown.store(true);
        listener->stop();
        if (metricsListener)
            metricsListener->stop();
        net::post(ioc, [this] { housekeeping->cancel(); });
        shutdownThread = std::thread([this] {
            // 1. Everything queued is committed and acknowledged (acks are posted to the sessions).
            writer->stop();
            // 2. Each session closes once what is queued for it (acks included) is written.
            for (auto &s : registry.all())
                s->dispatch([s] {
                    s->authState = ClientSession::AuthState::Closing;
                    s->closeSoon(1001);
                });
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            while (registry.size() > 0 && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            ioc.stop();
        });
    }
};

Gateway::Gateway(GatewayConfig config) : d(std::make_unique<Impl>(std::move(config))) {}

Gateway::~Gateway()
{
    if (d->shutdownThread.joinable())
        d->shutdownThread.join();
    d->writer->stop();
    d->readers->stop();
    d->hasher->stop();
    if (d->redisFanout)
        d->redisFanout->stop();
}

namespace {
std::string openListener(Listener &listener, const std::string &host, unsigned short port)
{
    beast::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (ec)
        throw std::runtime_error("bad listen address '" + host + "'");
    try {
        listener.open(tcp::endpoint(address, port));
    } catch (const boost::system::system_error &e) {
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                                 e.code().message());
    }
    const auto bound = listener.localEndpoint();
    std::string shown = bound.address().to_string();
    if (bound.address().is_v6())
        shown = "[" + shown + "]";
    return shown + ":" + std::to_string(bound.port());
}
} // namespace

std::string Gateway::start()
{
    if (d->metricsListener) {
        const std::string &spec = d->config.metricsListen;
        const auto colon = spec.rfind(':');
        std::string host = spec.substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        d->metricsAddress = openListener(*d->metricsListener, host,
                                         static_cast<unsigned short>(std::stoul(spec.substr(colon + 1))));
    }
    return openListener(*d->listener, d->config.listenAddress, d->config.port);
}

std::string Gateway::metricsAddress() const
{
    return d->metricsAddress;
}

void Gateway::requestShutdown()
{
    net::post(d->ioc, [this] { d->beginShutdown(); });
}

int Gateway::run()
{
    d->listener->start();
    if (d->metricsListener)
        d->metricsListener->start();
    // A handler that throws must not take an I/O thread (or the process) down with it.
    auto serve = [this] {
        for (;;) {
            try {
                d->ioc.run();
                return;
            } catch (const std::exception &e) {
                std::fprintf(stderr, "hchat-gateway: unexpected error in an I/O handler: %s\n", e.what());
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < d->threads; ++i)
        pool.emplace_back(serve);
    serve();
    for (auto &t : pool)
        t.join();
    if (d->shutdownThread.joinable())
        d->shutdownThread.join();
    d->writer->stop();
    d->readers->stop();
    d->hasher->stop();
    if (d->redisFanout)
        d->redisFanout->stop();
    std::fprintf(stderr, "hchat-gateway: stopped\n");
    return 0;
}

} // namespace hchat::server
