#pragma once

#include "AccountDeletion.h"
#include "MessageStore.h"
#include "hchat.pb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hchat::server {

// The gateway's administration, once for both ways in: POST /v1/admin from an administrator's
// app and `hchat-gateway admin` on the server's machine. Every action that changes something is
// written to the audit log in the same transaction; those that end a user's sessions say so there,
// so that every gateway on the database cuts them (SessionCutFollower), even when the action was
// taken by the command line.
class AdminActions {
public:
    // What the caller acts on once the transaction committed.
    struct Effects {
        std::vector<std::int64_t> cutUsers;   // every session of these users ends
        AccountDeletion::Notices stored;      // messages stored in channels, to push
        std::vector<std::int64_t> purgedFrom; // members of a purged channel
        std::string purgedChannel;
    };

    // Inside a write transaction. `passwordHash`: the Argon2id hash of request.password() (create
    // and reset), made before the transaction. Throws ProtocolError on a bad request.
    static Effects run(MessageStore &st, const std::string &actor, const hchat::v1::AdminRequest &request,
                       const std::string &passwordHash, hchat::v1::AdminResponse &response);
    // Whether the action wants a password (hashed first).
    static bool needsPassword(hchat::v1::AdminAction action);
    // A new invite code: 24 characters of an alphabet without look-alikes.
    static std::string newInviteCode();
    static const char *name(hchat::v1::AdminAction action);
};

} // namespace hchat::server
