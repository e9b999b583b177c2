#pragma once

#include "MessageStore.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace hchat::server {

// What the commit writer's store remembers per channel between its transactions, so that a send
// needs no query for what only a membership change can change: the stream record (its max_seq as
// this connection last bumped it) and the member list (members and invitees: the rows of
// `members`). Channels only, never device inboxes.
//
// Only a store that is the one writer of its database may keep one (SqlMessageStore turns it on
// for SQLite; on PostgreSQL other gateways write the same rows). Its owner must call
// invalidate(streamId) from every operation that changes a channel's members or kind or deletes a
// channel or a user (see SqlMessageStore::invalidateChannel), and report the transaction's
// savepoints: whatever was read or changed inside a savepoint that is rolled back, or inside a
// transaction that is rolled back, is forgotten with it, so the cache never holds what the
// database does not.
class ChannelCache {
public:
    struct Entry {
        StreamRecord stream;
        bool membersKnown = false;
        std::vector<std::int64_t> members; // sorted
    };

    // At most this many channels are kept; past it the cache starts afresh.
    explicit ChannelCache(std::size_t capacity = 4096) : m_capacity(capacity) {}

    Entry *find(const std::string &name);
    Entry *find(std::int64_t streamId);
    // Remembers a stream read from the database (within the current savepoint, if one is open).
    Entry &put(const StreamRecord &stream);
    void setMembers(Entry &entry, std::vector<std::int64_t> members);
    // The stream's max_seq was bumped to `seq` in the current savepoint.
    void bumped(std::int64_t streamId, std::uint64_t seq);
    void invalidate(std::int64_t streamId);
    void clear();
    std::size_t size() const { return m_byId.size(); }

    // The transaction's structure (savepoints nest one level, as MessageStore's do).
    void savepointOpened();
    void savepointReleased();
    void savepointRolledBack();
    void committed();
    void rolledBack();

private:
    void touch(std::int64_t streamId);

    std::size_t m_capacity;
    std::unordered_map<std::int64_t, Entry> m_byId;
    std::unordered_map<std::string, std::int64_t> m_idByName;
    // Streams read or changed in the open savepoint, and in the rest of the open transaction.
    std::vector<std::int64_t> m_inSavepoint;
    std::vector<std::int64_t> m_inTransaction;
    bool m_savepointOpen = false;
};

} // namespace hchat::server
