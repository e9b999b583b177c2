#include "OutboxTable.h"

#include "HistoryDb.h"

#include <QDateTime>

namespace hchat {

namespace {

const QString kOutboxColumns = QStringLiteral("id, channel, client_msg_id, body, encrypted, kind, state, "
                                              "seq, error, created_ms, updated_ms, plain_text,"
                                              " ref_seq, attachment_id");

OutboxEntry rowToOutbox(const HistoryQuery &q)
{
    OutboxEntry e;
    e.id = q.value(0).toLongLong();
    e.channel = q.value(1).toString();
    e.clientMsgId = q.value(2).toByteArray();
    e.body = q.value(3).toByteArray();
    e.encrypted = q.value(4).toBool();
    e.kind = static_cast<MessageKind>(q.value(5).toInt());
    e.state = static_cast<OutboxEntry::State>(q.value(6).toInt());
    e.seq = q.value(7).toULongLong();
    e.error = q.value(8).toString();
    e.createdMs = q.value(9).toLongLong();
    e.updatedMs = q.value(10).toLongLong();
    e.plainText = q.value(11).toString();
    e.refSeq = q.value(12).toULongLong();
    e.attachmentId = q.value(13).toString();
    return e;
}

} // namespace

qint64 OutboxTable::add(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body,
                        MessageKind kind, bool encrypted, const QString &plainText, quint64 refSeq,
                        const QString &attachmentId)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return m_db
        .query(
            QStringLiteral(
                "INSERT INTO outbox(channel, client_msg_id, body, encrypted, kind, state, created_ms,"
                " updated_ms, plain_text, ref_seq, attachment_id) VALUES(?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)"),
            {channel, clientMsgId,
             body.isNull() ? QByteArray("", 0) : body, // a plain deletion: empty, not NULL
             encrypted ? 1 : 0, int(kind), now, now, nonNull(plainText), qint64(refSeq),
             nonNull(attachmentId)})
        .lastInsertId();
}

std::optional<OutboxEntry> OutboxTable::entry(qint64 id) const
{
    return m_db.first(QStringLiteral("SELECT %1 FROM outbox WHERE id = ?").arg(kOutboxColumns), {id},
                      rowToOutbox);
}

std::optional<OutboxEntry> OutboxTable::nextPending() const
{
    return m_db.first(
        QStringLiteral("SELECT %1 FROM outbox WHERE state = 0 ORDER BY id LIMIT 1").arg(kOutboxColumns), {},
        rowToOutbox);
}

QList<OutboxEntry> OutboxTable::entries(const QString &channel, const QList<OutboxEntry::State> &states) const
{
    QStringList where;
    if (!channel.isEmpty())
        where << QStringLiteral("channel = ?");
    if (!states.isEmpty()) {
        QStringList in;
        for (auto s : states)
            in << QString::number(static_cast<int>(s));
        where << QStringLiteral("state IN (%1)").arg(in.join(QLatin1Char(',')));
    }
    const QString filter =
        where.isEmpty() ? QString() : QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND "));
    const QString sql = QStringLiteral("SELECT %1 FROM outbox %2 ORDER BY id").arg(kOutboxColumns, filter);
    return channel.isEmpty() ? m_db.rows(sql, {}, rowToOutbox) : m_db.rows(sql, {channel}, rowToOutbox);
}

bool OutboxTable::markSent(qint64 id, quint64 seq)
{
    return m_db.query(QStringLiteral(
                          "UPDATE outbox SET state = 1, seq = ?, error = '', updated_ms = ? WHERE id = ?"),
                      {qint64(seq), QDateTime::currentMSecsSinceEpoch(), id})
               .rowsAffected() == 1;
}

bool OutboxTable::markFailed(qint64 id, const QString &reason)
{
    return m_db.query(QStringLiteral("UPDATE outbox SET state = 2, error = ?, updated_ms = ? WHERE id = ?"),
                      {nonNull(reason), QDateTime::currentMSecsSinceEpoch(), id})
               .rowsAffected() == 1;
}

bool OutboxTable::markPending(qint64 id)
{
    return m_db.query(
                   QStringLiteral(
                       "UPDATE outbox SET state = 0, error = '', updated_ms = ? WHERE id = ? AND state <> 1"),
                   {QDateTime::currentMSecsSinceEpoch(), id})
               .rowsAffected() == 1;
}

} // namespace hchat
