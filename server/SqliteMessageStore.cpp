#include "SqliteMessageStore.h"

#include "Limits.h"

#include <sqlite3.h>

#include <algorithm>

#include <cstring>
#include <vector>

namespace hchat::server {

// A prepared statement borrowed from the connection's cache; reset and unbound when it goes.
class SqliteMessageStore::Statement {
public:
    Statement(const SqliteMessageStore *store, sqlite3_stmt *stmt) : m_store(store), m_stmt(stmt) {}
    ~Statement()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int i, std::int64_t v)
    {
        check(sqlite3_bind_int64(m_stmt, i, v));
        return *this;
    }
    Statement &bind(int i, const std::string &v)
    {
        check(sqlite3_bind_text(m_stmt, i, v.data(), int(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    Statement &bindBlob(int i, const std::string &v)
    {
        check(sqlite3_bind_blob(m_stmt, i, v.data(), int(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    Statement &bindNull(int i)
    {
        check(sqlite3_bind_null(m_stmt, i));
        return *this;
    }
    // True while a row is available.
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        m_store->fail("step");
    }
    // Runs a statement that returns no rows; false on a constraint violation.
    bool run()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_DONE || rc == SQLITE_ROW)
            return true;
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return false;
        m_store->fail("step");
    }
    std::int64_t i64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    std::string text(int col) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
        return p ? std::string(p, std::size_t(sqlite3_column_bytes(m_stmt, col))) : std::string();
    }
    std::string blob(int col) const
    {
        const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, col));
        return p ? std::string(p, std::size_t(sqlite3_column_bytes(m_stmt, col))) : std::string();
    }
    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

private:
    void check(int rc)
    {
        if (rc != SQLITE_OK)
            m_store->fail("bind");
    }
    const SqliteMessageStore *m_store;
    sqlite3_stmt *m_stmt;
};

namespace {

// Versioned migrations: kMigrations[i] takes the schema from version i to i + 1.
const char *const kMigrations[] = {
    R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  nick TEXT NOT NULL,
  nick_lower TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX devices_by_user ON devices(user_id);
CREATE TABLE tokens (
  hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  device_id TEXT NOT NULL REFERENCES devices(id),
  expires_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX tokens_by_device ON tokens(device_id);
CREATE TABLE streams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind INTEGER NOT NULL,
  encrypted INTEGER NOT NULL DEFAULT 0,
  max_seq INTEGER NOT NULL DEFAULT 0,
  owner_device TEXT,
  created_ms INTEGER NOT NULL
);
CREATE TABLE members (
  stream_id INTEGER NOT NULL REFERENCES streams(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  read_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (stream_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members(user_id);
CREATE TABLE messages (
  stream_id INTEGER NOT NULL REFERENCES streams(id),
  seq INTEGER NOT NULL,
  sender_id INTEGER NOT NULL,
  sender_nick TEXT NOT NULL,
  sender_device TEXT NOT NULL,
  client_msg_id BLOB,
  time_ms INTEGER NOT NULL,
  body BLOB NOT NULL,
  encrypted INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  subject TEXT NOT NULL,
  PRIMARY KEY (stream_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX messages_idempotency ON messages(sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
CREATE TABLE device_keys (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  identity_key BLOB NOT NULL,
  exchange_key BLOB NOT NULL,
  signature BLOB NOT NULL,
  updated_ms INTEGER NOT NULL
);
)sql",
    // 2: replies, edits and recalls (MESSAGE_KIND_EDIT / _DELETE refer to their target by seq).
    R"sql(
ALTER TABLE messages ADD COLUMN ref_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_by_ref ON messages(stream_id, ref_seq) WHERE ref_seq <> 0;
)sql",
    // 3: deleted accounts keep their row (the nick stays taken) without a password hash.
    R"sql(
ALTER TABLE users ADD COLUMN deleted_ms INTEGER;
CREATE INDEX tokens_by_user ON tokens(user_id);
)sql",
    // 4: attachments. An upload's bytes are rows of 512 KiB chunks, so that each acknowledged chunk
    // is durable on its own and every gateway sharing the database serves them.
    R"sql(
ALTER TABLE messages ADD COLUMN attachment_id TEXT;
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  stream_id INTEGER NOT NULL REFERENCES streams(id),
  uploader_id INTEGER NOT NULL REFERENCES users(id),
  size INTEGER NOT NULL,
  received INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  referenced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX uploads_by_uploader ON uploads(uploader_id) WHERE received < size;
CREATE TABLE upload_chunks (
  upload_id TEXT NOT NULL REFERENCES uploads(id),
  idx INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (upload_id, idx)
);
)sql",
    // 5: one-time prekeys, inbox rows deleted once their device acknowledged them, and each
    // account's signed device list.
    R"sql(
CREATE TABLE prekeys (
  device_id TEXT NOT NULL REFERENCES devices(id),
  key_id INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  signature BLOB NOT NULL,
  PRIMARY KEY (device_id, key_id)
) WITHOUT ROWID;
ALTER TABLE streams ADD COLUMN acked_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN invited_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN invited_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX members_pending ON members(user_id, invited_by) WHERE invited_by <> 0;
CREATE TABLE device_lists (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  generation INTEGER NOT NULL,
  body BLOB NOT NULL
);
)sql",
};
constexpr int kMigrationCount = int(sizeof kMigrations / sizeof kMigrations[0]);
static_assert(kMigrationCount == SqliteMessageStore::kSchemaVersion);

} // namespace

SqliteMessageStore::SqliteMessageStore(const std::string &path, bool migrate) : m_path(path)
{
    const int rc = sqlite3_open_v2(path.c_str(), &m_db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg =
            "cannot open database '" + path + "': " + (m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc));
        sqlite3_close(m_db);
        m_db = nullptr;
        throw StoreError(msg);
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 10000);
    try {
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec("PRAGMA foreign_keys=ON");
        // A recalled message's bytes are overwritten, not left in free space of the file.
        exec("PRAGMA secure_delete=ON");
        if (migrate)
            migrateSchema();
    } catch (...) {
        for (auto &[sql, stmt] : m_statements)
            sqlite3_finalize(stmt);
        m_statements.clear();
        sqlite3_close(m_db);
        m_db = nullptr;
        throw;
    }
}

SqliteMessageStore::~SqliteMessageStore()
{
    for (auto &[sql, stmt] : m_statements)
        sqlite3_finalize(stmt);
    if (m_db)
        sqlite3_close(m_db);
}

void SqliteMessageStore::fail(const char *what) const
{
    throw StoreError(std::string("database ") + what + " failed: " + sqlite3_errmsg(m_db) + " (" +
                     std::to_string(sqlite3_extended_errcode(m_db)) + ")");
}

void SqliteMessageStore::exec(const char *sql)
{
    char *err = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = std::string("database error: ") + (err ? err : "unknown");
        sqlite3_free(err);
        throw StoreError(msg);
    }
}

SqliteMessageStore::Statement SqliteMessageStore::statement(const char *sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
            fail("prepare");
        it = m_statements.emplace(sql, stmt).first;
    }
    return Statement(this, it->second);
}

