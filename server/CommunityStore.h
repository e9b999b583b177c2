#pragma once

#include "hchat.pb.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hchat::server {

// What a user is to the gateway beyond its password: an administrator, suspended, deleted.
struct AccountStanding {
    bool admin = false;
    bool suspended = false;
    bool deleted = false;
};

struct BanRecord {
    std::string nick;
    std::string by;
    std::string reason;
    std::int64_t timeMs = 0;
};

struct InviteCodeRecord {
    std::int64_t usesLeft = 0;
    std::int64_t expiresMs = 0;
};

// Roles, bans, topics, blocks, invite codes and administration (schema 6): the community side of
// the store, on the same connection and inside the same transactions as its MessageStore.
class CommunityStore {
public:
    virtual ~CommunityStore() = default;

    // Roles in a channel (a member's row; a non-member is MEMBER).
    virtual hchat::v1::ChannelRole role(std::int64_t streamId, std::int64_t userId) = 0;
    virtual void setRole(std::int64_t streamId, std::int64_t userId, hchat::v1::ChannelRole role) = 0;
    // The member who should own a channel its owner left: the lowest-numbered moderator, else the
    // lowest-numbered member; nullopt when none is left.
    struct Successor {
        std::int64_t userId = 0;
        std::string nick;
    };
    virtual std::optional<Successor> successor(std::int64_t streamId) = 0;
    // Who invited userId, while its membership is pending (not a member with a role yet); else 0.
    virtual std::int64_t invitedBy(std::int64_t streamId, std::int64_t userId) = 0;
    // Members by role (owner, moderators, members), then nick; at most `limit`.
    virtual std::vector<hchat::v1::MemberEntry> members(std::int64_t streamId, std::size_t limit) = 0;

    // Topic and read-only flag of a channel.
    virtual void setTopic(std::int64_t streamId, const std::string &topic) = 0;
    virtual void setReadOnly(std::int64_t streamId, bool readOnly) = 0;
    virtual std::string topic(std::int64_t streamId) = 0;
    virtual bool readOnly(std::int64_t streamId) = 0;

    // Bans: a banned user may not join or be invited until unbanned.
    virtual void ban(std::int64_t streamId, std::int64_t userId, std::int64_t byId, const std::string &reason,
                     std::int64_t nowMs) = 0;
    // True when there was a ban to lift.
    virtual bool unban(std::int64_t streamId, std::int64_t userId) = 0;
    virtual bool isBanned(std::int64_t streamId, std::int64_t userId) = 0;
    virtual std::vector<BanRecord> bans(std::int64_t streamId) = 0;

    // Blocks: `userId` refuses direct messages and invitations from `blockedId`.
    virtual void setBlocked(std::int64_t userId, std::int64_t blockedId, bool blocked,
                            std::int64_t nowMs) = 0;
    virtual bool blocks(std::int64_t userId, std::int64_t blockedId) = 0;
    virtual std::vector<std::string> blockList(std::int64_t userId) = 0;

    // Open channels whose name or topic contains `query` (case-insensitive), by name after `after`.
    virtual std::vector<hchat::v1::DirectoryEntry> directory(const std::string &query,
                                                             const std::string &after, std::size_t limit,
                                                             std::int64_t viewerId) = 0;

    // Invite codes, kept by their hash. redeemInviteCode uses one use of a code that exists, has
    // uses left and has not expired; false otherwise.
    virtual void createInviteCode(const std::string &codeHash, std::int64_t uses, std::int64_t expiresMs,
                                  std::int64_t createdBy, std::int64_t nowMs) = 0;
    virtual bool redeemInviteCode(const std::string &codeHash, std::int64_t nowMs) = 0;

    // Administration.
    virtual AccountStanding standing(std::int64_t userId) = 0;
    virtual void setAdmin(std::int64_t userId, bool admin) = 0;
    virtual void setSuspended(std::int64_t userId, bool suspended, std::int64_t nowMs) = 0;
    virtual std::uint64_t adminCount() = 0;
    // A page of users by nick (deleted ones too), of channels by name (no device inboxes).
    virtual std::vector<hchat::v1::AdminUser> users(const std::string &after, std::size_t limit) = 0;
    virtual std::vector<hchat::v1::AdminChannel> channels(const std::string &after, std::size_t limit) = 0;
    // Deletes a channel and everything in it: messages, members, bans, uploads.
    virtual void purgeChannel(std::int64_t streamId) = 0;

    // The audit log. cutUserId: the action ends every session of that user (0: none); gateways
    // follow the log with sessionCutsAfter so that actions taken outside them take effect.
    virtual std::int64_t audit(const std::string &actor, const std::string &action,
                               const std::string &subject, const std::string &detail, std::int64_t cutUserId,
                               std::int64_t nowMs) = 0;
    virtual std::vector<hchat::v1::AuditEntry> auditLog(std::int64_t beforeId, std::size_t limit) = 0;
    virtual std::int64_t lastAuditId() = 0;
    // (audit id, user id) of entries after `afterId` that cut sessions, oldest first.
    virtual std::vector<std::pair<std::int64_t, std::int64_t>> sessionCutsAfter(std::int64_t afterId) = 0;
};

} // namespace hchat::server
