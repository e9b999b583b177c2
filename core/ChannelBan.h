#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace hchat {

// A ban of a channel (POST /v1/members, shown to its moderators): who, by whom, why, when.
struct ChannelBan {
    QString nick;
    QString by;
    QString reason;
    QDateTime time;
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::ChannelBan)