void SqliteMessageStore::migrateSchema()
{
    exec("BEGIN IMMEDIATE");
    try {
        exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        int version = 0;
        {
            auto s = statement("SELECT version FROM schema_version");
            if (s.step())
                version = int(s.i64(0));
            else
                statement("INSERT INTO schema_version(version) VALUES (0)").run();
        }
        if (version > kSchemaVersion)
            throw StoreError("database '" + m_path + "' has schema version " + std::to_string(version) +
                             ", newer than this gateway understands (" + std::to_string(kSchemaVersion) +
                             "); refusing to open it");
        for (int v = version; v < kSchemaVersion; ++v) {
            exec(kMigrations[v]);
            statement("UPDATE schema_version SET version = ?").bind(1, std::int64_t(v + 1)).run();
        }
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void SqliteMessageStore::beginWrite()
{
    statement("BEGIN IMMEDIATE").run() || (fail("begin"), false);
}
void SqliteMessageStore::beginRead()
{
    statement("BEGIN").run() || (fail("begin"), false);
}
void SqliteMessageStore::commit()
{
    statement("COMMIT").run() || (fail("commit"), false);
}
void SqliteMessageStore::rollback()
{
    if (!sqlite3_get_autocommit(m_db))
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}
void SqliteMessageStore::savepoint()
{
    statement("SAVEPOINT job").run() || (fail("savepoint"), false);
}
void SqliteMessageStore::releaseSavepoint()
{
    statement("RELEASE job").run() || (fail("release"), false);
}
void SqliteMessageStore::rollbackToSavepoint()
{
    statement("ROLLBACK TO job").run();
    statement("RELEASE job").run();
}

std::optional<std::int64_t>
SqliteMessageStore::createUser(const std::string &nick, const std::string &passwordHash, std::int64_t nowMs)
{
    auto s = statement(
        "INSERT INTO users(nick, nick_lower, password_hash, created_ms) VALUES (?, lower(?), ?, ?)");
    s.bind(1, nick).bind(2, nick).bind(3, passwordHash).bind(4, nowMs);
    if (!s.run())
        return std::nullopt;
    return sqlite3_last_insert_rowid(m_db);
}

std::optional<UserRecord> SqliteMessageStore::findUser(const std::string &nick)
{
    auto s = statement(
        "SELECT id, nick, password_hash FROM users WHERE nick_lower = lower(?) AND deleted_ms IS NULL");
    s.bind(1, nick);
    if (!s.step())
        return std::nullopt;
    return UserRecord{s.i64(0), s.text(1), s.text(2)};
}

void SqliteMessageStore::createDevice(const std::string &deviceId, std::int64_t userId,
                                      const std::string &name, std::int64_t nowMs)
{
    auto s =
        statement("INSERT INTO devices(id, user_id, name, created_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?)");
    s.bind(1, deviceId).bind(2, userId).bind(3, name).bind(4, nowMs).bind(5, nowMs);
    if (!s.run())
        fail("insert device");
}

namespace {
template <class S> DeviceRecord deviceFrom(const S &s)
{
    return DeviceRecord{s.text(0), s.i64(1), s.text(2), s.i64(3), s.i64(4), s.i64(5) != 0};
}
} // namespace

std::optional<DeviceRecord> SqliteMessageStore::findDevice(const std::string &deviceId)
{
    auto s =
        statement("SELECT id, user_id, name, created_ms, last_seen_ms, revoked FROM devices WHERE id = ?");
    s.bind(1, deviceId);
    if (!s.step())
        return std::nullopt;
    return deviceFrom(s);
}

std::vector<DeviceRecord> SqliteMessageStore::listDevices(std::int64_t userId)
{
    auto s = statement("SELECT id, user_id, name, created_ms, last_seen_ms, revoked FROM devices "
                       "WHERE user_id = ? AND revoked = 0 ORDER BY created_ms, id");
    s.bind(1, userId);
    std::vector<DeviceRecord> out;
    while (s.step())
        out.push_back(deviceFrom(s));
    return out;
}

void SqliteMessageStore::touchDevice(const std::string &deviceId, const std::string &name, std::int64_t nowMs)
{
    if (name.empty())
        statement("UPDATE devices SET last_seen_ms = ? WHERE id = ?").bind(1, nowMs).bind(2, deviceId).run();
    else
        statement("UPDATE devices SET last_seen_ms = ?, name = ? WHERE id = ?")
            .bind(1, nowMs)
            .bind(2, name)
            .bind(3, deviceId)
            .run();
}

void SqliteMessageStore::revokeDevice(const std::string &deviceId)
{
    statement("UPDATE devices SET revoked = 1 WHERE id = ?").bind(1, deviceId).run();
    statement("UPDATE tokens SET revoked = 1 WHERE device_id = ?").bind(1, deviceId).run();
    statement("DELETE FROM device_keys WHERE device_id = ?").bind(1, deviceId).run();
    statement("DELETE FROM prekeys WHERE device_id = ?").bind(1, deviceId).run();
}

void SqliteMessageStore::insertToken(const std::string &tokenHash, std::int64_t userId,
                                     const std::string &deviceId, std::int64_t expiresMs)
{
    auto s = statement("INSERT INTO tokens(hash, user_id, device_id, expires_ms) VALUES (?, ?, ?, ?)");
    s.bindBlob(1, tokenHash).bind(2, userId).bind(3, deviceId).bind(4, expiresMs);
    if (!s.run())
        fail("insert token");
}

std::optional<TokenRecord> SqliteMessageStore::findToken(const std::string &tokenHash)
{
    auto s = statement("SELECT t.user_id, u.nick, t.device_id, t.expires_ms, t.revoked OR d.revoked "
                       "FROM tokens t JOIN users u ON u.id = t.user_id JOIN devices d ON d.id = t.device_id "
                       "WHERE t.hash = ?");
    s.bindBlob(1, tokenHash);
    if (!s.step())
        return std::nullopt;
    return TokenRecord{s.i64(0), s.text(1), s.text(2), s.i64(3), s.i64(4) != 0};
}

void SqliteMessageStore::revokeToken(const std::string &tokenHash)
{
    statement("UPDATE tokens SET revoked = 1 WHERE hash = ?").bindBlob(1, tokenHash).run();
}

std::optional<StreamRecord> SqliteMessageStore::findStream(const std::string &name)
{
    auto s = statement(
        "SELECT id, name, kind, encrypted, max_seq, owner_device, acked_seq FROM streams WHERE name = ?");
    s.bind(1, name);
    if (!s.step())
        return std::nullopt;
    return StreamRecord{s.i64(0),
                        s.text(1),
                        int(s.i64(2)),
                        s.i64(3) != 0,
                        std::uint64_t(s.i64(4)),
                        s.text(5),
                        std::uint64_t(s.i64(6))};
}

std::int64_t SqliteMessageStore::createStream(const std::string &name, int kind, bool encrypted,
                                              const std::string &ownerDevice, std::int64_t nowMs)
{
    auto s = statement(
        "INSERT INTO streams(name, kind, encrypted, owner_device, created_ms) VALUES (?, ?, ?, ?, ?)");
    s.bind(1, name).bind(2, std::int64_t(kind)).bind(3, std::int64_t(encrypted ? 1 : 0));
    if (ownerDevice.empty())
        s.bindNull(4);
    else
        s.bind(4, ownerDevice);
    s.bind(5, nowMs);
    if (!s.run())
        fail("insert stream");
    return sqlite3_last_insert_rowid(m_db);
}

bool SqliteMessageStore::isMember(std::int64_t streamId, std::int64_t userId)
{
    auto s = statement("SELECT 1 FROM members WHERE stream_id = ? AND user_id = ?");
    s.bind(1, streamId).bind(2, userId);
    return s.step();
}

void SqliteMessageStore::addMember(std::int64_t streamId, std::int64_t userId)
{
    statement("INSERT OR IGNORE INTO members(stream_id, user_id) VALUES (?, ?)")
        .bind(1, streamId)
        .bind(2, userId)
        .run();
}

void SqliteMessageStore::removeMember(std::int64_t streamId, std::int64_t userId)
{
    statement("DELETE FROM members WHERE stream_id = ? AND user_id = ?")
        .bind(1, streamId)
        .bind(2, userId)
        .run();
}

std::vector<std::int64_t> SqliteMessageStore::memberIds(std::int64_t streamId)
{
    auto s = statement("SELECT user_id FROM members WHERE stream_id = ?");
    s.bind(1, streamId);
    std::vector<std::int64_t> out;
    while (s.step())
        out.push_back(s.i64(0));
    return out;
}

std::vector<std::string> SqliteMessageStore::memberNicks(std::int64_t streamId)
{
    auto s = statement("SELECT u.nick FROM members m JOIN users u ON u.id = m.user_id WHERE m.stream_id = ? "
                       "ORDER BY u.nick_lower");
    s.bind(1, streamId);
    std::vector<std::string> out;
    while (s.step())
        out.push_back(s.text(0));
    return out;
}

std::vector<hchat::v1::ChannelInfo> SqliteMessageStore::channelsOf(std::int64_t userId)
{
    return channelInfos(userId, false, 0);
}

std::vector<hchat::v1::ChannelInfo> SqliteMessageStore::invitationsOf(std::int64_t userId, std::size_t limit)
{
    return channelInfos(userId, true, limit);
}

std::vector<hchat::v1::ChannelInfo> SqliteMessageStore::channelInfos(std::int64_t userId, bool pending,
                                                                     std::size_t limit)
{
    std::vector<hchat::v1::ChannelInfo> out;
    std::vector<std::int64_t> ids;
    {
        auto s =
            pending
                ? statement("SELECT s.id, s.name, s.kind, s.encrypted, s.max_seq, m.read_seq FROM members m "
                            "JOIN streams s ON s.id = m.stream_id WHERE m.user_id = ? AND s.kind != ? "
                            "AND m.invited_by <> 0 ORDER BY m.invited_ms DESC, s.name LIMIT ?")
                : statement("SELECT s.id, s.name, s.kind, s.encrypted, s.max_seq, m.read_seq FROM members m "
                            "JOIN streams s ON s.id = m.stream_id WHERE m.user_id = ? AND s.kind != ? "
                            "AND m.invited_by = 0 ORDER BY s.name LIMIT ?");
        s.bind(1, userId)
            .bind(2, std::int64_t(StreamRecord::kInbox))
            .bind(3, limit ? std::int64_t(limit) : -1);
        while (s.step()) {
            hchat::v1::ChannelInfo info;
            ids.push_back(s.i64(0));
            info.set_name(s.text(1));
            info.set_kind(static_cast<hchat::v1::ChannelKind>(s.i64(2)));
            info.set_encrypted(s.i64(3) != 0);
            info.set_server_max_seq(std::uint64_t(s.i64(4)));
            info.set_read_seq(std::uint64_t(s.i64(5)));
            out.push_back(std::move(info));
        }
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i].kind() == hchat::v1::CHANNEL_KIND_OPEN)
            continue;
        for (auto &nick : memberNicks(ids[i]))
            out[i].add_members(std::move(nick));
    }
    return out;
}

