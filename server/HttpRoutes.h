#pragma once

#include "HttpRequest.h"
#include "HttpResponse.h"
#include "MessageStore.h"
#include "ProtocolError.h"
#include "ServerContext.h"

#include <functional>
#include <string>

namespace hchat::server {

class ChatService;

// What every part of the HTTP API shares: the gateway's services, the answers (an Error counted in
// the metrics, an OK with a message), the bearer token and its check, and the way to the store.
class HttpRoutes {
public:
    // Answers a request, from any thread.
    using Reply = std::function<void(HttpResponse)>;

    HttpRoutes(ServerContext &ctx, ChatService &chat) : m_ctx(ctx), m_chat(chat) {}

    HttpResponse error(hchat::v1::ErrorCode code, const std::string &message);

protected:
    static HttpResponse ok(const google::protobuf::MessageLite &message);
    static std::string bearer(const HttpRequest &request);
    static TokenRecord authenticate(MessageStore &store, const std::string &bearerToken);
    template <class M> static M parseBody(const std::string &body)
    {
        M m;
        if (!m.ParseFromString(body))
            throw ProtocolError(hchat::v1::ERROR_MALFORMED,
                                "the request body is not a valid protobuf message");
        return m;
    }
    // Runs `job` on a store reader (read = true) or in the commit writer, answering any
    // ProtocolError or store failure with an Error response. A job whose response has status 0
    // answers later itself (a chained step).
    void onStore(bool read, Reply reply, std::function<HttpResponse(MessageStore &)> job);

    ServerContext &m_ctx;
    ChatService &m_chat;
};

} // namespace hchat::server
