#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hchat::fuzz {

// Fuzz inputs that carry several messages are a sequence of chunks: a tag byte, a 16-bit
// little-endian length and that many payload bytes (the last chunk may be cut short).
class ChunkReader {
public:
    ChunkReader(const std::uint8_t *data, std::size_t size) : m_data(data), m_size(size) {}

    bool next(std::uint8_t &tag, std::string_view &payload);
    // One byte off the front (0 once the input is used up).
    std::uint8_t byte();
    bool atEnd() const { return m_pos >= m_size; }

private:
    const std::uint8_t *m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

// The bytes of one chunk, for the seed writer.
std::string chunk(std::uint8_t tag, std::string_view payload);

// A fresh directory for one fuzz process's databases (in /dev/shm when it exists, so that
// fsyncs cost nothing), removed when the process exits normally.
std::string scratchDir(const char *name);

// Stops the fuzzer with a crash report: an invariant of the code under test does not hold.
[[noreturn]] void invariantBroken(const char *what);

} // namespace hchat::fuzz