void SqliteMessageStore::addInvitee(std::int64_t streamId, std::int64_t userId, std::int64_t inviterId,
                                    std::int64_t nowMs)
{
    statement("INSERT OR IGNORE INTO members(stream_id, user_id, invited_by, invited_ms) VALUES (?, ?, ?, ?)")
        .bind(1, streamId)
        .bind(2, userId)
        .bind(3, inviterId)
        .bind(4, nowMs)
        .run();
}

bool SqliteMessageStore::acceptMembership(std::int64_t streamId, std::int64_t userId)
{
    auto s = statement(
        "UPDATE members SET invited_by = 0 WHERE stream_id = ? AND user_id = ? AND invited_by <> 0");
    s.bind(1, streamId).bind(2, userId).run();
    return sqlite3_changes(m_db) > 0;
}

std::uint64_t SqliteMessageStore::membershipCount(std::int64_t userId)
{
    auto s = statement("SELECT count(*) FROM members WHERE user_id = ? AND invited_by = 0");
    s.bind(1, userId);
    return s.step() ? std::uint64_t(s.i64(0)) : 0;
}

bool SqliteMessageStore::shareAChannel(std::int64_t userA, std::int64_t userB)
{
    auto s =
        statement("SELECT 1 FROM members a JOIN members b ON b.stream_id = a.stream_id AND b.user_id = ? "
                  "WHERE a.user_id = ? LIMIT 1");
    s.bind(1, userB).bind(2, userA);
    return s.step();
}

