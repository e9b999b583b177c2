#pragma once

#include "MessageStore.h"

#include <memory>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace hchat::server {

// MessageStore on SQLite through its C API: WAL journal, synchronous=FULL (a commit that returned
// is durable), prepared statements only, explicit transactions, versioned migrations recorded in
// a schema_version table. A database written by a newer gateway is refused.
class SqliteMessageStore final : public MessageStore {
public:
    static constexpr int kSchemaVersion = 5;

    // Opens (and creates) the database. `migrate`: bring the schema up to date (the first
    // connection of the process does this); throws StoreError with a clear message on failure.
    SqliteMessageStore(const std::string &path, bool migrate);
    ~SqliteMessageStore() override;
    SqliteMessageStore(const SqliteMessageStore &) = delete;
    SqliteMessageStore &operator=(const SqliteMessageStore &) = delete;

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
    class Statement;
    Statement statement(const char *sql);
    void exec(const char *sql);
    void migrateSchema();
    [[noreturn]] void fail(const char *what) const;

    sqlite3 *m_db = nullptr;
    std::string m_path;
    std::unordered_map<const char *, sqlite3_stmt *> m_statements;
};

} // namespace hchat::server
