#pragma once

#include "ChannelCache.h"
#include "MessageStore.h"
#include "SqlCommunityStore.h"
#include "SqlConnection.h"

#include <memory>
#include <string>

namespace hchat::server {

// MessageStore in SQL, once for every engine, over a SqlConnection (SQLite or PostgreSQL):
// prepared statements only, explicit transactions, the schema from SchemaMigrations. The
// per-stream seq is the stream row's max_seq, bumped inside the storing transaction, so seqs are
// gap-free and never reused (on PostgreSQL the row lock serialises writers of one channel across
// every gateway); idempotency through a unique index on (sender_id, client_msg_id).
//
// The commit writer's store on SQLite (opened with `writer`, the one connection that writes the
// database) keeps a ChannelCache: the stream record and the members of each channel it has sent
// to, so that a send runs no query for them (findStream, isMember and memberIds answer from it).
// Every operation that changes a channel's members or kind, or deletes a channel or a user, MUST
// call invalidateChannel(streamId) for each channel it touches, in the same transaction, before
// it returns (addMember, removeMember, addInvitee, acceptMembership and deleteUser do); a new such
// operation (kick, ban, roles …) calls it too. Rolled-back savepoints and transactions drop what
// they read or changed from the cache on their own.
class SqlMessageStore final : public MessageStore {
public:
    // `migrate`: bring the schema up to date (the first connection of the process does this).
    // `channelCache`: keep a ChannelCache (only for the one writer of a SQLite database).
    SqlMessageStore(std::unique_ptr<SqlConnection> connection, bool migrate, bool channelCache = false);
    // A store on `database`: a postgres:// or postgresql:// URL, else the path of a SQLite file.
    // `writer`: the commit writer's store. On SQLite it gets a page cache of kWriterPageCacheKiB
    // (a batch of a thousand sends dirties about as many pages; with SQLite's default 2 MiB they
    // spill to the WAL before the commit and are read back), checkpoints less often
    // (kWriterCheckpointPages) and, with `channelCache`, caches
    // channels (not on PostgreSQL, whose rows other gateways change too). Throws StoreError with a
    // clear message on failure.
    static std::unique_ptr<MessageStore> open(const std::string &database, bool migrate, bool writer = false,
                                              bool channelCache = true);
    static constexpr int kWriterPageCacheKiB = 64 * 1024;
    // The writer checkpoints the WAL into the database once it holds this many pages (SQLite's
    // default is 1,000: about every batch of a thousand sends, which then writes each page twice and
    // syncs twice). Durability is the same: a commit is on disk once the WAL is synced.
    static constexpr int kWriterCheckpointPages = 8192;

    void beginWrite() override;
    void beginRead() override { m_conn->begin(SqlConnection::Transaction::Read); }
    void commit() override;
    void rollback() override;
    void savepoint() override;
    void releaseSavepoint() override;
    void rollbackToSavepoint() override;

    // The cached stream record and members of this channel are forgotten (the next send reads
    // them from the database). The one function every membership-, kind- or deletion-changing
    // operation calls; a no-op without a cache.
    void invalidateChannel(std::int64_t streamId);
    bool cachesChannels() const { return m_cache != nullptr; }

    std::optional<std::int64_t> createUser(const std::string &nick, const std::string &passwordHash,
                                           std::int64_t nowMs) override;
    std::optional<UserRecord> findUser(const std::string &nick) override;

    void createDevice(const std::string &deviceId, std::int64_t userId, const std::string &name,
                      std::int64_t nowMs) override;
    std::optional<DeviceRecord> findDevice(const std::string &deviceId) override;
    std::vector<DeviceRecord> listDevices(std::int64_t userId) override;
    void touchDevice(const std::string &deviceId, const std::string &name, std::int64_t nowMs) override;
    void revokeDevice(const std::string &deviceId) override;
    void insertToken(const std::string &tokenHash, std::int64_t userId, const std::string &deviceId,
                     std::int64_t expiresMs) override;
    std::optional<TokenRecord> findToken(const std::string &tokenHash) override;
    void revokeToken(const std::string &tokenHash) override;

