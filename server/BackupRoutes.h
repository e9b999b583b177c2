#pragma once

#include "HttpRoutes.h"

namespace hchat::server {

// The recovery key backup over HTTP (issue 22): each account's sealed sessions, stored as opaque
// bytes the gateway cannot open. PUT /v1/backup adds or replaces entries (all or none), GET
// /v1/backup pages through them with the header, DELETE /v1/backup removes the whole backup.
// Only the caller's own account's backup is ever reachable (the user is the token's).
class BackupRoutes : public HttpRoutes {
public:
    using HttpRoutes::HttpRoutes;

    void upload(HttpRequest &request, Reply reply);
    void fetch(HttpRequest &request, Reply reply);
    void remove(HttpRequest &request, Reply reply);
};

} // namespace hchat::server
