#include "SchemaMigrations.h"

#include "MessageStore.h"
#include "SqlConnection.h"

#include <cstring>

namespace hchat::server {

namespace {

const char *const kMigrations[] = {
    R"sql(
CREATE TABLE users (
  id {serial} PRIMARY KEY,
  nick TEXT NOT NULL,
  nick_lower TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_ms {integer} NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  user_id {integer} NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  created_ms {integer} NOT NULL,
  last_seen_ms {integer} NOT NULL,
  revoked {integer} NOT NULL DEFAULT 0
);
CREATE INDEX devices_by_user ON devices(user_id);
CREATE TABLE tokens (
  hash {bytes} PRIMARY KEY,
  user_id {integer} NOT NULL REFERENCES users(id),
  device_id TEXT NOT NULL REFERENCES devices(id),
  expires_ms {integer} NOT NULL,
  revoked {integer} NOT NULL DEFAULT 0
){without_rowid};
CREATE INDEX tokens_by_device ON tokens(device_id);
CREATE TABLE streams (
  id {serial} PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind {integer} NOT NULL,
  encrypted {integer} NOT NULL DEFAULT 0,
  max_seq {integer} NOT NULL DEFAULT 0,
  owner_device TEXT,
  created_ms {integer} NOT NULL
);
CREATE TABLE members (
  stream_id {integer} NOT NULL REFERENCES streams(id),
  user_id {integer} NOT NULL REFERENCES users(id),
  read_seq {integer} NOT NULL DEFAULT 0,
  PRIMARY KEY (stream_id, user_id)
){without_rowid};
CREATE INDEX members_by_user ON members(user_id);
CREATE TABLE messages (
  stream_id {integer} NOT NULL REFERENCES streams(id),
  seq {integer} NOT NULL,
  sender_id {integer} NOT NULL,
  sender_nick TEXT NOT NULL,
  sender_device TEXT NOT NULL,
  client_msg_id {bytes},
  time_ms {integer} NOT NULL,
  body {bytes} NOT NULL,
  encrypted {integer} NOT NULL,
  kind {integer} NOT NULL,
  subject TEXT NOT NULL,
  PRIMARY KEY (stream_id, seq)
){without_rowid};
CREATE UNIQUE INDEX messages_idempotency ON messages(sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
CREATE TABLE device_keys (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  user_id {integer} NOT NULL REFERENCES users(id),
  identity_key {bytes} NOT NULL,
  exchange_key {bytes} NOT NULL,
  signature {bytes} NOT NULL,
  updated_ms {integer} NOT NULL
);
)sql",
    // 2: replies, edits and recalls (MESSAGE_KIND_EDIT / _DELETE refer to their target by seq).
    R"sql(
ALTER TABLE messages ADD COLUMN ref_seq {integer} NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN deleted {integer} NOT NULL DEFAULT 0;
CREATE INDEX messages_by_ref ON messages(stream_id, ref_seq) WHERE ref_seq <> 0;
)sql",
    // 3: deleted accounts keep their row (the nick stays taken) without a password hash.
    R"sql(
ALTER TABLE users ADD COLUMN deleted_ms {integer};
CREATE INDEX tokens_by_user ON tokens(user_id);
)sql",
    // 4: attachments. An upload's bytes are rows of 512 KiB chunks, so that each acknowledged chunk
    // is durable on its own and every gateway sharing the database serves them.
    R"sql(
ALTER TABLE messages ADD COLUMN attachment_id TEXT;
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  stream_id {integer} NOT NULL REFERENCES streams(id),
  uploader_id {integer} NOT NULL REFERENCES users(id),
  size {integer} NOT NULL,
  received {integer} NOT NULL DEFAULT 0,
  created_ms {integer} NOT NULL,
  referenced {integer} NOT NULL DEFAULT 0
);
CREATE INDEX uploads_by_uploader ON uploads(uploader_id) WHERE received < size;
CREATE TABLE upload_chunks (
  upload_id TEXT NOT NULL REFERENCES uploads(id),
  idx {integer} NOT NULL,
  data {bytes} NOT NULL,
  PRIMARY KEY (upload_id, idx)
);
)sql",
    // 5: one-time prekeys, inbox rows deleted once their device acknowledged them, and each
    // account's signed device list.
    R"sql(
CREATE TABLE prekeys (
  device_id TEXT NOT NULL REFERENCES devices(id),
  key_id {integer} NOT NULL,
  public_key {bytes} NOT NULL,
  signature {bytes} NOT NULL,
  PRIMARY KEY (device_id, key_id)
){without_rowid};
ALTER TABLE streams ADD COLUMN acked_seq {integer} NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN invited_by {integer} NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN invited_ms {integer} NOT NULL DEFAULT 0;
CREATE INDEX members_pending ON members(user_id, invited_by) WHERE invited_by <> 0;
CREATE TABLE device_lists (
  user_id {integer} PRIMARY KEY REFERENCES users(id),
  generation {integer} NOT NULL,
  body {bytes} NOT NULL
);
)sql",
    // 6: communities. Gateway administrators and suspensions, roles in channels (the creator of a
    // channel already stored becomes its owner), topics and read-only channels, bans, blocks,
    // invite codes for registration, and the audit log of administrative actions.
    R"sql(
