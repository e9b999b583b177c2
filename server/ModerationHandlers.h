#pragma once

#include "ChannelPermissions.h"
#include "ClientSession.h"
#include "MessageStore.h"
#include "ServerContext.h"
#include "WriteOutcome.h"

#include <cstdint>
#include <memory>
#include <string>

namespace hchat::server {

class ChatService;

// A channel's moderation (the Moderate frame): kick, ban and unban, deleting others' messages,
// topic, read-only, roles and ownership. Each is checked by ChannelPermissions and carried out as a
// stored message of the channel, so every member's client learns of it in order, live or on pull.
class ModerationHandlers {
public:
    using SessionPtr = std::shared_ptr<ClientSession>;

    ModerationHandlers(ServerContext &, ChatService &chat) : m_chat(chat) {}

    void moderate(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Moderate &moderate);

    // Inside a write: who is asking, as ChannelPermissions needs it.
    static ChannelPermissions::Asker asker(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                                           std::int64_t targetId = 0);
    // Inside a write: removes `target` from the channel with a KICKED or BANNED message by `actor`
    // (stored before the removal, so the removed member learns of it too) and tells its sessions.
    static void removeFromChannel(MessageStore &st, WriteOutcome &out, const StreamRecord &stream,
                                  const SessionIdentity &actor, const UserRecord &target,
                                  hchat::v1::MessageKind kind, const std::string &reason);
    // Inside a write, after the message that says why: userId stops being a member of `stream`;
    // if it owned the channel, the next member in line owns it (a ROLE message by `actor` says so).
    static void part(MessageStore &st, WriteOutcome &out, StreamRecord &stream, const SessionIdentity &actor,
                     std::int64_t userId);

    // Inside a write: the role a stored, signed ROLE operation gives (checked before it was stored).
    static void applySignedRole(MessageStore &st, const StreamRecord &stream, std::int64_t actorId,
                                const std::string &subjectNick, hchat::v1::ChannelRole role);

private:
    static void carryOut(MessageStore &st, WriteOutcome &out, const SessionIdentity &id,
                         const hchat::v1::Moderate &request);
    static void deleteMessage(MessageStore &st, WriteOutcome &out, StreamRecord &stream,
                              const SessionIdentity &id, std::uint64_t seq);
    static void setRole(MessageStore &st, WriteOutcome &out, StreamRecord &stream, const SessionIdentity &id,
                        const UserRecord &target, hchat::v1::ChannelRole role);

    ChatService &m_chat;
};

} // namespace hchat::server
