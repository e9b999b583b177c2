#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "StoredMessage.h"

namespace hchat {

// What arrived while the client was away: emitted once per completed catch-up (after every
// (re)connect), for one summary notification. Counts only text messages from other users, and
// none from the users this user blocked (a channel with only theirs is not listed).
struct CatchUpReport {
    struct Channel {
        QString channel;
        quint64 count = 0;     // new text messages from others
        QStringList senders;   // distinct, in order of first appearance
        StoredMessage newest;  // the newest of them
        quint64 mentions = 0;  // how many of them @mention the own nick
    };

    QList<Channel> channels;   // only channels with count > 0, busiest first
    quint64 total() const
    {
        quint64 n = 0;
        for (const auto &c : channels)
            n += c.count;
        return n;
    }
    bool isEmpty() const { return channels.isEmpty(); }
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::CatchUpReport)