ALTER TABLE users ADD COLUMN admin {integer} NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN suspended_ms {integer};
ALTER TABLE members ADD COLUMN role {integer} NOT NULL DEFAULT 0;
ALTER TABLE streams ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE streams ADD COLUMN read_only {integer} NOT NULL DEFAULT 0;
UPDATE members SET role = 2 WHERE EXISTS (SELECT 1 FROM messages m JOIN streams s ON s.id = m.stream_id
  WHERE m.stream_id = members.stream_id AND m.seq = 1 AND m.sender_id = members.user_id
  AND m.kind IN (1, 2) AND s.kind IN (0, 1));
CREATE TABLE bans (
  stream_id {integer} NOT NULL REFERENCES streams(id),
  user_id {integer} NOT NULL REFERENCES users(id),
  by_id {integer} NOT NULL,
  reason TEXT NOT NULL,
  time_ms {integer} NOT NULL,
  PRIMARY KEY (stream_id, user_id)
){without_rowid};
CREATE TABLE blocks (
  user_id {integer} NOT NULL REFERENCES users(id),
  blocked_id {integer} NOT NULL REFERENCES users(id),
  time_ms {integer} NOT NULL,
  PRIMARY KEY (user_id, blocked_id)
){without_rowid};
CREATE TABLE invite_codes (
  hash {bytes} PRIMARY KEY,
  uses_left {integer} NOT NULL,
  expires_ms {integer} NOT NULL,
  created_by {integer} NOT NULL,
  created_ms {integer} NOT NULL
){without_rowid};
CREATE TABLE audit_log (
  id {serial} PRIMARY KEY,
  time_ms {integer} NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  cut_user_id {integer} NOT NULL DEFAULT 0
);
CREATE INDEX audit_cuts ON audit_log(id) WHERE cut_user_id <> 0;
)sql",
    // 7: recovery key backup (issue 22). One header per account and the account's sealed entries,
    // each by the id its client computed; the gateway can open none of them.
    R"sql(
CREATE TABLE backup_headers (
  user_id {integer} PRIMARY KEY REFERENCES users(id),
  version {integer} NOT NULL,
  key_check {bytes} NOT NULL,
  created_ms {integer} NOT NULL,
  updated_ms {integer} NOT NULL
);
CREATE TABLE backup_entries (
  user_id {integer} NOT NULL REFERENCES users(id),
  entry_id {bytes} NOT NULL,
  nonce {bytes} NOT NULL,
  ciphertext {bytes} NOT NULL,
  updated_ms {integer} NOT NULL,
  PRIMARY KEY (user_id, entry_id)
){without_rowid};
)sql",
};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == SchemaMigrations::kVersion);

std::string_view spelling(std::string_view word, const SqlConnection::SchemaWords &words)
{
    if (word == "integer")
        return words.integer;
    if (word == "serial")
        return words.serial;
    if (word == "bytes")
        return words.bytes;
    if (word == "without_rowid")
        return words.withoutRowid;
    throw StoreError("unknown schema word {" + std::string(word) + "}");
}

// The DDL with each {word} spelled as the connection's engine spells it.
std::string spelled(const char *ddl, const SqlConnection &connection)
{
    std::string out;
    for (const char *p = ddl; *p;) {
        const char *close = *p == '{' ? std::strchr(p, '}') : nullptr;
        if (!close) {
            out += *p++;
            continue;
        }
        out += spelling(std::string_view(p + 1, std::size_t(close - p - 1)), connection.schemaWords());
        p = close + 1;
    }
    return out;
}

} // namespace

void SchemaMigrations::apply(SqlConnection &connection)
{
    connection.begin(SqlConnection::Transaction::Migration);
    try {
        connection.exec(
            spelled("CREATE TABLE IF NOT EXISTS schema_version (version {integer} NOT NULL)", connection));
        int version = 0;
        {
            auto q = connection.query("SELECT version FROM schema_version");
            if (q.step())
                version = int(q.integer(0));
            else
                connection.query("INSERT INTO schema_version(version) VALUES (0)").run();
        }
        if (version > kVersion)
            throw StoreError("database '" + connection.name() + "' has schema version " +
                             std::to_string(version) + ", newer than this gateway understands (" +
                             std::to_string(kVersion) + "); refusing to open it");
        for (int v = version; v < kVersion; ++v) {
            connection.exec(spelled(kMigrations[v], connection));
            connection.query("UPDATE schema_version SET version = ?").bind(std::int64_t(v + 1)).run();
        }
        connection.commit();
    } catch (...) {
        connection.rollback();
        throw;
    }
}

} // namespace hchat::server
