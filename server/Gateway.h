#pragma once

#include "GatewayConfig.h"

#include <memory>
#include <string>

namespace hchat::server {

// The whole gateway: store, writer, pools, chat logic and the listener on a pool of I/O threads.
// start() binds (and reports the address); run() serves until SIGTERM/SIGINT, then shuts down
// gracefully: stop accepting, finish queued commits and send their acks, close every session.
class Gateway {
public:
    // Opens the database (migrating it) and the TLS context; throws std::exception with a clear
    // message on failure.
    explicit Gateway(GatewayConfig config);
    ~Gateway();
    Gateway(const Gateway &) = delete;
    Gateway &operator=(const Gateway &) = delete;

    // Binds and listens; returns "ADDR:PORT" as bound.
    std::string start();
    // "ADDR:PORT" of the metrics listener once started; empty without --metrics-listen.
    std::string metricsAddress() const;
    // Serves until a shutdown signal; returns the process exit code.
    int run();
    void requestShutdown();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace hchat::server