std::uint64_t SqliteMessageStore::inboxRows(std::int64_t streamId)
{
    auto s = statement("SELECT count(*) FROM messages WHERE stream_id = ?");
    s.bind(1, streamId);
    return s.step() ? std::uint64_t(s.i64(0)) : 0;
}

std::uint64_t SqliteMessageStore::inboxRowsFrom(std::int64_t streamId, std::int64_t senderId)
{
    auto s = statement("SELECT count(*) FROM messages WHERE stream_id = ? AND sender_id = ?");
    s.bind(1, streamId).bind(2, senderId);
    return s.step() ? std::uint64_t(s.i64(0)) : 0;
}

std::uint64_t SqliteMessageStore::pendingInvitations(std::int64_t userId, std::int64_t inviterId)
{
    auto s = statement("SELECT count(*) FROM members WHERE user_id = ? AND invited_by = ?");
    s.bind(1, userId).bind(2, inviterId);
    return s.step() ? std::uint64_t(s.i64(0)) : 0;
}

void SqliteMessageStore::setReadSeq(std::int64_t streamId, std::int64_t userId, std::uint64_t seq)
{
    statement("UPDATE members SET read_seq = max(read_seq, ?) WHERE stream_id = ? AND user_id = ?")
        .bind(1, std::int64_t(seq))
        .bind(2, streamId)
        .bind(3, userId)
        .run();
}

