#include "ClientSession.h"

#include <cstdio>

namespace hchat::server {

std::atomic<std::uint64_t> ClientSession::s_nextId{1};

ClientSession::ClientSession(std::string remoteAddress)
    : m_id(s_nextId.fetch_add(1)), m_remoteAddress(std::move(remoteAddress))
{
}

void ClientSession::deliver(std::shared_ptr<const std::string> bytes, bool push)
{
    if (auto *outbox = DeliveryOutbox::active()) {
        outbox->add({shared_from_this(), std::move(bytes), push, {}});
        return;
    }
    dispatch([self = shared_from_this(), bytes = std::move(bytes), push]() mutable {
        self->accept(std::move(bytes), push);
    });
}

void ClientSession::deliverBatchNow(std::vector<DeliveryItem> items)
{
    runNow([self = shared_from_this(),
            items = std::make_shared<std::vector<DeliveryItem>>(std::move(items))] {
        for (auto &item : *items) {
            if (item.bytes) {
                self->accept(std::move(item.bytes), item.push, false);
            } else {
                self->startWriting();
                // As an I/O thread does for a handler that throws: the rest of the batch goes on.
                try {
                    item.call();
                } catch (const std::exception &e) {
                    std::fprintf(stderr, "hchat-gateway: unexpected error in an I/O handler: %s\n", e.what());
                }
            }
        }
        self->startWriting();
    });
}

void ClientSession::accept(std::shared_ptr<const std::string> bytes, bool push, bool startWriting)
{
    if (push && !m_pushesOpen) {
        if (m_heldPushes.size() < 100000)
            m_heldPushes.push_back(std::move(bytes));
        return;
    }
    enqueue(std::move(bytes), startWriting);
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
