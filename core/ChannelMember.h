#pragma once

#include "ChannelRecord.h"

#include <QMetaType>
#include <QString>

namespace hchat {

// One member of a channel with its role (POST /v1/members).
struct ChannelMember {
    QString nick;
    ChannelRecord::Role role = ChannelRecord::Role::Member;
    bool invited = false; // invited, not yet accepted (private channels)
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::ChannelMember)
