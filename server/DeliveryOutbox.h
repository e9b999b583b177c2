#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hchat::server {

class ClientSession;

// What the commit writer's answers send to one session: a frame, or a call to run on its strand
// (a dispatch, a close).
struct DeliveryItem {
    std::shared_ptr<ClientSession> session;
    std::shared_ptr<const std::string> bytes; // a serialised Frame; null for `call`
    bool push = false;
    std::function<void()> call;
};

// Fan-out per I/O thread (issue 19): one lane per I/O thread. Lists of deliveries pushed to a lane
// are handed to the sessions by one handler on an I/O thread (one post for everything pushed
// while the lane was not yet running, not one post per session and frame from the writer thread:
// each such post took the scheduler's lock and woke an I/O thread). The lane groups its items by
// session and gives each session its items in one go on its strand (at once when the strand is
// free), so that a session's frames are queued together and leave in one write.
//
// Order: a session always belongs to the same lane (its id modulo the lane count); a lane is a
// strand, so its runs never overlap and take lists in the order they were pushed; grouping keeps
// each session's items in that order. So each session gets what the writer sends it in the order
// the writer sent it, as before.
class DeliveryLanes {
public:
    // Runs `run` on an I/O thread, after the earlier runs of the same lane (a strand per lane).
    using PostLane = std::function<void(std::size_t lane, std::function<void()> run)>;

    DeliveryLanes(std::size_t lanes, PostLane post);
    DeliveryLanes(const DeliveryLanes &) = delete;
    DeliveryLanes &operator=(const DeliveryLanes &) = delete;

    std::size_t size() const { return m_lanes.size(); }
    std::size_t laneOf(const ClientSession &session) const;
    void push(std::size_t lane, std::vector<DeliveryItem> items);

private:
    struct Lane {
        std::mutex mutex;
        std::vector<DeliveryItem> items;
        bool scheduled = false;
    };
    void run(std::size_t lane);

    std::vector<std::unique_ptr<Lane>> m_lanes;
    PostLane m_post;
};

// Collects, on the commit writer's thread while it answers a batch, what the answers send to
// sessions (ClientSession::deliver, dispatch and closeSoon look for an active outbox), then hands
// it to the lanes in one push per lane.
class DeliveryOutbox {
public:
    explicit DeliveryOutbox(DeliveryLanes &lanes);
    DeliveryOutbox(const DeliveryOutbox &) = delete;
    DeliveryOutbox &operator=(const DeliveryOutbox &) = delete;

    // The outbox collecting on this thread, or null.
    static DeliveryOutbox *active();
    void add(DeliveryItem item);
    void flush();

    // Makes `outbox` the active one of this thread for the scope's life.
    class Scope {
    public:
        explicit Scope(DeliveryOutbox &outbox);
        ~Scope();
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;

    private:
        DeliveryOutbox *m_previous;
    };

private:
    DeliveryLanes &m_lanes;
    std::vector<std::vector<DeliveryItem>> m_items;
};

} // namespace hchat::server