    std::optional<StreamRecord> findStream(const std::string &name) override;
    std::optional<std::int64_t> createStream(const std::string &name, int kind, bool encrypted,
                                             const std::string &ownerDevice, std::int64_t nowMs) override;
    bool isMember(std::int64_t streamId, std::int64_t userId) override;
    void addMember(std::int64_t streamId, std::int64_t userId) override;
    void removeMember(std::int64_t streamId, std::int64_t userId) override;
    std::vector<std::int64_t> memberIds(std::int64_t streamId) override;
    std::vector<std::string> memberNicks(std::int64_t streamId) override;
    std::vector<hchat::v1::ChannelInfo> channelsOf(std::int64_t userId) override;
    void addInvitee(std::int64_t streamId, std::int64_t userId, std::int64_t inviterId,
                    std::int64_t nowMs) override;
    bool acceptMembership(std::int64_t streamId, std::int64_t userId) override;
    std::uint64_t pendingInvitations(std::int64_t userId, std::int64_t inviterId) override;
    std::uint64_t membershipCount(std::int64_t userId) override;
    bool shareAChannel(std::int64_t userA, std::int64_t userB) override;
    std::uint64_t inboxRows(std::int64_t streamId) override;
    std::uint64_t inboxRowsFrom(std::int64_t streamId, std::int64_t senderId) override;
    std::vector<hchat::v1::ChannelInfo> invitationsOf(std::int64_t userId, std::size_t limit) override;
    void setReadSeq(std::int64_t streamId, std::int64_t userId, std::uint64_t seq) override;
    std::uint64_t readSeq(std::int64_t streamId, std::int64_t userId) override;

    void appendMessage(const StreamRecord &stream, std::int64_t senderId,
                       hchat::v1::Message &message) override;
    std::optional<hchat::v1::Message> findByClientMsgId(std::int64_t senderId,
                                                        const std::string &clientMsgId) override;
    std::vector<hchat::v1::Message> readMessages(const StreamRecord &stream, std::uint64_t fromSeq,
                                                 std::uint32_t limit, std::size_t maxBytes) override;
    std::optional<MessageRecord> findMessage(const StreamRecord &stream, std::uint64_t seq) override;
    void eraseMessage(const StreamRecord &stream, std::uint64_t seq) override;

    void publishKeys(std::int64_t userId, const hchat::v1::DeviceKeys &keys, std::int64_t nowMs) override;
    std::vector<hchat::v1::DeviceKeys> fetchKeys(const std::string &nick) override;
    std::optional<std::string> deviceList(const std::string &nick) override;
    void putDeviceList(std::int64_t userId, std::uint64_t generation, const std::string &body) override;
    void addPrekeys(const std::string &deviceId,
                    const std::vector<hchat::v1::OneTimePrekey> &prekeys) override;
    std::uint64_t prekeyCount(const std::string &deviceId) override;
    std::optional<hchat::v1::OneTimePrekey> claimPrekey(const std::string &deviceId) override;
    void acknowledgeInbox(const StreamRecord &inbox, std::uint64_t seq) override;

    void setPasswordHash(std::int64_t userId, const std::string &passwordHash) override;
    void revokeUserTokens(std::int64_t userId, const std::string &exceptTokenHash) override;
    std::vector<StreamRecord> streamsOfUser(std::int64_t userId) override;
    std::unordered_map<std::int64_t, std::vector<std::int64_t>> fellowMembers(std::int64_t userId) override;
    void deleteUser(std::int64_t userId, std::int64_t nowMs) override;
    void createUpload(const UploadRecord &upload) override;
    std::optional<UploadRecord> findUpload(const std::string &id) override;
    std::uint64_t openUploads(std::int64_t uploaderId) override;
    void appendUploadChunk(const std::string &id, std::uint64_t index, const std::string &bytes,
                           std::uint64_t received) override;
    std::string readUpload(const std::string &id, std::uint64_t offset, std::uint64_t length) override;
    void markUploadReferenced(const std::string &id) override;
    void deleteUpload(const std::string &id) override;
    std::optional<hchat::v1::BackupHeader> backupHeader(std::int64_t userId) override;
    void putBackupHeader(std::int64_t userId, const hchat::v1::BackupHeader &header,
                         std::int64_t nowMs) override;
    bool hasBackupEntry(std::int64_t userId, const std::string &entryId) override;
    std::uint64_t backupEntryCount(std::int64_t userId) override;
    void putBackupEntry(std::int64_t userId, const hchat::v1::BackupEntry &entry,
                        std::int64_t nowMs) override;
    std::vector<hchat::v1::BackupEntry> backupEntries(std::int64_t userId, const std::string &after,
                                                      std::size_t limit) override;
    void deleteBackup(std::int64_t userId) override;
    CommunityStore &community() override { return m_community; }
    std::vector<std::string> staleUploads(std::int64_t cutoffMs) override;

private:
    bool postgres() const { return m_conn->dialect() == SqlConnection::Dialect::Postgres; }

    std::optional<StreamRecord> queryStream(const std::string &name);
    std::vector<std::int64_t> queryMemberIds(std::int64_t streamId);
    ChannelCache::Entry *cachedMembers(std::int64_t streamId);

    std::unique_ptr<SqlConnection> m_conn;
    std::unique_ptr<ChannelCache> m_cache;
    std::int64_t m_dataVersion = -1; // SQLite's data_version when the cache last checked it
    SqlCommunityStore m_community{*m_conn, [this](std::int64_t streamId) { invalidateChannel(streamId); }};
};

} // namespace hchat::server
