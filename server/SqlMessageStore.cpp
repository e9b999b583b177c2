#include "SqlMessageStore.h"

#include "Limits.h"
#include "PostgresConnection.h"
#include "SchemaMigrations.h"
#include "SqliteConnection.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace hchat::server {

using hchat::v1::ChannelInfo;
using hchat::v1::Message;

namespace {

constexpr std::int64_t kInbox = StreamRecord::kInbox;
constexpr std::int64_t kOpen = hchat::v1::CHANNEL_KIND_OPEN;

DeviceRecord deviceFrom(const SqlQuery &q)
{
    return DeviceRecord{q.text(0), q.integer(1), q.text(2), q.integer(3), q.integer(4), q.integer(5) != 0};
}

// Columns first .. first + 11: seq, sender_nick, sender_device, client_msg_id, time_ms, body,
// encrypted, kind, subject, ref_seq, deleted, attachment_id.
void messageFrom(const SqlQuery &q, Message &m, int first)
{
    m.set_seq(std::uint64_t(q.integer(first)));
    m.set_sender(q.text(first + 1));
    m.set_sender_device(q.text(first + 2));
    if (!q.isNull(first + 3))
        m.set_client_msg_id(q.bytes(first + 3));
    m.set_server_time_ms(q.integer(first + 4));
    m.set_body(q.bytes(first + 5));
    m.set_encrypted(q.integer(first + 6) != 0);
    m.set_kind(static_cast<hchat::v1::MessageKind>(q.integer(first + 7)));
    m.set_subject(q.text(first + 8));
    m.set_ref_seq(std::uint64_t(q.integer(first + 9)));
    m.set_deleted(q.integer(first + 10) != 0);
    m.set_attachment_id(q.text(first + 11));
}

// The channels a list query finds (id, name, kind, encrypted, max_seq, read_seq, topic, read_only,
// role), then the members
// of those that are not open from a query over the same channels (stream_id, nick; by stream,
// then nick): two queries, however many channels.
std::vector<ChannelInfo> channelsWithMembers(SqlQuery &channels, SqlQuery &members)
{
    std::vector<ChannelInfo> out;
    std::unordered_map<std::int64_t, std::size_t> byId;
    bool anyListsMembers = false;
    while (channels.step()) {
        ChannelInfo info;
        byId.emplace(channels.integer(0), out.size());
        info.set_name(channels.text(1));
        info.set_kind(static_cast<hchat::v1::ChannelKind>(channels.integer(2)));
        info.set_encrypted(channels.integer(3) != 0);
        info.set_server_max_seq(std::uint64_t(channels.integer(4)));
        info.set_read_seq(std::uint64_t(channels.integer(5)));
        info.set_topic(channels.text(6));
        info.set_read_only(channels.integer(7) != 0);
        info.set_role(static_cast<hchat::v1::ChannelRole>(channels.integer(8)));
        anyListsMembers = anyListsMembers || info.kind() != hchat::v1::CHANNEL_KIND_OPEN;
        out.push_back(std::move(info));
    }
    while (anyListsMembers && members.step())
        if (auto it = byId.find(members.integer(0)); it != byId.end())
            out[it->second].add_members(members.text(1));
    return out;
}

} // namespace

SqlMessageStore::SqlMessageStore(std::unique_ptr<SqlConnection> connection, bool migrate, bool channelCache)
    : m_conn(std::move(connection))
{
    if (migrate)
        SchemaMigrations::apply(*m_conn);
    if (channelCache)
        m_cache = std::make_unique<ChannelCache>();
}

std::unique_ptr<MessageStore> SqlMessageStore::open(const std::string &database, bool migrate, bool writer,
                                                    bool channelCache)
{
    if (PostgresConnection::isUrl(database))
        return std::make_unique<SqlMessageStore>(std::make_unique<PostgresConnection>(database), migrate);
    auto connection = std::make_unique<SqliteConnection>(database);
    if (writer) {
        connection->exec("PRAGMA cache_size=-" + std::to_string(kWriterPageCacheKiB));
        connection->exec("PRAGMA wal_autocheckpoint=" + std::to_string(kWriterCheckpointPages));
    }
    return std::make_unique<SqlMessageStore>(std::move(connection), migrate, writer && channelCache);
}

// ---- transactions and the channel cache ----------------------------------------------------------

void SqlMessageStore::beginWrite()
{
    m_conn->begin(SqlConnection::Transaction::Write);
    // Another connection's commit (`hchat-gateway admin` purging a channel or deleting a user while
    // the gateway runs) changes SQLite's data_version: what the cache holds may be gone.
    if (m_cache) {
        const auto version = std::int64_t(m_conn->query("PRAGMA data_version").scalar());
        if (version != m_dataVersion)
            m_cache->clear();
        m_dataVersion = version;
    }
}

void SqlMessageStore::commit()
{
    m_conn->commit();
    if (m_cache)
        m_cache->committed();
}

void SqlMessageStore::rollback()
{
    m_conn->rollback();
    if (m_cache)
        m_cache->rolledBack();
}

void SqlMessageStore::savepoint()
{
    m_conn->savepoint();
    if (m_cache)
        m_cache->savepointOpened();
}

