#include "TransferId.h"

namespace hchat {

TransferId TransferId::upload(qint64 uploadId)
{
    return {Direction::Upload, uploadId, {}};
}

TransferId TransferId::download(const QString &attachmentId)
{
    return {Direction::Download, 0, attachmentId};
}

size_t qHash(const TransferId &id, size_t seed)
{
    return qHashMulti(seed, int(id.direction), id.uploadId, id.attachmentId);
}

} // namespace hchat
