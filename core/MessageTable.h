#pragma once

#include "SearchHit.h"
#include "StoredMessage.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace hchat {

class HistoryDb;
class HistoryQuery;
class StreamTable;

// Table messages and its full-text index messages_fts: the rows of every stream, stored gap-free
// with the stream's committed max seq (StreamTable) in the same write, and what this device made
// of the encrypted ones (local only).
class MessageTable {
    // Its messages kept the translation context of the class they came from.
    Q_DECLARE_TR_FUNCTIONS(hchat::HistoryStore)
public:
    MessageTable(HistoryDb &db, StreamTable &streams) : m_db(db), m_streams(streams) {}

    struct AppendResult {
        bool ok = false;
        QString error;                 // when !ok: why the batch was refused; nothing was written
        quint64 maxSeq = 0;            // committed max after the call
        QList<StoredMessage> inserted; // the rows that were new (seq > previous max), in order
        QList<quint64> amended;        // rows whose text an edit or a deletion of the batch changed
    };
    // See HistoryStore::appendMessages.
    AppendResult append(const QString &stream, const QList<StoredMessage> &messages, quint64 serverMaxSeq,
                        quint64 cryptoThrough = 0);
    bool setDecryption(const QString &channel, quint64 seq, StoredMessage::CryptoState state,
                       const QString &plainText, const QString &reason, quint64 *amendedSeq,
                       const QByteArray &attachment, qint64 senderTimeMs);

    quint64 count(const QString &channel) const;
    quint64 minSeq(const QString &channel) const;
    quint64 maxVisibleSeq(const QString &channel) const;
    std::optional<StoredMessage> message(const QString &channel, quint64 seq) const;
    std::optional<StoredMessage> latestMessage(const QString &channel) const;
    QList<StoredMessage> page(const QString &channel, quint64 fromSeq, quint64 toSeq) const;
    QList<StoredMessage> rowsBefore(const QString &channel, quint64 beforeSeq, int limit) const;
    QList<StoredMessage> rowsAfter(const QString &channel, quint64 afterSeq, int limit) const;
    quint64 countBefore(const QString &channel, quint64 seq) const;
    QStringList recentSenders(const QString &channel, int limit) const;
    QList<SearchHit> search(const QString &query, int limit, const QString &channel) const;

    // SQL list of the kinds that are chat messages (text, attachment): unread counts, senders.
    static const QString &chatKinds();

    // Whether `deleter` was an owner or moderator of end-to-end encrypted `channel` when message
    // `seq` was stored, by the channel's signed membership (only the crypto layer knows it).
    using SignedModeratorCheck =
        std::function<bool(const QString &channel, const QString &deleter, quint64 seq)>;
    void setSignedModeratorCheck(SignedModeratorCheck check) { m_signedModerator = std::move(check); }

private:
    // What the amendments and decryption results of a row depend on.
    struct RowState {
        qint64 id = 0;
        QString sender;
        MessageKind kind = MessageKind::Text;
        bool deleted = false;
        quint64 editSeq = 0;
        bool encrypted = false;
        QString plainText;
        QString attachmentId;
        QByteArray attachment;
    };
    // False when the query failed; *state empty when there is no such row.
    bool rowState(const QString &channel, quint64 seq, std::optional<RowState> *state) const;
    bool appendRows(const QString &stream, const QList<StoredMessage> &messages, quint64 serverMaxSeq,
                    quint64 cryptoThrough, AppendResult &result, QString *error);
    bool storeDecryption(const QString &channel, quint64 seq, StoredMessage::CryptoState state,
                         const QString &plainText, const QString &reason, quint64 *amendedSeq,
                         const QByteArray &attachment, qint64 senderTimeMs);
    bool applyAmendment(const StoredMessage &amendment, const QString &text, quint64 *targetSeq);
    // Whether channel is end-to-end encrypted (then only a message's own sender deletes it).
    bool isEncryptedChannel(const QString &channel) const;
    // What search finds of the row changed: the search index reads it again (SearchIndex).
    bool markSearchChanged(qint64 rowId);

    HistoryDb &m_db;
    StreamTable &m_streams;
    SignedModeratorCheck m_signedModerator;
};

} // namespace hchat
