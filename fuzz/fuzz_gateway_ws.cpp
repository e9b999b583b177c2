// WebSocket messages from one client, through ChatService's decoding and dispatch to the
// handlers (hello, join, leave, create, invite, remove, send, mark read, ping) on a real SQLite
// store, reset to the fixture's seed before each input, with bob online to receive the fan-out.
// Each binary message that is a Send also goes straight to validateSend (as alice's), so that its
// checks are fuzzed whether or not the session state and the store let the frame reach them.
//
// Input: a flags byte, then chunks (FuzzInput.h). Flags bit 0: the session first authenticates as
// alice with her real token (otherwise the fuzzer's first frame must be the Hello). Chunk tag
// bit 0: a text message instead of a binary one; bit 1: do not wait for the answer before the next
// message (frames then arrive while earlier ones are still being stored, or before the Welcome);
// bit 2: the Hello timeout fires instead.
#include "FuzzInput.h"
#include "GatewayFixture.h"
#include "Limits.h"
#include "ProtocolError.h"
#include "SendValidation.h"

#include <cstddef>
#include <cstdint>

using namespace hchat::fuzz;

namespace {
GatewayFixture *g_gateway = nullptr;
std::shared_ptr<FuzzSession> g_bob;

// A Send that validateSend accepts has a 16-byte client_msg_id, and goes to a device inbox if and
// only if it is a key share.
void validateSendDirectly(std::string_view payload)
{
    hchat::v1::Frame frame;
    if (payload.size() > hchat::limits::kMaxFrameBytes ||
        !frame.ParseFromArray(payload.data(), int(payload.size())) || !frame.has_send())
        return;
    const hchat::server::SessionIdentity alice{1, kAlice.nick, kAlice.deviceId, {}};
    try {
        const auto check = hchat::server::validateSend(frame.send(), alice);
        if (frame.send().client_msg_id().size() != hchat::limits::kClientMsgIdBytes)
            invariantBroken("validateSend accepted a client_msg_id of another size");
        if (check.toInbox != (frame.send().kind() == hchat::v1::MESSAGE_KIND_KEY_SHARE))
            invariantBroken("validateSend let a key share go to a channel, or another kind to an inbox");
    } catch (const hchat::server::ProtocolError &) {
    }
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    g_gateway = new GatewayFixture("gateway-ws");
    g_bob = g_gateway->connect();
    g_gateway->hello(g_bob, kBob.token);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    g_gateway->reset();
    ChunkReader in(data, size);
    auto session = g_gateway->connect();
    if (in.byte() & 1)
        g_gateway->hello(session, kAlice.token);
    std::uint8_t tag = 0;
    std::string_view payload;
    while (in.next(tag, payload)) {
        if (tag & 4)
            g_gateway->chat().onAuthTimeout(session);
        else
            g_gateway->chat().onMessage(session, (tag & 1) == 0, payload.data(), payload.size());
        if ((tag & 5) == 0)
            validateSendDirectly(payload);
        if ((tag & 2) == 0)
            g_gateway->quiesce();
    }
    g_gateway->disconnect(session);
    return 0;
}