void SqlMessageStore::releaseSavepoint()
{
    m_conn->releaseSavepoint();
    if (m_cache)
        m_cache->savepointReleased();
}

void SqlMessageStore::rollbackToSavepoint()
{
    // Forgotten first: if the rollback itself fails, the transaction is rolled back whole.
    if (m_cache)
        m_cache->savepointRolledBack();
    m_conn->rollbackToSavepoint();
}

void SqlMessageStore::invalidateChannel(std::int64_t streamId)
{
    if (m_cache)
        m_cache->invalidate(streamId);
}

ChannelCache::Entry *SqlMessageStore::cachedMembers(std::int64_t streamId)
{
    ChannelCache::Entry *entry = m_cache ? m_cache->find(streamId) : nullptr;
    if (entry && !entry->membersKnown)
        m_cache->setMembers(*entry, queryMemberIds(streamId));
    return entry;
}

// ---- users, devices, tokens ----------------------------------------------------------------------

std::optional<std::int64_t> SqlMessageStore::createUser(const std::string &nick,
                                                        const std::string &passwordHash, std::int64_t nowMs)
{
    auto q = m_conn->query("INSERT INTO users(nick, nick_lower, password_hash, created_ms) "
                           "VALUES (?, lower(?), ?, ?) ON CONFLICT (nick_lower) DO NOTHING RETURNING id");
    q.bind(nick).bind(nick).bind(passwordHash).bind(nowMs);
    if (!q.step())
        return std::nullopt;
    return q.integer(0);
}

std::optional<UserRecord> SqlMessageStore::findUser(const std::string &nick)
{
    auto q = m_conn->query(
        "SELECT id, nick, password_hash FROM users WHERE nick_lower = lower(?) AND deleted_ms IS NULL");
    if (!q.bind(nick).step())
        return std::nullopt;
    return UserRecord{q.integer(0), q.text(1), q.text(2)};
}

void SqlMessageStore::createDevice(const std::string &deviceId, std::int64_t userId, const std::string &name,
                                   std::int64_t nowMs)
{
    m_conn->query("INSERT INTO devices(id, user_id, name, created_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?)")
        .bind(deviceId)
        .bind(userId)
        .bind(name)
        .bind(nowMs)
        .bind(nowMs)
        .run();
}

std::optional<DeviceRecord> SqlMessageStore::findDevice(const std::string &deviceId)
{
    auto q = m_conn->query(
        "SELECT id, user_id, name, created_ms, last_seen_ms, revoked FROM devices WHERE id = ?");
    if (!q.bind(deviceId).step())
        return std::nullopt;
    return deviceFrom(q);
}

std::vector<DeviceRecord> SqlMessageStore::listDevices(std::int64_t userId)
{
    auto q = m_conn->query("SELECT id, user_id, name, created_ms, last_seen_ms, revoked FROM devices "
                           "WHERE user_id = ? AND revoked = 0 ORDER BY created_ms, id");
    q.bind(userId);
    std::vector<DeviceRecord> out;
    while (q.step())
        out.push_back(deviceFrom(q));
    return out;
}

void SqlMessageStore::touchDevice(const std::string &deviceId, const std::string &name, std::int64_t nowMs)
{
    if (name.empty())
        m_conn->query("UPDATE devices SET last_seen_ms = ? WHERE id = ?").bind(nowMs).bind(deviceId).run();
    else
        m_conn->query("UPDATE devices SET last_seen_ms = ?, name = ? WHERE id = ?")
            .bind(nowMs)
            .bind(name)
            .bind(deviceId)
            .run();
}

void SqlMessageStore::revokeDevice(const std::string &deviceId)
{
    m_conn->query("UPDATE devices SET revoked = 1 WHERE id = ?").bind(deviceId).run();
    m_conn->query("UPDATE tokens SET revoked = 1 WHERE device_id = ?").bind(deviceId).run();
    m_conn->query("DELETE FROM device_keys WHERE device_id = ?").bind(deviceId).run();
    m_conn->query("DELETE FROM prekeys WHERE device_id = ?").bind(deviceId).run();
}

void SqlMessageStore::insertToken(const std::string &tokenHash, std::int64_t userId,
                                  const std::string &deviceId, std::int64_t expiresMs)
{
    m_conn->query("INSERT INTO tokens(hash, user_id, device_id, expires_ms) VALUES (?, ?, ?, ?)")
        .bindBytes(tokenHash)
        .bind(userId)
        .bind(deviceId)
        .bind(expiresMs)
        .run();
}

std::optional<TokenRecord> SqlMessageStore::findToken(const std::string &tokenHash)
{
    auto q = m_conn->query("SELECT t.user_id, u.nick, t.device_id, t.expires_ms, "
                           "(t.revoked <> 0 OR d.revoked <> 0) FROM tokens t "
                           "JOIN users u ON u.id = t.user_id JOIN devices d ON d.id = t.device_id "
                           "WHERE t.hash = ?");
    if (!q.bindBytes(tokenHash).step())
        return std::nullopt;
    return TokenRecord{q.integer(0), q.text(1), q.text(2), q.integer(3), q.integer(4) != 0};
}

void SqlMessageStore::revokeToken(const std::string &tokenHash)
{
    m_conn->query("UPDATE tokens SET revoked = 1 WHERE hash = ?").bindBytes(tokenHash).run();
}

