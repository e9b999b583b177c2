#pragma once

#include <QHashFunctions>
#include <QString>

#include <optional>

namespace hchat::ui {

// One upload or download of AttachmentTransfers: an upload by its id in the history store, a
// download by its attachment's id.
struct TransferId {
    enum class Direction { Upload, Download };

    Direction direction = Direction::Upload;
    qint64 uploadId = 0;  // Upload only
    QString attachmentId; // Download only

    static TransferId upload(qint64 uploadId);
    static TransferId download(const QString &attachmentId);
    // The transfer that AttachmentTransfers' signals name by a string (uploadTransferId(),
    // downloadTransferId()); nullopt for a name it does not build.
    static std::optional<TransferId> fromCore(const QString &transferId);

    bool isUpload() const { return direction == Direction::Upload; }
    friend bool operator==(const TransferId &, const TransferId &) = default;
};

size_t qHash(const TransferId &id, size_t seed = 0);

} // namespace hchat::ui
