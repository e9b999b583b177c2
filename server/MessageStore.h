#pragma once

#include "CommunityStore.h"
#include "hchat.pb.h"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace hchat::server {

// A failure of the storage engine itself (I/O error, disk full, corrupt database). Distinct from
// ProtocolError: the request was fine, the store could not do it.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct UserRecord {
    std::int64_t id = 0;
    std::string nick;
    std::string passwordHash;
};

struct TokenRecord {
    std::int64_t userId = 0;
    std::string nick;
    std::string deviceId;
    std::int64_t expiresMs = 0;
    bool revoked = false;
};

struct DeviceRecord {
    std::string deviceId;
    std::int64_t userId = 0;
    std::string name;
    std::int64_t createdMs = 0;
    std::int64_t lastSeenMs = 0;
    bool revoked = false;
};

// A stored message with the user who sent it (the nick alone is not an identity).
struct MessageRecord {
    hchat::v1::Message message;
    std::int64_t senderId = 0;
};

// An attachment's bytes on their way in (received < size) or complete (schema 4). The bytes are
// stored as chunks of limits::kAttachmentChunkBytes, chunk i holding bytes [i·chunk, (i+1)·chunk).
struct UploadRecord {
    std::string id; // 32 lowercase hex digits
    std::int64_t streamId = 0;
    std::string channel;
    std::int64_t uploaderId = 0;
    std::uint64_t size = 0;
    std::uint64_t received = 0;
    std::int64_t createdMs = 0;
    bool referenced = false; // an ATTACHMENT message refers to it
    bool complete() const { return received == size; }
};

// A stream: a channel (open, invite-only, direct) or a device inbox.
struct StreamRecord {
    static constexpr int kInbox = 100; // kind of a device inbox (not a ChannelKind)
    std::int64_t id = 0;
    std::string name;
    int kind = 0; // hchat::v1::ChannelKind, or kInbox
    bool encrypted = false;
    std::uint64_t maxSeq = 0;
    std::string ownerDevice;    // inboxes only
    std::uint64_t ackedSeq = 0; // inboxes only: rows up to here were acknowledged and deleted
};

// One connection to the gateway's database. Not thread-safe: each thread that touches the store
// owns its own MessageStore (the commit writer one, each reader one). Write operations run inside
// begin()/commit(); a PostgreSQL implementation maps these one to one (BEGIN, SAVEPOINT …).
class MessageStore {
public:
    virtual ~MessageStore() = default;

    // Transactions. beginWrite takes the write lock at once; savepoints nest one level.
    virtual void beginWrite() = 0;
    virtual void beginRead() = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
    virtual void savepoint() = 0;
    virtual void releaseSavepoint() = 0;
    virtual void rollbackToSavepoint() = 0;

    // Users. Nicks are unique case-insensitively; createUser returns nullopt if taken.
    virtual std::optional<std::int64_t> createUser(const std::string &nick, const std::string &passwordHash,
                                                   std::int64_t nowMs) = 0;
    virtual std::optional<UserRecord> findUser(const std::string &nick) = 0;

    // Devices and tokens (tokens are looked up by their hash only).
    virtual void createDevice(const std::string &deviceId, std::int64_t userId, const std::string &name,
                              std::int64_t nowMs) = 0;
    virtual std::optional<DeviceRecord> findDevice(const std::string &deviceId) = 0;
    virtual std::vector<DeviceRecord> listDevices(std::int64_t userId) = 0;
    virtual void touchDevice(const std::string &deviceId, const std::string &name, std::int64_t nowMs) = 0;
    virtual void revokeDevice(const std::string &deviceId) = 0; // and all its tokens
    virtual void insertToken(const std::string &tokenHash, std::int64_t userId, const std::string &deviceId,
                             std::int64_t expiresMs) = 0;
    virtual std::optional<TokenRecord> findToken(const std::string &tokenHash) = 0;
    virtual void revokeToken(const std::string &tokenHash) = 0;

