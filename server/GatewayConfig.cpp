#include "GatewayConfig.h"

#include <sodium.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

namespace hchat::server {
namespace {

std::string trim(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

template <class T> bool parseNumber(const std::string &text, T &out)
{
    if (text.empty())
        return false;
    const auto *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

// A rate: a decimal number of events per period, 0 meaning no limit.
bool parseRate(const std::string &text, double &out)
{
    char *end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(v >= 0) || v > 1e9)
        return false;
    out = v;
    return true;
}

const std::set<std::string> kValueOptions = {"listen",          "db",
                                             "tls-cert",        "tls-key",
                                             "config",          "password-cost",
                                             "threads",         "rate-limit",
                                             "signal-rate",     "max-connections-per-address",
                                             "max-connections", "accept-rate",
                                             "auth-rate",       "idle-timeout",
                                             "metrics-listen",  "metrics-token-file",
                                             "fanout-key-file", "password-checks-per-address",
                                             "token-ttl",       "redis",
                                             "log-level",       "max-attachment-bytes",
                                             "registration",    "welcome-channel",
                                             "channel-cache"};

std::optional<std::string> apply(const std::string &key, const std::string &value, GatewayConfig &c)
{
    if (key == "listen") {
        const auto colon = value.rfind(':');
        if (colon == std::string::npos || colon == 0)
            return "--listen wants ADDR:PORT, got '" + value + "'";
        unsigned port = 0;
        if (!parseNumber(value.substr(colon + 1), port) || port > 65535)
            return "--listen: bad port in '" + value + "'";
        std::string host = value.substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        c.listenAddress = host;
        c.port = static_cast<unsigned short>(port);
    } else if (key == "db") {
        if (value.empty())
            return "--db wants a path";
        c.databasePath = value;
    } else if (key == "redis") {
        if (value.rfind("redis://", 0) != 0)
            return "--redis wants redis://[[USER]:PASSWORD@]HOST[:PORT]";
        c.redisUrl = value;
    } else if (key == "tls-cert") {
        c.tlsCertFile = value;
    } else if (key == "tls-key") {
        c.tlsKeyFile = value;
    } else if (key == "password-cost") {
        if (value == "interactive")
            c.passwordCostInteractive = true;
        else if (value == "moderate")
            c.passwordCostInteractive = false;
        else
            return "--password-cost wants interactive or moderate, got '" + value + "'";
    } else if (key == "registration") {
        if (value == "open")
            c.registration = GatewayConfig::Registration::Open;
        else if (value == "invite")
            c.registration = GatewayConfig::Registration::Invite;
        else if (value == "closed")
            c.registration = GatewayConfig::Registration::Closed;
        else
            return "--registration wants open, invite or closed, got '" + value + "'";
    } else if (key == "welcome-channel") {
        if (value.empty() || value.size() > 64 ||
            value.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.-") != std::string::npos)
            return "--welcome-channel wants a channel name (1..64 of [a-z0-9_.-]), got '" + value + "'";
        c.welcomeChannel = value;
    } else if (key == "channel-cache") {
        if (value == "on")
            c.channelCache = true;
        else if (value == "off")
            c.channelCache = false;
        else
            return "--channel-cache wants on or off, got '" + value + "'";
    } else if (key == "threads") {
        if (!parseNumber(value, c.threads) || c.threads > 256)
            return "--threads wants a number 0..256, got '" + value + "'";
    } else if (key == "signal-rate") {
        if (!parseRate(value, c.signalsPerSecond))
            return "--signal-rate wants frames per second (0 = unlimited), got '" + value + "'";
    } else if (key == "rate-limit") {
        if (!parseRate(value, c.rateLimitPerSecond))
            return "--rate-limit wants messages per second (0 = unlimited), got '" + value + "'";
    } else if (key == "max-connections-per-address") {
        if (!parseNumber(value, c.maxConnectionsPerAddress) || c.maxConnectionsPerAddress == 0)
            return "--max-connections-per-address wants a positive number, got '" + value + "'";
    } else if (key == "max-connections") {
        if (!parseNumber(value, c.maxConnections) || c.maxConnections == 0)
            return "--max-connections wants a positive number, got '" + value + "'";
    } else if (key == "accept-rate") {
        if (!parseRate(value, c.acceptsPerSecondPerAddress))
            return "--accept-rate wants new connections per second and address (0 = unlimited), got '" +
                   value + "'";
    } else if (key == "auth-rate") {
        if (!parseRate(value, c.authAttemptsPerMinute))
            return "--auth-rate wants attempts per minute and address (0 = unlimited), got '" + value + "'";
    } else if (key == "metrics-listen") {
        const auto colon = value.rfind(':');
        unsigned port = 0;
        if (colon == std::string::npos || colon == 0 || !parseNumber(value.substr(colon + 1), port) ||
            port > 65535)
            return "--metrics-listen wants ADDR:PORT, got '" + value + "'";
        c.metricsListen = value;
    } else if (key == "password-checks-per-address") {
        if (!parseNumber(value, c.passwordChecksPerAddress) || c.passwordChecksPerAddress == 0 ||
            c.passwordChecksPerAddress > 256)
            return "--password-checks-per-address wants 1..256, got '" + value + "'";
    } else if (key == "fanout-key-file") {
        std::ifstream in(value);
        std::string hex;
        if (!in || !std::getline(in, hex))
            return "cannot read the fan-out key file '" + value + "'";
        while (!hex.empty() && (hex.back() == '\r' || hex.back() == ' '))
            hex.pop_back();
        std::string bytes(32, '\0');
        std::size_t length = 0;
        if (hex.size() != 64 ||
            sodium_hex2bin(reinterpret_cast<unsigned char *>(bytes.data()), bytes.size(), hex.data(),
                           hex.size(), nullptr, &length, nullptr) != 0 ||
            length != 32)
            return "the fan-out key in '" + value + "' must be 64 hex digits (openssl rand -hex 32)";
        c.fanoutKey = bytes;
    } else if (key == "metrics-token-file") {
        std::ifstream in(value);
        std::string token;
        if (!in || !std::getline(in, token))
            return "cannot read the metrics token file '" + value + "'";
        while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
            token.pop_back();
        if (token.size() < 16 || token.size() > 256)
            return "the metrics token in '" + value + "' must be 16..256 characters";
        c.metricsToken = token;
    } else if (key == "idle-timeout") {
        if (!parseNumber(value, c.idleTimeoutSeconds) || c.idleTimeoutSeconds < 2 ||
            c.idleTimeoutSeconds > 86400)
            return "--idle-timeout wants seconds (2..86400), got '" + value + "'";
    } else if (key == "token-ttl") {
        if (!parseNumber(value, c.tokenTtlSeconds) || c.tokenTtlSeconds <= 0 ||
            c.tokenTtlSeconds > 10LL * 366 * 24 * 3600)
            return "--token-ttl wants seconds, 1 to 10 years' worth, got '" + value + "'";
    } else if (key == "max-attachment-bytes") {
        if (!parseNumber(value, c.maxAttachmentBytes) || c.maxAttachmentBytes == 0 ||
            c.maxAttachmentBytes > (1ULL << 40))
            return "--max-attachment-bytes wants a positive number of bytes (at most 2^40), got '" + value +
                   "'";
    } else if (key == "log-level") {
        if (!log::parseLevel(value, c.logLevel))
            return "--log-level wants error, warning, info or debug, got '" + value + "'";
    } else {
        return "unknown option '" + key + "'";
    }
    return std::nullopt;
}

} // namespace

std::string GatewayConfig::usage()
{
    return "Usage: hchat-gateway --listen ADDR:PORT --db PATH [options]\n"
           "  --listen ADDR:PORT                 address to serve HTTP and WebSocket on (port 0: any)\n"
           "  --db PATH|URL                      SQLite database file (created if missing), or\n"
           "                                     postgresql://USER@HOST:PORT/DB to share one database\n"
           "  --redis redis://[[USER]:PASSWORD@]HOST:PORT\n"
           "                                     fan pushes out through Redis to every gateway\n"
           "  --fanout-key-file FILE             a key the gateways share (64 hex digits): Redis\n"
           "                                     envelopes carry a MAC; others are dropped\n"
           "  --tls-cert FILE --tls-key FILE     serve https/wss with this PEM certificate and key\n"
           "  --config FILE                      read `key = value` lines (keys: the long options)\n"
           "  --password-cost interactive|moderate   Argon2id cost (default moderate)\n"
           "  --registration open|invite|closed  who may create an account: anyone (default), holders\n"
           "                                     of an invite code an administrator made, or nobody\n"
           "                                     (administrators create accounts: hchat-gateway admin)\n"
           "  --welcome-channel NAME             create this open channel at start if it does not exist,\n"
           "                                     so that newcomers find somewhere to talk\n"
           "  --threads N                        I/O threads (default: number of cores)\n"
           "  --channel-cache on|off             the commit writer keeps channels and members in\n"
           "                                     memory between sends (SQLite only; default on)\n"
           "  --rate-limit MSGS_PER_SEC          sends and channel operations per user and second,\n"
           "                                     all sessions together (default 200, 0: off)\n"
           "  --signal-rate N                    MarkRead and Typing per user and second\n"
           "                                     (default 20, 0: off)\n"
           "  --max-connections-per-address N    open connections per IPv4 address or IPv6 /64\n"
           "                                     (default 256)\n"
           "  --max-connections N                open connections in all (default 10000, lowered to\n"
           "                                     fit the open-file limit)\n"
           "  --accept-rate N                    new connections per second and address, bursts of\n"
           "                                     twice that (default 100; 0: off)\n"
           "  --auth-rate N                      registrations and failed password checks per minute\n"
           "                                     and address, bursts of twice that (default 30; 0: off)\n"
           "  --metrics-listen ADDR:PORT         serve GET /metrics (and /healthz) on this plain-HTTP\n"
           "                                     address, e.g. 127.0.0.1:9745 (default: none)\n"
           "  --metrics-token-file FILE          GET /metrics on the main port wants\n"
           "                                     Authorization: Bearer <first line of FILE>;\n"
           "                                     without it /metrics is not served there\n"
           "  --idle-timeout SECONDS             a silent WebSocket is pinged after half of it and\n"
           "                                     closed (1001) after all of it (default 60)\n"
           "  --password-checks-per-address N    password checks queued or running at once per\n"
           "                                     address (default 4; raise it behind a proxy)\n"
           "  --token-ttl SECONDS                login token lifetime (default 2592000, 30 days)\n"
           "  --max-attachment-bytes N           largest file a client may upload (default 104857600)\n"
           "  --log-level LEVEL                  error, warning, info (default) or debug; debug lines\n"
           "                                     describe traffic, never tokens, passwords or bodies\n"
           "  --version                          print the version and exit\n"
           "  --help                             print this help and exit\n"
           "\n"
           "Administration (on the gateway's machine, with the gateway running or not):\n"
           "  hchat-gateway admin --db PATH|URL COMMAND [ARGS]   (hchat-gateway admin --help lists them)\n";
}

std::optional<std::string> GatewayConfig::parse(const std::vector<std::string> &args, GatewayConfig &out)
{
    std::map<std::string, std::string> cli;
    std::vector<std::string> order;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        if (a == "--help" || a == "-h") {
            out.showHelp = true;
            continue;
        }
        if (a == "--version") {
            out.showVersion = true;
            continue;
        }
        if (a.rfind("--", 0) != 0)
            return "unexpected argument '" + a + "'";
        a = a.substr(2);
        std::string value;
        bool haveValue = false;
        if (const auto eq = a.find('='); eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            haveValue = true;
        }
        if (!kValueOptions.count(a))
            return "unknown option '--" + a + "'";
        if (!haveValue) {
            if (i + 1 >= args.size())
                return "option '--" + a + "' wants a value";
            value = args[++i];
        }
        cli[a] = value;
        order.push_back(a);
    }
    if (out.showHelp || out.showVersion)
        return std::nullopt;

    bool listenFromFile = false;
    bool dbFromFile = false;
    if (auto it = cli.find("config"); it != cli.end()) {
        std::ifstream in(it->second);
        if (!in)
            return "cannot read config file '" + it->second + "'";
        std::string line;
        int lineNo = 0;
        while (std::getline(in, line)) {
            ++lineNo;
            line = trim(line);
            if (line.empty() || line[0] == '#' || line[0] == ';')
                continue;
            const auto eq = line.find('=');
            if (eq == std::string::npos)
                return it->second + ":" + std::to_string(lineNo) + ": expected `key = value`";
            const std::string key = trim(line.substr(0, eq));
            const std::string value = trim(line.substr(eq + 1));
            if (key == "config" || !kValueOptions.count(key))
                return it->second + ":" + std::to_string(lineNo) + ": unknown key '" + key + "'";
            listenFromFile = listenFromFile || key == "listen";
            dbFromFile = dbFromFile || key == "db";
            if (cli.count(key))
                continue; // the command line wins
            if (auto err = apply(key, value, out))
                return it->second + ":" + std::to_string(lineNo) + ": " + *err;
        }
    }
    for (const auto &key : order) {
        if (key == "config")
            continue;
        if (auto err = apply(key, cli[key], out))
            return *err;
    }
    if (!cli.count("listen") && !listenFromFile)
        return "--listen ADDR:PORT is required";
    if (!cli.count("db") && !dbFromFile)
        return "--db PATH is required";
    if (out.tlsCertFile.empty() != out.tlsKeyFile.empty())
        return "--tls-cert and --tls-key go together";
    return std::nullopt;
}

} // namespace hchat::server
