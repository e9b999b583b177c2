#include "ChannelTable.h"

#include "HistoryDb.h"
#include "StreamTable.h"

#include <algorithm>

namespace hchat {

namespace {

const QString kChannelSelect =
    QStringLiteral("SELECT c.name, c.kind, c.encrypted, c.members, c.joined, c.muted,"
                   " coalesce(s.server_max_seq, 0), coalesce(s.max_seq, 0), coalesce(r.seq, 0),"
                   " coalesce((SELECT m.server_time_ms FROM messages m WHERE m.channel = c.name"
                   "           ORDER BY m.seq DESC LIMIT 1), 0) AS activity, c.encrypted_from,"
                   " c.topic, c.read_only, c.role"
                   " FROM channels c LEFT JOIN streams s ON s.stream = c.name"
                   " LEFT JOIN read_positions r ON r.channel = c.name");

ChannelRecord rowToChannel(const HistoryQuery &q)
{
    ChannelRecord c;
    c.name = q.value(0).toString();
    c.kind = static_cast<ChannelRecord::Kind>(q.value(1).toInt());
    c.encrypted = q.value(2).toBool();
    const QString members = q.value(3).toString();
    c.members = members.isEmpty() ? QStringList() : members.split(QLatin1Char('\n'));
    c.joined = q.value(4).toBool();
    c.muted = q.value(5).toBool();
    c.serverMaxSeq = q.value(6).toULongLong();
    c.maxSeq = q.value(7).toULongLong();
    c.readSeq = q.value(8).toULongLong();
    c.lastActivityMs = q.value(9).toLongLong();
    c.encryptedFromSeq = q.value(10).toULongLong();
    c.topic = q.value(11).toString();
    c.readOnly = q.value(12).toBool();
    c.role = static_cast<ChannelRecord::Role>(std::clamp(q.value(13).toInt(), 0, 2));
    return c;
}

} // namespace

bool ChannelTable::upsert(const ChannelRecord &c)
{
    return m_db.write([&] {
        return m_db.exec(
                   QStringLiteral(
                       "INSERT INTO channels(name, kind, encrypted, members, joined, topic, read_only, role)"
                       " VALUES(?, ?, ?, ?, ?, ?, ?, ?) "
                       // One way only: a channel never goes back to open or to plaintext, whatever the
                       // gateway says later; one that becomes encrypted now is so from its next message on.
                       "ON CONFLICT(name) DO UPDATE SET"
                       " kind = CASE WHEN channels.kind <> 0 THEN channels.kind ELSE excluded.kind END,"
                       " encrypted_from = CASE WHEN channels.encrypted = 0 AND excluded.encrypted <> 0 THEN"
                       "  COALESCE((SELECT max_seq + 1 FROM streams WHERE stream = channels.name), 0) ELSE "
                       "channels.encrypted_from END,"
                       " encrypted = max(channels.encrypted, excluded.encrypted),"
                       " members = excluded.members, joined = excluded.joined, topic = excluded.topic,"
                       " read_only = excluded.read_only, role = excluded.role"),
                   {c.name, int(c.kind), c.encrypted ? 1 : 0, nonNull(c.members.join(QLatin1Char('\n'))),
                    c.joined ? 1 : 0, nonNull(c.topic), c.readOnly ? 1 : 0, int(c.role)}) &&
               m_streams.setServerMaxSeq(c.name, c.serverMaxSeq);
    });
}

bool ChannelTable::setColumn(const QString &channel, const QString &column, const QVariant &value)
{
    return m_db.query(QStringLiteral("UPDATE channels SET %1 = ? WHERE name = ?").arg(column),
                      {value, channel})
               .rowsAffected() > 0;
}

bool ChannelTable::setJoined(const QString &channel, bool joined)
{
    return setColumn(channel, QStringLiteral("joined"), joined ? 1 : 0);
}

bool ChannelTable::setMembers(const QString &channel, const QStringList &members)
{
    return setColumn(channel, QStringLiteral("members"), nonNull(members.join(QLatin1Char('\n'))));
}

bool ChannelTable::setTopic(const QString &channel, const QString &topic)
{
    return setColumn(channel, QStringLiteral("topic"), nonNull(topic));
}

bool ChannelTable::setReadOnly(const QString &channel, bool readOnly)
{
    return setColumn(channel, QStringLiteral("read_only"), readOnly ? 1 : 0);
}

bool ChannelTable::setRole(const QString &channel, ChannelRecord::Role role)
{
    return setColumn(channel, QStringLiteral("role"), int(role));
}

bool ChannelTable::setMuted(const QString &channel, bool muted)
{
    return setColumn(channel, QStringLiteral("muted"), muted ? 1 : 0);
}

std::optional<ChannelRecord> ChannelTable::channel(const QString &name) const
{
    return m_db.first(kChannelSelect + QStringLiteral(" WHERE c.name = ?"), {name}, rowToChannel);
}

QList<ChannelRecord> ChannelTable::channels(bool joinedOnly) const
{
    return m_db.rows(kChannelSelect + (joinedOnly ? QStringLiteral(" WHERE c.joined = 1") : QString()) +
                         QStringLiteral(" ORDER BY activity DESC, c.name"),
                     {}, rowToChannel);
}

} // namespace hchat
