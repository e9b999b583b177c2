#pragma once

#include <QObject>

namespace hchat::v1 {
class ChannelUpdated;
class Frame;
} // namespace hchat::v1

namespace hchat {

class ChannelListPager;
class PushChannel;
class ReadState;
class SyncEngine;
class TypingIndicator;

// The first stage of the received path: hands each frame the gateway pushes to the part that
// owns it (messages, joined channels and read positions to the SyncEngine; read receipts to
// ReadState; typing to TypingIndicator). A frame that did not parse makes every stream pull again.
class PushDispatcher : public QObject {
    Q_OBJECT
public:
    PushDispatcher(PushChannel *push, SyncEngine *engine, ChannelListPager *pager, ReadState *readState,
                   TypingIndicator *typing, QObject *parent = nullptr);

signals:
    // DEVICES_CHANGED: a device of this account appeared or the account's list changed.
    void ownDevicesChanged();
    // A channel's topic, read-only flag or this user's role changed, or the user was removed.
    void channelUpdated(const hchat::v1::ChannelUpdated &update);
    void errorOccurred(const QString &message);

private:
    void dispatch(const hchat::v1::Frame &frame);

    SyncEngine *m_engine;
    ChannelListPager *m_pager;
    ReadState *m_readState;
    TypingIndicator *m_typing;
};

} // namespace hchat
