#pragma once

#include "StoredMessage.h"

#include <QList>
#include <QString>

namespace hchat {

// Rows about to be appended to a stream (only new ones, in seq order), as SyncEngine's batch
// stages see them: they may complete the rows in memory (decryption results) so that each row is
// written once.
struct IncomingBatch {
    QString stream;
    QList<StoredMessage> rows;
    // The stages processed the rows up to this seq (0: none); kept as the stream's crypto cursor
    // in the transaction that stores them.
    quint64 cryptoThrough = 0;
};

} // namespace hchat
