#pragma once

#include "Log.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hchat::server {

// Every setting of hchat-gateway. Filled from the command line and an optional config file of
// `key = value` lines whose keys are the long option names (command-line values win).
struct GatewayConfig {
    std::string listenAddress = "127.0.0.1";
    unsigned short port = 8745;
    std::string databasePath = "hchat-gateway.db"; // a SQLite file, or postgresql://…
    std::string redisUrl;      // redis://[[USER]:PASSWORD@]HOST:PORT: fan out across gateways
    std::string fanoutKey;     // 32 bytes from --fanout-key-file (hex): MACs on Redis envelopes
    std::string metricsListen; // ADDR:PORT of a plain listener serving only /metrics and /healthz
    std::string metricsToken;  // from --metrics-token-file: /metrics on the main port wants it
    std::string tlsCertFile;
    std::string tlsKeyFile;
    enum class Registration { Open, Invite, Closed };
    Registration registration = Registration::Open; // the packaged gateway.conf says invite
    std::string welcomeChannel;                     // an open channel created at start if missing
    bool passwordCostInteractive = false;           // libsodium's moderate limits unless "interactive"
    unsigned threads = 0;                           // 0: hardware concurrency (at least 2)
    double rateLimitPerSecond = 200;         // sends and channel operations per user and second; 0: off
    double signalsPerSecond = 20;            // MarkRead and Typing per user and second; 0: off
    unsigned maxConnectionsPerAddress = 256; // per IPv4 address or IPv6 /64
    unsigned maxConnections = 10000;         // in all (lowered to fit the open-file limit)
    double acceptsPerSecondPerAddress = 100; // new connections per address and second; 0: off
    double authAttemptsPerMinute = 30;       // registrations and failed password checks per address; 0: off
    unsigned idleTimeoutSeconds = 60; // a silent WebSocket is pinged after half, closed after all of it
    std::int64_t tokenTtlSeconds = 30LL * 24 * 3600;
    unsigned passwordWorkers = 2;
    unsigned passwordChecksPerAddress = 4; // queued or running at once, per address
    unsigned readerThreads = 2;
    bool channelCache = true; // the commit writer caches channels (SQLite only); off to compare
    std::uint64_t maxAttachmentBytes = 100ULL * 1024 * 1024; // limits::kDefaultMaxAttachmentBytes
    log::Level logLevel = log::Level::Info;
    bool showVersion = false;
    bool showHelp = false;

    bool tlsEnabled() const { return !tlsCertFile.empty(); }

    // Parses argv (without argv[0]). On error returns a message for stderr.
    static std::optional<std::string> parse(const std::vector<std::string> &args, GatewayConfig &out);
    static std::string usage();
};

} // namespace hchat::server
