#pragma once

#include "HttpRoutes.h"

namespace hchat::server {

// A channel's history and the user's channel list over HTTP: /v1/sync pulls messages from a seq
// on (a device's own inbox too), /v1/channels pages through the channels and invitations.
class HistoryRoutes : public HttpRoutes {
public:
    using HttpRoutes::HttpRoutes;

    void sync(HttpRequest &request, Reply reply);
    void channels(HttpRequest &request, Reply reply);
};

} // namespace hchat::server
