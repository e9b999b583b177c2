#pragma once

#include <QString>

namespace hchat {

// One request of a gateway administrator (POST /v1/admin); the fields each action reads are
// those of hchat.v1.AdminRequest.
struct AdminCommand {
    enum class Action : int { // = hchat.v1.AdminAction
        ListUsers = 1,
        ListChannels = 2,
        CreateUser = 3,
        ResetPassword = 4,
        SetAdmin = 5,
        Suspend = 6,
        DeleteUser = 7,
        CreateInvite = 8,
        PurgeChannel = 9,
        AuditLog = 10,
    };
    AdminCommand() = default;
    AdminCommand(Action a) : action(a) {} // NOLINT(google-explicit-constructor): {Action::ListUsers}

    Action action = Action::ListUsers;
    QString nick;
    QString password;
    bool flag = false;
    QString channel;
    quint32 uses = 0;
    qint64 expiresInS = 0;
    QString after;       // list pages
    qint64 beforeId = 0; // audit pages
};

} // namespace hchat
