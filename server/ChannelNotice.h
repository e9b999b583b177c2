#pragma once

#include "ClientSession.h"
#include "ServerContext.h"
#include "hchat.pb.h"

#include <string>

namespace hchat::server {

// A message the gateway stores in a channel on an actor's behalf: membership changes and
// moderation (kind, the nick concerned, a body such as a reason or a topic).
inline hchat::v1::Message channelNotice(hchat::v1::MessageKind kind, const SessionIdentity &actor,
                                        const std::string &subject, const std::string &body = {})
{
    hchat::v1::Message m;
    m.set_sender(actor.nick);
    m.set_sender_device(actor.deviceId);
    m.set_server_time_ms(ServerContext::nowMs());
    m.set_kind(kind);
    m.set_subject(subject);
    m.set_body(body);
    return m;
}

} // namespace hchat::server
