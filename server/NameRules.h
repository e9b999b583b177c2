#pragma once

#include <string>
#include <string_view>

namespace hchat::server {

// The protocol's naming rules (docs/PROTOCOL.md, "Names").
class NameRules {
public:
    // 1..32 of [A-Za-z0-9_.-]
    static bool validNick(std::string_view nick);
    // open and invite-only channels: 1..64 of [a-z0-9_.-]
    static bool validChannel(std::string_view name);
    // "@<a>+<b>": two valid nicks, lower-cased, a < b
    static bool validDirectName(std::string_view name);
    static std::string directName(std::string_view nickA, std::string_view nickB);
    // "~<device_id>": a device inbox
    static bool isInboxName(std::string_view name);
    static std::string inboxName(std::string_view deviceId);
    static std::string lower(std::string_view s);
};

} // namespace hchat::server
