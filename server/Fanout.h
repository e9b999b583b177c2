#pragma once

#include "SessionCut.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hchat::server {

// Where pushed frames go once a write has committed: every online session of some users (a stored
// message, ChannelJoined, ReadPosition) or of one device (its inbox). LocalFanout reaches the
// sessions of this process; RedisFanout additionally reaches those of every other gateway that
// shares the database. Callable from any thread; never blocks on the network.
class Fanout {
public:
    virtual ~Fanout() = default;

    // `frame` is a serialised Frame. exceptSession: a session of THIS gateway to leave out (the
    // one that caused the event), 0 for none. countAsPush: counts in hchat_pushes_sent_total.
    virtual void toUsers(const std::vector<std::int64_t> &userIds, std::shared_ptr<const std::string> frame,
                         bool countAsPush, std::uint64_t exceptSession = 0) = 0;
    virtual void toDevice(const std::string &deviceId, std::shared_ptr<const std::string> frame,
                          bool countAsPush) = 0;
    // Ends the sessions a revocation names (a revoked device or token, a changed password, an
    // account logged out everywhere or deleted), here and on every other gateway.
    virtual void closeSessions(const SessionCut &cut) = 0;
    // Stops background threads (idempotent).
    virtual void stop() {}
};

} // namespace hchat::server
