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
inline constexpr std::size_t kAttachmentChunkBytes = 512 * 1024;
inline constexpr std::size_t kMaxThumbnailBytes = 24 * 1024;
inline constexpr std::size_t kMaxAttachmentNameLength = 255;
inline constexpr std::size_t kMaxOpenUploads = 8; // per user: unfinished, or finished and not sent yet
inline constexpr std::uint64_t kDefaultMaxAttachmentBytes = 100ULL * 1024 * 1024;
inline constexpr std::size_t kUploadIdLength = 32;
// Invitations: how many unanswered ones a Welcome lists (newest first), and how many one user may
// have waiting for one invitee.
inline constexpr std::size_t kMaxListedInvitations = 100;
// What a Welcome or a ChannelList page spends on channels and on invitations, so that it fits in
// MAX_FRAME_BYTES whatever the user belongs to; the rest of the channels come page by page.
inline constexpr std::size_t kChannelPageBytes = 160 * 1024;
inline constexpr std::size_t kInvitationListBytes = 64 * 1024;
inline constexpr std::size_t kMaxPendingInvitationsPerInviter = 20;
// Devices in an account's signed device list (POST /v1/keys/devicelist).
inline constexpr std::size_t kMaxDevicesPerList = 64;
// One-time prekeys (POST /v1/keys/prekeys, /v1/keys/claim).
inline constexpr std::size_t kMaxPrekeysPerUpload = 100;
inline constexpr std::size_t kMaxPrekeysPerDevice = 200;
inline constexpr std::size_t kMaxPrekeyClaims = 256;
// Community: a channel's topic, a moderator's reason, the members POST /v1/members lists, the
// channels one POST /v1/directory page holds.
inline constexpr std::size_t kMaxTopicBytes = 512;
inline constexpr std::size_t kMaxReasonBytes = 256;
inline constexpr std::size_t kMaxMembersListed = 1000;
inline constexpr std::size_t kMaxDirectoryPage = 100;
// Encrypted attachments: plaintext bytes per crypto_secretstream message.
inline constexpr std::size_t kSecretStreamChunkBytes = 64 * 1024;

// Quotas per user (docs/SECURITY.md, "Limits and quotas").
inline constexpr std::size_t kMaxDevicesPerAccount = 32; // devices not revoked
inline constexpr std::size_t kMaxChannelsPerUser = 1000;
// An invite-only channel's members and invitees. Open channels have no cap: nobody adds anyone
// to them, each member joined by their own choice (within kMaxChannelsPerUser).
inline constexpr std::size_t kMaxMembersPerChannel = 1000;
inline constexpr std::size_t kMaxKeyShareBytes = 8 * 1024;  // one key share's body
inline constexpr std::size_t kMaxInboxRowsPerSender = 5000; // unacknowledged, in one device inbox
inline constexpr std::size_t kMaxInboxRows = 50000;         // unacknowledged, in one device inbox
// Recovery key backup (PUT/GET /v1/backup): entries per upload and per answer page, one sealed
// entry's bytes (entry_id 32, nonce 24, ciphertext), and the entries one account keeps.
inline constexpr std::size_t kMaxBackupEntriesPerUpload = 500;
inline constexpr std::size_t kMaxBackupPage = 1000;
inline constexpr std::size_t kMaxBackupEntryBytes = 1024;
inline constexpr std::size_t kMaxBackupEntries = 100000;
} // namespace hchat::limits
