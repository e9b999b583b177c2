#include "PushDispatcher.h"

#include "ChannelListPager.h"
#include "CoreLogging.h"
#include "PushChannel.h"
#include "ReadState.h"
#include "SyncEngine.h"
#include "TypingIndicator.h"
#include "hchat.pb.h"

namespace hchat {

PushDispatcher::PushDispatcher(PushChannel *push, SyncEngine *engine, ChannelListPager *pager,
                               ReadState *readState, TypingIndicator *typing, QObject *parent)
    : QObject(parent), m_engine(engine), m_pager(pager), m_readState(readState), m_typing(typing)
{
    connect(push, &PushChannel::pushed, this, &PushDispatcher::dispatch);
    connect(push, &PushChannel::malformedFrame, this, [this](const QString &why) {
        emit errorOccurred(why);
        m_engine->resyncAll();
    });
}

void PushDispatcher::dispatch(const hchat::v1::Frame &frame)
{
    switch (frame.body_case()) {
    case hchat::v1::Frame::kPush:
        m_engine->handlePush(frame.push().message());
        break;
    case hchat::v1::Frame::kChannelJoined:
        m_pager->noteJoined(frame.channel_joined().channel());
        m_engine->handleChannelJoined(frame.channel_joined().channel());
        break;
    case hchat::v1::Frame::kChannelUpdated:
        if (!frame.channel_updated().removed())
            m_pager->noteJoined(frame.channel_updated().channel());
        emit channelUpdated(frame.channel_updated());
        break;
    case hchat::v1::Frame::kReadPosition:
        m_engine->handleReadPosition(QString::fromStdString(frame.read_position().channel()),
                                     frame.read_position().seq());
        break;
    case hchat::v1::Frame::kTyping:
        m_typing->typingArrived(QString::fromStdString(frame.typing().channel()),
                                QString::fromStdString(frame.typing().nick()));
        break;
    case hchat::v1::Frame::kReadReceipt:
        m_readState->receiptArrived(QString::fromStdString(frame.read_receipt().channel()),
                                    QString::fromStdString(frame.read_receipt().nick()),
                                    frame.read_receipt().seq());
        break;
    case hchat::v1::Frame::kDevicesChanged:
        emit ownDevicesChanged();
        break;
    case hchat::v1::Frame::kError:
        qCWarning(lcClient).noquote() << "gateway error:" << QString::fromStdString(frame.error().message());
        emit errorOccurred(QString::fromStdString(frame.error().message()));
        break;
    default:
        qCDebug(lcClient) << "ignored frame" << frame.body_case();
        break;
    }
}

} // namespace hchat
