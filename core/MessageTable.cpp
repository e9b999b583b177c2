#include "MessageTable.h"

#include "AttachmentInfo.h"
#include "CoreLogging.h"
#include "HistoryDb.h"
#include "StreamTable.h"

#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace hchat {

namespace {

// Column list shared by every message SELECT; rowToMessage() reads it.
const QString kMessageColumns = QStringLiteral(
    "channel, seq, sender, sender_device, client_msg_id, server_time_ms, body, encrypted, kind, subject,"
    " plain_text, crypto_state, crypto_reason, ref_seq, deleted, edit_seq, attachment_id, attachment,"
    " sender_time_ms");
// Edits and deletions change the row they refer to and are not rows of the message view; signed
// membership operations show only when refused (a warning: crypto_state 3).
const QString kVisible = QStringLiteral(" AND kind NOT IN (%1, %2) AND (kind <> %3 OR crypto_state = %4)")
                             .arg(int(MessageKind::Edit))
                             .arg(int(MessageKind::Delete))
                             .arg(int(MessageKind::Membership))
                             .arg(int(StoredMessage::CryptoState::Undecryptable));

const QString kInsert = QStringLiteral(
    "INSERT INTO messages(channel, seq, sender, sender_device, client_msg_id,"
    " server_time_ms, body, encrypted, kind, subject, ref_seq, deleted, plain_text,"
    " attachment_id, attachment, crypto_state, crypto_reason, sender_time_ms)"
    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(channel, seq) DO NOTHING");
constexpr int kSearchWaitMs = 2000;
const QString kPage =
    QStringLiteral("SELECT %1 FROM messages WHERE channel = ? AND seq BETWEEN ? AND ? ORDER BY seq")
        .arg(kMessageColumns);
const QString kLatest =
    QStringLiteral("SELECT %1 FROM messages WHERE channel = ?%2 ORDER BY seq DESC LIMIT 1")
        .arg(kMessageColumns, kVisible);
const QString kRowsBefore =
    QStringLiteral("SELECT %1 FROM messages WHERE channel = ? AND seq < ?%2 ORDER BY seq DESC LIMIT ?")
        .arg(kMessageColumns, kVisible);
const QString kRowsAfter =
    QStringLiteral("SELECT %1 FROM messages WHERE channel = ? AND seq > ?%2 ORDER BY seq LIMIT ?")
        .arg(kMessageColumns, kVisible);
const QString kMaxVisible = QStringLiteral("SELECT max(seq) FROM messages WHERE channel = ?%1").arg(kVisible);
const QString kCountBefore =
    QStringLiteral("SELECT count(*) FROM messages WHERE channel = ? AND seq < ?%1").arg(kVisible);

StoredMessage rowToMessage(const HistoryQuery &q)
{
    StoredMessage m;
    m.channel = q.value(0).toString();
    m.seq = q.value(1).toULongLong();
    m.sender = q.value(2).toString();
    m.senderDevice = q.value(3).toString();
    m.clientMsgId = q.value(4).toByteArray();
    m.serverTimeMs = q.value(5).toLongLong();
    m.body = q.value(6).toByteArray();
    m.encrypted = q.value(7).toBool();
    m.kind = static_cast<MessageKind>(q.value(8).toInt());
    m.subject = q.value(9).toString();
    m.plainText = q.value(10).toString();
    m.cryptoState = static_cast<StoredMessage::CryptoState>(q.value(11).toInt());
    m.cryptoReason = q.value(12).toString();
    m.refSeq = q.value(13).toULongLong();
    m.deleted = q.value(14).toBool();
    m.editSeq = q.value(15).toULongLong();
    m.attachmentId = q.value(16).toString();
    m.attachment = q.value(17).toByteArray();
    m.senderTimeMs = q.value(18).toLongLong();
    return m;
}

// A seq bound as SQLite's signed integer; "up to the end" stays the end.
qint64 seqBound(quint64 seq)
{
    return qint64(std::min<quint64>(seq, std::numeric_limits<qint64>::max()));
}

// Turns user input into an FTS5 query where every word is a quoted prefix term.
QString ftsQuery(const QString &input)
{
    QStringList terms;
    const auto words = input.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    for (QString w : words) {
        w.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms << QLatin1Char('"') + w + QStringLiteral("\"*");
    }
    return terms.join(QLatin1Char(' '));
}

// An attachment keeps its content only when it names the upload the gateway delivered.
bool describesUpload(const QByteArray &content, const QString &attachmentId)
{
    const auto info = AttachmentInfo::parse(content);
    return info && info->id == attachmentId;
}

QVariant nullableBlob(const QByteArray &blob, bool keep)
{
    return keep ? QVariant(blob) : QVariant(QMetaType::fromType<QByteArray>());
}

} // namespace

const QString &MessageTable::chatKinds()
{
    static const QString kinds =
        QStringLiteral("(%1, %2)").arg(int(MessageKind::Text)).arg(int(MessageKind::Attachment));
    return kinds;
}

// ---- writes --------------------------------------------------------------------------------

MessageTable::AppendResult MessageTable::append(const QString &stream, const QList<StoredMessage> &messages,
                                                quint64 serverMaxSeq, quint64 cryptoThrough)
{
    AppendResult result;
    if (!m_db.beginWrite()) {
        result.error = tr("cannot begin a transaction: %1").arg(m_db.lastError());
        return result;
    }
    QString error;
    if (appendRows(stream, messages, serverMaxSeq, cryptoThrough, result, &error)) {
        if (m_db.commitWrite()) {
            result.ok = true;
            return result;
        }
        error = tr("commit failed: %1").arg(m_db.lastError());
    }
    m_db.rollbackWrite();
    result.ok = false;
    result.error = error;
    result.inserted.clear();
    result.maxSeq = m_streams.maxSeq(stream);
    return result;
}

bool MessageTable::appendRows(const QString &stream, const QList<StoredMessage> &messages,
                              quint64 serverMaxSeq, quint64 cryptoThrough, AppendResult &result,
                              QString *error)
{
    auto refuse = [error](const QString &why) {
        *error = why;
        return false;
    };
    const auto committed = m_streams.committed(stream);
    if (!committed)
        return refuse(m_db.lastError());
    quint64 max = committed->maxSeq;
    SqliteStatement *insert = m_db.rowStatement(kInsert);
    if (!insert)
        return refuse(m_db.lastError());
    for (const StoredMessage &m : messages) {
        if (!m.channel.isEmpty() && m.channel != stream)
            return refuse(tr("a message of stream \"%1\" in a batch for \"%2\"").arg(m.channel, stream));
        if (m.seq == 0)
            return refuse(tr("a message without seq in \"%1\"").arg(stream));
        if (m.seq <= max)
            continue; // already stored: idempotent
        if (m.seq != max + 1)
            return refuse(tr("hole in \"%1\": expected seq %2, got %3").arg(stream).arg(max + 1).arg(m.seq));
        // A plain attachment's caption (StoredMessage::fromProto), or what the crypto stage
        // decrypted before the row was stored; rows still waiting get theirs from setDecryption().
        const bool decrypted = m.encrypted && m.cryptoState == StoredMessage::CryptoState::Decrypted;
        const bool plainAttachment = m.kind == MessageKind::Attachment && !m.encrypted;
        const bool keepsPlain = plainAttachment || decrypted;
        const bool keepsContent =
            m.kind == MessageKind::Attachment && !m.attachment.isEmpty() &&
            (plainAttachment || (decrypted && describesUpload(m.attachment, m.attachmentId)));
        if (!insert->run(stream, qint64(m.seq), nonNull(m.sender), nonNull(m.senderDevice), m.clientMsgId,
                         qint64(m.serverTimeMs), m.body, m.encrypted ? 1 : 0, int(m.kind), nonNull(m.subject),
                         qint64(m.refSeq), m.deleted ? 1 : 0,
                         keepsPlain ? nonNull(m.plainText) : QStringLiteral(""), nonNull(m.attachmentId),
                         keepsContent ? m.attachment : QByteArray(), int(m.cryptoState),
                         nonNull(m.cryptoReason), decrypted ? qint64(m.senderTimeMs) : qint64(0)))
            return refuse(insert->lastError());
        if (insert->changes() == 1) {
            StoredMessage stored = m;
            stored.channel = stream;
            // Encrypted edits and deletions count once decrypted and verified (here when they
            // arrive so, else in setDecryption); refused ones never.
            if (stored.isAmendment() && stored.cryptoState != StoredMessage::CryptoState::Undecryptable &&
                (!stored.encrypted || stored.cryptoState == StoredMessage::CryptoState::Decrypted)) {
                quint64 target = 0;
                if (!applyAmendment(stored, stored.text(), &target))
                    return refuse(m_db.lastError());
                if (target && !result.amended.contains(target))
                    result.amended << target;
            }
            result.inserted << stored;
        }
        max = m.seq;
    }
    if (!m_streams.setCommitted(stream, {max, std::max({committed->serverMaxSeq, serverMaxSeq, max})}))
        return refuse(m_db.lastError());
    if (cryptoThrough != 0 && !m_streams.setCryptoCursor(stream, std::min(cryptoThrough, max)))
        return refuse(m_db.lastError());
    if (!result.inserted.isEmpty())
        m_db.searchChanged(); // the search index takes new rows from the history itself
    result.maxSeq = max;
    return true;
}

bool MessageTable::setDecryption(const QString &channel, quint64 seq, StoredMessage::CryptoState state,
                                 const QString &plainText, const QString &reason, quint64 *amendedSeq,
                                 const QByteArray &attachment, qint64 senderTimeMs)
{
    return m_db.write([&] {
        return storeDecryption(channel, seq, state, plainText, reason, amendedSeq, attachment, senderTimeMs);
    });
}

bool MessageTable::storeDecryption(const QString &channel, quint64 seq, StoredMessage::CryptoState state,
                                   const QString &plainText, const QString &reason, quint64 *amendedSeq,
                                   const QByteArray &attachment, qint64 senderTimeMs)
{
    std::optional<RowState> row;
    if (!rowState(channel, seq, &row))
        return false;
    if (!row)
        return m_db.fail(tr("no message %1 in \"%2\"").arg(seq).arg(channel));
    const bool decrypted = state == StoredMessage::CryptoState::Decrypted;
    // A message edited or deleted before its own key arrived keeps the text of that edit (none
    // when deleted): the original text must not come back.
    QString shown = decrypted ? plainText : QString();
    if (row->deleted)
        shown.clear();
    else if (row->editSeq != 0)
        shown = row->plainText;
    QByteArray content;
    if (row->kind == MessageKind::Attachment && decrypted && !row->deleted &&
        describesUpload(attachment, row->attachmentId))
        content = attachment;
    if (!m_db.exec(QStringLiteral("UPDATE messages SET plain_text = ?, crypto_state = ?, crypto_reason = ?,"
                                  " attachment = ?, sender_time_ms = ? WHERE id = ?"),
                   {nonNull(shown), int(state), nonNull(reason), nullableBlob(content, !content.isEmpty()),
                    decrypted ? senderTimeMs : qint64(0), row->id}))
        return false;
    if ((row->kind == MessageKind::Text || row->kind == MessageKind::Attachment) &&
        !markSearchChanged(row->id))
        return false;
    if (decrypted && (row->kind == MessageKind::Edit || row->kind == MessageKind::Delete)) {
        const auto amendment = message(channel, seq);
        if (!amendment)
            return m_db.fail(tr("no message %1 in \"%2\"").arg(seq).arg(channel));
        quint64 target = 0;
        if (!applyAmendment(*amendment, plainText, &target))
            return false;
        if (amendedSeq)
            *amendedSeq = target;
    }
    return true;
}

bool MessageTable::rowState(const QString &channel, quint64 seq, std::optional<RowState> *state) const
{
    HistoryQuery q =
        m_db.query(QStringLiteral("SELECT id, sender, kind, deleted, edit_seq, encrypted, plain_text,"
                                  " attachment_id, attachment FROM messages"
                                  " WHERE channel = ? AND seq = ?"),
                   {channel, qint64(seq)});
    if (!q)
        return false;
    state->reset();
    if (q.next())
        *state = RowState{
            q.value(0).toLongLong(), q.value(1).toString(),    static_cast<MessageKind>(q.value(2).toInt()),
            q.value(3).toBool(),     q.value(4).toULongLong(), q.value(5).toBool(),
            q.value(6).toString(),   q.value(7).toString(),    q.value(8).toByteArray()};
    return true;
}

bool MessageTable::isEncryptedChannel(const QString &channel) const
{
    if (channel.startsWith(QLatin1Char('@')))
        return true; // direct channels always are
    return m_db.scalar(QStringLiteral("SELECT encrypted FROM channels WHERE name = ?"), {channel}).toBool();
}

bool MessageTable::markSearchChanged(qint64 rowId)
{
    if (!m_db.exec(QStringLiteral("INSERT INTO search_dirty(row_id) VALUES(?)"), {rowId}))
        return false;
    m_db.searchChanged();
    return true;
}

// Inside the caller's transaction. An edit replaces the shown text of its target, a deletion
// erases the target's body and text (and those of its edits) and takes it out of the search
// index. Only the target's own sender may do either, and a moderator delete; anything else is
// ignored (not an error: a gateway that relays such a message is not trusted for it, and the
// history stays storable).
bool MessageTable::applyAmendment(const StoredMessage &a, const QString &text, quint64 *targetSeq)
{
    std::optional<RowState> target;
    if (!rowState(a.channel, a.refSeq, &target))
        return false;
    // A moderator's deletion of someone else's message: in an unencrypted channel the gateway
    // checked the moderator's role (and could rewrite anything anyway); in an end-to-end
    // encrypted one the deletion is signed by its sender's device (it decrypted) and counts only
    // if the channel's signed membership made that sender an owner or moderator before it.
    const bool bySender = target && target->sender.compare(a.sender, Qt::CaseInsensitive) == 0;
    bool byModerator = false;
    if (target && !bySender && a.kind == MessageKind::Delete) {
        if (!a.encrypted)
            byModerator = !target->encrypted && !isEncryptedChannel(a.channel);
        else
            byModerator = a.cryptoState == StoredMessage::CryptoState::Decrypted && m_signedModerator &&
                          m_signedModerator(a.channel, a.sender, a.seq);
    }
    if (!target || a.refSeq >= a.seq ||
        (target->kind != MessageKind::Text && target->kind != MessageKind::Attachment) ||
        !(bySender || byModerator) || target->deleted || target->encrypted != a.encrypted) {
        qCInfo(lcStore) << "ignored" << (a.kind == MessageKind::Edit ? "edit" : "deletion") << a.seq << "of"
                        << a.refSeq << "in" << a.channel;
        return true;
    }
    if (a.kind == MessageKind::Edit) {
        if (a.seq <= target->editSeq || text.isEmpty())
            return true; // an older edit decrypted late, or an edit whose text was erased
        // An attachment's caption is its plainText, also in a plain channel (the body is its content).
        const bool edited =
            a.encrypted || target->kind == MessageKind::Attachment
                ? m_db.exec(QStringLiteral("UPDATE messages SET plain_text = ?, edit_seq = ? WHERE id = ?"),
                            {text, qint64(a.seq), target->id})
                : m_db.exec(QStringLiteral("UPDATE messages SET body = ?, edit_seq = ? WHERE id = ?"),
                            {text.toUtf8(), qint64(a.seq), target->id});
        if (!edited || !markSearchChanged(target->id))
            return false;
    } else if (!m_db.exec(QStringLiteral("UPDATE messages SET body = x'', plain_text = '', attachment = NULL,"
                                         " deleted = 1, edit_seq = ? WHERE id = ?"),
                          {qint64(a.seq), target->id}) ||
               !m_db.exec(QStringLiteral("UPDATE messages SET body = x'', plain_text = '' WHERE channel = ?"
                                         " AND ref_seq = ? AND kind = ?"),
                          {a.channel, qint64(a.refSeq), int(MessageKind::Edit)}) ||
               !markSearchChanged(target->id)) {
        return false;
    }
    *targetSeq = a.refSeq;
    return true;
}

// ---- reads ---------------------------------------------------------------------------------

quint64 MessageTable::count(const QString &channel) const
{
    return m_db.scalar(QStringLiteral("SELECT count(*) FROM messages WHERE channel = ?"), {channel})
        .toULongLong();
}

quint64 MessageTable::minSeq(const QString &channel) const
{
    return m_db.scalar(QStringLiteral("SELECT min(seq) FROM messages WHERE channel = ?"), {channel})
        .toULongLong();
}

quint64 MessageTable::maxVisibleSeq(const QString &channel) const
{
    return m_db.scalar(kMaxVisible, {channel}).toULongLong();
}

std::optional<StoredMessage> MessageTable::message(const QString &channel, quint64 seq) const
{
    const auto rows = page(channel, seq, seq);
    if (rows.isEmpty())
        return std::nullopt;
    return rows.first();
}

std::optional<StoredMessage> MessageTable::latestMessage(const QString &channel) const
{
    return m_db.first(kLatest, {channel}, rowToMessage);
}

QList<StoredMessage> MessageTable::page(const QString &channel, quint64 fromSeq, quint64 toSeq) const
{
    if (toSeq < fromSeq)
        return {};
    return m_db.rows(kPage, {channel, qint64(fromSeq), seqBound(toSeq)}, rowToMessage);
}

QList<StoredMessage> MessageTable::rowsBefore(const QString &channel, quint64 beforeSeq, int limit) const
{
    if (limit <= 0)
        return {};
    auto out = m_db.rows(kRowsBefore, {channel, seqBound(beforeSeq), limit}, rowToMessage);
    std::reverse(out.begin(), out.end());
    return out;
}

QList<StoredMessage> MessageTable::rowsAfter(const QString &channel, quint64 afterSeq, int limit) const
{
    if (limit <= 0)
        return {};
    return m_db.rows(kRowsAfter, {channel, qint64(afterSeq), limit}, rowToMessage);
}

quint64 MessageTable::countBefore(const QString &channel, quint64 seq) const
{
    return m_db.scalar(kCountBefore, {channel, seqBound(seq)}).toULongLong();
}

QStringList MessageTable::recentSenders(const QString &channel, int limit) const
{
    static const QString sql =
        QStringLiteral("SELECT sender FROM messages WHERE channel = ? AND kind IN %1 AND sender <> ''"
                       " GROUP BY lower(sender) ORDER BY max(seq) DESC LIMIT ?")
            .arg(chatKinds());
    return m_db.rows(sql, {channel, limit}, [](const HistoryQuery &q) { return q.value(0).toString(); });
}

QList<SearchHit> MessageTable::search(const QString &query, int limit, const QString &channel) const
{
    const QString match = ftsQuery(query);
    if (match.isEmpty() || limit <= 0 || !m_db.hasSearch())
        return {};
    // What was stored just before is searchable too (the index follows on its thread); when a
    // whole history is being indexed, what is indexed so far.
    if (!m_db.waitForSearch(kSearchWaitMs))
        qCInfo(lcStore) << "searching while the index is still being built";
    const QString sql =
        QStringLiteral("SELECT m.channel, m.seq, m.sender, m.server_time_ms,"
                       " snippet(messages_fts, 0, char(2), char(3), '…', 16)"
                       " FROM messages_fts JOIN history.messages m ON m.id = messages_fts.rowid"
                       " WHERE messages_fts MATCH ? AND m.deleted = 0 %1"
                       " ORDER BY m.server_time_ms DESC, m.id DESC LIMIT ?")
            .arg(channel.isEmpty() ? QString() : QStringLiteral("AND m.channel = ?"));
    const auto readHit = [](const HistoryQuery &q) {
        SearchHit h;
        h.channel = q.value(0).toString();
        h.seq = q.value(1).toULongLong();
        h.sender = q.value(2).toString();
        h.serverTimeMs = q.value(3).toLongLong();
        h.snippet = q.value(4).toString();
        return h;
    };
    QList<SearchHit> hits;
    HistoryQuery q = channel.isEmpty() ? m_db.searchQuery(sql, {match, limit})
                                       : m_db.searchQuery(sql, {match, channel, limit});
    while (q.next())
        hits << readHit(q);
    return hits;
}

} // namespace hchat
