#pragma once

#include "MessageStore.h"

#include <string>
#include <unordered_set>

struct pg_conn;
struct pg_result;

namespace hchat::server {

// MessageStore on PostgreSQL through libpq, for several gateways sharing one database. The same
// contract as SqliteMessageStore: the per-stream seq is the stream row's max_seq bumped with
// `UPDATE … RETURNING` inside the storing transaction, so the row lock serialises writers of one
// channel across every gateway (gap-free, no reuse); idempotency through a unique index on
// (sender_id, client_msg_id); prepared statements only (each connection prepares a statement the
// first time it runs it); versioned migrations in schema_version, serialised across gateways by
// an advisory lock; a database written by a newer gateway is refused.
class PostgresMessageStore final : public MessageStore {
public:
    static constexpr int kSchemaVersion = 5;

    static bool isUrl(const std::string &db);
    // The URL with any password replaced by "***", for logs.
    static std::string redact(const std::string &url);

    PostgresMessageStore(const std::string &url, bool migrate);
    ~PostgresMessageStore() override;
    PostgresMessageStore(const PostgresMessageStore &) = delete;
    PostgresMessageStore &operator=(const PostgresMessageStore &) = delete;

    void beginWrite() override;
    void beginRead() override;
    void commit() override;
    void rollback() override;
    void savepoint() override;
    void releaseSavepoint() override;
    void rollbackToSavepoint() override;

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
    std::int64_t createStream(const std::string &name, int kind, bool encrypted,
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
    void deleteUser(std::int64_t userId, std::int64_t nowMs) override;
    void createUpload(const UploadRecord &upload) override;
    std::optional<UploadRecord> findUpload(const std::string &id) override;
    std::uint64_t openUploads(std::int64_t uploaderId) override;
    void appendUploadChunk(const std::string &id, std::uint64_t index, const std::string &bytes,
                           std::uint64_t received) override;
    std::string readUpload(const std::string &id, std::uint64_t offset, std::uint64_t length) override;
    void markUploadReferenced(const std::string &id) override;
    void deleteUpload(const std::string &id) override;
    std::vector<std::string> staleUploads(std::int64_t cutoffMs) override;

private:
    std::vector<hchat::v1::ChannelInfo> channelInfos(std::int64_t userId, bool pending, std::size_t limit);
    class Query;
    class Result;
    Query query(const char *sql);
    void exec(const char *sql);
    void migrateSchema();
    [[noreturn]] void fail(const char *what, pg_result *res = nullptr) const;

    pg_conn *m_conn = nullptr;
    std::string m_redactedUrl;
    std::unordered_set<const char *> m_prepared;
};

} // namespace hchat::server
