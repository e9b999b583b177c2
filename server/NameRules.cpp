#include "NameRules.h"

#include "Limits.h"

#include <algorithm>

namespace hchat::server {

bool NameRules::validNick(std::string_view nick)
{
    if (nick.empty() || nick.size() > limits::kMaxNickLength)
        return false;
    return std::all_of(nick.begin(), nick.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '.' || c == '-';
    });
}

bool NameRules::validChannel(std::string_view name)
{
    if (name.empty() || name.size() > limits::kMaxChannelLength)
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
}

std::string NameRules::lower(std::string_view s)
{
    std::string out(s);
    for (auto &c : out)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    return out;
}

std::string NameRules::directName(std::string_view nickA, std::string_view nickB)
{
    std::string a = lower(nickA), b = lower(nickB);
    if (b < a)
        std::swap(a, b);
    return "@" + a + "+" + b;
}

bool NameRules::validDirectName(std::string_view name)
{
    if (name.size() < 4 || name[0] != '@')
        return false;
    const auto plus = name.find('+');
    if (plus == std::string_view::npos)
        return false;
    const auto a = name.substr(1, plus - 1);
    const auto b = name.substr(plus + 1);
    return validNick(a) && validNick(b) && lower(a) == a && lower(b) == b && a < b;
}

bool NameRules::isInboxName(std::string_view name)
{
    if (name.size() < 2 || name.size() > 65 || name[0] != '~')
        return false;
    return std::all_of(name.begin() + 1, name.end(),
                       [](char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); });
}

std::string NameRules::inboxName(std::string_view deviceId)
{
    return "~" + std::string(deviceId);
}

} // namespace hchat::server
