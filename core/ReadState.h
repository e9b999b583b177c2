#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace hchat {

class HistoryStore;
class PushChannel;
class SyncEngine;

// How far the user has read each channel (on every device of theirs), the unread counts that
// follow from it, and the read receipts of direct channels (sent when shared, received from the
// other member).
class ReadState : public QObject {
    Q_OBJECT
public:
    ReadState(HistoryStore *store, PushChannel *push, SyncEngine *engine, QObject *parent = nullptr);

    void setShareReceipts(bool share) { m_shareReceipts = share; }
    bool sharesReceipts() const { return m_shareReceipts; }

    void markRead(const QString &channel, quint64 seq);
    // Positions marked while offline, told to the gateway after a Welcome.
    void syncPositions();
    quint64 unreadCount(const QString &channel) const;
    quint64 peerReadSeq(const QString &channel) const;
    // A receipt pushed by the gateway: the other member of a direct channel read up to seq.
    void receiptArrived(const QString &channel, const QString &nick, quint64 seq);

signals:
    void unreadChanged(const QString &channel, quint64 unread);
    void readReceipt(const QString &channel, const QString &nick, quint64 seq);

private:
    void markUnreadDirty(const QString &channel);
    void countStored(const QString &channel, quint64 firstSeq, quint64 lastSeq);
    void scheduleUnreadSignal();
    bool wantsReceipt(const QString &channel) const;
    void tellGateway(const QString &channel, quint64 seq);

    HistoryStore *m_store;
    PushChannel *m_push;
    bool m_shareReceipts = true;
    QSet<QString> m_unreadDirty;           // to count again from the read position
    QHash<QString, quint64> m_unreadKnown; // counted, then kept up to date by the rows stored since
    QSet<QString> m_unreadGrown;           // known counts that grew since the last signal
    QTimer m_unreadTimer;                  // coalesces the counts of a burst into one signal per channel
};

} // namespace hchat
