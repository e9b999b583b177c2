#pragma once

#include "HttpRoutes.h"

namespace hchat::server {

// The community over HTTP: the directory of open channels, a channel's members and bans, the
// caller's block list, and the gateway's administration for its administrators (AdminActions).
class CommunityRoutes : public HttpRoutes {
public:
    using HttpRoutes::HttpRoutes;

    void directory(HttpRequest &request, Reply reply);
    void members(HttpRequest &request, Reply reply);
    void blocks(HttpRequest &request, Reply reply);
    void block(HttpRequest &request, Reply reply);
    void admin(HttpRequest &request, Reply reply);

private:
    void runAdmin(const std::string &token, std::shared_ptr<hchat::v1::AdminRequest> request,
                  std::string passwordHash, Reply reply);
};

} // namespace hchat::server
