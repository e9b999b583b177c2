#pragma once

#include "ClientSession.h"
#include "hchat.pb.h"

#include <cstdint>
#include <string>

namespace hchat::server {

// What a Send frame turned out to be once checked.
struct SendCheck {
    bool toInbox = false; // a key share to a device inbox (~device_id)
    hchat::v1::MembershipAction membershipAction = hchat::v1::MEMBERSHIP_ACTION_UNSPECIFIED;
    std::string membershipSubject; // the nick an ADD, a REMOVE or a ROLE names
    hchat::v1::ChannelRole membershipRole = hchat::v1::CHANNEL_ROLE_MEMBER; // ROLE: the new role
    std::uint64_t plainFileSize = 0; // a plain channel's attachment: the size its content states
};

// Everything about a Send frame that can be checked without the store: the stream's name, ids,
// sizes, which kinds go where, a membership operation in the sender's own name, an attachment's
// content in a plain channel. Throws ProtocolError with the error the client gets. Pure: unit tests
// and the fuzzer call it directly.
SendCheck validateSend(const hchat::v1::Send &send, const SessionIdentity &sender);

} // namespace hchat::server
