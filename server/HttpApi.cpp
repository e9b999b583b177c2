#include "HttpApi.h"

#include "Limits.h"

#include <sodium.h>

#include <cstring>

namespace hchat::server {

using namespace hchat::v1;

HttpApi::HttpApi(ServerContext &ctx, ChatService &chat)
    : HttpRoutes(ctx, chat), m_accounts(ctx, chat), m_history(ctx, chat), m_keys(ctx, chat),
      m_attachments(ctx, chat), m_community(ctx, chat), m_backup(ctx, chat)
{
}

const std::vector<HttpApi::Route> &HttpApi::routes()
{
    static const std::vector<Route> table = {
        {"POST", "/v1/register", Access::Public, &serve<&HttpApi::m_accounts, &AccountRoutes::registerUser>},
        {"POST", "/v1/login", Access::Public, &serve<&HttpApi::m_accounts, &AccountRoutes::login>},
        {"POST", "/v1/logout", Access::Token, &serve<&HttpApi::m_accounts, &AccountRoutes::logout>},
        {"POST", "/v1/directory", Access::Token, &serve<&HttpApi::m_community, &CommunityRoutes::directory>},
        {"POST", "/v1/members", Access::Token, &serve<&HttpApi::m_community, &CommunityRoutes::members>},
        {"POST", "/v1/blocks", Access::Token, &serve<&HttpApi::m_community, &CommunityRoutes::blocks>},
        {"POST", "/v1/block", Access::Token, &serve<&HttpApi::m_community, &CommunityRoutes::block>},
        {"POST", "/v1/admin", Access::Token, &serve<&HttpApi::m_community, &CommunityRoutes::admin>},
        {"POST", "/v1/sync", Access::Token, &serve<&HttpApi::m_history, &HistoryRoutes::sync>},
        {"POST", "/v1/channels", Access::Token, &serve<&HttpApi::m_history, &HistoryRoutes::channels>},
        {"POST", "/v1/keys/publish", Access::Token, &serve<&HttpApi::m_keys, &KeyRoutes::publishKeys>},
        {"POST", "/v1/keys/fetch", Access::Token, &serve<&HttpApi::m_keys, &KeyRoutes::fetchKeys>},
        {"POST", "/v1/keys/prekeys", Access::Token, &serve<&HttpApi::m_keys, &KeyRoutes::uploadPrekeys>},
        {"POST", "/v1/keys/claim", Access::Token, &serve<&HttpApi::m_keys, &KeyRoutes::claimPrekeys>},
        {"POST", "/v1/keys/devicelist", Access::Token,
         &serve<&HttpApi::m_keys, &KeyRoutes::publishDeviceList>},
        {"POST", "/v1/devices", Access::Token, &serve<&HttpApi::m_accounts, &AccountRoutes::devices>},
        {"POST", "/v1/devices/revoke", Access::Token,
         &serve<&HttpApi::m_accounts, &AccountRoutes::revokeDevice>},
        {"POST", "/v1/account/password", Access::Token,
         &serve<&HttpApi::m_accounts, &AccountRoutes::changePassword>},
        {"POST", "/v1/account/logout-all", Access::Token,
         &serve<&HttpApi::m_accounts, &AccountRoutes::logoutEverywhere>},
        {"POST", "/v1/account/delete", Access::Token,
         &serve<&HttpApi::m_accounts, &AccountRoutes::deleteAccount>},
        {"POST", "/v1/uploads", Access::Token,
         &serve<&HttpApi::m_attachments, &AttachmentRoutes::startUpload>},
        {"PUT", "/v1/uploads/", Access::Token,
         &serve<&HttpApi::m_attachments, &AttachmentRoutes::putUploadChunk>, true},
        {"GET", "/v1/uploads/", Access::Token,
         &serve<&HttpApi::m_attachments, &AttachmentRoutes::uploadStatus>, true},
        {"PUT", "/v1/backup", Access::Token, &serve<&HttpApi::m_backup, &BackupRoutes::upload>},
        {"GET", "/v1/backup", Access::Token, &serve<&HttpApi::m_backup, &BackupRoutes::fetch>},
        {"DELETE", "/v1/backup", Access::Token, &serve<&HttpApi::m_backup, &BackupRoutes::remove>},
        {"GET", "/v1/attachments/", Access::Token,
         &serve<&HttpApi::m_attachments, &AttachmentRoutes::downloadAttachment>, true},
    };
    return table;
}

std::vector<HttpApi::RouteInfo> HttpApi::routeList()
{
    std::vector<RouteInfo> out;
    for (const Route &r : routes())
        out.push_back(
            {r.method, r.prefix ? r.path + std::string(limits::kUploadIdLength, '0') : r.path, r.access});
    return out;
}

// Compared in constant time: the token is a secret of the operator's.
bool HttpApi::metricsTokenMatches(const HttpRequest &request) const
{
    const std::string &want = m_ctx.config.metricsToken;
    const std::string given = bearer(request);
    return !want.empty() && given.size() == want.size() &&
           sodium_memcmp(given.data(), want.data(), want.size()) == 0;
}

void HttpApi::handle(HttpRequest request, Reply reply)
{
    m_ctx.metrics.httpRequests.fetch_add(1, std::memory_order_relaxed);
    std::string path = request.target.substr(0, request.target.find('?'));
    if (path == "/healthz") {
        if (m_ctx.shuttingDown.load())
            return reply(HttpResponse{503, "text/plain", "shutting down\n"});
        return reply(HttpResponse{200, "text/plain", "ok\n"});
    }
    if (path == "/metrics") {
        if (request.internal || metricsTokenMatches(request))
            return reply(HttpResponse{200, "text/plain; version=0.0.4", m_ctx.metrics.render()});
        return reply(error(ERROR_NOT_FOUND, "no such endpoint"));
    }
    if (request.internal)
        return reply(error(ERROR_NOT_FOUND, "this address serves /metrics and /healthz only"));

    const Route *matched = nullptr;
    std::string wanted;
    for (const Route &route : routes()) {
        const bool matches = route.prefix
                                 ? path.size() > std::strlen(route.path) && path.rfind(route.path, 0) == 0
                                 : path == route.path;
        if (!matches)
            continue;
        if (request.method == route.method) {
            matched = &route;
            break;
        }
        wanted += wanted.empty() ? route.method : std::string(" or ") + route.method;
    }
    if (!matched && !wanted.empty())
        return reply(error(ERROR_INVALID_ARGUMENT, "this endpoint wants " + wanted));
    if (matched) {
        const Route &route = *matched;
        if (m_ctx.shuttingDown.load())
            return reply(error(ERROR_SHUTTING_DOWN, "the gateway is shutting down"));
        if (route.access == Access::Token && bearer(request).empty())
            return reply(error(ERROR_NOT_AUTHENTICATED, "this endpoint wants Authorization: Bearer <token>"));
        try {
            route.handler(*this, request, reply);
        } catch (const ProtocolError &e) {
            reply(error(e.code(), e.what()));
        }
        return;
    }
    reply(error(ERROR_NOT_FOUND, "no such endpoint"));
}

} // namespace hchat::server
