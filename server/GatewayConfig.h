#pragma once

#include <string>

namespace hchat::server {

struct GatewayConfig {
    std::string listenAddress = "127.0.0.1";
    unsigned short port = 8745;
    std::string databasePath = "hchat-gateway.db";
};

} // namespace hchat::server
