#include "AdminCommand.h"

#include "AdminActions.h"
#include "GatewayConfig.h"
#include "PasswordHasher.h"
#include "PostgresConnection.h"
#include "ProtocolError.h"
#include "ServerContext.h"
#include "SqlMessageStore.h"

#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <future>
#include <iostream>

namespace hchat::server {

using namespace hchat::v1;

namespace {

struct Invocation {
    std::string database = GatewayConfig().databasePath;
    bool interactiveCost = false;
    std::string command;
    std::vector<std::string> operands;
    std::vector<std::pair<std::string, std::string>> options; // after the command
};

// The gateway's config file (`key = value` lines): the database and the password cost.
void readConfig(const std::string &path, Invocation &in)
{
    std::ifstream file(path);
    if (!file)
        throw std::invalid_argument("cannot read config file '" + path + "'");
    auto trim = [](std::string t) {
        const auto b = t.find_first_not_of(" \t\r");
        const auto e = t.find_last_not_of(" \t\r");
        return b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
    };
    for (std::string line; std::getline(file, line);) {
        const auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || eq == std::string::npos)
            continue;
        const std::string key = trim(line.substr(0, eq));
        const std::string value = trim(line.substr(eq + 1));
        if (key == "db")
            in.database = value;
        else if (key == "password-cost")
            in.interactiveCost = value == "interactive";
    }
}

bool number(const std::string &text, std::int64_t &out)
{
    const auto *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return !text.empty() && ec == std::errc() && ptr == end && out >= 0;
}

// The first line of standard input; on a terminal asked for twice, without echo.
std::string readPassword()
{
    const bool terminal = isatty(STDIN_FILENO);
    termios saved{};
    auto ask = [&](const char *prompt) {
        std::string line;
        if (terminal) {
            std::fputs(prompt, stderr);
            tcgetattr(STDIN_FILENO, &saved);
            termios quiet = saved;
            quiet.c_lflag &= ~tcflag_t(ECHO);
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        }
        std::getline(std::cin, line);
        if (terminal) {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved);
            std::fputs("\n", stderr);
        }
        return line;
    };
    std::string password = ask("New password: ");
    if (terminal && ask("Again: ") != password)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "the two passwords differ");
    return password;
}

std::string hashPassword(std::string password, bool interactive)
{
    PasswordHasher hasher(1, interactive, 1);
    std::promise<std::optional<std::string>> done;
    auto result = done.get_future();
    hasher.hash("console", std::move(password),
                [&done](std::optional<std::string> hash) { done.set_value(std::move(hash)); });
    auto hash = result.get();
    if (!hash)
        throw ProtocolError(ERROR_INTERNAL, "password hashing failed");
    return *hash;
}

std::string when(std::int64_t ms)
{
    const std::time_t t = std::time_t(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%SZ", &tm);
    return out;
}

const char *kindName(ChannelKind kind)
{
    return kind == CHANNEL_KIND_OPEN ? "open" : kind == CHANNEL_KIND_INVITE_ONLY ? "invite-only" : "direct";
}

// The request a command line names; throws std::invalid_argument on bad usage.
AdminRequest requestFor(const Invocation &in)
{
    AdminRequest r;
    const auto &ops = in.operands;
    auto want = [&](std::size_t n) {
        if (ops.size() != n)
            throw std::invalid_argument(in.command + " wants " + std::to_string(n) + " argument(s)");
    };
    const std::string &c = in.command;
    if (c == "create-user") {
        want(1);
        r.set_action(ADMIN_ACTION_CREATE_USER);
        r.set_nick(ops[0]);
    } else if (c == "reset-password") {
        want(1);
        r.set_action(ADMIN_ACTION_RESET_PASSWORD);
        r.set_nick(ops[0]);
    } else if (c == "set-admin") {
        want(2);
        if (ops[1] != "on" && ops[1] != "off")
            throw std::invalid_argument("set-admin NICK on|off");
        r.set_action(ADMIN_ACTION_SET_ADMIN);
        r.set_nick(ops[0]);
        r.set_flag(ops[1] == "on");
    } else if (c == "suspend" || c == "unsuspend") {
        want(1);
        r.set_action(ADMIN_ACTION_SUSPEND);
        r.set_nick(ops[0]);
        r.set_flag(c == "suspend");
    } else if (c == "delete-user") {
        want(1);
        r.set_action(ADMIN_ACTION_DELETE_USER);
        r.set_nick(ops[0]);
    } else if (c == "invite") {
        want(0);
        r.set_action(ADMIN_ACTION_CREATE_INVITE);
    } else if (c == "list-users") {
        want(0);
        r.set_action(ADMIN_ACTION_LIST_USERS);
    } else if (c == "list-channels") {
        want(0);
        r.set_action(ADMIN_ACTION_LIST_CHANNELS);
    } else if (c == "purge-channel") {
        want(1);
        r.set_action(ADMIN_ACTION_PURGE_CHANNEL);
        r.set_channel(ops[0]);
    } else if (c == "audit") {
        want(0);
        r.set_action(ADMIN_ACTION_AUDIT_LOG);
    } else {
        throw std::invalid_argument("unknown command '" + c + "'");
    }
    for (const auto &[key, value] : in.options) {
        std::int64_t n = 0;
        if (key == "admin" && c == "create-user") {
            r.set_flag(true);
        } else if (key == "uses" && c == "invite" && number(value, n) && n > 0 && n <= 10000) {
            r.set_uses(std::uint32_t(n));
        } else if (key == "expires-days" && c == "invite" && number(value, n) && n > 0 && n <= 365) {
            r.set_expires_in_s(n * 24 * 3600);
        } else if (key == "before" && c == "audit" && number(value, n)) {
            r.set_before_id(n);
        } else {
            throw std::invalid_argument("--" + key + (value.empty() ? "" : " " + value) +
                                        " does not go with " + c);
        }
    }
    return r;
}

void print(const AdminResponse &res)
{
    for (const auto &u : res.users())
        std::printf("%-32s created %s%s%s%s\n", u.nick().c_str(), when(u.created_ms()).c_str(),
                    u.admin() ? "  admin" : "", u.suspended() ? "  suspended" : "",
                    u.deleted() ? "  deleted" : "");
    for (const auto &ch : res.channels())
        std::printf("%-40s %-11s%s %6llu members %9llu messages\n", ch.name().c_str(), kindName(ch.kind()),
                    ch.encrypted() ? " encrypted" : "          ",
                    static_cast<unsigned long long>(ch.member_count()),
                    static_cast<unsigned long long>(ch.max_seq()));
    for (const auto &e : res.audit())
        std::printf("%6lld %s  %-20s %-15s %-32s %s\n", static_cast<long long>(e.id()),
                    when(e.time_ms()).c_str(), e.actor().c_str(), e.action().c_str(), e.subject().c_str(),
                    e.detail().c_str());
    if (!res.invite_code().empty())
        std::printf("%s\n", res.invite_code().c_str());
    if (!res.message().empty())
        std::fprintf(stderr, "hchat-gateway admin: %s\n", res.message().c_str());
    if (!res.continue_after().empty())
        std::fprintf(stderr, "hchat-gateway admin: more after '%s' (only the first page is listed)\n",
                     res.continue_after().c_str());
}

} // namespace

