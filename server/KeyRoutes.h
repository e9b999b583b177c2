#pragma once

#include "HttpRoutes.h"

#include <cstdint>
#include <memory>

namespace hchat::server {

// The key directory over HTTP: a device's published keys, the account's signed device list, and
// one-time prekeys (uploaded by their device, claimed by others). Every signature is checked
// before anything is stored.
class KeyRoutes : public HttpRoutes {
public:
    using HttpRoutes::HttpRoutes;

    void publishKeys(HttpRequest &request, Reply reply);
    void fetchKeys(HttpRequest &request, Reply reply);
    void publishDeviceList(HttpRequest &request, Reply reply);
    void uploadPrekeys(HttpRequest &request, Reply reply);
    void claimPrekeys(HttpRequest &request, Reply reply);

private:
    void devicesChanged(std::int64_t userId);
    Reply announcingDevices(Reply reply, std::shared_ptr<std::int64_t> userId);
};

} // namespace hchat::server
