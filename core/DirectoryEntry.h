#pragma once

#include <QMetaType>
#include <QString>

namespace hchat {

// One open channel of the gateway's directory (POST /v1/directory), for "Browse channels".
struct DirectoryEntry {
    QString name;
    QString topic;
    quint64 memberCount = 0;
    bool joined = false; // the user is a member
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::DirectoryEntry)
