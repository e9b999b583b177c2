#pragma once

#include "ChannelRecord.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace hchat {

class HistoryDb;
class StreamTable;

// Table channels: the channels this device knows, with their members and local flags (joined,
// muted); read together with their stream's seqs and read position (ChannelRecord).
class ChannelTable {
public:
    ChannelTable(HistoryDb &db, StreamTable &streams) : m_db(db), m_streams(streams) {}

    // Inserts or updates name/kind/encrypted/members/joined/serverMaxSeq/topic/readOnly/role (muted
    // is kept).
    bool upsert(const ChannelRecord &channel);
    bool setJoined(const QString &channel, bool joined);
    bool setMembers(const QString &channel, const QStringList &members);
    bool setMuted(const QString &channel, bool muted);
    // From the moderation messages of the channel (MessageKind::Topic, ReadOnly, Role).
    bool setTopic(const QString &channel, const QString &topic);
    bool setReadOnly(const QString &channel, bool readOnly);
    bool setRole(const QString &channel, ChannelRecord::Role role);
    std::optional<ChannelRecord> channel(const QString &name) const;
    // Most recently active first (then by name). joinedOnly: skip left ones.
    QList<ChannelRecord> channels(bool joinedOnly) const;

private:
    // UPDATE channels SET <column> = value of one channel; false when there is none.
    bool setColumn(const QString &channel, const QString &column, const QVariant &value);

    HistoryDb &m_db;
    StreamTable &m_streams;
};

} // namespace hchat
