#pragma once

#include "CommunityStore.h"
#include "SqlConnection.h"

#include <functional>

namespace hchat::server {

// CommunityStore in SQL on the connection of a SqlMessageStore (which owns both): every statement
// runs inside that store's transactions.
class SqlCommunityStore final : public CommunityStore {
public:
    // invalidate: what the owning store must forget of a channel whose rows this one changed
    // (SqlMessageStore::invalidateChannel).
    SqlCommunityStore(SqlConnection &connection, std::function<void(std::int64_t streamId)> invalidate)
        : m_conn(connection), m_invalidate(std::move(invalidate))
    {
    }

    hchat::v1::ChannelRole role(std::int64_t streamId, std::int64_t userId) override;
    void setRole(std::int64_t streamId, std::int64_t userId, hchat::v1::ChannelRole role) override;
    std::optional<Successor> successor(std::int64_t streamId) override;
    std::int64_t invitedBy(std::int64_t streamId, std::int64_t userId) override;
    std::vector<hchat::v1::MemberEntry> members(std::int64_t streamId, std::size_t limit) override;

    void setTopic(std::int64_t streamId, const std::string &topic) override;
    void setReadOnly(std::int64_t streamId, bool readOnly) override;
    std::string topic(std::int64_t streamId) override;
    bool readOnly(std::int64_t streamId) override;

    void ban(std::int64_t streamId, std::int64_t userId, std::int64_t byId, const std::string &reason,
             std::int64_t nowMs) override;
    bool unban(std::int64_t streamId, std::int64_t userId) override;
    bool isBanned(std::int64_t streamId, std::int64_t userId) override;
    std::vector<BanRecord> bans(std::int64_t streamId) override;

    void setBlocked(std::int64_t userId, std::int64_t blockedId, bool blocked, std::int64_t nowMs) override;
    bool blocks(std::int64_t userId, std::int64_t blockedId) override;
    std::vector<std::string> blockList(std::int64_t userId) override;

    std::vector<hchat::v1::DirectoryEntry> directory(const std::string &query, const std::string &after,
                                                     std::size_t limit, std::int64_t viewerId) override;

    void createInviteCode(const std::string &codeHash, std::int64_t uses, std::int64_t expiresMs,
                          std::int64_t createdBy, std::int64_t nowMs) override;
    bool redeemInviteCode(const std::string &codeHash, std::int64_t nowMs) override;

    AccountStanding standing(std::int64_t userId) override;
    void setAdmin(std::int64_t userId, bool admin) override;
    void setSuspended(std::int64_t userId, bool suspended, std::int64_t nowMs) override;
    std::uint64_t adminCount() override;
    std::vector<hchat::v1::AdminUser> users(const std::string &after, std::size_t limit) override;
    std::vector<hchat::v1::AdminChannel> channels(const std::string &after, std::size_t limit) override;
    void purgeChannel(std::int64_t streamId) override;

    std::int64_t audit(const std::string &actor, const std::string &action, const std::string &subject,
                       const std::string &detail, std::int64_t cutUserId, std::int64_t nowMs) override;
    std::vector<hchat::v1::AuditEntry> auditLog(std::int64_t beforeId, std::size_t limit) override;
    std::int64_t lastAuditId() override;
    std::vector<std::pair<std::int64_t, std::int64_t>> sessionCutsAfter(std::int64_t afterId) override;

private:
    SqlConnection &m_conn;
    std::function<void(std::int64_t)> m_invalidate;
};

} // namespace hchat::server
