#pragma once

#include "ClientSession.h"
#include "MessageStore.h"
#include "SendValidation.h"
#include "ServerContext.h"
#include "WriteOutcome.h"

#include <cstdint>
#include <memory>
#include <string>

namespace hchat::server {

class ChatService;

// Messages and read positions: Send (to a channel, or a key share to a device inbox), MarkRead,
// and a device's acknowledgement of its inbox.
class MessageHandlers {
public:
    using SessionPtr = std::shared_ptr<ClientSession>;

    MessageHandlers(ServerContext &ctx, ChatService &chat) : m_ctx(ctx), m_chat(chat) {}

    void send(const SessionPtr &session, std::uint64_t requestId, hchat::v1::Send &send);
    void markRead(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::MarkRead &markRead);

private:
    void acknowledgeInbox(const SessionPtr &session, std::uint64_t requestId,
                          const hchat::v1::MarkRead &markRead);

    // The steps of a Send inside the write transaction.
    static void store(MessageStore &st, WriteOutcome &out, const SessionIdentity &sender,
                      const std::string &name, const SendCheck &check, const hchat::v1::Message &message);
    // Returns the inbox's device.
    static std::string checkInbox(MessageStore &st, const StreamRecord &inbox, const SessionIdentity &sender);
    static void checkChannel(MessageStore &st, const StreamRecord &stream, const SessionIdentity &sender,
                             const hchat::v1::Message &message, const SendCheck &check);
    static void checkMembershipOp(MessageStore &st, const StreamRecord &stream, const SessionIdentity &sender,
                                  const SendCheck &check);
    static void checkMayPost(MessageStore &st, const StreamRecord &stream, const SessionIdentity &sender);
    static void checkReference(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                               const hchat::v1::Message &message);
    static void checkUpload(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                            const hchat::v1::Message &message, std::uint64_t plainFileSize);
    // MarkRead inside the write: the read position moves forward only, and is told to the reader's
    // other sessions (and, asked for, to the other member of a direct channel).
    static void storeReadPosition(MessageStore &st, WriteOutcome &out, const SessionIdentity &reader,
                                  const std::string &name, std::uint64_t wanted, bool shareReceipt);
    // What a stored message changes besides its stream: an upload it shows, an invitation it
    // answers, a message it recalls.
    static void applyEffects(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                             const hchat::v1::Message &message, const SendCheck &check);

    ServerContext &m_ctx;
    ChatService &m_chat;
};

} // namespace hchat::server