    // Streams and membership.
    virtual std::optional<StreamRecord> findStream(const std::string &name) = 0;
    // The new stream's id; none when a stream of that name exists (another gateway may have made
    // it a moment ago, after this transaction's findStream): the caller must not take it as its own.
    virtual std::optional<std::int64_t> createStream(const std::string &name, int kind, bool encrypted,
                                                     const std::string &ownerDevice, std::int64_t nowMs) = 0;
    virtual bool isMember(std::int64_t streamId, std::int64_t userId) = 0;
    virtual void addMember(std::int64_t streamId, std::int64_t userId) = 0;
    virtual void removeMember(std::int64_t streamId, std::int64_t userId) = 0;
    virtual std::vector<std::int64_t> memberIds(std::int64_t streamId) = 0;
    virtual std::vector<std::string> memberNicks(std::int64_t streamId) = 0;
    // Every channel the user is member of, with server_max_seq, read_seq and (for invite-only and
    // direct channels) members; invitations the user has not answered are not among them.
    virtual std::vector<hchat::v1::ChannelInfo> channelsOf(std::int64_t userId) = 0;

    // Invitations (schema 5): an invitee of an invite-only channel is a member (it may read the
    // channel and post the signed acceptance) whose membership is pending until it first sends
    // there or joins it. Pending ones are listed apart, newest first, at most `limit`.
    virtual void addInvitee(std::int64_t streamId, std::int64_t userId, std::int64_t inviterId,
                            std::int64_t nowMs) = 0;
    // True when a pending membership became an accepted one.
    virtual bool acceptMembership(std::int64_t streamId, std::int64_t userId) = 0;
    virtual std::uint64_t pendingInvitations(std::int64_t userId, std::int64_t inviterId) = 0;
    // Channels the user is a member of (invitations not counted).
    virtual std::uint64_t membershipCount(std::int64_t userId) = 0;
    // Whether two users are in one channel together (as members or invitees).
    virtual bool shareAChannel(std::int64_t userA, std::int64_t userB) = 0;
    // Rows an inbox holds (not acknowledged yet): in all, and from one sender.
    virtual std::uint64_t inboxRows(std::int64_t streamId) = 0;
    virtual std::uint64_t inboxRowsFrom(std::int64_t streamId, std::int64_t senderId) = 0;
    virtual std::vector<hchat::v1::ChannelInfo> invitationsOf(std::int64_t userId, std::size_t limit) = 0;
    virtual void setReadSeq(std::int64_t streamId, std::int64_t userId, std::uint64_t seq) = 0;
    virtual std::uint64_t readSeq(std::int64_t streamId, std::int64_t userId) = 0;

    // Messages. appendMessage assigns the stream's next seq (a counter row bumped in the same
    // transaction) and writes it into `message`.
    virtual void appendMessage(const StreamRecord &stream, std::int64_t senderId,
                               hchat::v1::Message &message) = 0;
    virtual std::optional<hchat::v1::Message> findByClientMsgId(std::int64_t senderId,
                                                                const std::string &clientMsgId) = 0;
    // Messages from fromSeq on, at most `limit`, and no more once their bodies passed maxBytes
    // (always at least one when there is one). In channels, sender_deleted marks the messages of
    // deleted accounts (read in the same query).
    virtual std::vector<hchat::v1::Message> readMessages(const StreamRecord &stream, std::uint64_t fromSeq,
                                                         std::uint32_t limit, std::size_t maxBytes) = 0;

    // One message of a stream, or nullopt.
    virtual std::optional<MessageRecord> findMessage(const StreamRecord &stream, std::uint64_t seq) = 0;
    // Recall: erases the body of message `seq` and of every EDIT that refers to it, and marks it
    // deleted. The rows (and their seqs) stay: the stream remains gap-free.
    virtual void eraseMessage(const StreamRecord &stream, std::uint64_t seq) = 0;

    // Key directory.
    virtual void publishKeys(std::int64_t userId, const hchat::v1::DeviceKeys &keys, std::int64_t nowMs) = 0;
    virtual std::vector<hchat::v1::DeviceKeys> fetchKeys(const std::string &nick) = 0;

    // The account's signed device list (schema 5): the serialized SignedDeviceList and its
    // generation, replaced as a whole.
    virtual std::optional<std::string> deviceList(const std::string &nick) = 0;
    virtual void putDeviceList(std::int64_t userId, std::uint64_t generation, const std::string &body) = 0;

