#include "Log.h"

#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace hchat::server::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};

const char *name(Level l)
{
    switch (l) {
    case Level::Error:
        return "error";
    case Level::Warning:
        return "warning";
    case Level::Info:
        return "info";
    case Level::Debug:
        return "debug";
    }
    return "?";
}
} // namespace

void setLevel(Level l)
{
    g_level.store(static_cast<int>(l), std::memory_order_relaxed);
}

Level level()
{
    return static_cast<Level>(g_level.load(std::memory_order_relaxed));
}

bool parseLevel(std::string_view text, Level &out)
{
    for (Level l : {Level::Error, Level::Warning, Level::Info, Level::Debug}) {
        if (text == name(l)) {
            out = l;
            return true;
        }
    }
    return false;
}

void write(Level l, const char *format, ...)
{
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t seconds = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);

    char text[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    // One fprintf per line, so that lines from several threads do not interleave.
    std::fprintf(stderr, "%s.%03dZ %s hchat-gateway: %s\n", stamp, static_cast<int>(millis), name(l), text);
}

} // namespace hchat::server::log
