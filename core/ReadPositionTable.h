#pragma once

#include <QList>
#include <QPair>
#include <QString>

namespace hchat {

class HistoryDb;

// Table read_positions: per channel how far this account has read (and whether the gateway was
// told yet), and what follows from it: the unread messages; also how far the other side has read
// (its read receipts, schema 7).
class ReadPositionTable {
public:
    explicit ReadPositionTable(HistoryDb &db) : m_db(db) {}

    quint64 readSeq(const QString &channel) const;
    // Raises the read position (never lowers it). True when it moved.
    bool setReadSeq(const QString &channel, quint64 seq, bool synced);
    QList<QPair<QString, quint64>> unsynced() const;
    bool markSynced(const QString &channel, quint64 seq);
    // Text messages from others (not ownNick) above the read position: how many, the first.
    quint64 unreadCount(const QString &channel, const QString &ownNick) const;
    quint64 firstUnreadSeq(const QString &channel, const QString &ownNick) const;
    // How many of the rows fromSeq..toSeq are unread text messages from others.
    quint64 unreadCountIn(const QString &channel, quint64 fromSeq, quint64 toSeq,
                          const QString &ownNick) const;
    quint64 peerReadSeq(const QString &channel) const;
    bool setPeerReadSeq(const QString &channel, quint64 seq);

private:
    // aggregate (e.g. count(*)) over the unread messages of the channel.
    quint64 unread(const QString &aggregate, const QString &channel, const QString &ownNick) const;

    HistoryDb &m_db;
};

} // namespace hchat
