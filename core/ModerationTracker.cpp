#include "ModerationTracker.h"

#include "ChannelRecord.h"
#include "CoreLogging.h"
#include "HistoryStore.h"
#include "SyncEngine.h"
#include "SyncPuller.h"
#include "hchat.pb.h"

namespace hchat {

ModerationTracker::ModerationTracker(HistoryStore *store, SyncEngine *engine, SyncPuller *puller,
                                     std::function<QString()> ownNick, QObject *parent)
    : QObject(parent), m_store(store), m_engine(engine), m_puller(puller), m_ownNick(std::move(ownNick))
{
}

void ModerationTracker::noteStored(const QString &stream, const QList<StoredMessage> &inserted)
{
    bool changed = false;
    for (const StoredMessage &m : inserted) {
        if (m.encrypted || !isModeration(m.kind))
            continue;
        const QString text = QString::fromUtf8(m.body);
        switch (m.kind) {
        case MessageKind::Topic:
            changed |= m_store->setChannelTopic(stream, text);
            break;
        case MessageKind::ReadOnly:
            changed |= m_store->setChannelReadOnly(stream, text == QLatin1String("1"));
            break;
        case MessageKind::Role:
            if (m.subject.compare(m_ownNick(), Qt::CaseInsensitive) == 0)
                changed |= m_store->setChannelRole(stream, ChannelRecord::roleFromName(text));
            break;
        default:
            break;
        }
    }
    if (changed)
        emit channelsChanged();
}

void ModerationTracker::onChannelUpdated(const hchat::v1::ChannelUpdated &update)
{
    const QString channel = QString::fromStdString(update.channel().name());
    if (channel.isEmpty())
        return;
    if (!update.removed()) {
        m_engine->handleChannelJoined(update.channel());
        return;
    }
    const QString reason = QString::fromStdString(update.reason());
    qCInfo(lcCommunity).noquote() << "removed from" << channel << reason;
    // As leaving does: no more pulls, out of the list, the history stays.
    m_puller->cancel(channel);
    if (m_store->channel(channel))
        m_store->setChannelJoined(channel, false);
    emit channelsChanged();
    emit channelRemoved(channel, reason);
}

} // namespace hchat
