#include "ReadPositionTable.h"

#include "HistoryDb.h"
#include "MessageTable.h"

namespace hchat {

quint64 ReadPositionTable::readSeq(const QString &channel) const
{
    return m_db.scalar(QStringLiteral("SELECT seq FROM read_positions WHERE channel = ?"), {channel})
        .toULongLong();
}

bool ReadPositionTable::setReadSeq(const QString &channel, quint64 seq, bool synced)
{
    if (seq <= readSeq(channel))
        return false;
    return m_db.query(QStringLiteral(
                          "INSERT INTO read_positions(channel, seq, synced) VALUES(?, ?, ?)"
                          " ON CONFLICT(channel) DO UPDATE SET seq = excluded.seq, synced = excluded.synced"
                          " WHERE excluded.seq > read_positions.seq"),
                      {channel, qint64(seq), synced ? 1 : 0})
               .rowsAffected() > 0;
}

QList<QPair<QString, quint64>> ReadPositionTable::unsynced() const
{
    return m_db.rows(
        QStringLiteral("SELECT channel, seq FROM read_positions WHERE synced = 0 ORDER BY channel"), {},
        [](const HistoryQuery &q) { return qMakePair(q.value(0).toString(), q.value(1).toULongLong()); });
}

bool ReadPositionTable::markSynced(const QString &channel, quint64 seq)
{
    return m_db.exec(QStringLiteral("UPDATE read_positions SET synced = 1 WHERE channel = ? AND seq <= ?"),
                     {channel, qint64(seq)});
}

quint64 ReadPositionTable::unread(const QString &aggregate, const QString &channel,
                                  const QString &ownNick) const
{
    return m_db
        .scalar(QStringLiteral(
                    "SELECT %1 FROM messages WHERE channel = ? AND seq > ? AND kind IN %2 AND sender <> ?")
                    .arg(aggregate, MessageTable::chatKinds()),
                {channel, qint64(readSeq(channel)), ownNick})
        .toULongLong();
}

quint64 ReadPositionTable::unreadCount(const QString &channel, const QString &ownNick) const
{
    return unread(QStringLiteral("count(*)"), channel, ownNick);
}

quint64 ReadPositionTable::unreadCountIn(const QString &channel, quint64 fromSeq, quint64 toSeq,
                                         const QString &ownNick) const
{
    fromSeq = std::max(fromSeq, readSeq(channel) + 1);
    if (fromSeq > toSeq)
        return 0;
    return m_db
        .scalar(QStringLiteral("SELECT count(*) FROM messages WHERE channel = ? AND seq BETWEEN ? AND ?"
                               " AND kind IN %1 AND sender <> ?")
                    .arg(MessageTable::chatKinds()),
                {channel, qint64(fromSeq), qint64(toSeq), ownNick})
        .toULongLong();
}

quint64 ReadPositionTable::firstUnreadSeq(const QString &channel, const QString &ownNick) const
{
    return unread(QStringLiteral("min(seq)"), channel, ownNick);
}

quint64 ReadPositionTable::peerReadSeq(const QString &channel) const
{
    return m_db
        .scalar(QStringLiteral("SELECT peer_read_seq FROM read_positions WHERE channel = ?"), {channel})
        .toULongLong();
}

bool ReadPositionTable::setPeerReadSeq(const QString &channel, quint64 seq)
{
    return m_db.exec(
        QStringLiteral("INSERT INTO read_positions(channel, seq, peer_read_seq) VALUES(?, 0, ?)"
                       " ON CONFLICT(channel) DO UPDATE SET peer_read_seq = excluded.peer_read_seq"),
        {channel, qint64(seq)});
}

} // namespace hchat