// ---- streams and membership ----------------------------------------------------------------------

std::optional<StreamRecord> SqlMessageStore::findStream(const std::string &name)
{
    if (!m_cache)
        return queryStream(name);
    if (const ChannelCache::Entry *entry = m_cache->find(name))
        return entry->stream;
    auto stream = queryStream(name);
    if (stream && stream->kind != StreamRecord::kInbox)
        m_cache->put(*stream);
    return stream;
}

std::optional<StreamRecord> SqlMessageStore::queryStream(const std::string &name)
{
    auto q = m_conn->query(
        "SELECT id, name, kind, encrypted, max_seq, owner_device, acked_seq FROM streams WHERE name = ?");
    if (!q.bind(name).step())
        return std::nullopt;
    return StreamRecord{q.integer(0),
                        q.text(1),
                        int(q.integer(2)),
                        q.integer(3) != 0,
                        std::uint64_t(q.integer(4)),
                        q.text(5),
                        std::uint64_t(q.integer(6))};
}

std::optional<std::int64_t> SqlMessageStore::createStream(const std::string &name, int kind, bool encrypted,
                                                          const std::string &ownerDevice, std::int64_t nowMs)
{
    auto q = m_conn->query("INSERT INTO streams(name, kind, encrypted, owner_device, created_ms) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id");
    q.bind(name).bind(std::int64_t(kind)).bind(std::int64_t(encrypted ? 1 : 0));
    if (!q.bindTextOrNull(ownerDevice).bind(nowMs).step())
        return std::nullopt; // another gateway created it (its transaction committed while ours waited)
    const std::int64_t id = q.integer(0);
    invalidateChannel(id);
    return id;
}

bool SqlMessageStore::isMember(std::int64_t streamId, std::int64_t userId)
{
    if (const ChannelCache::Entry *entry = cachedMembers(streamId))
        return std::binary_search(entry->members.begin(), entry->members.end(), userId);
    return m_conn->query("SELECT 1 FROM members WHERE stream_id = ? AND user_id = ?")
        .bind(streamId)
        .bind(userId)
        .step();
}

