#include "HttpRoutes.h"

#include "Secrets.h"

#include <cstdio>

namespace hchat::server {

using namespace hchat::v1;

HttpResponse HttpRoutes::error(ErrorCode code, const std::string &message)
{
    m_ctx.metrics.countError(code);
    Error e;
    e.set_code(code);
    e.set_message(message);
    return HttpResponse{ProtocolError::httpStatus(code), "application/x-protobuf", e.SerializeAsString()};
}

HttpResponse HttpRoutes::ok(const google::protobuf::MessageLite &message)
{
    return HttpResponse{200, "application/x-protobuf", message.SerializeAsString()};
}

std::string HttpRoutes::bearer(const HttpRequest &request)
{
    const std::string &h = request.authorization;
    if (h.size() > 7 && (h.compare(0, 7, "Bearer ") == 0 || h.compare(0, 7, "bearer ") == 0))
        return h.substr(7);
    return {};
}

TokenRecord HttpRoutes::authenticate(MessageStore &store, const std::string &token)
{
    if (token.empty())
        throw ProtocolError(ERROR_NOT_AUTHENTICATED, "this endpoint wants Authorization: Bearer <token>");
    if (token.size() > 256)
        throw ProtocolError(ERROR_BAD_TOKEN, "unknown token");
    auto rec = store.findToken(Secrets::tokenHash(token));
    if (!rec || rec->revoked)
        throw ProtocolError(ERROR_BAD_TOKEN, "unknown token");
    if (rec->expiresMs <= ServerContext::nowMs())
        throw ProtocolError(ERROR_TOKEN_EXPIRED, "token expired; log in again");
    return *rec;
}

void HttpRoutes::onStore(bool read, Reply reply, std::function<HttpResponse(MessageStore &)> job)
{
    auto result = std::make_shared<HttpResponse>();
    auto run = [this, read, result, job = std::move(job)](MessageStore &st) {
        try {
            *result = job(st);
        } catch (const ProtocolError &e) {
            if (read) {
                *result = error(e.code(), e.what());
                return;
            }
            throw; // the writer rolls the job back and reports the code
        } catch (const StoreError &e) {
            std::fprintf(stderr, "hchat-gateway: store failure: %s\n", e.what());
            if (!read)
                throw;
            *result = error(ERROR_INTERNAL, "internal error");
        }
    };
    bool queued = false;
    if (read) {
        queued = m_ctx.readers.submit([run, reply, result](MessageStore &st) {
            run(st);
            if (result->status != 0) // 0: a chained step answers
                reply(std::move(*result));
        });
    } else {
        queued = m_ctx.writer.submit(run, [this, reply, result](ErrorCode code, const std::string &message) {
            if (code != ERROR_CODE_UNSPECIFIED)
                reply(error(code, message));
            else
                reply(std::move(*result));
        });
    }
    if (!queued)
        reply(error(ERROR_SHUTTING_DOWN, "the gateway is shutting down"));
}

} // namespace hchat::server
