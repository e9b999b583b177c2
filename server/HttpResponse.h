#pragma once

#include <string>

namespace hchat::server {

struct HttpResponse {
    unsigned status = 200;
    std::string contentType = "application/x-protobuf";
    std::string body;
    std::string contentRange{}; // partial answers (206, 416)
};

} // namespace hchat::server
