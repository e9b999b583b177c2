#include "AccountDeletion.h"

namespace hchat::server {

using namespace hchat::v1;

AccountDeletion::Notices AccountDeletion::erase(MessageStore &st, std::int64_t userId,
                                                const std::string &nick, const std::string &deviceId,
                                                std::int64_t nowMs)
{
    Notices notices;
    auto fellows = st.fellowMembers(userId);
    auto notice = [&](MessageKind kind, const std::string &subject, const std::string &body = {}) {
        Message m;
        m.set_sender(nick);
        m.set_sender_device(deviceId);
        m.set_server_time_ms(nowMs);
        m.set_kind(kind);
        m.set_subject(subject);
        m.set_body(body);
        return m;
    };
    auto &community = st.community();
    for (auto stream : st.streamsOfUser(userId)) {
        const bool owner = community.role(stream.id, userId) == CHANNEL_ROLE_OWNER;
        Message m = notice(MESSAGE_KIND_USER_DELETED, nick);
        st.appendMessage(stream, userId, m);
        stream.maxSeq = m.seq();
        m.set_sender_deleted(true);
        st.removeMember(stream.id, userId);
        const auto &audience = fellows[stream.id];
        notices.emplace_back(std::move(m), audience);
        // A channel the user owned passes to the next member in line, as when an owner leaves
        // (not an encrypted one: its roles are the members' signed operations).
        if (!owner || stream.kind == CHANNEL_KIND_DIRECT || stream.encrypted)
            continue;
        if (const auto next = community.successor(stream.id)) {
            community.setRole(stream.id, next->userId, CHANNEL_ROLE_OWNER);
            Message role = notice(MESSAGE_KIND_ROLE, next->nick, "owner");
            st.appendMessage(stream, userId, role);
            stream.maxSeq = role.seq();
            role.set_sender_deleted(true);
            notices.emplace_back(std::move(role), audience);
        }
    }
    st.deleteUser(userId, nowMs);
    return notices;
}

} // namespace hchat::server
