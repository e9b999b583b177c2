#pragma once

#include <cstddef>
#include <cstdint>

// The protocol's explicit limits. docs/PROTOCOL.md documents each; both sides enforce them.
namespace hchat::limits {

inline constexpr std::size_t kMaxFrameBytes = 256 * 1024;
inline constexpr std::size_t kMaxHttpBodyBytes = 1024 * 1024;
inline constexpr std::size_t kMaxMessageBodyBytes = 64 * 1024;
inline constexpr std::uint32_t kMaxSyncBatch = 1000;
inline constexpr std::uint32_t kDefaultSyncBatch = 500;
inline constexpr std::size_t kClientMsgIdBytes = 16;
inline constexpr std::size_t kMaxNickLength = 32;
inline constexpr std::size_t kMaxChannelLength = 64;
inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 256;
inline constexpr std::size_t kMaxDeviceNameLength = 64;

} // namespace hchat::limits
