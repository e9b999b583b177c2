#include "FuzzInput.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unistd.h>
#include <vector>

namespace hchat::fuzz {

bool ChunkReader::next(std::uint8_t &tag, std::string_view &payload)
{
    if (m_size - m_pos < 3)
        return false;
    tag = m_data[m_pos];
    const std::size_t len = std::size_t(m_data[m_pos + 1]) | std::size_t(m_data[m_pos + 2]) << 8;
    m_pos += 3;
    const std::size_t n = std::min(len, m_size - m_pos);
    payload = std::string_view(reinterpret_cast<const char *>(m_data + m_pos), n);
    m_pos += n;
    return true;
}

std::uint8_t ChunkReader::byte()
{
    return m_pos < m_size ? m_data[m_pos++] : 0;
}

std::string chunk(std::uint8_t tag, std::string_view payload)
{
    const std::size_t len = std::min<std::size_t>(payload.size(), 0xffff);
    std::string out;
    out.push_back(char(tag));
    out.push_back(char(len & 0xff));
    out.push_back(char(len >> 8));
    out.append(payload.substr(0, len));
    return out;
}

namespace {
std::vector<std::string> &scratchDirs()
{
    // Never destroyed: the atexit handler below runs after static destructors registered later.
    static auto *dirs = new std::vector<std::string>;
    return *dirs;
}
} // namespace

std::string scratchDir(const char *name)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path base = fs::exists("/dev/shm", ec) && access("/dev/shm", W_OK) == 0 ? fs::path("/dev/shm")
                                                                                : fs::temp_directory_path();
    std::string pattern = (base / (std::string("hchat-fuzz-") + name + "-XXXXXX")).string();
    if (!mkdtemp(pattern.data())) {
        std::perror("mkdtemp");
        std::abort();
    }
    static std::once_flag once;
    std::call_once(once, [] {
        std::atexit([] {
            for (const auto &d : scratchDirs()) {
                std::error_code ignored;
                std::filesystem::remove_all(d, ignored);
            }
        });
    });
    scratchDirs().push_back(pattern);
    return pattern;
}

void invariantBroken(const char *what)
{
    std::fprintf(stderr, "hchat fuzz: invariant broken: %s\n", what);
    std::abort();
}

} // namespace hchat::fuzz
