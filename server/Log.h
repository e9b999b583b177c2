#pragma once

#include <string_view>

namespace hchat::server::log {

// The gateway's log: one line per event on stderr, with a UTC timestamp and the level. Debug lines
// describe traffic (frame kinds, channels, seqs, sizes, HTTP paths and statuses) and never carry a
// token, a password or a message body: those are secrets or, in encrypted channels, ciphertext the
// operator has no business keeping.
enum class Level { Error = 0, Warning = 1, Info = 2, Debug = 3 };

void setLevel(Level level);
Level level();
inline bool enabled(Level l)
{
    return static_cast<int>(l) <= static_cast<int>(level());
}
// Parses error|warning|info|debug.
bool parseLevel(std::string_view text, Level &out);

void write(Level level, const char *format, ...) __attribute__((format(printf, 2, 3)));

} // namespace hchat::server::log

// Arguments are evaluated only when the level is on.
#define HCHAT_LOG(lvl, ...)                                                                                  \
    do {                                                                                                     \
        if (::hchat::server::log::enabled(::hchat::server::log::Level::lvl))                                 \
            ::hchat::server::log::write(::hchat::server::log::Level::lvl, __VA_ARGS__);                      \
    } while (0)
#define HCHAT_DEBUG(...) HCHAT_LOG(Debug, __VA_ARGS__)
#define HCHAT_INFO(...) HCHAT_LOG(Info, __VA_ARGS__)