    // One-time prekeys (schema 5). addPrekeys ignores a key_id the device already has.
    virtual void addPrekeys(const std::string &deviceId,
                            const std::vector<hchat::v1::OneTimePrekey> &prekeys) = 0;
    virtual std::uint64_t prekeyCount(const std::string &deviceId) = 0;
    // Takes (deletes) the device's prekey with the lowest key_id; nullopt when none is left.
    virtual std::optional<hchat::v1::OneTimePrekey> claimPrekey(const std::string &deviceId) = 0;
    // The inbox's device has stored its rows up to seq: they are deleted (max_seq stays, so no seq
    // is reused) and acked_seq records how far.
    virtual void acknowledgeInbox(const StreamRecord &inbox, std::uint64_t seq) = 0;

    // Account (schema 2: users.deleted_ms). findUser() never returns a deleted user, yet its nick
    // stays taken for good (createUser refuses it), so nobody can impersonate it.
    virtual void setPasswordHash(std::int64_t userId, const std::string &passwordHash) = 0;
    // Revokes every token of the user except the one with exceptTokenHash (empty: every one).
    virtual void revokeUserTokens(std::int64_t userId, const std::string &exceptTokenHash) = 0;
    // The channels (never inboxes) the user is member of or ever sent a message with a
    // client_msg_id to, by id.
    virtual std::vector<StreamRecord> streamsOfUser(std::int64_t userId) = 0;
    // The members of those channels other than the user, by stream id, in one query.
    virtual std::unordered_map<std::int64_t, std::vector<std::int64_t>>
    fellowMembers(std::int64_t userId) = 0;
    // Deletes the account: every device and token revoked, its keys, memberships and read
    // positions removed, the password hash erased, deleted_ms set. The user row (the nick) stays.
    virtual void deleteUser(std::int64_t userId, std::int64_t nowMs) = 0;

    // Recovery key backup (schema 7): one header per account and its sealed entries by entry id,
    // bytes the gateway cannot open. putBackupEntry replaces an entry of the same id.
    virtual std::optional<hchat::v1::BackupHeader> backupHeader(std::int64_t userId) = 0;
    virtual void putBackupHeader(std::int64_t userId, const hchat::v1::BackupHeader &header,
                                 std::int64_t nowMs) = 0;
    virtual bool hasBackupEntry(std::int64_t userId, const std::string &entryId) = 0;
    virtual std::uint64_t backupEntryCount(std::int64_t userId) = 0;
    virtual void putBackupEntry(std::int64_t userId, const hchat::v1::BackupEntry &entry,
                                std::int64_t nowMs) = 0;
    // Entries with an id above `after` (empty: from the first), by id, at most `limit`.
    virtual std::vector<hchat::v1::BackupEntry> backupEntries(std::int64_t userId, const std::string &after,
                                                              std::size_t limit) = 0;
    // The header and every entry, gone.
    virtual void deleteBackup(std::int64_t userId) = 0;

    // Roles, bans, topics, blocks, invite codes, administration (schema 6).
    virtual CommunityStore &community() = 0;

    // Attachments (schema 4).
    virtual void createUpload(const UploadRecord &upload) = 0;
    virtual std::optional<UploadRecord> findUpload(const std::string &id) = 0;
    // Uploads of a user that no message shows yet (unfinished, or finished and not sent).
    virtual std::uint64_t openUploads(std::int64_t uploaderId) = 0;
    // Stores chunk `index` and sets received (the caller checked the offset, in this transaction).
    virtual void appendUploadChunk(const std::string &id, std::uint64_t index, const std::string &bytes,
                                   std::uint64_t received) = 0;
    // Bytes [offset, offset + length) of an upload (the caller keeps them within what was received).
    virtual std::string readUpload(const std::string &id, std::uint64_t offset, std::uint64_t length) = 0;
    virtual void markUploadReferenced(const std::string &id) = 0;
    // The upload and its bytes, gone.
    virtual void deleteUpload(const std::string &id) = 0;
    // Uploads created before cutoffMs that are unfinished or that no message refers to.
    virtual std::vector<std::string> staleUploads(std::int64_t cutoffMs) = 0;
};

} // namespace hchat::server
