#pragma once

#include "StoredMessage.h"

#include <QList>
#include <QObject>

#include <functional>

namespace hchat::v1 {
class ChannelUpdated;
}

namespace hchat {

class HistoryStore;
class SyncEngine;
class SyncPuller;

// Keeps each channel's topic, read-only flag and this user's role as the moderation messages
// stored in it (MessageKind::Topic, ReadOnly, Role) and the gateway's ChannelUpdated pushes say;
// a ChannelUpdated that removes the user (kicked, banned, purged) takes the channel out of the
// list as leaving it does (its history stays) and says why.
class ModerationTracker : public QObject {
    Q_OBJECT
public:
    ModerationTracker(HistoryStore *store, SyncEngine *engine, SyncPuller *puller,
                      std::function<QString()> ownNick, QObject *parent = nullptr);

    // SyncEngine's inserted stage: the rows just stored in stream.
    void noteStored(const QString &stream, const QList<StoredMessage> &inserted);
    void onChannelUpdated(const hchat::v1::ChannelUpdated &update);

signals:
    void channelsChanged();
    // The user is no longer a member of channel (reason: the gateway's, e.g. "kicked by mod: spam").
    void channelRemoved(const QString &channel, const QString &reason);

private:
    HistoryStore *m_store;
    SyncEngine *m_engine;
    SyncPuller *m_puller;
    std::function<QString()> m_ownNick;
};

} // namespace hchat
