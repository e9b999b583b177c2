#include "SqlCommunityStore.h"

#include "MessageStore.h"

#include <limits>

namespace hchat::server {

using namespace hchat::v1;

namespace {

constexpr std::int64_t kOpen = CHANNEL_KIND_OPEN;
constexpr std::int64_t kInbox = StreamRecord::kInbox;

// A LIKE pattern that matches `text` anywhere, its own % and _ taken literally (ESCAPE '\').
std::string containsPattern(const std::string &text)
{
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "%";
}

std::int64_t rows(std::size_t limit)
{
    return limit ? std::int64_t(limit) : std::numeric_limits<std::int64_t>::max();
}

} // namespace

// ---- roles ---------------------------------------------------------------------------------------

ChannelRole SqlCommunityStore::role(std::int64_t streamId, std::int64_t userId)
{
    auto q = m_conn.query("SELECT role FROM members WHERE stream_id = ? AND user_id = ? AND invited_by = 0");
    if (!q.bind(streamId).bind(userId).step())
        return CHANNEL_ROLE_MEMBER;
    return static_cast<ChannelRole>(q.integer(0));
}

void SqlCommunityStore::setRole(std::int64_t streamId, std::int64_t userId, ChannelRole role)
{
    m_conn.query("UPDATE members SET role = ? WHERE stream_id = ? AND user_id = ?")
        .bind(std::int64_t(role))
        .bind(streamId)
        .bind(userId)
        .run();
}

std::optional<CommunityStore::Successor> SqlCommunityStore::successor(std::int64_t streamId)
{
    auto q = m_conn.query("SELECT m.user_id, u.nick FROM members m JOIN users u ON u.id = m.user_id "
                          "WHERE m.stream_id = ? AND m.invited_by = 0 AND m.role < ? "
                          "ORDER BY m.role DESC, m.user_id LIMIT 1");
    if (!q.bind(streamId).bind(std::int64_t(CHANNEL_ROLE_OWNER)).step())
        return std::nullopt;
    return Successor{q.integer(0), q.text(1)};
}

std::int64_t SqlCommunityStore::invitedBy(std::int64_t streamId, std::int64_t userId)
{
    return std::int64_t(m_conn.query("SELECT invited_by FROM members WHERE stream_id = ? AND user_id = ?")
                            .bind(streamId)
                            .bind(userId)
                            .scalar());
}

std::vector<MemberEntry> SqlCommunityStore::members(std::int64_t streamId, std::size_t limit)
{
    auto q =
        m_conn.query("SELECT u.nick, m.role, m.invited_by FROM members m JOIN users u ON u.id = m.user_id "
                     "WHERE m.stream_id = ? ORDER BY m.role DESC, u.nick_lower LIMIT ?");
    q.bind(streamId).bind(rows(limit));
    std::vector<MemberEntry> out;
    while (q.step()) {
        MemberEntry e;
        e.set_nick(q.text(0));
        e.set_role(static_cast<ChannelRole>(q.integer(1)));
        e.set_invited(q.integer(2) != 0);
        out.push_back(std::move(e));
    }
    return out;
}

// ---- topic, read-only ----------------------------------------------------------------------------

void SqlCommunityStore::setTopic(std::int64_t streamId, const std::string &topic)
{
    m_conn.query("UPDATE streams SET topic = ? WHERE id = ?").bind(topic).bind(streamId).run();
}

void SqlCommunityStore::setReadOnly(std::int64_t streamId, bool readOnly)
{
    m_conn.query("UPDATE streams SET read_only = ? WHERE id = ?")
        .bind(std::int64_t(readOnly ? 1 : 0))
        .bind(streamId)
        .run();
}

std::string SqlCommunityStore::topic(std::int64_t streamId)
{
    auto q = m_conn.query("SELECT topic FROM streams WHERE id = ?");
    return q.bind(streamId).step() ? q.text(0) : std::string();
}

bool SqlCommunityStore::readOnly(std::int64_t streamId)
{
    return m_conn.query("SELECT read_only FROM streams WHERE id = ?").bind(streamId).scalar() != 0;
}

// ---- bans ----------------------------------------------------------------------------------------

void SqlCommunityStore::ban(std::int64_t streamId, std::int64_t userId, std::int64_t byId,
                            const std::string &reason, std::int64_t nowMs)
{
    m_conn
        .query("INSERT INTO bans(stream_id, user_id, by_id, reason, time_ms) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (stream_id, user_id) DO UPDATE SET by_id = excluded.by_id, "
               "reason = excluded.reason, time_ms = excluded.time_ms")
        .bind(streamId)
        .bind(userId)
        .bind(byId)
        .bind(reason)
        .bind(nowMs)
        .run();
}

bool SqlCommunityStore::unban(std::int64_t streamId, std::int64_t userId)
{
    return m_conn.query("DELETE FROM bans WHERE stream_id = ? AND user_id = ? RETURNING user_id")
        .bind(streamId)
        .bind(userId)
        .step();
}

bool SqlCommunityStore::isBanned(std::int64_t streamId, std::int64_t userId)
{
    return m_conn.query("SELECT 1 FROM bans WHERE stream_id = ? AND user_id = ?")
        .bind(streamId)
        .bind(userId)
        .step();
}

std::vector<BanRecord> SqlCommunityStore::bans(std::int64_t streamId)
{
    auto q = m_conn.query("SELECT u.nick, coalesce(b2.nick, ''), b.reason, b.time_ms FROM bans b "
                          "JOIN users u ON u.id = b.user_id LEFT JOIN users b2 ON b2.id = b.by_id "
                          "WHERE b.stream_id = ? ORDER BY b.time_ms DESC, u.nick_lower");
    q.bind(streamId);
    std::vector<BanRecord> out;
    while (q.step())
        out.push_back({q.text(0), q.text(1), q.text(2), q.integer(3)});
    return out;
}

// ---- blocks --------------------------------------------------------------------------------------

void SqlCommunityStore::setBlocked(std::int64_t userId, std::int64_t blockedId, bool blocked,
                                   std::int64_t nowMs)
{
    if (blocked)
        m_conn
            .query("INSERT INTO blocks(user_id, blocked_id, time_ms) VALUES (?, ?, ?) "
                   "ON CONFLICT (user_id, blocked_id) DO NOTHING")
            .bind(userId)
            .bind(blockedId)
            .bind(nowMs)
            .run();
    else
        m_conn.query("DELETE FROM blocks WHERE user_id = ? AND blocked_id = ?")
            .bind(userId)
            .bind(blockedId)
            .run();
}

bool SqlCommunityStore::blocks(std::int64_t userId, std::int64_t blockedId)
{
    return m_conn.query("SELECT 1 FROM blocks WHERE user_id = ? AND blocked_id = ?")
        .bind(userId)
        .bind(blockedId)
        .step();
}

std::vector<std::string> SqlCommunityStore::blockList(std::int64_t userId)
{
    auto q =
        m_conn.query("SELECT u.nick FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.user_id = ? "
                     "ORDER BY u.nick_lower");
    q.bind(userId);
    std::vector<std::string> out;
    while (q.step())
        out.push_back(q.text(0));
    return out;
}

// ---- directory -----------------------------------------------------------------------------------

std::vector<DirectoryEntry> SqlCommunityStore::directory(const std::string &query, const std::string &after,
                                                         std::size_t limit, std::int64_t viewerId)
{
    auto q = m_conn.query(
        "SELECT s.name, s.topic, (SELECT count(*) FROM members m WHERE m.stream_id = s.id AND m.invited_by = "
        "0), "
        "(SELECT count(*) FROM members m WHERE m.stream_id = s.id AND m.user_id = ?1) FROM streams s "
        "WHERE s.kind = ?2 AND s.name > ?3 AND (lower(s.name) LIKE lower(?4) ESCAPE '\\' OR "
        "lower(s.topic) LIKE lower(?4) ESCAPE '\\') ORDER BY s.name LIMIT ?5");
    q.bind(viewerId).bind(kOpen).bind(after).bind(containsPattern(query)).bind(rows(limit));
    std::vector<DirectoryEntry> out;
    while (q.step()) {
        DirectoryEntry e;
        e.set_name(q.text(0));
        e.set_topic(q.text(1));
        e.set_member_count(std::uint64_t(q.integer(2)));
        e.set_joined(q.integer(3) != 0);
        out.push_back(std::move(e));
    }
    return out;
}

// ---- invite codes --------------------------------------------------------------------------------

void SqlCommunityStore::createInviteCode(const std::string &codeHash, std::int64_t uses,
                                         std::int64_t expiresMs, std::int64_t createdBy, std::int64_t nowMs)
{
    m_conn
        .query("INSERT INTO invite_codes(hash, uses_left, expires_ms, created_by, created_ms) "
               "VALUES (?, ?, ?, ?, ?)")
        .bindBytes(codeHash)
        .bind(uses)
        .bind(expiresMs)
        .bind(createdBy)
        .bind(nowMs)
        .run();
}

bool SqlCommunityStore::redeemInviteCode(const std::string &codeHash, std::int64_t nowMs)
{
    return m_conn
        .query("UPDATE invite_codes SET uses_left = uses_left - 1 WHERE hash = ? AND uses_left > 0 "
               "AND expires_ms > ? RETURNING uses_left")
        .bindBytes(codeHash)
        .bind(nowMs)
        .step();
}

// ---- administration ------------------------------------------------------------------------------

AccountStanding SqlCommunityStore::standing(std::int64_t userId)
{
    auto q = m_conn.query("SELECT admin, suspended_ms, deleted_ms FROM users WHERE id = ?");
    if (!q.bind(userId).step())
        return {false, false, true};
    return {q.integer(0) != 0, !q.isNull(1), !q.isNull(2)};
}

void SqlCommunityStore::setAdmin(std::int64_t userId, bool admin)
{
    m_conn.query("UPDATE users SET admin = ? WHERE id = ?")
        .bind(std::int64_t(admin ? 1 : 0))
        .bind(userId)
        .run();
}

void SqlCommunityStore::setSuspended(std::int64_t userId, bool suspended, std::int64_t nowMs)
{
    auto q = m_conn.query("UPDATE users SET suspended_ms = ? WHERE id = ?");
    if (suspended)
        q.bind(nowMs);
    else
        q.bindNull();
    q.bind(userId).run();
}

std::uint64_t SqlCommunityStore::adminCount()
{
    return m_conn.query("SELECT count(*) FROM users WHERE admin <> 0 AND deleted_ms IS NULL").scalar();
}

std::vector<AdminUser> SqlCommunityStore::users(const std::string &after, std::size_t limit)
{
    auto q = m_conn.query("SELECT nick, created_ms, admin, suspended_ms, deleted_ms FROM users "
                          "WHERE nick_lower > lower(?) ORDER BY nick_lower LIMIT ?");
    q.bind(after).bind(rows(limit));
    std::vector<AdminUser> out;
    while (q.step()) {
        AdminUser u;
        u.set_nick(q.text(0));
        u.set_created_ms(q.integer(1));
        u.set_admin(q.integer(2) != 0);
        u.set_suspended(!q.isNull(3));
        u.set_deleted(!q.isNull(4));
        out.push_back(std::move(u));
    }
    return out;
}

std::vector<AdminChannel> SqlCommunityStore::channels(const std::string &after, std::size_t limit)
{
    auto q = m_conn.query("SELECT s.name, s.kind, s.encrypted, (SELECT count(*) FROM members m "
                          "WHERE m.stream_id = s.id AND m.invited_by = 0), s.max_seq FROM streams s "
                          "WHERE s.kind <> ? AND s.name > ? ORDER BY s.name LIMIT ?");
    q.bind(kInbox).bind(after).bind(rows(limit));
    std::vector<AdminChannel> out;
    while (q.step()) {
        AdminChannel c;
        c.set_name(q.text(0));
        c.set_kind(static_cast<ChannelKind>(q.integer(1)));
        c.set_encrypted(q.integer(2) != 0);
        c.set_member_count(std::uint64_t(q.integer(3)));
        c.set_max_seq(std::uint64_t(q.integer(4)));
        out.push_back(std::move(c));
    }
    return out;
}

void SqlCommunityStore::purgeChannel(std::int64_t streamId)
{
    m_conn.query("DELETE FROM upload_chunks WHERE upload_id IN (SELECT id FROM uploads WHERE stream_id = ?)")
        .bind(streamId)
        .run();
    m_conn.query("DELETE FROM uploads WHERE stream_id = ?").bind(streamId).run();
    m_conn.query("DELETE FROM messages WHERE stream_id = ?").bind(streamId).run();
    m_conn.query("DELETE FROM members WHERE stream_id = ?").bind(streamId).run();
    m_conn.query("DELETE FROM bans WHERE stream_id = ?").bind(streamId).run();
    m_conn.query("DELETE FROM streams WHERE id = ?").bind(streamId).run();
    m_invalidate(streamId);
}

// ---- audit log -----------------------------------------------------------------------------------

std::int64_t SqlCommunityStore::audit(const std::string &actor, const std::string &action,
                                      const std::string &subject, const std::string &detail,
                                      std::int64_t cutUserId, std::int64_t nowMs)
{
    auto q = m_conn.query("INSERT INTO audit_log(time_ms, actor, action, subject, detail, cut_user_id) "
                          "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    q.bind(nowMs).bind(actor).bind(action).bind(subject).bind(detail).bind(cutUserId);
    if (!q.step())
        throw StoreError("database insert audit entry failed");
    return q.integer(0);
}

std::vector<AuditEntry> SqlCommunityStore::auditLog(std::int64_t beforeId, std::size_t limit)
{
    auto q = m_conn.query("SELECT id, time_ms, actor, action, subject, detail FROM audit_log WHERE id < ? "
                          "ORDER BY id DESC LIMIT ?");
    q.bind(beforeId > 0 ? beforeId : std::numeric_limits<std::int64_t>::max()).bind(rows(limit));
    std::vector<AuditEntry> out;
    while (q.step()) {
        AuditEntry e;
        e.set_id(q.integer(0));
        e.set_time_ms(q.integer(1));
        e.set_actor(q.text(2));
        e.set_action(q.text(3));
        e.set_subject(q.text(4));
        e.set_detail(q.text(5));
        out.push_back(std::move(e));
    }
    return out;
}

std::int64_t SqlCommunityStore::lastAuditId()
{
    return std::int64_t(m_conn.query("SELECT coalesce(max(id), 0) FROM audit_log").scalar());
}

std::vector<std::pair<std::int64_t, std::int64_t>> SqlCommunityStore::sessionCutsAfter(std::int64_t afterId)
{
    auto q =
        m_conn.query("SELECT id, cut_user_id FROM audit_log WHERE id > ? AND cut_user_id <> 0 ORDER BY id");
    q.bind(afterId);
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    while (q.step())
        out.emplace_back(q.integer(0), q.integer(1));
    return out;
}

} // namespace hchat::server