std::string AdminCommand::usage()
{
    return "Usage: hchat-gateway admin [--db PATH|URL | --config FILE] [--password-cost "
           "interactive|moderate]\n"
           "                           COMMAND [ARGS]\n"
           "  create-user NICK [--admin]      a new account (password from standard input)\n"
           "  reset-password NICK             a new password (standard input); signs every session out\n"
           "  set-admin NICK on|off           make or remove a gateway administrator\n"
           "  suspend NICK | unsuspend NICK   refuse (or allow again) the account's logins; signs it out\n"
           "  delete-user NICK                delete the account (its nick stays taken)\n"
           "  invite [--uses N] [--expires-days D]   print a new invite code (default 1 use, 7 days)\n"
           "  list-users | list-channels      the accounts and channels (first 100 by name)\n"
           "  purge-channel NAME              delete a channel with every message and file in it\n"
           "  audit [--before ID]             the audit log, newest first\n"
           "Every change is written to the audit log. The gateway may be running.\n";
}

int AdminCommand::run(const std::vector<std::string> &args)
{
    Invocation in;
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string &a = args[i];
            if (a == "--help" || a == "-h") {
                std::fputs(usage().c_str(), stdout);
                return 0;
            }
            const bool takesValue = a == "--db" || a == "--config" || a == "--password-cost" ||
                                    a == "--uses" || a == "--expires-days" || a == "--before";
            std::string value;
            if (takesValue) {
                if (i + 1 >= args.size())
                    throw std::invalid_argument(a + " wants a value");
                value = args[++i];
            }
            if (a == "--db" && in.command.empty()) {
                in.database = value;
            } else if (a == "--config" && in.command.empty()) {
                readConfig(value, in);
            } else if (a == "--password-cost" && in.command.empty()) {
                if (value != "interactive" && value != "moderate")
                    throw std::invalid_argument("--password-cost wants interactive or moderate");
                in.interactiveCost = value == "interactive";
            } else if (a.rfind("--", 0) == 0 && !in.command.empty()) {
                in.options.emplace_back(a.substr(2), value);
            } else if (a.rfind("--", 0) == 0) {
                throw std::invalid_argument("unknown option " + a);
            } else if (in.command.empty()) {
                in.command = a;
            } else {
                in.operands.push_back(a);
            }
        }
        if (in.command.empty())
            throw std::invalid_argument("no command");
    } catch (const std::invalid_argument &e) {
        std::fprintf(stderr, "hchat-gateway admin: %s\n%s", e.what(), usage().c_str());
        return 2;
    }
    AdminRequest request;
    try {
        request = requestFor(in);
    } catch (const std::invalid_argument &e) {
        std::fprintf(stderr, "hchat-gateway admin: %s\n%s", e.what(), usage().c_str());
        return 2;
    }
    try {
        std::string hash;
        if (AdminActions::needsPassword(request.action())) {
            request.set_password(readPassword());
            if (request.password().size() < 8 || request.password().size() > 256)
                throw ProtocolError(ERROR_INVALID_ARGUMENT, "passwords are 8..256 bytes");
            hash = hashPassword(request.password(), in.interactiveCost);
        }
        auto store = SqlMessageStore::open(in.database, true);
        const passwd *account = getpwuid(getuid());
        const std::string actor = std::string("console (") + (account ? account->pw_name : "?") + ")";
        AdminResponse response;
        store->beginWrite();
        try {
            AdminActions::run(*store, actor, request, hash, response);
            store->commit();
        } catch (...) {
            store->rollback();
            throw;
        }
        print(response);
        return 0;
    } catch (const ProtocolError &e) {
        std::fprintf(stderr, "hchat-gateway admin: %s\n", e.what());
        return 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "hchat-gateway admin: %s\n", e.what());
        return 1;
    }
}

} // namespace hchat::server
