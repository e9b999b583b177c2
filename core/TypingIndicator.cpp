#include "TypingIndicator.h"

#include "PushChannel.h"
#include "hchat.pb.h"

#include <QDateTime>

namespace hchat {

TypingIndicator::TypingIndicator(PushChannel *push, std::function<QString()> ownNick, QObject *parent)
    : QObject(parent), m_push(push), m_ownNick(std::move(ownNick))
{
}

void TypingIndicator::notifyTyping(const QString &channel)
{
    if (!m_share || channel.isEmpty() || !m_push->isConnected())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 &last = m_lastSentMs[channel];
    if (last != 0 && now - last < 3000 && now >= last)
        return;
    last = now;
    hchat::v1::Frame f;
    f.mutable_typing()->set_channel(channel.toStdString());
    m_push->sendRequest(f); // no answer (an error only if not a member)
}

void TypingIndicator::typingArrived(const QString &channel, const QString &nick)
{
    if (!nick.isEmpty() && nick.compare(m_ownNick(), Qt::CaseInsensitive) != 0)
        emit typing(channel, nick);
}

} // namespace hchat
