#include "StreamTable.h"

#include "HistoryDb.h"

namespace hchat {

std::optional<StreamTable::Committed> StreamTable::committed(const QString &stream) const
{
    HistoryQuery q =
        m_db.query(QStringLiteral("SELECT max_seq, server_max_seq FROM streams WHERE stream = ?"), {stream});
    if (!q)
        return std::nullopt;
    if (!q.next())
        return Committed{};
    return Committed{q.value(0).toULongLong(), q.value(1).toULongLong()};
}

bool StreamTable::setCommitted(const QString &stream, const Committed &committed)
{
    return m_db.exec(QStringLiteral("INSERT INTO streams(stream, max_seq, server_max_seq) VALUES(?, ?, ?)"
                                    " ON CONFLICT(stream) DO UPDATE SET max_seq = excluded.max_seq,"
                                    " server_max_seq = excluded.server_max_seq"),
                     {stream, qint64(committed.maxSeq), qint64(committed.serverMaxSeq)});
}

quint64 StreamTable::maxSeq(const QString &stream) const
{
    return m_db.scalar(QStringLiteral("SELECT max_seq FROM streams WHERE stream = ?"), {stream})
        .toULongLong();
}

quint64 StreamTable::serverMaxSeq(const QString &stream) const
{
    return m_db.scalar(QStringLiteral("SELECT server_max_seq FROM streams WHERE stream = ?"), {stream})
        .toULongLong();
}

bool StreamTable::setServerMaxSeq(const QString &stream, quint64 seq)
{
    return m_db.exec(
        QStringLiteral("INSERT INTO streams(stream, server_max_seq) VALUES(?, ?) ON CONFLICT(stream) DO "
                       "UPDATE SET server_max_seq = max(server_max_seq, excluded.server_max_seq)"),
        {stream, qint64(seq)});
}

bool StreamTable::skipInboxTo(const QString &stream, quint64 seq)
{
    if (!stream.startsWith(QLatin1Char('~')))
        return false;
    return m_db.exec(
        QStringLiteral(
            "INSERT INTO streams(stream, max_seq, server_max_seq) VALUES(?, ?, ?) ON CONFLICT(stream)"
            " DO UPDATE SET max_seq = max(max_seq, excluded.max_seq),"
            " server_max_seq = max(server_max_seq, excluded.server_max_seq)"),
        {stream, qint64(seq), qint64(seq)});
}

quint64 StreamTable::cryptoCursor(const QString &stream) const
{
    return m_db.scalar(QStringLiteral("SELECT crypto_seq FROM streams WHERE stream = ?"), {stream})
        .toULongLong();
}

bool StreamTable::setCryptoCursor(const QString &stream, quint64 seq)
{
    return m_db.exec(QStringLiteral("INSERT INTO streams(stream, crypto_seq) VALUES(?, ?)"
                                    " ON CONFLICT(stream) DO UPDATE SET crypto_seq = excluded.crypto_seq"),
                     {stream, qint64(seq)});
}

} // namespace hchat
