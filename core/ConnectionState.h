#pragma once

#include <QObject>

namespace hchat {
Q_NAMESPACE

// What the status line shows. Client::connectionState() / Client::connectionStateChanged().
enum class ConnectionState {
    Offline,    // not signed in, stopped, or waiting (with backoff) before the next attempt
    Connecting, // opening the WebSocket / authenticating with the token
    CatchingUp, // connected; pulling what was missed (see Client::catchUpProgress)
    Online,     // connected and caught up; live pushes flow
};
Q_ENUM_NS(ConnectionState)

} // namespace hchat
