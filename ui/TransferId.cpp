#include "TransferId.h"

#include "AttachmentTransfers.h"

namespace hchat::ui {

TransferId TransferId::upload(qint64 uploadId)
{
    return {Direction::Upload, uploadId, {}};
}

TransferId TransferId::download(const QString &attachmentId)
{
    return {Direction::Download, 0, attachmentId};
}

// The one place in the UI that reads core's transfer names: each is checked against the name
// core builds for the id it seems to carry.
std::optional<TransferId> TransferId::fromCore(const QString &transferId)
{
    const qsizetype colon = transferId.indexOf(QLatin1Char(':'));
    if (colon < 0)
        return std::nullopt;
    const QString key = transferId.mid(colon + 1);
    bool isNumber = false;
    const qint64 number = key.toLongLong(&isNumber);
    if (isNumber && AttachmentTransfers::uploadTransferId(number) == transferId)
        return upload(number);
    if (AttachmentTransfers::downloadTransferId(key) == transferId)
        return download(key);
    return std::nullopt;
}

size_t qHash(const TransferId &id, size_t seed)
{
    return qHashMulti(seed, int(id.direction), id.uploadId, id.attachmentId);
}

} // namespace hchat::ui