std::uint64_t SqliteMessageStore::readSeq(std::int64_t streamId, std::int64_t userId)
{
    auto s = statement("SELECT read_seq FROM members WHERE stream_id = ? AND user_id = ?");
    s.bind(1, streamId).bind(2, userId);
    return s.step() ? std::uint64_t(s.i64(0)) : 0;
}

void SqliteMessageStore::appendMessage(const StreamRecord &stream, std::int64_t senderId,
                                       hchat::v1::Message &m)
{
    std::uint64_t seq = 0;
    {
        auto s = statement("UPDATE streams SET max_seq = max_seq + 1 WHERE id = ? RETURNING max_seq");
        s.bind(1, stream.id);
        if (!s.step())
            fail("bump seq");
        seq = std::uint64_t(s.i64(0));
        while (s.step()) {
        }
    }
    m.set_seq(seq);
    m.set_channel(stream.name);
    auto s = statement(
        "INSERT INTO messages(stream_id, seq, sender_id, sender_nick, sender_device, client_msg_id, "
        "time_ms, body, encrypted, kind, subject, ref_seq, attachment_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, stream.id)
        .bind(2, std::int64_t(seq))
        .bind(3, senderId)
        .bind(4, m.sender())
        .bind(5, m.sender_device());
    if (m.client_msg_id().empty())
        s.bindNull(6);
    else
        s.bindBlob(6, m.client_msg_id());
    s.bind(7, m.server_time_ms()).bindBlob(8, m.body()).bind(9, std::int64_t(m.encrypted() ? 1 : 0));
    s.bind(10, std::int64_t(m.kind())).bind(11, m.subject()).bind(12, std::int64_t(m.ref_seq()));
    if (m.attachment_id().empty())
        s.bindNull(13);
    else
        s.bind(13, m.attachment_id());
    if (!s.run())
        fail("insert message");
}

namespace {
template <class S> void messageFrom(const S &s, hchat::v1::Message &m, int first)
{
    m.set_seq(std::uint64_t(s.i64(first)));
    m.set_sender(s.text(first + 1));
    m.set_sender_device(s.text(first + 2));
    if (!s.isNull(first + 3))
        m.set_client_msg_id(s.blob(first + 3));
    m.set_server_time_ms(s.i64(first + 4));
    m.set_body(s.blob(first + 5));
    m.set_encrypted(s.i64(first + 6) != 0);
    m.set_kind(static_cast<hchat::v1::MessageKind>(s.i64(first + 7)));
    m.set_subject(s.text(first + 8));
    m.set_ref_seq(std::uint64_t(s.i64(first + 9)));
    m.set_deleted(s.i64(first + 10) != 0);
    m.set_attachment_id(s.text(first + 11));
}
} // namespace

std::optional<hchat::v1::Message> SqliteMessageStore::findByClientMsgId(std::int64_t senderId,
                                                                        const std::string &clientMsgId)
{
    auto s = statement(
        "SELECT st.name, m.seq, m.sender_nick, m.sender_device, m.client_msg_id, m.time_ms, m.body, "
        "m.encrypted, m.kind, m.subject, m.ref_seq, m.deleted, m.attachment_id FROM messages m "
        "JOIN streams st ON st.id = m.stream_id "
        "WHERE m.sender_id = ? AND m.client_msg_id = ?");
    s.bind(1, senderId).bindBlob(2, clientMsgId);
    if (!s.step())
        return std::nullopt;
    hchat::v1::Message m;
    m.set_channel(s.text(0));
    messageFrom(s, m, 1);
    return m;
}

std::vector<hchat::v1::Message> SqliteMessageStore::readMessages(const StreamRecord &stream,
                                                                 std::uint64_t fromSeq, std::uint32_t limit,
                                                                 std::size_t maxBytes)
{
    auto s = statement(
        "SELECT m.seq, m.sender_nick, m.sender_device, m.client_msg_id, m.time_ms, m.body, m.encrypted, "
        "m.kind, m.subject, m.ref_seq, m.deleted, m.attachment_id, u.deleted_ms IS NOT NULL "
        "FROM messages m LEFT JOIN users u ON u.id = m.sender_id "
        "WHERE m.stream_id = ? AND m.seq >= ? ORDER BY m.seq LIMIT ?");
    s.bind(1, stream.id).bind(2, std::int64_t(fromSeq)).bind(3, std::int64_t(limit));
    std::vector<hchat::v1::Message> out;
    std::size_t bytes = 0;
    while (bytes < maxBytes && s.step()) {
        hchat::v1::Message m;
        m.set_channel(stream.name);
        messageFrom(s, m, 0);
        if (stream.kind != StreamRecord::kInbox)
            m.set_sender_deleted(s.i64(12) != 0);
        bytes += m.body().size() + 64;
        out.push_back(std::move(m));
    }
    return out;
}

std::optional<MessageRecord> SqliteMessageStore::findMessage(const StreamRecord &stream, std::uint64_t seq)
{
    auto s = statement(
        "SELECT seq, sender_nick, sender_device, client_msg_id, time_ms, body, encrypted, kind, "
        "subject, ref_seq, deleted, attachment_id, sender_id FROM messages WHERE stream_id = ? AND seq = ?");
    s.bind(1, stream.id).bind(2, std::int64_t(seq));
    if (!s.step())
        return std::nullopt;
    MessageRecord r;
    r.message.set_channel(stream.name);
    messageFrom(s, r.message, 0);
    r.senderId = s.i64(12);
    return r;
}

void SqliteMessageStore::eraseMessage(const StreamRecord &stream, std::uint64_t seq)
{
    auto target = statement("UPDATE messages SET body = x'', deleted = 1 WHERE stream_id = ? AND seq = ?");
    target.bind(1, stream.id).bind(2, std::int64_t(seq));
    if (!target.run())
        fail("erase message");
    auto edits = statement("UPDATE messages SET body = x'' WHERE stream_id = ? AND ref_seq = ? AND kind = ?");
    edits.bind(1, stream.id).bind(2, std::int64_t(seq)).bind(3, std::int64_t(hchat::v1::MESSAGE_KIND_EDIT));
    if (!edits.run())
        fail("erase edits");
}

void SqliteMessageStore::publishKeys(std::int64_t userId, const hchat::v1::DeviceKeys &keys,
                                     std::int64_t nowMs)
{
    auto s = statement(
        "INSERT INTO device_keys(device_id, user_id, identity_key, exchange_key, signature, updated_ms) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET identity_key = "
        "excluded.identity_key, "
        "exchange_key = excluded.exchange_key, signature = excluded.signature, updated_ms = "
        "excluded.updated_ms");
    s.bind(1, keys.device_id())
        .bind(2, userId)
        .bindBlob(3, keys.identity_key())
        .bindBlob(4, keys.exchange_key());
    s.bindBlob(5, keys.signature()).bind(6, nowMs);
    if (!s.run())
        fail("publish keys");
}

std::vector<hchat::v1::DeviceKeys> SqliteMessageStore::fetchKeys(const std::string &nick)
{
    auto s = statement(
        "SELECT u.nick, k.device_id, k.identity_key, k.exchange_key, k.signature FROM device_keys k "
        "JOIN users u ON u.id = k.user_id JOIN devices d ON d.id = k.device_id "
        "WHERE u.nick_lower = lower(?) AND d.revoked = 0 ORDER BY d.created_ms, d.id");
    s.bind(1, nick);
    std::vector<hchat::v1::DeviceKeys> out;
    while (s.step()) {
        hchat::v1::DeviceKeys k;
        k.set_nick(s.text(0));
        k.set_device_id(s.text(1));
        k.set_identity_key(s.blob(2));
        k.set_exchange_key(s.blob(3));
        k.set_signature(s.blob(4));
        out.push_back(std::move(k));
    }
    return out;
}

std::optional<std::string> SqliteMessageStore::deviceList(const std::string &nick)
{
    auto s = statement("SELECT l.body FROM device_lists l JOIN users u ON u.id = l.user_id "
                       "WHERE u.nick_lower = lower(?) AND u.deleted_ms IS NULL");
    s.bind(1, nick);
    if (!s.step())
        return std::nullopt;
    return s.blob(0);
}

void SqliteMessageStore::putDeviceList(std::int64_t userId, std::uint64_t generation, const std::string &body)
{
    auto s =
        statement("INSERT INTO device_lists(user_id, generation, body) VALUES (?, ?, ?) ON CONFLICT(user_id) "
                  "DO UPDATE SET generation = excluded.generation, body = excluded.body");
    s.bind(1, userId).bind(2, std::int64_t(generation)).bindBlob(3, body);
    if (!s.run())
        fail("put device list");
}

void SqliteMessageStore::addPrekeys(const std::string &deviceId,
                                    const std::vector<hchat::v1::OneTimePrekey> &prekeys)
{
    for (const auto &k : prekeys) {
        auto s =
            statement("INSERT INTO prekeys(device_id, key_id, public_key, signature) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT(device_id, key_id) DO NOTHING");
        s.bind(1, deviceId)
            .bind(2, std::int64_t(k.key_id()))
            .bindBlob(3, k.public_key())
            .bindBlob(4, k.signature());
        if (!s.run())
            fail("add prekeys");
    }
}

std::uint64_t SqliteMessageStore::prekeyCount(const std::string &deviceId)
{
    auto s = statement("SELECT count(*) FROM prekeys WHERE device_id = ?");
    s.bind(1, deviceId);
    return s.step() ? std::uint64_t(s.i64(0)) : 0;
}

std::optional<hchat::v1::OneTimePrekey> SqliteMessageStore::claimPrekey(const std::string &deviceId)
{
    auto s = statement(
        "DELETE FROM prekeys WHERE device_id = ? AND key_id = "
        "(SELECT min(key_id) FROM prekeys WHERE device_id = ?) RETURNING key_id, public_key, signature");
    s.bind(1, deviceId).bind(2, deviceId);
    if (!s.step())
        return std::nullopt;
    hchat::v1::OneTimePrekey k;
    k.set_key_id(std::uint32_t(s.i64(0)));
    k.set_public_key(s.blob(1));
    k.set_signature(s.blob(2));
    return k;
}

void SqliteMessageStore::acknowledgeInbox(const StreamRecord &inbox, std::uint64_t seq)
{
    if (seq <= inbox.ackedSeq)
        return;
    statement("DELETE FROM messages WHERE stream_id = ? AND seq <= ?")
        .bind(1, inbox.id)
        .bind(2, std::int64_t(seq))
        .run();
    statement("UPDATE streams SET acked_seq = ? WHERE id = ? AND acked_seq < ?")
        .bind(1, std::int64_t(seq))
        .bind(2, inbox.id)
        .bind(3, std::int64_t(seq))
        .run();
}

// ---- account ---------------------------------------------------------------------------------

void SqliteMessageStore::setPasswordHash(std::int64_t userId, const std::string &passwordHash)
{
    statement("UPDATE users SET password_hash = ? WHERE id = ? AND deleted_ms IS NULL")
        .bind(1, passwordHash)
        .bind(2, userId)
        .run();
}

void SqliteMessageStore::revokeUserTokens(std::int64_t userId, const std::string &exceptTokenHash)
{
    statement("UPDATE tokens SET revoked = 1 WHERE user_id = ? AND hash <> ?")
        .bind(1, userId)
        .bindBlob(2, exceptTokenHash)
        .run();
}

std::vector<StreamRecord> SqliteMessageStore::streamsOfUser(std::int64_t userId)
{
    // The second subquery is answered from the partial index messages_idempotency.
    auto s =
        statement("SELECT id, name, kind, encrypted, max_seq, owner_device FROM streams WHERE kind <> ?2 AND "
                  "(id IN (SELECT stream_id FROM members WHERE user_id = ?1) OR id IN (SELECT stream_id FROM "
                  "messages WHERE sender_id = ?1 AND client_msg_id IS NOT NULL)) ORDER BY id");
    s.bind(1, userId).bind(2, std::int64_t(StreamRecord::kInbox));
    std::vector<StreamRecord> out;
    while (s.step())
        out.push_back(StreamRecord{s.i64(0), s.text(1), int(s.i64(2)), s.i64(3) != 0, std::uint64_t(s.i64(4)),
                                   s.text(5), 0});
    return out;
}

void SqliteMessageStore::deleteUser(std::int64_t userId, std::int64_t nowMs)
{
    // The key shares waiting in the inboxes of its devices can never be read again: gone too (the
    // inbox's max_seq stays, so no seq is reused).
    statement("DELETE FROM messages WHERE stream_id IN (SELECT s.id FROM streams s JOIN devices d ON "
              "d.id = s.owner_device WHERE s.kind = ? AND d.user_id = ?)")
        .bind(1, std::int64_t(StreamRecord::kInbox))
        .bind(2, userId)
        .run();
    statement("UPDATE devices SET revoked = 1 WHERE user_id = ?").bind(1, userId).run();
    statement("UPDATE tokens SET revoked = 1 WHERE user_id = ?").bind(1, userId).run();
    statement("DELETE FROM device_keys WHERE user_id = ?").bind(1, userId).run();
    statement("DELETE FROM prekeys WHERE device_id IN (SELECT id FROM devices WHERE user_id = ?)")
        .bind(1, userId)
        .run();
    statement("DELETE FROM device_lists WHERE user_id = ?").bind(1, userId).run();
    statement("DELETE FROM members WHERE user_id = ?").bind(1, userId).run();
    statement("UPDATE users SET password_hash = '', deleted_ms = ? WHERE id = ?")
        .bind(1, nowMs)
        .bind(2, userId)
        .run();
}

// ---- attachments ---------------------------------------------------------------------------------

void SqliteMessageStore::createUpload(const UploadRecord &u)
{
    auto s =
        statement("INSERT INTO uploads(id, stream_id, uploader_id, size, created_ms) VALUES (?, ?, ?, ?, ?)");
    s.bind(1, u.id)
        .bind(2, u.streamId)
        .bind(3, u.uploaderId)
        .bind(4, std::int64_t(u.size))
        .bind(5, u.createdMs);
    if (!s.run())
        fail("create upload");
}

std::optional<UploadRecord> SqliteMessageStore::findUpload(const std::string &id)
{
    auto s = statement(
        "SELECT u.id, u.stream_id, st.name, u.uploader_id, u.size, u.received, u.created_ms, u.referenced "
        "FROM uploads u JOIN streams st ON st.id = u.stream_id WHERE u.id = ?");
    s.bind(1, id);
    if (!s.step())
        return std::nullopt;
    UploadRecord u;
    u.id = s.text(0);
    u.streamId = s.i64(1);
    u.channel = s.text(2);
    u.uploaderId = s.i64(3);
    u.size = std::uint64_t(s.i64(4));
    u.received = std::uint64_t(s.i64(5));
    u.createdMs = s.i64(6);
    u.referenced = s.i64(7) != 0;
    return u;
}

std::uint64_t SqliteMessageStore::openUploads(std::int64_t uploaderId)
{
    auto s = statement(
        "SELECT count(*) FROM uploads WHERE uploader_id = ? AND (received < size OR referenced = 0)");
    s.bind(1, uploaderId);
    return s.step() ? std::uint64_t(s.i64(0)) : 0;
}

void SqliteMessageStore::appendUploadChunk(const std::string &id, std::uint64_t index,
                                           const std::string &bytes, std::uint64_t received)
{
    auto chunk = statement("INSERT OR REPLACE INTO upload_chunks(upload_id, idx, data) VALUES (?, ?, ?)");
    chunk.bind(1, id).bind(2, std::int64_t(index)).bindBlob(3, bytes);
    if (!chunk.run())
        fail("store chunk");
    auto up = statement("UPDATE uploads SET received = ? WHERE id = ?");
    up.bind(1, std::int64_t(received)).bind(2, id);
    if (!up.run())
        fail("update upload");
}

std::string SqliteMessageStore::readUpload(const std::string &id, std::uint64_t offset, std::uint64_t length)
{
    const std::uint64_t chunk = limits::kAttachmentChunkBytes;
    std::string out;
    if (length == 0)
        return out;
    out.reserve(length);
    auto s = statement(
        "SELECT idx, data FROM upload_chunks WHERE upload_id = ? AND idx BETWEEN ? AND ? ORDER BY idx");
    s.bind(1, id).bind(2, std::int64_t(offset / chunk)).bind(3, std::int64_t((offset + length - 1) / chunk));
    while (s.step()) {
        const std::uint64_t start = std::uint64_t(s.i64(0)) * chunk;
        const std::string data = s.blob(1);
        const std::uint64_t from = offset > start ? offset - start : 0;
        const std::uint64_t end = std::min<std::uint64_t>(data.size(), offset + length - start);
        if (from < end)
            out.append(data, from, end - from);
    }
    if (out.size() != length)
        throw StoreError("attachment " + id + " is missing chunks");
    return out;
}

void SqliteMessageStore::markUploadReferenced(const std::string &id)
{
    statement("UPDATE uploads SET referenced = 1 WHERE id = ?").bind(1, id).run() ||
        (fail("mark upload"), false);
}

void SqliteMessageStore::deleteUpload(const std::string &id)
{
    statement("DELETE FROM upload_chunks WHERE upload_id = ?").bind(1, id).run() ||
        (fail("delete chunks"), false);
    statement("DELETE FROM uploads WHERE id = ?").bind(1, id).run() || (fail("delete upload"), false);
}

std::vector<std::string> SqliteMessageStore::staleUploads(std::int64_t cutoffMs)
{
    auto s = statement("SELECT id FROM uploads WHERE created_ms < ? AND (received < size OR referenced = 0)");
    s.bind(1, cutoffMs);
    std::vector<std::string> out;
    while (s.step())
        out.push_back(s.text(0));
    return out;
}

} // namespace hchat::server
