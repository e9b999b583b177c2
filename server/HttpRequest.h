#pragma once

#include <string>

namespace hchat::server {

// An HTTP request as the API sees it, whatever transport carried it.
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

} // namespace hchat::server
