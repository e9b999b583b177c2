#pragma once

#include "hchat.pb.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace hchat::server {

// Process-wide counters, rendered in the Prometheus text format for GET /metrics. Lock-free.
class Metrics {
public:
    Metrics();

    std::atomic<std::int64_t> connections{0};     // open WebSocket sessions
    std::atomic<std::int64_t> httpConnections{0}; // open HTTP connections (not upgraded)
    std::atomic<std::uint64_t> messagesStored{0};
    std::atomic<std::uint64_t> storeTransactions{0};
    std::atomic<std::uint64_t> storeFailures{0};
    std::atomic<std::uint64_t> writesRefusedBusy{0}; // the commit queue was full
    std::atomic<std::uint64_t> pushesSent{0};
    std::atomic<std::uint64_t> syncRequests{0};
    std::atomic<std::uint64_t> httpRequests{0};
    std::atomic<std::uint64_t> refusedConnections{0}; // refused at accept time (limits)
    std::atomic<std::uint64_t> framesReceived{0};
    std::atomic<std::uint64_t> duplicateSends{0};
    // Redis fan-out (zero with the in-process fan-out).
    std::atomic<std::int64_t> fanoutSubscribed{0};
    std::atomic<std::uint64_t> fanoutPublished{0};
    std::atomic<std::uint64_t> fanoutReceived{0};
    std::atomic<std::uint64_t> fanoutDropped{0};
    std::atomic<std::uint64_t> fanoutResubscriptions{0};
    std::atomic<std::uint64_t> fanoutRejected{0}; // envelopes without a valid MAC, or too old

    void countError(hchat::v1::ErrorCode code);
    void observeStoreLatency(double seconds);
    std::string render() const;

private:
    static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
    std::array<std::atomic<std::uint64_t>, 64> m_errors;
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> m_latencyBuckets;
    std::atomic<std::uint64_t> m_latencyCount{0};
    std::atomic<std::uint64_t> m_latencySumMicros{0};
};

} // namespace hchat::server
