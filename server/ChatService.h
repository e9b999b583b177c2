#pragma once

#include "ClientSession.h"
#include "CommitWriter.h"
#include "MessageStore.h"
#include "ServerContext.h"

#include <functional>
#include <memory>

namespace hchat::server {

// The chat protocol on WebSocket frames, independent of the transport: authentication (Hello →
// Welcome), channels and membership, Send → store → SendAck → Push fan-out, read positions.
// Entry points run on the session's strand; store work goes to the commit writer (writes) or the
// store readers (reads), and answers come back through ClientSession::deliver.
class ChatService {
public:
    using SessionPtr = std::shared_ptr<ClientSession>;

    explicit ChatService(ServerContext &ctx);

    // One WebSocket message as read from the connection: a binary message holds one Frame.
    void onMessage(const SessionPtr &session, bool binary, const void *data, std::size_t size);
    void onFrame(const SessionPtr &session, hchat::v1::Frame frame);
    // A WebSocket message that is not a Frame (a text message, bytes that do not parse).
    void onMalformed(const SessionPtr &session, const std::string &why);
    // The session sent no Hello in time.
    void onAuthTimeout(const SessionPtr &session);
    void onTokenExpired(const SessionPtr &session);

    // Any thread.
    void sendError(const SessionPtr &session, std::uint64_t requestId, hchat::v1::ErrorCode code,
                   const std::string &message, bool close = false);
    void fanOut(const std::vector<std::int64_t> &userIds, const hchat::v1::Message &message);
    // The end of most requests: an empty OK to the asker; a stored message counted and pushed.
    static void replyOk(const SessionPtr &session, std::uint64_t requestId);
    void announceStored(const std::vector<std::int64_t> &members, const hchat::v1::Message &message);
    void pushToDevice(const std::string &deviceId, const hchat::v1::Message &message);
    // Close every session of a device or a token (revocation, logout).
    void closeDeviceSessions(const std::string &deviceId);
    void closeTokenSessions(const std::string &tokenHash);
    // Every session of a user but those of exceptTokenHash (empty: all), on every gateway.
    void closeUserSessions(std::int64_t userId, const std::string &exceptTokenHash,
                           const std::string &reason);

    // Membership info of `stream` for `userId`, as sent in Welcome and ChannelJoined.
    static hchat::v1::ChannelInfo channelInfo(MessageStore &store, const StreamRecord &stream,
                                              std::int64_t userId);

private:
    void dispatchFrame(const SessionPtr &session, hchat::v1::Frame &frame);
    void hello(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Hello &hello);
    void welcome(const SessionPtr &session, std::uint64_t requestId);
    void join(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Join &join);
    void leave(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Leave &leave);
    void createChannel(const SessionPtr &session, std::uint64_t requestId,
                       const hchat::v1::CreateChannel &create);
    void invite(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Invite &invite);
    void removeMember(const SessionPtr &session, std::uint64_t requestId,
                      const hchat::v1::RemoveMember &remove);
    static void checkReference(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                               const hchat::v1::Message &message);
    static void checkUpload(MessageStore &st, const StreamRecord &stream, std::int64_t userId,
                            const hchat::v1::Message &message, std::uint64_t plainFileSize);
    void typing(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::Typing &typing);
    void send(const SessionPtr &session, std::uint64_t requestId, hchat::v1::Send &send);
    void markRead(const SessionPtr &session, std::uint64_t requestId, const hchat::v1::MarkRead &markRead);
    void acknowledgeInbox(const SessionPtr &session, std::uint64_t requestId,
                          const hchat::v1::MarkRead &markRead);

    void submitWrite(const SessionPtr &session, std::uint64_t requestId, CommitWriter::Apply apply,
                     std::function<void()> committed);
    void checkRate(const SessionPtr &session);

    ServerContext &m_ctx;
};

} // namespace hchat::server
