#pragma once

#include "AdminCommand.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace hchat {

// The gateway's answer to an AdminCommand (hchat.v1.AdminResponse).
struct AdminReport {
    struct User {
        QString nick;
        QDateTime created;
        bool admin = false;
        bool suspended = false;
        bool deleted = false;
    };
    struct Channel {
        QString name;
        int kind = 0; // ChannelRecord::Kind
        bool encrypted = false;
        quint64 memberCount = 0;
        quint64 maxSeq = 0;
    };
    struct AuditEntry {
        qint64 id = 0;
        QDateTime time;
        QString actor;
        QString action;
        QString subject;
        QString detail;
    };
    AdminCommand::Action action = AdminCommand::Action::ListUsers; // what was asked
    QList<User> users;
    QList<Channel> channels;
    QList<AuditEntry> audit;
    QString inviteCode;
    QString continueAfter;
    QString message; // what was done, for the admin to read
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::AdminReport)
