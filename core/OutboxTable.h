#pragma once

#include "OutboxEntry.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace hchat {

class HistoryDb;

// Table outbox: messages written on this device, pending until the gateway took them (or failed).
class OutboxTable {
public:
    explicit OutboxTable(HistoryDb &db) : m_db(db) {}

    // See HistoryStore::addOutbox.
    qint64 add(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body,
               MessageKind kind, bool encrypted, const QString &plainText, quint64 refSeq,
               const QString &attachmentId);
    std::optional<OutboxEntry> entry(qint64 id) const;
    std::optional<OutboxEntry> nextPending() const;
    QList<OutboxEntry> entries(const QString &channel, const QList<OutboxEntry::State> &states) const;
    bool markSent(qint64 id, quint64 seq);
    bool markFailed(qint64 id, const QString &reason);
    bool markPending(qint64 id);

private:
    HistoryDb &m_db;
};

} // namespace hchat
