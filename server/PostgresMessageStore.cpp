#include "PostgresMessageStore.h"

#include "Limits.h"

#include <libpq-fe.h>

#include <algorithm>

#include <cstdint>
#include <cstring>
#include <vector>

namespace hchat::server {

namespace {

// Type OIDs of the result columns this store reads in binary format.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

std::uint64_t bigEndian(const char *p, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

} // namespace

// A query result (binary format); owns the PGresult.
class PostgresMessageStore::Result {
public:
    explicit Result(PGresult *res) : m_res(res) {}
    ~Result() { PQclear(m_res); }
    Result(Result &&o) noexcept : m_res(o.m_res) { o.m_res = nullptr; }
    Result(const Result &) = delete;
    Result &operator=(const Result &) = delete;
    Result &operator=(Result &&) = delete;

    int rows() const { return PQntuples(m_res); }
    bool isNull(int row, int col) const { return PQgetisnull(m_res, row, col) != 0; }
    std::int64_t i64(int row, int col) const
    {
        if (isNull(row, col))
            return 0;
        const char *p = PQgetvalue(m_res, row, col);
        switch (PQftype(m_res, col)) {
        case kInt8Oid:
            return std::int64_t(bigEndian(p, 8));
        case kInt4Oid:
            return std::int32_t(std::uint32_t(bigEndian(p, 4)));
        case kInt2Oid:
            return std::int16_t(std::uint16_t(bigEndian(p, 2)));
        case kBoolOid:
            return p[0] != 0;
        default:
            throw StoreError("database column " + std::to_string(col) + " is not an integer");
        }
    }
    std::string bytes(int row, int col) const
    {
        if (isNull(row, col))
            return {};
        return std::string(PQgetvalue(m_res, row, col), std::size_t(PQgetlength(m_res, row, col)));
    }

private:
    PGresult *m_res;
};

// A prepared statement with its parameters: integers and text in text format, blobs in binary.
class PostgresMessageStore::Query {
public:
    Query(PostgresMessageStore *store, const char *sql) : m_store(store), m_sql(sql) {}
    Query &bind(std::int64_t v) { return add(std::to_string(v), 0); }
    Query &bind(const std::string &v) { return add(v, 0); }
    Query &bindBlob(const std::string &v) { return add(v, 1); }
    Query &bindNull()
    {
        add({}, 0);
        m_null.back() = true;
        return *this;
    }
    Result run()
    {
        PGconn *conn = m_store->m_conn;
        const std::string name = "h" + std::to_string(reinterpret_cast<std::uintptr_t>(m_sql));
        if (!m_store->m_prepared.count(m_sql)) {
            PGresult *prep = PQprepare(conn, name.c_str(), m_sql, int(m_values.size()), nullptr);
            if (PQresultStatus(prep) != PGRES_COMMAND_OK)
                m_store->fail("prepare", prep);
            PQclear(prep);
            m_store->m_prepared.insert(m_sql);
        }
        std::vector<const char *> values(m_values.size());
        std::vector<int> lengths(m_values.size());
        for (std::size_t i = 0; i < m_values.size(); ++i) {
            values[i] = m_null[i] ? nullptr : m_values[i].data();
            lengths[i] = int(m_values[i].size());
        }
        PGresult *res = PQexecPrepared(conn, name.c_str(), int(values.size()), values.data(), lengths.data(),
                                       m_formats.data(), 1);
        const auto status = PQresultStatus(res);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            m_store->fail("statement", res);
        return Result(res);
    }

private:
    Query &add(std::string v, int format)
    {
        m_values.push_back(std::move(v));
        m_formats.push_back(format);
        m_null.push_back(false);
        return *this;
    }
    PostgresMessageStore *m_store;
    const char *m_sql;
    std::vector<std::string> m_values;
    std::vector<int> m_formats;
    std::vector<bool> m_null;
};

namespace {

// Versioned migrations: kMigrations[i] takes the schema from version i to i + 1.
const char *const kMigrations[] = {
    R"sql(
CREATE TABLE users (
  id BIGSERIAL PRIMARY KEY,
  nick TEXT NOT NULL,
  nick_lower TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX devices_by_user ON devices(user_id);
CREATE TABLE tokens (
  hash BYTEA PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  device_id TEXT NOT NULL REFERENCES devices(id),
  expires_ms BIGINT NOT NULL,
  revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tokens_by_device ON tokens(device_id);
CREATE TABLE streams (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind BIGINT NOT NULL,
  encrypted BIGINT NOT NULL DEFAULT 0,
  max_seq BIGINT NOT NULL DEFAULT 0,
  owner_device TEXT,
  created_ms BIGINT NOT NULL
);
CREATE TABLE members (
  stream_id BIGINT NOT NULL REFERENCES streams(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  read_seq BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (stream_id, user_id)
);
CREATE INDEX members_by_user ON members(user_id);
CREATE TABLE messages (
  stream_id BIGINT NOT NULL REFERENCES streams(id),
  seq BIGINT NOT NULL,
  sender_id BIGINT NOT NULL,
  sender_nick TEXT NOT NULL,
  sender_device TEXT NOT NULL,
  client_msg_id BYTEA,
  time_ms BIGINT NOT NULL,
  body BYTEA NOT NULL,
  encrypted BIGINT NOT NULL,
  kind BIGINT NOT NULL,
  subject TEXT NOT NULL,
  PRIMARY KEY (stream_id, seq)
);
CREATE UNIQUE INDEX messages_idempotency ON messages(sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
CREATE TABLE device_keys (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  identity_key BYTEA NOT NULL,
  exchange_key BYTEA NOT NULL,
  signature BYTEA NOT NULL,
  updated_ms BIGINT NOT NULL
);
)sql",
    // 2: replies, edits and recalls (MESSAGE_KIND_EDIT / _DELETE refer to their target by seq).
    R"sql(
ALTER TABLE messages ADD COLUMN ref_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN deleted BIGINT NOT NULL DEFAULT 0;
CREATE INDEX messages_by_ref ON messages(stream_id, ref_seq) WHERE ref_seq <> 0;
)sql",
    // 3: deleted accounts keep their row (the nick stays taken) without a password hash.
    R"sql(
ALTER TABLE users ADD COLUMN deleted_ms BIGINT;
CREATE INDEX tokens_by_user ON tokens(user_id);
)sql",
    // 4: attachments. An upload's bytes are rows of 512 KiB chunks, so that each acknowledged chunk
    // is durable on its own and every gateway sharing the database serves them.
    R"sql(
ALTER TABLE messages ADD COLUMN attachment_id TEXT;
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  stream_id BIGINT NOT NULL REFERENCES streams(id),
  uploader_id BIGINT NOT NULL REFERENCES users(id),
  size BIGINT NOT NULL,
  received BIGINT NOT NULL DEFAULT 0,
  created_ms BIGINT NOT NULL,
  referenced BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX uploads_by_uploader ON uploads(uploader_id) WHERE received < size;
CREATE TABLE upload_chunks (
  upload_id TEXT NOT NULL REFERENCES uploads(id),
  idx BIGINT NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (upload_id, idx)
);
)sql",
    // 5: one-time prekeys, inbox rows deleted once their device acknowledged them, and each
    // account's signed device list.
    R"sql(
CREATE TABLE prekeys (
  device_id TEXT NOT NULL REFERENCES devices(id),
  key_id BIGINT NOT NULL,
  public_key BYTEA NOT NULL,
  signature BYTEA NOT NULL,
  PRIMARY KEY (device_id, key_id)
);
ALTER TABLE streams ADD COLUMN acked_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN invited_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN invited_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX members_pending ON members(user_id, invited_by) WHERE invited_by <> 0;
CREATE TABLE device_lists (
  user_id BIGINT PRIMARY KEY REFERENCES users(id),
  generation BIGINT NOT NULL,
  body BYTEA NOT NULL
);
)sql",
};
constexpr int kMigrationCount = int(sizeof kMigrations / sizeof kMigrations[0]);
static_assert(kMigrationCount == PostgresMessageStore::kSchemaVersion);

// Serialises migrations of several gateways starting at once.
constexpr const char *kMigrationLock = "SELECT pg_advisory_xact_lock(7215010)";

} // namespace

bool PostgresMessageStore::isUrl(const std::string &db)
{
    return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

std::string PostgresMessageStore::redact(const std::string &url)
{
    std::string out = url;
    const auto scheme = out.find("://");
    const auto at = out.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme != std::string::npos && at != std::string::npos) {
        const auto colon = out.find(':', scheme + 3);
        if (colon != std::string::npos && colon < at)
            out.replace(colon + 1, at - colon - 1, "***");
    }
    const auto pw = out.find("password=");
    if (pw != std::string::npos) {
        auto end = out.find_first_of("& ", pw);
        out.replace(pw + 9, (end == std::string::npos ? out.size() : end) - pw - 9, "***");
    }
    return out;
}

PostgresMessageStore::PostgresMessageStore(const std::string &url, bool migrate) : m_redactedUrl(redact(url))
{
    m_conn = PQconnectdb(url.c_str());
    if (!m_conn || PQstatus(m_conn) != CONNECTION_OK) {
        std::string msg = "cannot connect to PostgreSQL at '" + m_redactedUrl +
                          "': " + (m_conn ? PQerrorMessage(m_conn) : "out of memory");
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
            msg.pop_back();
        PQfinish(m_conn);
        m_conn = nullptr;
        throw StoreError(msg);
    }
    try {
        exec("SET client_min_messages = warning");
        if (migrate)
            migrateSchema();
    } catch (...) {
        PQfinish(m_conn);
        m_conn = nullptr;
        throw;
    }
}

PostgresMessageStore::~PostgresMessageStore()
{
    if (m_conn)
        PQfinish(m_conn);
}

void PostgresMessageStore::fail(const char *what, PGresult *res) const
{
    std::string detail = res ? PQresultErrorMessage(res) : PQerrorMessage(m_conn);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    PQclear(res);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' '))
        detail.pop_back();
    throw StoreError(std::string("database ") + what + " failed: " + detail +
                     (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"));
}

void PostgresMessageStore::exec(const char *sql)
{
    PGresult *res = PQexec(m_conn, sql);
    const auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        fail("command", res);
    PQclear(res);
}

PostgresMessageStore::Query PostgresMessageStore::query(const char *sql)
{
    return Query(this, sql);
}

void PostgresMessageStore::migrateSchema()
{
    exec("BEGIN");
    try {
        query(kMigrationLock).run();
        exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
        int version = 0;
        {
            auto r = query("SELECT version FROM schema_version").run();
            if (r.rows() > 0)
                version = int(r.i64(0, 0));
            else
                query("INSERT INTO schema_version(version) VALUES (0)").run();
        }
        if (version > kSchemaVersion)
            throw StoreError("database '" + m_redactedUrl + "' has schema version " +
                             std::to_string(version) + ", newer than this gateway understands (" +
                             std::to_string(kSchemaVersion) + "); refusing to open it");
        for (int v = version; v < kSchemaVersion; ++v) {
            exec(kMigrations[v]);
            query("UPDATE schema_version SET version = $1").bind(std::int64_t(v + 1)).run();
        }
        exec("COMMIT");
    } catch (...) {
        PQclear(PQexec(m_conn, "ROLLBACK"));
        throw;
    }
}

void PostgresMessageStore::beginWrite()
{
    // A connection lost to a database restart is re-opened at the next transaction.
    if (PQstatus(m_conn) != CONNECTION_OK) {
        PQreset(m_conn);
        m_prepared.clear();
        if (PQstatus(m_conn) != CONNECTION_OK)
            fail("reconnect");
    }
    exec("BEGIN");
}
void PostgresMessageStore::beginRead()
{
    beginWrite();
}
void PostgresMessageStore::commit()
{
    // COMMIT of a failed transaction answers "ROLLBACK" without an error: check what we are in.
    if (PQtransactionStatus(m_conn) == PQTRANS_INERROR) {
        rollback();
        throw StoreError("database commit failed: the transaction was aborted");
    }
    exec("COMMIT");
}
void PostgresMessageStore::rollback()
{
    if (PQstatus(m_conn) == CONNECTION_OK && PQtransactionStatus(m_conn) != PQTRANS_IDLE)
        PQclear(PQexec(m_conn, "ROLLBACK"));
}
void PostgresMessageStore::savepoint()
{
    exec("SAVEPOINT job");
}
void PostgresMessageStore::releaseSavepoint()
{
    exec("RELEASE SAVEPOINT job");
}
void PostgresMessageStore::rollbackToSavepoint()
{
    exec("ROLLBACK TO SAVEPOINT job");
    exec("RELEASE SAVEPOINT job");
}

std::optional<std::int64_t>
PostgresMessageStore::createUser(const std::string &nick, const std::string &passwordHash, std::int64_t nowMs)
{
    auto r =
        query("INSERT INTO users(nick, nick_lower, password_hash, created_ms) VALUES ($1, lower($2), $3, $4) "
              "ON CONFLICT (nick_lower) DO NOTHING RETURNING id")
            .bind(nick)
            .bind(nick)
            .bind(passwordHash)
            .bind(nowMs)
            .run();
    if (r.rows() == 0)
        return std::nullopt;
    return r.i64(0, 0);
}

std::optional<UserRecord> PostgresMessageStore::findUser(const std::string &nick)
{
    auto r =
        query("SELECT id, nick, password_hash FROM users WHERE nick_lower = lower($1) AND deleted_ms IS NULL")
            .bind(nick)
            .run();
    if (r.rows() == 0)
        return std::nullopt;
    return UserRecord{r.i64(0, 0), r.bytes(0, 1), r.bytes(0, 2)};
}

void PostgresMessageStore::createDevice(const std::string &deviceId, std::int64_t userId,
                                        const std::string &name, std::int64_t nowMs)
{
    query("INSERT INTO devices(id, user_id, name, created_ms, last_seen_ms) VALUES ($1, $2, $3, $4, $5)")
        .bind(deviceId)
        .bind(userId)
        .bind(name)
        .bind(nowMs)
        .bind(nowMs)
        .run();
}

namespace {
DeviceRecord deviceFrom(const auto &r, int row)
{
    return DeviceRecord{r.bytes(row, 0), r.i64(row, 1), r.bytes(row, 2),
                        r.i64(row, 3),   r.i64(row, 4), r.i64(row, 5) != 0};
}
} // namespace

std::optional<DeviceRecord> PostgresMessageStore::findDevice(const std::string &deviceId)
{
    auto r = query("SELECT id, user_id, name, created_ms, last_seen_ms, revoked FROM devices WHERE id = $1")
                 .bind(deviceId)
                 .run();
    if (r.rows() == 0)
        return std::nullopt;
    return deviceFrom(r, 0);
}

std::vector<DeviceRecord> PostgresMessageStore::listDevices(std::int64_t userId)
{
    auto r = query("SELECT id, user_id, name, created_ms, last_seen_ms, revoked FROM devices "
                   "WHERE user_id = $1 AND revoked = 0 ORDER BY created_ms, id")
                 .bind(userId)
                 .run();
    std::vector<DeviceRecord> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(deviceFrom(r, i));
    return out;
}

void PostgresMessageStore::touchDevice(const std::string &deviceId, const std::string &name,
                                       std::int64_t nowMs)
{
    if (name.empty())
        query("UPDATE devices SET last_seen_ms = $1 WHERE id = $2").bind(nowMs).bind(deviceId).run();
    else
        query("UPDATE devices SET last_seen_ms = $1, name = $2 WHERE id = $3")
            .bind(nowMs)
            .bind(name)
            .bind(deviceId)
            .run();
}

void PostgresMessageStore::revokeDevice(const std::string &deviceId)
{
    query("UPDATE devices SET revoked = 1 WHERE id = $1").bind(deviceId).run();
    query("UPDATE tokens SET revoked = 1 WHERE device_id = $1").bind(deviceId).run();
    query("DELETE FROM device_keys WHERE device_id = $1").bind(deviceId).run();
    query("DELETE FROM prekeys WHERE device_id = $1").bind(deviceId).run();
}

void PostgresMessageStore::insertToken(const std::string &tokenHash, std::int64_t userId,
                                       const std::string &deviceId, std::int64_t expiresMs)
{
    query("INSERT INTO tokens(hash, user_id, device_id, expires_ms) VALUES ($1, $2, $3, $4)")
        .bindBlob(tokenHash)
        .bind(userId)
        .bind(deviceId)
        .bind(expiresMs)
        .run();
}

std::optional<TokenRecord> PostgresMessageStore::findToken(const std::string &tokenHash)
{
    auto r = query("SELECT t.user_id, u.nick, t.device_id, t.expires_ms, GREATEST(t.revoked, d.revoked) "
                   "FROM tokens t JOIN users u ON u.id = t.user_id JOIN devices d ON d.id = t.device_id "
                   "WHERE t.hash = $1")
                 .bindBlob(tokenHash)
                 .run();
    if (r.rows() == 0)
        return std::nullopt;
    return TokenRecord{r.i64(0, 0), r.bytes(0, 1), r.bytes(0, 2), r.i64(0, 3), r.i64(0, 4) != 0};
}

void PostgresMessageStore::revokeToken(const std::string &tokenHash)
{
    query("UPDATE tokens SET revoked = 1 WHERE hash = $1").bindBlob(tokenHash).run();
}

std::optional<StreamRecord> PostgresMessageStore::findStream(const std::string &name)
{
    auto r =
        query(
            "SELECT id, name, kind, encrypted, max_seq, owner_device, acked_seq FROM streams WHERE name = $1")
            .bind(name)
            .run();
    if (r.rows() == 0)
        return std::nullopt;
    return StreamRecord{r.i64(0, 0),
                        r.bytes(0, 1),
                        int(r.i64(0, 2)),
                        r.i64(0, 3) != 0,
                        std::uint64_t(r.i64(0, 4)),
                        r.bytes(0, 5),
                        std::uint64_t(r.i64(0, 6))};
}

std::int64_t PostgresMessageStore::createStream(const std::string &name, int kind, bool encrypted,
                                                const std::string &ownerDevice, std::int64_t nowMs)
{
    Query q = query(
        "INSERT INTO streams(name, kind, encrypted, owner_device, created_ms) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (name) DO NOTHING RETURNING id");
    q.bind(name).bind(std::int64_t(kind)).bind(std::int64_t(encrypted ? 1 : 0));
    if (ownerDevice.empty())
        q.bindNull();
    else
        q.bind(ownerDevice);
    auto r = q.bind(nowMs).run();
    if (r.rows() > 0)
        return r.i64(0, 0);
    // Another gateway created it a moment ago (its transaction committed while ours waited).
    auto existing = findStream(name);
    if (!existing)
        throw StoreError("database insert stream failed: conflicting row vanished");
    return existing->id;
}

bool PostgresMessageStore::isMember(std::int64_t streamId, std::int64_t userId)
{
    return query("SELECT 1 FROM members WHERE stream_id = $1 AND user_id = $2")
               .bind(streamId)
               .bind(userId)
               .run()
               .rows() > 0;
}

void PostgresMessageStore::addMember(std::int64_t streamId, std::int64_t userId)
{
    query("INSERT INTO members(stream_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(streamId)
        .bind(userId)
        .run();
}

void PostgresMessageStore::removeMember(std::int64_t streamId, std::int64_t userId)
{
    query("DELETE FROM members WHERE stream_id = $1 AND user_id = $2").bind(streamId).bind(userId).run();
}

std::vector<std::int64_t> PostgresMessageStore::memberIds(std::int64_t streamId)
{
    auto r = query("SELECT user_id FROM members WHERE stream_id = $1").bind(streamId).run();
    std::vector<std::int64_t> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(r.i64(i, 0));
    return out;
}

std::vector<std::string> PostgresMessageStore::memberNicks(std::int64_t streamId)
{
    auto r = query("SELECT u.nick FROM members m JOIN users u ON u.id = m.user_id WHERE m.stream_id = $1 "
                   "ORDER BY u.nick_lower")
                 .bind(streamId)
                 .run();
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(r.bytes(i, 0));
    return out;
}

std::vector<hchat::v1::ChannelInfo> PostgresMessageStore::channelsOf(std::int64_t userId)
{
    return channelInfos(userId, false, 0);
}

std::vector<hchat::v1::ChannelInfo> PostgresMessageStore::invitationsOf(std::int64_t userId,
                                                                        std::size_t limit)
{
    return channelInfos(userId, true, limit);
}

std::vector<hchat::v1::ChannelInfo> PostgresMessageStore::channelInfos(std::int64_t userId, bool pending,
                                                                       std::size_t limit)
{
    std::vector<hchat::v1::ChannelInfo> out;
    std::vector<std::int64_t> ids;
    {
        Query q =
            pending ? query("SELECT s.id, s.name, s.kind, s.encrypted, s.max_seq, m.read_seq FROM members m "
                            "JOIN streams s ON s.id = m.stream_id WHERE m.user_id = $1 AND s.kind <> $2 "
                            "AND m.invited_by <> 0 ORDER BY m.invited_ms DESC, s.name LIMIT $3")
                    : query("SELECT s.id, s.name, s.kind, s.encrypted, s.max_seq, m.read_seq FROM members m "
                            "JOIN streams s ON s.id = m.stream_id WHERE m.user_id = $1 AND s.kind <> $2 "
                            "AND m.invited_by = 0 ORDER BY s.name LIMIT $3");
        q.bind(userId).bind(std::int64_t(StreamRecord::kInbox));
        if (limit)
            q.bind(std::int64_t(limit));
        else
            q.bindNull(); // LIMIT NULL: no limit
        auto r = q.run();
        for (int i = 0; i < r.rows(); ++i) {
            hchat::v1::ChannelInfo info;
            ids.push_back(r.i64(i, 0));
            info.set_name(r.bytes(i, 1));
            info.set_kind(static_cast<hchat::v1::ChannelKind>(r.i64(i, 2)));
            info.set_encrypted(r.i64(i, 3) != 0);
            info.set_server_max_seq(std::uint64_t(r.i64(i, 4)));
            info.set_read_seq(std::uint64_t(r.i64(i, 5)));
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

void PostgresMessageStore::addInvitee(std::int64_t streamId, std::int64_t userId, std::int64_t inviterId,
                                      std::int64_t nowMs)
{
    query("INSERT INTO members(stream_id, user_id, invited_by, invited_ms) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT DO NOTHING")
        .bind(streamId)
        .bind(userId)
        .bind(inviterId)
        .bind(nowMs)
        .run();
}

bool PostgresMessageStore::acceptMembership(std::int64_t streamId, std::int64_t userId)
{
    auto r =
        query("UPDATE members SET invited_by = 0 WHERE stream_id = $1 AND user_id = $2 AND invited_by <> 0 "
              "RETURNING user_id")
            .bind(streamId)
            .bind(userId)
            .run();
    return r.rows() > 0;
}

std::uint64_t PostgresMessageStore::membershipCount(std::int64_t userId)
{
    auto r = query("SELECT count(*) FROM members WHERE user_id = $1 AND invited_by = 0").bind(userId).run();
    return r.rows() > 0 ? std::uint64_t(r.i64(0, 0)) : 0;
}

bool PostgresMessageStore::shareAChannel(std::int64_t userA, std::int64_t userB)
{
    auto r = query("SELECT 1 FROM members a JOIN members b ON b.stream_id = a.stream_id AND b.user_id = $1 "
                   "WHERE a.user_id = $2 LIMIT 1")
                 .bind(userB)
                 .bind(userA)
                 .run();
    return r.rows() > 0;
}

std::uint64_t PostgresMessageStore::inboxRows(std::int64_t streamId)
{
    auto r = query("SELECT count(*) FROM messages WHERE stream_id = $1").bind(streamId).run();
    return r.rows() > 0 ? std::uint64_t(r.i64(0, 0)) : 0;
}

std::uint64_t PostgresMessageStore::inboxRowsFrom(std::int64_t streamId, std::int64_t senderId)
{
    auto r = query("SELECT count(*) FROM messages WHERE stream_id = $1 AND sender_id = $2")
                 .bind(streamId)
                 .bind(senderId)
                 .run();
    return r.rows() > 0 ? std::uint64_t(r.i64(0, 0)) : 0;
}

std::uint64_t PostgresMessageStore::pendingInvitations(std::int64_t userId, std::int64_t inviterId)
{
    auto r = query("SELECT count(*) FROM members WHERE user_id = $1 AND invited_by = $2")
                 .bind(userId)
                 .bind(inviterId)
                 .run();
    return r.rows() > 0 ? std::uint64_t(r.i64(0, 0)) : 0;
}

void PostgresMessageStore::setReadSeq(std::int64_t streamId, std::int64_t userId, std::uint64_t seq)
{
    query("UPDATE members SET read_seq = GREATEST(read_seq, $1) WHERE stream_id = $2 AND user_id = $3")
        .bind(std::int64_t(seq))
        .bind(streamId)
        .bind(userId)
        .run();
}

std::uint64_t PostgresMessageStore::readSeq(std::int64_t streamId, std::int64_t userId)
{
    auto r = query("SELECT read_seq FROM members WHERE stream_id = $1 AND user_id = $2")
                 .bind(streamId)
                 .bind(userId)
                 .run();
    return r.rows() > 0 ? std::uint64_t(r.i64(0, 0)) : 0;
}

void PostgresMessageStore::appendMessage(const StreamRecord &stream, std::int64_t senderId,
                                         hchat::v1::Message &m)
{
    // One round trip: bump the stream's counter and store the message under the new seq. The row
    // lock the UPDATE takes is held until the transaction ends: writers of this stream on every
    // gateway queue behind it, so seqs are assigned in commit order without holes.
    Query q = query(
        "WITH bumped AS (UPDATE streams SET max_seq = max_seq + 1 WHERE id = $1 RETURNING max_seq) "
        "INSERT INTO messages(stream_id, seq, sender_id, sender_nick, sender_device, client_msg_id, "
        "time_ms, body, encrypted, kind, subject, ref_seq, attachment_id) SELECT $1, bumped.max_seq, $2, $3, "
        "$4, $5, $6, $7, $8, $9, $10, $11, $12 FROM bumped RETURNING seq");
    q.bind(stream.id).bind(senderId).bind(m.sender()).bind(m.sender_device());
    if (m.client_msg_id().empty())
        q.bindNull();
    else
        q.bindBlob(m.client_msg_id());
    q.bind(m.server_time_ms()).bindBlob(m.body()).bind(std::int64_t(m.encrypted() ? 1 : 0));
    q.bind(std::int64_t(m.kind())).bind(m.subject()).bind(std::int64_t(m.ref_seq()));
    if (m.attachment_id().empty())
        q.bindNull();
    else
        q.bind(m.attachment_id());
    auto r = q.run();
    if (r.rows() != 1)
        throw StoreError("database bump seq failed: no such stream");
    m.set_seq(std::uint64_t(r.i64(0, 0)));
    m.set_channel(stream.name);
}

namespace {
void messageFrom(const auto &r, int row, hchat::v1::Message &m, int first)
{
    m.set_seq(std::uint64_t(r.i64(row, first)));
    m.set_sender(r.bytes(row, first + 1));
    m.set_sender_device(r.bytes(row, first + 2));
    if (!r.isNull(row, first + 3))
        m.set_client_msg_id(r.bytes(row, first + 3));
    m.set_server_time_ms(r.i64(row, first + 4));
    m.set_body(r.bytes(row, first + 5));
    m.set_encrypted(r.i64(row, first + 6) != 0);
    m.set_kind(static_cast<hchat::v1::MessageKind>(r.i64(row, first + 7)));
    m.set_subject(r.bytes(row, first + 8));
    m.set_ref_seq(std::uint64_t(r.i64(row, first + 9)));
    m.set_deleted(r.i64(row, first + 10) != 0);
    m.set_attachment_id(r.bytes(row, first + 11));
}
} // namespace

std::optional<hchat::v1::Message> PostgresMessageStore::findByClientMsgId(std::int64_t senderId,
                                                                          const std::string &clientMsgId)
{
    auto r =
        query("SELECT st.name, m.seq, m.sender_nick, m.sender_device, m.client_msg_id, m.time_ms, m.body, "
              "m.encrypted, m.kind, m.subject, m.ref_seq, m.deleted, m.attachment_id FROM messages m "
              "JOIN streams st ON st.id = m.stream_id "
              "WHERE m.sender_id = $1 AND m.client_msg_id = $2")
            .bind(senderId)
            .bindBlob(clientMsgId)
            .run();
    if (r.rows() == 0)
        return std::nullopt;
    hchat::v1::Message m;
    m.set_channel(r.bytes(0, 0));
    messageFrom(r, 0, m, 1);
    return m;
}

std::vector<hchat::v1::Message> PostgresMessageStore::readMessages(const StreamRecord &stream,
                                                                   std::uint64_t fromSeq, std::uint32_t limit,
                                                                   std::size_t maxBytes)
{
    auto r =
        query(
            "SELECT m.seq, m.sender_nick, m.sender_device, m.client_msg_id, m.time_ms, m.body, m.encrypted, "
            "m.kind, m.subject, m.ref_seq, m.deleted, m.attachment_id, u.deleted_ms IS NOT NULL "
            "FROM messages m LEFT JOIN users u ON u.id = m.sender_id "
            "WHERE m.stream_id = $1 AND m.seq >= $2 ORDER BY m.seq LIMIT $3")
            .bind(stream.id)
            .bind(std::int64_t(fromSeq))
            .bind(std::int64_t(limit))
            .run();
    std::vector<hchat::v1::Message> out;
    std::size_t bytes = 0;
    for (int i = 0; i < r.rows() && bytes < maxBytes; ++i) {
        hchat::v1::Message m;
        m.set_channel(stream.name);
        messageFrom(r, i, m, 0);
        if (stream.kind != StreamRecord::kInbox)
            m.set_sender_deleted(r.i64(i, 12) != 0);
        bytes += m.body().size() + 64;
        out.push_back(std::move(m));
    }
    return out;
}

std::optional<MessageRecord> PostgresMessageStore::findMessage(const StreamRecord &stream, std::uint64_t seq)
{
    auto r =
        query(
            "SELECT seq, sender_nick, sender_device, client_msg_id, time_ms, body, encrypted, kind, subject, "
            "ref_seq, deleted, attachment_id, sender_id FROM messages WHERE stream_id = $1 AND seq = $2")
            .bind(stream.id)
            .bind(std::int64_t(seq))
            .run();
    if (r.rows() == 0)
        return std::nullopt;
    MessageRecord rec;
    rec.message.set_channel(stream.name);
    messageFrom(r, 0, rec.message, 0);
    rec.senderId = r.i64(0, 12);
    return rec;
}

void PostgresMessageStore::eraseMessage(const StreamRecord &stream, std::uint64_t seq)
{
    query("UPDATE messages SET body = ''::bytea, deleted = 1 WHERE stream_id = $1 AND seq = $2")
        .bind(stream.id)
        .bind(std::int64_t(seq))
        .run();
    query("UPDATE messages SET body = ''::bytea WHERE stream_id = $1 AND ref_seq = $2 AND kind = $3")
        .bind(stream.id)
        .bind(std::int64_t(seq))
        .bind(std::int64_t(hchat::v1::MESSAGE_KIND_EDIT))
        .run();
}

void PostgresMessageStore::publishKeys(std::int64_t userId, const hchat::v1::DeviceKeys &keys,
                                       std::int64_t nowMs)
{
    query("INSERT INTO device_keys(device_id, user_id, identity_key, exchange_key, signature, updated_ms) "
          "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (device_id) DO UPDATE SET identity_key = "
          "excluded.identity_key, "
          "exchange_key = excluded.exchange_key, signature = excluded.signature, updated_ms = "
          "excluded.updated_ms")
        .bind(keys.device_id())
        .bind(userId)
        .bindBlob(keys.identity_key())
        .bindBlob(keys.exchange_key())
        .bindBlob(keys.signature())
        .bind(nowMs)
        .run();
}

std::vector<hchat::v1::DeviceKeys> PostgresMessageStore::fetchKeys(const std::string &nick)
{
    auto r =
        query("SELECT u.nick, k.device_id, k.identity_key, k.exchange_key, k.signature FROM device_keys k "
              "JOIN users u ON u.id = k.user_id JOIN devices d ON d.id = k.device_id "
              "WHERE u.nick_lower = lower($1) AND d.revoked = 0 ORDER BY d.created_ms, d.id")
            .bind(nick)
            .run();
    std::vector<hchat::v1::DeviceKeys> out;
    for (int i = 0; i < r.rows(); ++i) {
        hchat::v1::DeviceKeys k;
        k.set_nick(r.bytes(i, 0));
        k.set_device_id(r.bytes(i, 1));
        k.set_identity_key(r.bytes(i, 2));
        k.set_exchange_key(r.bytes(i, 3));
        k.set_signature(r.bytes(i, 4));
        out.push_back(std::move(k));
    }
    return out;
}

// ---- account ---------------------------------------------------------------------------------

void PostgresMessageStore::setPasswordHash(std::int64_t userId, const std::string &passwordHash)
{
    query("UPDATE users SET password_hash = $1 WHERE id = $2 AND deleted_ms IS NULL")
        .bind(passwordHash)
        .bind(userId)
        .run();
}

void PostgresMessageStore::revokeUserTokens(std::int64_t userId, const std::string &exceptTokenHash)
{
    query("UPDATE tokens SET revoked = 1 WHERE user_id = $1 AND hash <> $2")
        .bind(userId)
        .bindBlob(exceptTokenHash)
        .run();
}

std::vector<StreamRecord> PostgresMessageStore::streamsOfUser(std::int64_t userId)
{
    auto r =
        query("SELECT id, name, kind, encrypted, max_seq, owner_device FROM streams WHERE kind <> $2 AND "
              "(id IN (SELECT stream_id FROM members WHERE user_id = $1) OR id IN (SELECT stream_id FROM "
              "messages WHERE sender_id = $1 AND client_msg_id IS NOT NULL)) ORDER BY id")
            .bind(userId)
            .bind(std::int64_t(StreamRecord::kInbox))
            .run();
    std::vector<StreamRecord> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(StreamRecord{r.i64(i, 0), r.bytes(i, 1), int(r.i64(i, 2)), r.i64(i, 3) != 0,
                                   std::uint64_t(r.i64(i, 4)), r.bytes(i, 5), 0});
    return out;
}

std::optional<std::string> PostgresMessageStore::deviceList(const std::string &nick)
{
    auto r = query("SELECT l.body FROM device_lists l JOIN users u ON u.id = l.user_id "
                   "WHERE u.nick_lower = lower($1) AND u.deleted_ms IS NULL")
                 .bind(nick)
                 .run();
    if (r.rows() == 0)
        return std::nullopt;
    return r.bytes(0, 0);
}

void PostgresMessageStore::putDeviceList(std::int64_t userId, std::uint64_t generation,
                                         const std::string &body)
{
    query("INSERT INTO device_lists(user_id, generation, body) VALUES ($1, $2, $3) ON CONFLICT (user_id) "
          "DO UPDATE SET generation = excluded.generation, body = excluded.body")
        .bind(userId)
        .bind(std::int64_t(generation))
        .bindBlob(body)
        .run();
}

void PostgresMessageStore::addPrekeys(const std::string &deviceId,
                                      const std::vector<hchat::v1::OneTimePrekey> &prekeys)
{
    for (const auto &k : prekeys)
        query("INSERT INTO prekeys(device_id, key_id, public_key, signature) VALUES ($1, $2, $3, $4) "
              "ON CONFLICT (device_id, key_id) DO NOTHING")
            .bind(deviceId)
            .bind(std::int64_t(k.key_id()))
            .bindBlob(k.public_key())
            .bindBlob(k.signature())
            .run();
}

std::uint64_t PostgresMessageStore::prekeyCount(const std::string &deviceId)
{
    auto r = query("SELECT count(*) FROM prekeys WHERE device_id = $1").bind(deviceId).run();
    return r.rows() > 0 ? std::uint64_t(r.i64(0, 0)) : 0;
}

// SKIP LOCKED: two gateways claiming for the same device at once take two different keys.
std::optional<hchat::v1::OneTimePrekey> PostgresMessageStore::claimPrekey(const std::string &deviceId)
{
    auto r = query("DELETE FROM prekeys WHERE device_id = $1 AND key_id = (SELECT key_id FROM prekeys WHERE "
                   "device_id = $1 ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                   "RETURNING key_id, public_key, signature")
                 .bind(deviceId)
                 .run();
    if (r.rows() == 0)
        return std::nullopt;
    hchat::v1::OneTimePrekey k;
    k.set_key_id(std::uint32_t(r.i64(0, 0)));
    k.set_public_key(r.bytes(0, 1));
    k.set_signature(r.bytes(0, 2));
    return k;
}

void PostgresMessageStore::acknowledgeInbox(const StreamRecord &inbox, std::uint64_t seq)
{
    if (seq <= inbox.ackedSeq)
        return;
    query("DELETE FROM messages WHERE stream_id = $1 AND seq <= $2")
        .bind(inbox.id)
        .bind(std::int64_t(seq))
        .run();
    query("UPDATE streams SET acked_seq = $1 WHERE id = $2 AND acked_seq < $1")
        .bind(std::int64_t(seq))
        .bind(inbox.id)
        .run();
}

void PostgresMessageStore::deleteUser(std::int64_t userId, std::int64_t nowMs)
{
    // The key shares waiting in the inboxes of its devices can never be read again: gone too (the
    // inbox's max_seq stays, so no seq is reused).
    query("DELETE FROM messages WHERE stream_id IN (SELECT s.id FROM streams s JOIN devices d ON "
          "d.id = s.owner_device WHERE s.kind = $1 AND d.user_id = $2)")
        .bind(std::int64_t(StreamRecord::kInbox))
        .bind(userId)
        .run();
    query("UPDATE devices SET revoked = 1 WHERE user_id = $1").bind(userId).run();
    query("UPDATE tokens SET revoked = 1 WHERE user_id = $1").bind(userId).run();
    query("DELETE FROM device_keys WHERE user_id = $1").bind(userId).run();
    query("DELETE FROM prekeys WHERE device_id IN (SELECT id FROM devices WHERE user_id = $1)")
        .bind(userId)
        .run();
    query("DELETE FROM device_lists WHERE user_id = $1").bind(userId).run();
    query("DELETE FROM members WHERE user_id = $1").bind(userId).run();
    query("UPDATE users SET password_hash = '', deleted_ms = $1 WHERE id = $2")
        .bind(nowMs)
        .bind(userId)
        .run();
}

// ---- attachments ---------------------------------------------------------------------------------

void PostgresMessageStore::createUpload(const UploadRecord &u)
{
    query("INSERT INTO uploads(id, stream_id, uploader_id, size, created_ms) VALUES ($1, $2, $3, $4, $5)")
        .bind(u.id)
        .bind(u.streamId)
        .bind(u.uploaderId)
        .bind(std::int64_t(u.size))
        .bind(u.createdMs)
        .run();
}

std::optional<UploadRecord> PostgresMessageStore::findUpload(const std::string &id)
{
    auto r = query("SELECT u.id, u.stream_id, st.name, u.uploader_id, u.size, u.received, u.created_ms, "
                   "u.referenced "
                   "FROM uploads u JOIN streams st ON st.id = u.stream_id WHERE u.id = $1")
                 .bind(id)
                 .run();
    if (r.rows() == 0)
        return std::nullopt;
    UploadRecord u;
    u.id = r.bytes(0, 0);
    u.streamId = r.i64(0, 1);
    u.channel = r.bytes(0, 2);
    u.uploaderId = r.i64(0, 3);
    u.size = std::uint64_t(r.i64(0, 4));
    u.received = std::uint64_t(r.i64(0, 5));
    u.createdMs = r.i64(0, 6);
    u.referenced = r.i64(0, 7) != 0;
    return u;
}

std::uint64_t PostgresMessageStore::openUploads(std::int64_t uploaderId)
{
    auto r =
        query("SELECT count(*) FROM uploads WHERE uploader_id = $1 AND (received < size OR referenced = 0)")
            .bind(uploaderId)
            .run();
    return r.rows() > 0 ? std::uint64_t(r.i64(0, 0)) : 0;
}

void PostgresMessageStore::appendUploadChunk(const std::string &id, std::uint64_t index,
                                             const std::string &bytes, std::uint64_t received)
{
    query("INSERT INTO upload_chunks(upload_id, idx, data) VALUES ($1, $2, $3) "
          "ON CONFLICT (upload_id, idx) DO UPDATE SET data = excluded.data")
        .bind(id)
        .bind(std::int64_t(index))
        .bindBlob(bytes)
        .run();
    query("UPDATE uploads SET received = $1 WHERE id = $2").bind(std::int64_t(received)).bind(id).run();
}

std::string PostgresMessageStore::readUpload(const std::string &id, std::uint64_t offset,
                                             std::uint64_t length)
{
    const std::uint64_t chunk = limits::kAttachmentChunkBytes;
    std::string out;
    if (length == 0)
        return out;
    out.reserve(length);
    auto r =
        query(
            "SELECT idx, data FROM upload_chunks WHERE upload_id = $1 AND idx BETWEEN $2 AND $3 ORDER BY idx")
            .bind(id)
            .bind(std::int64_t(offset / chunk))
            .bind(std::int64_t((offset + length - 1) / chunk))
            .run();
    for (int i = 0; i < r.rows(); ++i) {
        const std::uint64_t start = std::uint64_t(r.i64(i, 0)) * chunk;
        const std::string data = r.bytes(i, 1);
        const std::uint64_t from = offset > start ? offset - start : 0;
        const std::uint64_t end = std::min<std::uint64_t>(data.size(), offset + length - start);
        if (from < end)
            out.append(data, from, end - from);
    }
    if (out.size() != length)
        throw StoreError("attachment " + id + " is missing chunks");
    return out;
}

void PostgresMessageStore::markUploadReferenced(const std::string &id)
{
    query("UPDATE uploads SET referenced = 1 WHERE id = $1").bind(id).run();
}

void PostgresMessageStore::deleteUpload(const std::string &id)
{
    query("DELETE FROM upload_chunks WHERE upload_id = $1").bind(id).run();
    query("DELETE FROM uploads WHERE id = $1").bind(id).run();
}

std::vector<std::string> PostgresMessageStore::staleUploads(std::int64_t cutoffMs)
{
    auto r = query("SELECT id FROM uploads WHERE created_ms < $1 AND (received < size OR referenced = 0)")
                 .bind(cutoffMs)
                 .run();
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(r.bytes(i, 0));
    return out;
}

} // namespace hchat::server
