#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace hchat::server {

// Puts pushed messages of each stream back into seq order before they reach the sessions. With
// several gateways a message arrives either from this gateway's commit or, later, through Redis
// from another's: seq 6 committed here can overtake seq 5 committed elsewhere a moment earlier,
// which a client would take for a gap and pull. A message above the next expected seq is held
// until the missing ones arrive or `hold` passes (then it goes anyway: a lost publish must not
// stall the stream; the client heals by pulling). Deliveries run on the offering thread or the
// sequencer's own timer thread, one at a time, in order.
class PushSequencer {
public:
    using Deliver = std::function<void()>;

    explicit PushSequencer(std::chrono::milliseconds hold);
    ~PushSequencer();
    PushSequencer(const PushSequencer &) = delete;
    PushSequencer &operator=(const PushSequencer &) = delete;

    void offer(const std::string &stream, std::uint64_t seq, Deliver deliver);
    void stop();

    std::uint64_t releasedByTimeout() const;

private:
    struct Held {
        std::chrono::steady_clock::time_point deadline;
        Deliver deliver;
    };
    struct Stream {
        std::uint64_t next = 0; // 0: nothing seen yet
        std::map<std::uint64_t, Held> held;
    };
    void flushInOrder(Stream &s);
    void run();

    const std::chrono::milliseconds m_hold;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::unordered_map<std::string, Stream> m_streams;
    std::uint64_t m_releasedByTimeout = 0;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace hchat::server
