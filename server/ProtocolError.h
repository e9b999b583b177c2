#pragma once

#include "hchat.pb.h"

#include <stdexcept>
#include <string>

namespace hchat::server {

// A request that cannot be served, with the protocol's error code and a message safe to show
// (never a secret or a message body). Thrown inside store jobs and request handlers.
class ProtocolError : public std::runtime_error {
public:
    ProtocolError(hchat::v1::ErrorCode code, const std::string &message)
        : std::runtime_error(message), m_code(code)
    {
    }
    hchat::v1::ErrorCode code() const { return m_code; }

    // The HTTP status that carries `code` (docs/PROTOCOL.md lists the mapping).
    static unsigned httpStatus(hchat::v1::ErrorCode code)
    {
        using namespace hchat::v1;
        switch (code) {
        case ERROR_MALFORMED:
        case ERROR_UNKNOWN_FRAME:
        case ERROR_LIMIT_ABOVE_CAP:
        case ERROR_INVALID_NAME:
        case ERROR_UNSUPPORTED_VERSION:
        case ERROR_INVALID_ARGUMENT:
            return 400;
        case ERROR_NOT_AUTHENTICATED:
        case ERROR_BAD_CREDENTIALS:
        case ERROR_BAD_TOKEN:
        case ERROR_TOKEN_EXPIRED:
            return 401;
        case ERROR_NOT_MEMBER:
        case ERROR_FORBIDDEN:
        case ERROR_BANNED:
        case ERROR_READ_ONLY:
        case ERROR_SUSPENDED:
        case ERROR_INVITE_REQUIRED:
        case ERROR_REGISTRATION_CLOSED:
            return 403;
        case ERROR_NO_SUCH_CHANNEL:
        case ERROR_NO_SUCH_USER:
        case ERROR_NOT_FOUND:
            return 404;
        case ERROR_NICK_TAKEN:
        case ERROR_CHANNEL_EXISTS:
        case ERROR_OFFSET_MISMATCH:
        case ERROR_STALE:
            return 409;
        case ERROR_TOO_LARGE:
            return 413;
        case ERROR_RATE_LIMITED:
            return 429;
        case ERROR_TOO_MANY_CONNECTIONS:
        case ERROR_SHUTTING_DOWN:
        case ERROR_STORAGE_FAILED:
            return 503;
        case ERROR_INTERNAL:
        default:
            return 500;
        }
    }

private:
    hchat::v1::ErrorCode m_code;
};

} // namespace hchat::server
