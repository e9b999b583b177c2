#pragma once

#include "ChatService.h"
#include "MessageStore.h"
#include "ServerContext.h"

#include <functional>
#include <string>
#include <vector>

namespace hchat::server {

struct HttpRequest {
    std::string method;
    std::string target;
    std::string authorization; // the Authorization header as sent
    std::string uploadOffset;  // the Upload-Offset header (PUT /v1/uploads/<id>)
    bool hasUploadOffset = false;
    std::string range; // the Range header (GET /v1/attachments/<id>)
    std::string body;
    std::string source;    // the remote address (IPv4) or /64 (IPv6) the request came from
    bool internal = false; // came in on --metrics-listen
};

struct HttpResponse {
    unsigned status = 200;
    std::string contentType = "application/x-protobuf";
    std::string body;
    std::string contentRange{}; // partial answers (206, 416)
};

// The HTTP API (docs/PROTOCOL.md, "HTTP endpoints"), independent of the transport. handle() answers
// through `reply`, from any thread (store and hashing work runs on their pools).
class HttpApi {
public:
    using Reply = std::function<void(HttpResponse)>;

    HttpApi(ServerContext &ctx, ChatService &chat);
    void handle(HttpRequest request, Reply reply);

    HttpResponse error(hchat::v1::ErrorCode code, const std::string &message);

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
    using Handler = void (HttpApi::*)(HttpRequest &, Reply);
    struct Route {
        const char *method;
        const char *path;
        Access access;
        Handler handler;
        bool prefix = false; // path + "<id>"
    };
    static const std::vector<Route> &routes();
    bool metricsTokenMatches(const HttpRequest &request) const;

    void registerUser(HttpRequest &request, Reply reply);
    void login(HttpRequest &request, Reply reply);
    void logout(HttpRequest &request, Reply reply);
    void sync(HttpRequest &request, Reply reply);
    void channels(HttpRequest &request, Reply reply);
    void publishKeys(HttpRequest &request, Reply reply);
    void fetchKeys(HttpRequest &request, Reply reply);
    void uploadPrekeys(HttpRequest &request, Reply reply);
    void publishDeviceList(HttpRequest &request, Reply reply);
    void devicesChanged(std::int64_t userId);
    Reply announcingDevices(Reply reply, std::shared_ptr<std::int64_t> userId);
    void claimPrekeys(HttpRequest &request, Reply reply);
    void devices(HttpRequest &request, Reply reply);
    void revokeDevice(HttpRequest &request, Reply reply);
    void changePassword(HttpRequest &request, Reply reply);
    void logoutEverywhere(HttpRequest &request, Reply reply);
    void deleteAccount(HttpRequest &request, Reply reply);
    // Attachments: resumable uploads in chunks, ranged downloads.
    void startUpload(HttpRequest &request, Reply reply);
    void putUploadChunk(HttpRequest &request, Reply reply);
    void uploadStatus(HttpRequest &request, Reply reply);
    void downloadAttachment(HttpRequest &request, Reply reply);
    static std::string routeId(const HttpRequest &request, const char *prefix);
    // The account steps: verify `password` of the token's user on the hashing pool, then `then`
    // (on a hashing thread) with the authenticated token; a wrong password answers
    // ERROR_BAD_CREDENTIALS and changes nothing.
    // `check` runs first (after authentication; may throw ProtocolError).
    void withPassword(const std::string &source, const std::string &token,
                      std::shared_ptr<const std::string> password, Reply reply, std::function<void()> check,
                      std::function<void(const TokenRecord &)> then);
    void refuseIfThrottled(const std::string &source, const std::string &account);
    HttpResponse notQueued(PasswordHasher::Queued queued);

    // Runs `job` on a store reader (read = true) or in the commit writer, answering any
    // ProtocolError or store failure with an Error response.
    void onStore(bool read, Reply reply, std::function<HttpResponse(MessageStore &)> job);
    static std::string bearer(const HttpRequest &request);
    static TokenRecord authenticate(MessageStore &store, const std::string &bearerToken);
    static HttpResponse ok(const google::protobuf::MessageLite &message);

    ServerContext &m_ctx;
    ChatService &m_chat;
};

} // namespace hchat::server
