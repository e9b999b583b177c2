#pragma once

#include <QHash>
#include <QObject>

#include <functional>

namespace hchat {

class PushChannel;

// Typing indicators: tells a channel's other members that the user is typing (at most once every
// 3 s per channel, only while shared and connected), and reports theirs.
class TypingIndicator : public QObject {
    Q_OBJECT
public:
    // ownNick: typing pushed for oneself (another device of the account) is not shown.
    TypingIndicator(PushChannel *push, std::function<QString()> ownNick, QObject *parent = nullptr);

    void setShare(bool share) { m_share = share; }
    bool shares() const { return m_share; }
    void notifyTyping(const QString &channel);
    void typingArrived(const QString &channel, const QString &nick);

signals:
    void typing(const QString &channel, const QString &nick);

private:
    PushChannel *m_push;
    std::function<QString()> m_ownNick;
    bool m_share = true;
    QHash<QString, qint64> m_lastSentMs;
};

} // namespace hchat
