#include "AccountDeletion.h"

namespace hchat::server {

using namespace hchat::v1;

AccountDeletion::Notices AccountDeletion::erase(MessageStore &st, std::int64_t userId,
                                                const std::string &nick, const std::string &deviceId,
                                                std::int64_t nowMs)
{
    Notices notices;
    auto fellows = st.fellowMembers(userId);
    for (const auto &stream : st.streamsOfUser(userId)) {
        Message m;
        m.set_sender(nick);
        m.set_sender_device(deviceId);
        m.set_server_time_ms(nowMs);
        m.set_kind(MESSAGE_KIND_USER_DELETED);
        m.set_subject(nick);
        st.appendMessage(stream, userId, m);
        m.set_sender_deleted(true);
        st.removeMember(stream.id, userId);
        notices.emplace_back(std::move(m), std::move(fellows[stream.id]));
    }
    st.deleteUser(userId, nowMs);
    return notices;
}

} // namespace hchat::server
