#pragma once

#include <QHashFunctions>
#include <QString>

namespace hchat {

// One upload or download of AttachmentTransfers: an upload by its id in the history store, a
// download by its attachment's id. Transfers are named by this, never by a string to parse.
struct TransferId {
    enum class Direction { Upload, Download };

    Direction direction = Direction::Upload;
    qint64 uploadId = 0;  // Upload only
    QString attachmentId; // Download only

    static TransferId upload(qint64 uploadId);
    static TransferId download(const QString &attachmentId);

    bool isUpload() const { return direction == Direction::Upload; }
    friend bool operator==(const TransferId &, const TransferId &) = default;
};

size_t qHash(const TransferId &id, size_t seed = 0);

} // namespace hchat
