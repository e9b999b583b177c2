#pragma once

#include "AccountRoutes.h"
#include "AttachmentRoutes.h"
#include "BackupRoutes.h"
#include "CommunityRoutes.h"
#include "HistoryRoutes.h"
#include "HttpRoutes.h"
#include "KeyRoutes.h"
#include "ServerContext.h"

#include <string>
#include <vector>

namespace hchat::server {

class ChatService;

// The HTTP API (docs/PROTOCOL.md, "HTTP endpoints"), independent of the transport: the health and
// metrics endpoints, and the route table that hands every other request to the part of the API
// that serves it (AccountRoutes, HistoryRoutes, KeyRoutes, AttachmentRoutes). handle() answers
// through `reply`, from any thread (store and hashing work runs on their pools).
class HttpApi : public HttpRoutes {
public:
    HttpApi(ServerContext &ctx, ChatService &chat);
    void handle(HttpRequest request, Reply reply);

    // Every endpoint, read from the route table that handle() dispatches with (security tests
    // walk it rather than a list typed by hand). Public endpoints take no token. Routes on a
    // prefix (/v1/uploads/<id>) are listed with a well-formed id.
    enum class Access { Public, Token };
    struct RouteInfo {
        std::string method;
        std::string path;
        Access access;
    };
    static std::vector<RouteInfo> routeList();

private:
    using Handler = void (*)(HttpApi &, HttpRequest &, Reply);
    struct Route {
        const char *method;
        const char *path;
        Access access;
        Handler handler;
        bool prefix = false; // path + "<id>"
    };
    static const std::vector<Route> &routes();
    // A route's handler as a plain function: the part of the API that serves it, and its member
    // function there.
    template <auto part, auto handler> static void serve(HttpApi &api, HttpRequest &request, Reply reply)
    {
        ((api.*part).*handler)(request, std::move(reply));
    }
    bool metricsTokenMatches(const HttpRequest &request) const;

    AccountRoutes m_accounts;
    HistoryRoutes m_history;
    KeyRoutes m_keys;
    AttachmentRoutes m_attachments;
    CommunityRoutes m_community;
    BackupRoutes m_backup;
};

} // namespace hchat::server
