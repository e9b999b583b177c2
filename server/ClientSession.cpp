#include "ClientSession.h"

namespace hchat::server {

std::atomic<std::uint64_t> ClientSession::s_nextId{1};

ClientSession::ClientSession(std::string remoteAddress)
    : m_id(s_nextId.fetch_add(1)), m_remoteAddress(std::move(remoteAddress))
{
}

void ClientSession::deliver(std::shared_ptr<const std::string> bytes, bool push)
{
    dispatch([self = shared_from_this(), bytes = std::move(bytes), push]() mutable {
        if (push && !self->m_pushesOpen) {
            if (self->m_heldPushes.size() < 100000)
                self->m_heldPushes.push_back(std::move(bytes));
            return;
        }
        self->enqueue(std::move(bytes));
    });
}

void ClientSession::sendFrame(const hchat::v1::Frame &frame, bool push)
{
    deliver(std::make_shared<const std::string>(frame.SerializeAsString()), push);
}

void ClientSession::openPushes()
{
    m_pushesOpen = true;
    for (auto &b : m_heldPushes)
        enqueue(std::move(b));
    m_heldPushes.clear();
}

} // namespace hchat::server