void SqlMessageStore::addMember(std::int64_t streamId, std::int64_t userId)
{
    invalidateChannel(streamId);
    m_conn->query("INSERT INTO members(stream_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .bind(streamId)
        .bind(userId)
        .run();
}

void SqlMessageStore::removeMember(std::int64_t streamId, std::int64_t userId)
{
    invalidateChannel(streamId);
    m_conn->query("DELETE FROM members WHERE stream_id = ? AND user_id = ?")
        .bind(streamId)
        .bind(userId)
        .run();
}

std::vector<std::int64_t> SqlMessageStore::memberIds(std::int64_t streamId)
{
    if (const ChannelCache::Entry *entry = cachedMembers(streamId))
        return entry->members;
    return queryMemberIds(streamId);
}

std::vector<std::int64_t> SqlMessageStore::queryMemberIds(std::int64_t streamId)
{
    auto q = m_conn->query("SELECT user_id FROM members WHERE stream_id = ?");
    q.bind(streamId);
    std::vector<std::int64_t> out;
    while (q.step())
        out.push_back(q.integer(0));
    return out;
}

std::vector<std::string> SqlMessageStore::memberNicks(std::int64_t streamId)
{
    auto q = m_conn->query("SELECT u.nick FROM members m JOIN users u ON u.id = m.user_id "
                           "WHERE m.stream_id = ? ORDER BY u.nick_lower");
    q.bind(streamId);
    std::vector<std::string> out;
    while (q.step())
        out.push_back(q.text(0));
    return out;
}

std::vector<ChannelInfo> SqlMessageStore::channelsOf(std::int64_t userId)
{
    auto channels = m_conn->query(
        "SELECT s.id, s.name, s.kind, s.encrypted, s.max_seq, m.read_seq, s.topic, s.read_only, m.role "
        "FROM members m "
        "JOIN streams s ON s.id = m.stream_id WHERE m.user_id = ? AND s.kind <> ? "
        "AND m.invited_by = 0 ORDER BY s.name");
    auto members =
        m_conn->query("SELECT m.stream_id, u.nick FROM members mine JOIN streams s ON s.id = mine.stream_id "
                      "JOIN members m ON m.stream_id = s.id JOIN users u ON u.id = m.user_id "
                      "WHERE mine.user_id = ? AND s.kind <> ? AND s.kind <> ? AND mine.invited_by = 0 "
                      "ORDER BY m.stream_id, u.nick_lower");
    channels.bind(userId).bind(kInbox);
    members.bind(userId).bind(kInbox).bind(kOpen);
    return channelsWithMembers(channels, members);
}

// The members' query picks the same channels again with the same subquery.
std::vector<ChannelInfo> SqlMessageStore::invitationsOf(std::int64_t userId, std::size_t limit)
{
    auto channels = m_conn->query(
        "SELECT s.id, s.name, s.kind, s.encrypted, s.max_seq, m.read_seq, s.topic, s.read_only, m.role "
        "FROM members m "
        "JOIN streams s ON s.id = m.stream_id WHERE m.user_id = ? AND s.kind <> ? "
        "AND m.invited_by <> 0 ORDER BY m.invited_ms DESC, s.name LIMIT ?");
    auto members = m_conn->query(
        "SELECT m.stream_id, u.nick FROM (SELECT s.id FROM members mine "
        "JOIN streams s ON s.id = mine.stream_id WHERE mine.user_id = ? AND s.kind <> ? "
        "AND mine.invited_by <> 0 ORDER BY mine.invited_ms DESC, s.name LIMIT ?) listed "
        "JOIN streams s ON s.id = listed.id JOIN members m ON m.stream_id = s.id "
        "JOIN users u ON u.id = m.user_id WHERE s.kind <> ? ORDER BY m.stream_id, u.nick_lower");
    const std::int64_t rows = limit ? std::int64_t(limit) : std::numeric_limits<std::int64_t>::max();
    channels.bind(userId).bind(kInbox).bind(rows);
    members.bind(userId).bind(kInbox).bind(rows).bind(kOpen);
    return channelsWithMembers(channels, members);
}

void SqlMessageStore::addInvitee(std::int64_t streamId, std::int64_t userId, std::int64_t inviterId,
                                 std::int64_t nowMs)
{
    invalidateChannel(streamId);
    m_conn
        ->query("INSERT INTO members(stream_id, user_id, invited_by, invited_ms) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING")
        .bind(streamId)
        .bind(userId)
        .bind(inviterId)
        .bind(nowMs)
        .run();
}

bool SqlMessageStore::acceptMembership(std::int64_t streamId, std::int64_t userId)
{
    invalidateChannel(streamId);
    return m_conn
        ->query("UPDATE members SET invited_by = 0 WHERE stream_id = ? AND user_id = ? AND invited_by <> 0 "
                "RETURNING user_id")
        .bind(streamId)
        .bind(userId)
        .step();
}

std::uint64_t SqlMessageStore::membershipCount(std::int64_t userId)
{
    return m_conn->query("SELECT count(*) FROM members WHERE user_id = ? AND invited_by = 0")
        .bind(userId)
        .scalar();
}

bool SqlMessageStore::shareAChannel(std::int64_t userA, std::int64_t userB)
{
    return m_conn
        ->query("SELECT 1 FROM members a JOIN members b ON b.stream_id = a.stream_id AND b.user_id = ? "
                "WHERE a.user_id = ? LIMIT 1")
        .bind(userB)
        .bind(userA)
        .step();
}

std::uint64_t SqlMessageStore::inboxRows(std::int64_t streamId)
{
    return m_conn->query("SELECT count(*) FROM messages WHERE stream_id = ?").bind(streamId).scalar();
}

std::uint64_t SqlMessageStore::inboxRowsFrom(std::int64_t streamId, std::int64_t senderId)
{
    return m_conn->query("SELECT count(*) FROM messages WHERE stream_id = ? AND sender_id = ?")
        .bind(streamId)
        .bind(senderId)
        .scalar();
}

std::uint64_t SqlMessageStore::pendingInvitations(std::int64_t userId, std::int64_t inviterId)
{
    return m_conn->query("SELECT count(*) FROM members WHERE user_id = ? AND invited_by = ?")
        .bind(userId)
        .bind(inviterId)
        .scalar();
}

void SqlMessageStore::setReadSeq(std::int64_t streamId, std::int64_t userId, std::uint64_t seq)
{
    // Only forward.
    m_conn->query("UPDATE members SET read_seq = ?1 WHERE stream_id = ?2 AND user_id = ?3 AND read_seq < ?1")
        .bind(std::int64_t(seq))
        .bind(streamId)
        .bind(userId)
        .run();
}

std::uint64_t SqlMessageStore::readSeq(std::int64_t streamId, std::int64_t userId)
{
    return m_conn->query("SELECT read_seq FROM members WHERE stream_id = ? AND user_id = ?")
        .bind(streamId)
        .bind(userId)
        .scalar();
}

// ---- messages ------------------------------------------------------------------------------------

void SqlMessageStore::appendMessage(const StreamRecord &stream, std::int64_t senderId, Message &m)
{
    // The stream row's max_seq is bumped in this transaction: the row lock it takes is held until
    // the transaction ends, so writers of one stream (on every gateway) get seqs in commit order,
    // without holes. On PostgreSQL bump and insert are one statement (one round trip); SQLite has
    // no UPDATE inside WITH, and no round trips to save.
    std::int64_t seq = 0;
    if (!postgres()) {
        auto bump = m_conn->query("UPDATE streams SET max_seq = max_seq + 1 WHERE id = ? RETURNING max_seq");
        if (!bump.bind(stream.id).step())
            throw StoreError("database bump seq failed: no such stream");
        seq = bump.integer(0);
        bump.run();
        if (m_cache)
            m_cache->bumped(stream.id, std::uint64_t(seq));
    }
    // ?1 stream, ?2 sender, ?3 .. ?12 the message's columns; SQLite's ?13 the seq bumped above.
    auto q = m_conn->query(
        postgres()
            ? "WITH bumped AS (UPDATE streams SET max_seq = max_seq + 1 WHERE id = ?1 RETURNING max_seq) "
              "INSERT INTO messages(stream_id, seq, sender_id, sender_nick, sender_device, client_msg_id, "
              "time_ms, body, encrypted, kind, subject, ref_seq, attachment_id) SELECT ?1, bumped.max_seq, "
              "?2, "
              "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 FROM bumped RETURNING seq"
            : "INSERT INTO messages(stream_id, seq, sender_id, sender_nick, sender_device, client_msg_id, "
              "time_ms, body, encrypted, kind, subject, ref_seq, attachment_id) "
              "VALUES (?1, ?13, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING seq");
    q.bind(stream.id).bind(senderId).bind(m.sender()).bind(m.sender_device());
    q.bindBytesOrNull(m.client_msg_id()).bind(m.server_time_ms()).bindBytes(m.body());
    q.bind(std::int64_t(m.encrypted() ? 1 : 0)).bind(std::int64_t(m.kind())).bind(m.subject());
    q.bind(std::int64_t(m.ref_seq())).bindTextOrNull(m.attachment_id());
    if (!postgres())
        q.bind(seq);
    if (!q.step())
        throw StoreError("database bump seq failed: no such stream");
    m.set_seq(std::uint64_t(q.integer(0)));
    m.set_channel(stream.name);
}

std::optional<Message> SqlMessageStore::findByClientMsgId(std::int64_t senderId,
                                                          const std::string &clientMsgId)
{
    auto q = m_conn->query(
        "SELECT st.name, m.seq, m.sender_nick, m.sender_device, m.client_msg_id, m.time_ms, m.body, "
        "m.encrypted, m.kind, m.subject, m.ref_seq, m.deleted, m.attachment_id FROM messages m "
        "JOIN streams st ON st.id = m.stream_id WHERE m.sender_id = ? AND m.client_msg_id = ?");
    if (!q.bind(senderId).bindBytes(clientMsgId).step())
        return std::nullopt;
    Message m;
    m.set_channel(q.text(0));
    messageFrom(q, m, 1);
    return m;
}

std::vector<Message> SqlMessageStore::readMessages(const StreamRecord &stream, std::uint64_t fromSeq,
                                                   std::uint32_t limit, std::size_t maxBytes)
{
    auto q = m_conn->query(
        "SELECT m.seq, m.sender_nick, m.sender_device, m.client_msg_id, m.time_ms, m.body, m.encrypted, "
        "m.kind, m.subject, m.ref_seq, m.deleted, m.attachment_id, u.deleted_ms IS NOT NULL "
        "FROM messages m LEFT JOIN users u ON u.id = m.sender_id "
        "WHERE m.stream_id = ? AND m.seq >= ? ORDER BY m.seq LIMIT ?");
    q.bind(stream.id).bind(std::int64_t(fromSeq)).bind(std::int64_t(limit));
    std::vector<Message> out;
    std::size_t bytes = 0;
    while (bytes < maxBytes && q.step()) {
        Message m;
        m.set_channel(stream.name);
        messageFrom(q, m, 0);
        if (stream.kind != StreamRecord::kInbox)
            m.set_sender_deleted(q.integer(12) != 0);
        bytes += m.body().size() + 64;
        out.push_back(std::move(m));
    }
    return out;
}

std::optional<MessageRecord> SqlMessageStore::findMessage(const StreamRecord &stream, std::uint64_t seq)
{
    auto q = m_conn->query(
        "SELECT seq, sender_nick, sender_device, client_msg_id, time_ms, body, encrypted, kind, subject, "
        "ref_seq, deleted, attachment_id, sender_id FROM messages WHERE stream_id = ? AND seq = ?");
    if (!q.bind(stream.id).bind(std::int64_t(seq)).step())
        return std::nullopt;
    MessageRecord r;
    r.message.set_channel(stream.name);
    messageFrom(q, r.message, 0);
    r.senderId = q.integer(12);
    return r;
}

void SqlMessageStore::eraseMessage(const StreamRecord &stream, std::uint64_t seq)
{
    const std::string nothing;
    m_conn->query("UPDATE messages SET body = ?, deleted = 1 WHERE stream_id = ? AND seq = ?")
        .bindBytes(nothing)
        .bind(stream.id)
        .bind(std::int64_t(seq))
        .run();
    m_conn->query("UPDATE messages SET body = ? WHERE stream_id = ? AND ref_seq = ? AND kind = ?")
        .bindBytes(nothing)
        .bind(stream.id)
        .bind(std::int64_t(seq))
        .bind(std::int64_t(hchat::v1::MESSAGE_KIND_EDIT))
        .run();
}

void SqlMessageStore::acknowledgeInbox(const StreamRecord &inbox, std::uint64_t seq)
{
    if (seq <= inbox.ackedSeq)
        return;
    m_conn->query("DELETE FROM messages WHERE stream_id = ? AND seq <= ?")
        .bind(inbox.id)
        .bind(std::int64_t(seq))
        .run();
    m_conn->query("UPDATE streams SET acked_seq = ?1 WHERE id = ?2 AND acked_seq < ?1")
        .bind(std::int64_t(seq))
        .bind(inbox.id)
        .run();
}

// ---- key directory -------------------------------------------------------------------------------

void SqlMessageStore::publishKeys(std::int64_t userId, const hchat::v1::DeviceKeys &keys, std::int64_t nowMs)
{
    m_conn
        ->query(
            "INSERT INTO device_keys(device_id, user_id, identity_key, exchange_key, signature, updated_ms) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET "
            "identity_key = excluded.identity_key, exchange_key = excluded.exchange_key, "
            "signature = excluded.signature, updated_ms = excluded.updated_ms")
        .bind(keys.device_id())
        .bind(userId)
        .bindBytes(keys.identity_key())
        .bindBytes(keys.exchange_key())
        .bindBytes(keys.signature())
        .bind(nowMs)
        .run();
}

std::vector<hchat::v1::DeviceKeys> SqlMessageStore::fetchKeys(const std::string &nick)
{
    auto q = m_conn->query(
        "SELECT u.nick, k.device_id, k.identity_key, k.exchange_key, k.signature FROM device_keys k "
        "JOIN users u ON u.id = k.user_id JOIN devices d ON d.id = k.device_id "
        "WHERE u.nick_lower = lower(?) AND d.revoked = 0 ORDER BY d.created_ms, d.id");
    q.bind(nick);
    std::vector<hchat::v1::DeviceKeys> out;
    while (q.step()) {
        hchat::v1::DeviceKeys k;
        k.set_nick(q.text(0));
        k.set_device_id(q.text(1));
        k.set_identity_key(q.bytes(2));
        k.set_exchange_key(q.bytes(3));
        k.set_signature(q.bytes(4));
        out.push_back(std::move(k));
    }
    return out;
}

std::optional<std::string> SqlMessageStore::deviceList(const std::string &nick)
{
    auto q = m_conn->query("SELECT l.body FROM device_lists l JOIN users u ON u.id = l.user_id "
                           "WHERE u.nick_lower = lower(?) AND u.deleted_ms IS NULL");
    if (!q.bind(nick).step())
        return std::nullopt;
    return q.bytes(0);
}

void SqlMessageStore::putDeviceList(std::int64_t userId, std::uint64_t generation, const std::string &body)
{
    m_conn
        ->query("INSERT INTO device_lists(user_id, generation, body) VALUES (?, ?, ?) ON CONFLICT (user_id) "
                "DO UPDATE SET generation = excluded.generation, body = excluded.body")
        .bind(userId)
        .bind(std::int64_t(generation))
        .bindBytes(body)
        .run();
}

std::optional<hchat::v1::BackupHeader> SqlMessageStore::backupHeader(std::int64_t userId)
{
    auto q = m_conn->query("SELECT version, key_check, created_ms FROM backup_headers WHERE user_id = ?");
    if (!q.bind(userId).step())
        return std::nullopt;
    hchat::v1::BackupHeader h;
    h.set_version(std::uint32_t(q.integer(0)));
    h.set_key_check(q.bytes(1));
    h.set_created_ms(q.integer(2));
    return h;
}

void SqlMessageStore::putBackupHeader(std::int64_t userId, const hchat::v1::BackupHeader &header,
                                      std::int64_t nowMs)
{
    m_conn
        ->query("INSERT INTO backup_headers(user_id, version, key_check, created_ms, updated_ms) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, "
                "key_check = excluded.key_check, created_ms = excluded.created_ms, updated_ms = "
                "excluded.updated_ms")
        .bind(userId)
        .bind(std::int64_t(header.version()))
        .bindBytes(header.key_check())
        .bind(header.created_ms())
        .bind(nowMs)
        .run();
}

bool SqlMessageStore::hasBackupEntry(std::int64_t userId, const std::string &entryId)
{
    return m_conn->query("SELECT 1 FROM backup_entries WHERE user_id = ? AND entry_id = ?")
        .bind(userId)
        .bindBytes(entryId)
        .step();
}

std::uint64_t SqlMessageStore::backupEntryCount(std::int64_t userId)
{
    auto q = m_conn->query("SELECT COUNT(*) FROM backup_entries WHERE user_id = ?");
    return q.bind(userId).step() ? std::uint64_t(q.integer(0)) : 0;
}

void SqlMessageStore::putBackupEntry(std::int64_t userId, const hchat::v1::BackupEntry &entry,
                                     std::int64_t nowMs)
{
    m_conn
        ->query("INSERT INTO backup_entries(user_id, entry_id, nonce, ciphertext, updated_ms) VALUES (?, ?, "
                "?, ?, ?) "
                "ON CONFLICT (user_id, entry_id) DO UPDATE SET nonce = excluded.nonce, "
                "ciphertext = excluded.ciphertext, updated_ms = excluded.updated_ms")
        .bind(userId)
        .bindBytes(entry.entry_id())
        .bindBytes(entry.nonce())
        .bindBytes(entry.ciphertext())
        .bind(nowMs)
        .run();
}

std::vector<hchat::v1::BackupEntry>
SqlMessageStore::backupEntries(std::int64_t userId, const std::string &after, std::size_t limit)
{
    auto q = m_conn->query("SELECT entry_id, nonce, ciphertext FROM backup_entries WHERE user_id = ? "
                           "AND entry_id > ? ORDER BY entry_id LIMIT ?");
    q.bind(userId).bindBytes(after).bind(std::int64_t(limit));
    std::vector<hchat::v1::BackupEntry> out;
    while (q.step()) {
        hchat::v1::BackupEntry e;
        e.set_entry_id(q.bytes(0));
        e.set_nonce(q.bytes(1));
        e.set_ciphertext(q.bytes(2));
        out.push_back(std::move(e));
    }
    return out;
}

void SqlMessageStore::deleteBackup(std::int64_t userId)
{
    m_conn->query("DELETE FROM backup_entries WHERE user_id = ?").bind(userId).run();
    m_conn->query("DELETE FROM backup_headers WHERE user_id = ?").bind(userId).run();
}

void SqlMessageStore::addPrekeys(const std::string &deviceId,
                                 const std::vector<hchat::v1::OneTimePrekey> &prekeys)
{
    for (const auto &k : prekeys)
        m_conn
            ->query("INSERT INTO prekeys(device_id, key_id, public_key, signature) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (device_id, key_id) DO NOTHING")
            .bind(deviceId)
            .bind(std::int64_t(k.key_id()))
            .bindBytes(k.public_key())
            .bindBytes(k.signature())
            .run();
}

std::uint64_t SqlMessageStore::prekeyCount(const std::string &deviceId)
{
    return m_conn->query("SELECT count(*) FROM prekeys WHERE device_id = ?").bind(deviceId).scalar();
}

std::optional<hchat::v1::OneTimePrekey> SqlMessageStore::claimPrekey(const std::string &deviceId)
{
    // PostgreSQL: SKIP LOCKED, so that two gateways claiming for the same device at once take two
    // different keys. SQLite has one writer.
    auto q = m_conn->query(
        postgres()
            ? "DELETE FROM prekeys WHERE device_id = ?1 AND key_id = (SELECT key_id FROM prekeys WHERE "
              "device_id = ?1 ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED) "
              "RETURNING key_id, public_key, signature"
            : "DELETE FROM prekeys WHERE device_id = ?1 AND key_id = "
              "(SELECT min(key_id) FROM prekeys WHERE device_id = ?1) RETURNING key_id, public_key, "
              "signature");
    if (!q.bind(deviceId).step())
        return std::nullopt;
    hchat::v1::OneTimePrekey k;
    k.set_key_id(std::uint32_t(q.integer(0)));
    k.set_public_key(q.bytes(1));
    k.set_signature(q.bytes(2));
    return k;
}

// ---- account -------------------------------------------------------------------------------------

void SqlMessageStore::setPasswordHash(std::int64_t userId, const std::string &passwordHash)
{
    m_conn->query("UPDATE users SET password_hash = ? WHERE id = ? AND deleted_ms IS NULL")
        .bind(passwordHash)
        .bind(userId)
        .run();
}

void SqlMessageStore::revokeUserTokens(std::int64_t userId, const std::string &exceptTokenHash)
{
    m_conn->query("UPDATE tokens SET revoked = 1 WHERE user_id = ? AND hash <> ?")
        .bind(userId)
        .bindBytes(exceptTokenHash)
        .run();
}

std::vector<StreamRecord> SqlMessageStore::streamsOfUser(std::int64_t userId)
{
    // The second subquery is answered from the partial index messages_idempotency.
    auto q = m_conn->query(
        "SELECT id, name, kind, encrypted, max_seq, owner_device FROM streams WHERE kind <> ?2 AND "
        "(id IN (SELECT stream_id FROM members WHERE user_id = ?1) OR id IN (SELECT stream_id FROM "
        "messages WHERE sender_id = ?1 AND client_msg_id IS NOT NULL)) ORDER BY id");
    q.bind(userId).bind(kInbox);
    std::vector<StreamRecord> out;
    while (q.step())
        out.push_back(StreamRecord{q.integer(0), q.text(1), int(q.integer(2)), q.integer(3) != 0,
                                   std::uint64_t(q.integer(4)), q.text(5), 0});
    return out;
}

std::unordered_map<std::int64_t, std::vector<std::int64_t>>
SqlMessageStore::fellowMembers(std::int64_t userId)
{
    // The channels are picked as streamsOfUser picks them.
    auto q = m_conn->query(
        "SELECT m.stream_id, m.user_id FROM members m JOIN streams s ON s.id = m.stream_id WHERE s.kind <> "
        "?2 "
        "AND m.user_id <> ?1 AND (s.id IN (SELECT stream_id FROM members WHERE user_id = ?1) OR s.id IN "
        "(SELECT stream_id FROM messages WHERE sender_id = ?1 AND client_msg_id IS NOT NULL))");
    q.bind(userId).bind(kInbox);
    std::unordered_map<std::int64_t, std::vector<std::int64_t>> out;
    while (q.step())
        out[q.integer(0)].push_back(q.integer(1));
    return out;
}

void SqlMessageStore::deleteUser(std::int64_t userId, std::int64_t nowMs)
{
    if (m_cache) {
        auto channels = m_conn->query("SELECT stream_id FROM members WHERE user_id = ?");
        channels.bind(userId);
        while (channels.step())
            invalidateChannel(channels.integer(0));
    }
    // The key shares waiting in the inboxes of its devices can never be read again: gone too (the
    // inbox's max_seq stays, so no seq is reused).
    m_conn
        ->query("DELETE FROM messages WHERE stream_id IN (SELECT s.id FROM streams s JOIN devices d ON "
                "d.id = s.owner_device WHERE s.kind = ? AND d.user_id = ?)")
        .bind(kInbox)
        .bind(userId)
        .run();
    m_conn->query("UPDATE devices SET revoked = 1 WHERE user_id = ?").bind(userId).run();
    m_conn->query("UPDATE tokens SET revoked = 1 WHERE user_id = ?").bind(userId).run();
    m_conn->query("DELETE FROM device_keys WHERE user_id = ?").bind(userId).run();
    m_conn->query("DELETE FROM prekeys WHERE device_id IN (SELECT id FROM devices WHERE user_id = ?)")
        .bind(userId)
        .run();
    m_conn->query("DELETE FROM device_lists WHERE user_id = ?").bind(userId).run();
    deleteBackup(userId);
    m_conn->query("DELETE FROM members WHERE user_id = ?").bind(userId).run();
    m_conn->query("DELETE FROM blocks WHERE user_id = ?").bind(userId).run();
    m_conn->query("UPDATE users SET password_hash = '', deleted_ms = ? WHERE id = ?")
        .bind(nowMs)
        .bind(userId)
        .run();
}

// ---- attachments ---------------------------------------------------------------------------------

void SqlMessageStore::createUpload(const UploadRecord &u)
{
    m_conn->query("INSERT INTO uploads(id, stream_id, uploader_id, size, created_ms) VALUES (?, ?, ?, ?, ?)")
        .bind(u.id)
        .bind(u.streamId)
        .bind(u.uploaderId)
        .bind(std::int64_t(u.size))
        .bind(u.createdMs)
        .run();
}

std::optional<UploadRecord> SqlMessageStore::findUpload(const std::string &id)
{
    auto q = m_conn->query(
        "SELECT u.id, u.stream_id, st.name, u.uploader_id, u.size, u.received, u.created_ms, u.referenced "
        "FROM uploads u JOIN streams st ON st.id = u.stream_id WHERE u.id = ?");
    if (!q.bind(id).step())
        return std::nullopt;
    UploadRecord u;
    u.id = q.text(0);
    u.streamId = q.integer(1);
    u.channel = q.text(2);
    u.uploaderId = q.integer(3);
    u.size = std::uint64_t(q.integer(4));
    u.received = std::uint64_t(q.integer(5));
    u.createdMs = q.integer(6);
    u.referenced = q.integer(7) != 0;
    return u;
}

std::uint64_t SqlMessageStore::openUploads(std::int64_t uploaderId)
{
    return m_conn
        ->query("SELECT count(*) FROM uploads WHERE uploader_id = ? AND (received < size OR referenced = 0)")
        .bind(uploaderId)
        .scalar();
}

void SqlMessageStore::appendUploadChunk(const std::string &id, std::uint64_t index, const std::string &bytes,
                                        std::uint64_t received)
{
    m_conn
        ->query("INSERT INTO upload_chunks(upload_id, idx, data) VALUES (?, ?, ?) "
                "ON CONFLICT (upload_id, idx) DO UPDATE SET data = excluded.data")
        .bind(id)
        .bind(std::int64_t(index))
        .bindBytes(bytes)
        .run();
    m_conn->query("UPDATE uploads SET received = ? WHERE id = ?").bind(std::int64_t(received)).bind(id).run();
}

std::string SqlMessageStore::readUpload(const std::string &id, std::uint64_t offset, std::uint64_t length)
{
    const std::uint64_t chunk = limits::kAttachmentChunkBytes;
    std::string out;
    if (length == 0)
        return out;
    out.reserve(length);
    auto q = m_conn->query(
        "SELECT idx, data FROM upload_chunks WHERE upload_id = ? AND idx BETWEEN ? AND ? ORDER BY idx");
    q.bind(id).bind(std::int64_t(offset / chunk)).bind(std::int64_t((offset + length - 1) / chunk));
    while (q.step()) {
        const std::uint64_t start = std::uint64_t(q.integer(0)) * chunk;
        const std::string data = q.bytes(1);
        const std::uint64_t from = offset > start ? offset - start : 0;
        const std::uint64_t end = std::min<std::uint64_t>(data.size(), offset + length - start);
        if (from < end)
            out.append(data, from, end - from);
    }
    if (out.size() != length)
        throw StoreError("attachment " + id + " is missing chunks");
    return out;
}

void SqlMessageStore::markUploadReferenced(const std::string &id)
{
    m_conn->query("UPDATE uploads SET referenced = 1 WHERE id = ?").bind(id).run();
}

void SqlMessageStore::deleteUpload(const std::string &id)
{
    m_conn->query("DELETE FROM upload_chunks WHERE upload_id = ?").bind(id).run();
    m_conn->query("DELETE FROM uploads WHERE id = ?").bind(id).run();
}

std::vector<std::string> SqlMessageStore::staleUploads(std::int64_t cutoffMs)
{
    auto q =
        m_conn->query("SELECT id FROM uploads WHERE created_ms < ? AND (received < size OR referenced = 0)");
    q.bind(cutoffMs);
    std::vector<std::string> out;
    while (q.step())
        out.push_back(q.text(0));
    return out;
}

} // namespace hchat::server
