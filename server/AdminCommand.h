#pragma once

#include <string>
#include <vector>

namespace hchat::server {

// `hchat-gateway admin …`: the gateway's administration from the server's machine, straight on
// its database (the gateway may be running: it follows the audit log and signs out whoever an
// action signs out). Passwords are read from standard input, never from the command line.
class AdminCommand {
public:
    // args: what follows "admin". Returns the exit code (0 done, 1 refused or failed, 2 bad usage).
    static int run(const std::vector<std::string> &args);
    static std::string usage();
};

} // namespace hchat::server
