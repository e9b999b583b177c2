#pragma once

#include "HttpRoutes.h"

#include <string>

namespace hchat::server {

// Attachments over HTTP: an upload is started, its chunks are put in order (resumable from what
// the gateway holds), and a complete upload is downloaded by the members of its channel, in
// ranges.
class AttachmentRoutes : public HttpRoutes {
public:
    using HttpRoutes::HttpRoutes;

    void startUpload(HttpRequest &request, Reply reply);
    void putUploadChunk(HttpRequest &request, Reply reply);
    void uploadStatus(HttpRequest &request, Reply reply);
    void downloadAttachment(HttpRequest &request, Reply reply);

private:
    static std::string routeId(const HttpRequest &request, const char *prefix);
};

} // namespace hchat::server
