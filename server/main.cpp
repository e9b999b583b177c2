// hchat-gateway: parses the command line and runs a Gateway. Exit codes: 0 after a clean shutdown,
// 1 when the gateway cannot start (database, TLS, address), 2 for bad arguments.
#include "AdminCommand.h"
#include "Gateway.h"
#include "GatewayConfig.h"
#include "Log.h"
#include "PostgresConnection.h"
#include "RedisFanout.h"
#include "hchat/Version.h"

#include <sodium.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

int main(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args.front() == "admin") {
        if (sodium_init() < 0) {
            std::fprintf(stderr, "hchat-gateway: libsodium failed to initialise\n");
            return 1;
        }
        return hchat::server::AdminCommand::run({args.begin() + 1, args.end()});
    }
    hchat::server::GatewayConfig config;
    if (auto error = hchat::server::GatewayConfig::parse(args, config)) {
        std::fprintf(stderr, "hchat-gateway: %s\n%s", error->c_str(),
                     hchat::server::GatewayConfig::usage().c_str());
        return 2;
    }
    if (config.showHelp) {
        std::fputs(hchat::server::GatewayConfig::usage().c_str(), stdout);
        return 0;
    }
    if (config.showVersion) {
        std::printf("hchat-gateway %s\n", hchat::kVersion);
        return 0;
    }
    hchat::server::log::setLevel(config.logLevel);
    std::signal(SIGPIPE, SIG_IGN);
    // A file-size limit (or a full disk) must surface as a failed commit, not kill the process.
    std::signal(SIGXFSZ, SIG_IGN);
    // Every connection is a descriptor: allow as many as the hard limit does.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    if (sodium_init() < 0) {
        std::fprintf(stderr, "hchat-gateway: libsodium failed to initialise\n");
        return 1;
    }
    try {
        hchat::server::Gateway gateway(config);
        const std::string address = gateway.start();
        if (!gateway.metricsAddress().empty())
            std::printf("hchat-gateway metrics on %s\n", gateway.metricsAddress().c_str());
        std::printf("hchat-gateway listening on %s\n", address.c_str());
        std::fflush(stdout);
        const std::string database = hchat::server::PostgresConnection::isUrl(config.databasePath)
                                         ? hchat::server::PostgresConnection::redact(config.databasePath)
                                         : config.databasePath;
        const std::string redis =
            hchat::server::RedisFanout::redact(config.redisUrl) +
            (config.fanoutKey.empty() ? " (envelopes without a MAC)" : " (envelopes with a MAC)");
        std::fprintf(stderr, "hchat-gateway %s: database %s, fan-out %s, %s, password cost %s\n",
                     hchat::kVersion, database.c_str(),
                     config.redisUrl.empty() ? "in-process" : redis.c_str(),
                     config.tlsEnabled() ? "TLS" : "plain (no TLS)",
                     config.passwordCostInteractive ? "interactive" : "moderate");
        return gateway.run();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "hchat-gateway: %s\n", e.what());
        return 1;
    }
}
