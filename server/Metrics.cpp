#include "Metrics.h"

#include <cstdio>
#include <sstream>

namespace hchat::server {

Metrics::Metrics()
{
    for (auto &e : m_errors)
        e.store(0);
    for (auto &b : m_latencyBuckets)
        b.store(0);
}

void Metrics::countError(hchat::v1::ErrorCode code)
{
    const auto i = static_cast<std::size_t>(code);
    if (i < m_errors.size())
        m_errors[i].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::observeStoreLatency(double seconds)
{
    std::size_t i = 0;
    while (i < kBuckets.size() && seconds > kBuckets[i])
        ++i;
    m_latencyBuckets[i].fetch_add(1, std::memory_order_relaxed);
    m_latencyCount.fetch_add(1, std::memory_order_relaxed);
    m_latencySumMicros.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::render() const
{
    std::ostringstream o;
    auto gauge = [&](const char *name, const char *help, std::int64_t v) {
        o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
          << name << ' ' << v << '\n';
    };
    auto counter = [&](const char *name, const char *help, std::uint64_t v) {
        o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
          << name << ' ' << v << '\n';
    };
    gauge("hchat_connections", "Open WebSocket sessions.", connections.load());
    gauge("hchat_http_connections", "Open HTTP connections.", httpConnections.load());
    counter("hchat_messages_stored_total", "Messages committed to the store.", messagesStored.load());
    counter("hchat_store_transactions_total", "Store write transactions committed.",
            storeTransactions.load());
    counter("hchat_store_failures_total", "Store write transactions that failed.", storeFailures.load());
    counter("hchat_store_writes_refused_total", "Writes refused because the commit queue was full.",
            writesRefusedBusy.load());
    counter("hchat_pushes_sent_total", "Push frames queued to sessions.", pushesSent.load());
    counter("hchat_sync_requests_total", "POST /v1/sync requests.", syncRequests.load());
    counter("hchat_http_requests_total", "HTTP requests.", httpRequests.load());
    counter("hchat_connections_refused_total", "Connections refused at accept time (connection limits).",
            refusedConnections.load());
    counter("hchat_frames_received_total", "WebSocket frames received.", framesReceived.load());
    counter("hchat_duplicate_sends_total", "Sends answered from an earlier client_msg_id.",
            duplicateSends.load());
    gauge("hchat_fanout_subscribed", "1 while subscribed to the Redis fan-out channel.",
          fanoutSubscribed.load());
    counter("hchat_fanout_published_total", "Events published to Redis.", fanoutPublished.load());
    counter("hchat_fanout_received_total", "Events received from other gateways through Redis.",
            fanoutReceived.load());
    counter("hchat_fanout_dropped_total",
            "Events not published (Redis unreachable); clients heal by pulling.", fanoutDropped.load());
    counter("hchat_fanout_rejected_total", "Redis envelopes dropped: no valid MAC, or older than a minute.",
            fanoutRejected.load());
    counter("hchat_fanout_resubscriptions_total", "Redis subscriptions re-established after a loss.",
            fanoutResubscriptions.load());

    o << "# HELP hchat_errors_total Error answers sent, by code.\n# TYPE hchat_errors_total counter\n";
    const auto *desc = hchat::v1::ErrorCode_descriptor();
    for (int i = 0; i < desc->value_count(); ++i) {
        const auto *v = desc->value(i);
        if (v->number() <= 0 || static_cast<std::size_t>(v->number()) >= m_errors.size())
            continue;
        o << "hchat_errors_total{code=\"" << v->name() << "\"} " << m_errors[v->number()].load() << '\n';
    }

    o << "# HELP hchat_store_latency_seconds Duration of store write transactions.\n"
         "# TYPE hchat_store_latency_seconds histogram\n";
    std::uint64_t cumulative = 0;
    char le[32];
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += m_latencyBuckets[i].load();
        std::snprintf(le, sizeof le, "%g", kBuckets[i]);
        o << "hchat_store_latency_seconds_bucket{le=\"" << le << "\"} " << cumulative << '\n';
    }
    cumulative += m_latencyBuckets[kBuckets.size()].load();
    o << "hchat_store_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << '\n';
    o << "hchat_store_latency_seconds_sum " << double(m_latencySumMicros.load()) / 1e6 << '\n';
    o << "hchat_store_latency_seconds_count " << m_latencyCount.load() << '\n';
    return o.str();
}

} // namespace hchat::server
