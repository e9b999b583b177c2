#include "ReadState.h"

#include "HistoryStore.h"
#include "PushChannel.h"
#include "SyncEngine.h"
#include "hchat.pb.h"

namespace hchat {

ReadState::ReadState(HistoryStore *store, PushChannel *push, SyncEngine *engine, QObject *parent)
    : QObject(parent), m_store(store), m_push(push)
{
    m_unreadTimer.setSingleShot(true);
    m_unreadTimer.setInterval(50);
    connect(&m_unreadTimer, &QTimer::timeout, this, [this] {
        const auto dirty = std::exchange(m_unreadDirty, {});
        for (const QString &c : dirty)
            m_unreadKnown.insert(c, m_store->unreadCount(c));
        for (const QString &c : std::exchange(m_unreadGrown, {}) | dirty)
            emit unreadChanged(c, m_unreadKnown.value(c));
    });
    connect(engine, &SyncEngine::messagesStored, this, &ReadState::countStored);
    connect(engine, &SyncEngine::channelsChanged, this, [this] { m_unreadKnown.clear(); });
    connect(engine, &SyncEngine::messagesAmended, this,
            [this](const QString &channel, const QList<quint64> &) { markUnreadDirty(channel); });
    connect(engine, &SyncEngine::readPositionChanged, this, [this](const QString &channel, quint64) {
        markUnreadDirty(channel);
        // A position set here (a join reads what the channel held): the account's other devices
        // learn it now, not after the next Welcome.
        if (m_push->isConnected())
            syncPositions();
    });
}

quint64 ReadState::peerReadSeq(const QString &channel) const
{
    return m_store->peerReadSeq(channel);
}

void ReadState::receiptArrived(const QString &channel, const QString &nick, quint64 seq)
{
    if (channel.isEmpty() || seq <= peerReadSeq(channel))
        return;
    m_store->setPeerReadSeq(channel, seq);
    emit readReceipt(channel, nick, seq);
}

bool ReadState::wantsReceipt(const QString &channel) const
{
    if (!m_shareReceipts)
        return false;
    const auto rec = m_store->channel(channel);
    return rec && rec->kind == ChannelRecord::Kind::Direct;
}

void ReadState::markRead(const QString &channel, quint64 seq)
{
    seq = std::min(seq, m_store->maxSeq(channel));
    if (seq == 0 || !m_store->setReadSeq(channel, seq, false))
        return;
    markUnreadDirty(channel);
    if (m_push->isConnected())
        tellGateway(channel, seq); // else after the next Welcome
}

void ReadState::syncPositions()
{
    for (const auto &[channel, seq] : m_store->unsyncedReadPositions())
        tellGateway(channel, seq);
}

void ReadState::tellGateway(const QString &channel, quint64 seq)
{
    hchat::v1::Frame f;
    f.mutable_mark_read()->set_channel(channel.toStdString());
    f.mutable_mark_read()->set_seq(seq);
    f.mutable_mark_read()->set_share_receipt(wantsReceipt(channel));
    m_push->sendRequest(f, [this, channel, seq](const hchat::v1::Frame &a) {
        if (!a.has_error())
            m_store->markReadPositionSynced(channel, seq);
    });
}

quint64 ReadState::unreadCount(const QString &channel) const
{
    return m_store->unreadCount(channel);
}

void ReadState::markUnreadDirty(const QString &channel)
{
    m_unreadDirty.insert(channel);
    m_unreadKnown.remove(channel);
    scheduleUnreadSignal();
}

// Rows appended to a channel: a count kept since the last full one grows by the new unread
// rows alone, so a long catch-up does not count the whole unread range again every burst.
void ReadState::countStored(const QString &channel, quint64 firstSeq, quint64 lastSeq)
{
    const auto known = m_unreadKnown.find(channel);
    if (known == m_unreadKnown.end() || m_unreadDirty.contains(channel)) {
        markUnreadDirty(channel);
        return;
    }
    *known += m_store->unreadCountIn(channel, firstSeq, lastSeq);
    m_unreadGrown.insert(channel);
    scheduleUnreadSignal();
}

void ReadState::scheduleUnreadSignal()
{
    if (!m_unreadTimer.isActive())
        m_unreadTimer.start();
}

} // namespace hchat
