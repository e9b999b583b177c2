#pragma once

#include "AttachmentTransfers.h"

#include <QString>

namespace hchat::ui {

// What an attachment shows before it is downloaded: the file's MIME type and, for an image, its
// pixel size and an inline JPEG thumbnail (at most 320 px, at most limits::kMaxThumbnailBytes).
class AttachmentPreview {
public:
    static AttachmentTransfers::Preview forFile(const QString &path);
};

} // namespace hchat::ui
