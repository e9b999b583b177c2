#pragma once

#include "ClientSession.h"
#include "MessageStore.h"
#include "ServerContext.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hchat::server {

class ChatService;

// Channels and their members: join, leave, create, invite, remove, and typing notices. Each write
// stores the membership message it causes in the channel's own stream.
class ChannelHandlers {
public:
    using SessionPtr = std::shared_ptr<ClientSession>;

    ChannelHandlers(ServerContext &ctx, ChatService &chat) : m_ctx(ctx), m_chat(chat) {}

    void join(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Join &join);
    void leave(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Leave &leave);
    void createChannel(const SessionPtr &session, std::uint64_t requestId,
                       const hchat::v1::CreateChannel &create);
    void invite(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Invite &invite);
    void removeMember(const SessionPtr &session, std::uint64_t requestId,
                      const hchat::v1::RemoveMember &remove);
    void typing(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Typing &typing);

    // Inside a write: throws unless askerId may remove targetId from the invite-only `stream`.
    static void requireMayRemove(MessageStore &st, const StreamRecord &stream, std::int64_t askerId,
                                 std::int64_t targetId);

    // Membership info of `stream` for `userId`, as ChannelJoined carries it.
    static hchat::v1::ChannelInfo channelInfo(MessageStore &store, const StreamRecord &stream,
                                              std::int64_t userId);

private:
    static std::pair<StreamRecord, UserRecord> memberOperation(MessageStore &st, const SessionIdentity &asker,
                                                               const std::string &name,
                                                               const std::string &nick,
                                                               const char *notInviteOnly);
    // The members a CreateChannel names besides its creator, each once; throws on a bad request.
    static std::vector<std::string> otherMembers(const hchat::v1::CreateChannel &create,
                                                 const SessionIdentity &creator);

    ServerContext &m_ctx;
    ChatService &m_chat;
};

} // namespace hchat::server
