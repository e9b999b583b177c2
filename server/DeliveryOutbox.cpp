#include "DeliveryOutbox.h"

#include "ClientSession.h"

#include <algorithm>
#include <unordered_map>

namespace hchat::server {

namespace {
thread_local DeliveryOutbox *t_active = nullptr;
} // namespace

DeliveryLanes::DeliveryLanes(std::size_t lanes, PostLane post) : m_post(std::move(post))
{
    for (std::size_t i = 0; i < std::max<std::size_t>(1, lanes); ++i)
        m_lanes.push_back(std::make_unique<Lane>());
}

std::size_t DeliveryLanes::laneOf(const ClientSession &session) const
{
    return std::size_t(session.id() % m_lanes.size());
}

void DeliveryLanes::push(std::size_t lane, std::vector<DeliveryItem> items)
{
    auto &l = *m_lanes[lane];
    {
        std::lock_guard lock(l.mutex);
        if (l.items.empty())
            l.items = std::move(items);
        else
            std::move(items.begin(), items.end(), std::back_inserter(l.items));
        if (l.scheduled)
            return;
        l.scheduled = true;
    }
    m_post(lane, [this, lane] { run(lane); });
}

void DeliveryLanes::run(std::size_t lane)
{
    std::vector<DeliveryItem> items;
    {
        auto &l = *m_lanes[lane];
        std::lock_guard lock(l.mutex);
        items.swap(l.items);
        l.scheduled = false;
    }
    // Group by session, each session's items in their order.
    std::vector<std::vector<DeliveryItem>> bySession;
    std::unordered_map<const ClientSession *, std::size_t> index;
    index.reserve(items.size());
    for (auto &item : items) {
        auto [it, fresh] = index.try_emplace(item.session.get(), bySession.size());
        if (fresh)
            bySession.emplace_back();
        bySession[it->second].push_back(std::move(item));
    }
    for (auto &own : bySession) {
        auto session = own.front().session;
        session->deliverBatchNow(std::move(own));
    }
}

DeliveryOutbox::DeliveryOutbox(DeliveryLanes &lanes) : m_lanes(lanes), m_items(lanes.size()) {}

DeliveryOutbox *DeliveryOutbox::active()
{
    return t_active;
}

void DeliveryOutbox::add(DeliveryItem item)
{
    const std::size_t lane = m_lanes.laneOf(*item.session);
    m_items[lane].push_back(std::move(item));
}

void DeliveryOutbox::flush()
{
    for (std::size_t lane = 0; lane < m_items.size(); ++lane)
        if (!m_items[lane].empty())
            m_lanes.push(lane, std::exchange(m_items[lane], {}));
}

DeliveryOutbox::Scope::Scope(DeliveryOutbox &outbox) : m_previous(t_active)
{
    t_active = &outbox;
}

DeliveryOutbox::Scope::~Scope()
{
    t_active = m_previous;
}

} // namespace hchat::server
