#pragma once

#include "OutboxEntry.h"
#include "StoredMessage.h"
#include "ThumbnailCache.h"

#include <QAbstractListModel>
#include <QImage>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

namespace hchat {
class HistoryStore;
}

namespace hchat::ui {

// The messages of one channel for the message view, paged lazily from the local SQLite history so
// that a channel with a million messages opens at once. The model holds a contiguous window of
// the channel's rows (edits and deletions are not rows: they change the row they refer to), in
// ascending seq; fetchMore() extends it downwards (newer, the view's usual direction),
// fetchOlder() upwards when the user scrolls to the top. Messages still in the outbox (pending or
// failed) follow the stored ones when the window reaches the newest message.
class MessageListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        SeqRole = Qt::UserRole + 1,
        SenderRole,
        TextRole, // the text to show (membership changes as a sentence)
        TimeRole, // QDateTime, local time
        KindRole, // int(hchat::MessageKind)
        IsOwnRole,
        DeliveryRole,    // int(Delivery)
        ErrorRole,       // failed sends: why
        OutboxIdRole,    // failed/pending sends: the outbox id, for retry
        NewDayRole,      // the first message of its day in the window: draw a day separator
        FirstUnreadRole, // draw the "new messages" marker above this one
        EncryptedRole,
        CryptoStateRole,    // int(StoredMessage::CryptoState): Plain, Decrypted, WaitingForKey, Undecryptable
        CryptoReasonRole,   // why a message is waiting or undecryptable
        SenderTrustRole,    // int(crypto::TrustStore::State) of the sender (encrypted messages), see
                            // setTrustLookup
        ReplyToSeqRole,     // the seq of the message this one replies to (0: not a reply)
        ReplySenderRole,    // … its sender
        ReplyTextRole,      // … its text as shown (empty when it is not in the local history)
        EditedRole,         // the text shown is that of a later edit
        DeletedRole,        // recalled by its sender: no text
        MentionsMeRole,     // the text @mentions the own nick
        SeenRole,           // own message in a direct channel that the other member has read
        AttachmentIdRole,   // attachments: the upload id (empty: not an attachment, or not known yet)
        AttachmentNameRole, // … the file name
        AttachmentSizeRole, // … bytes (qint64)
        ThumbnailRole,      // … QImage of an image's inline thumbnail (null: none)
        AttachmentFileRole, // … the file on this device (empty: not downloaded)
        TransferRole,       // … download progress in percent, -1 when none runs
        // Encrypted messages stored at least kDelayShownMs after their sender wrote them (the
        // signed sender time): that time (QDateTime), else invalid. A gateway can delay a
        // message; it cannot hide the delay.
        WrittenTimeRole,
        // The sender is blocked and the user has not revealed the message: only a line that says
        // so is shown (TextRole), drawn as a notice; reveal(seq) shows the message.
        BlockedRole,
    };
    Q_ENUM(Role)
    enum class Delivery { Stored = 0, Pending = 1, Failed = 2 };
    static constexpr qint64 kDelayShownMs = 5 * 60 * 1000;
    Q_ENUM(Delivery)

    static constexpr int kPageSize = 200;

    explicit MessageListModel(const HistoryStore *store, QObject *parent = nullptr);

    // Shows a channel: the page that ends at its first unread message (or its newest), and the
    // page after that when there are unread messages below it.
    void setChannel(const QString &channel);
    QString channel() const { return m_channel; }
    // The row the view should scroll to after setChannel(): the first unread, else the last row.
    int anchorRow() const { return m_anchorRow; }
    // Loads the window around seq when it is not loaded (a search result) and returns its row.
    int rowForSeq(quint64 seq);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override; // newer rows
    void fetchMore(const QModelIndex &parent) override;
    bool canFetchOlder() const;
    void fetchOlder();

    // Whether this device waits for its approval by another device of the account: then a row
    // waiting for its key says that approving it is what brings the keys of the history.
    void setAwaitingApprovalLookup(std::function<bool()> lookup) { m_awaitingApproval = std::move(lookup); }
    // The approval state changed: every waiting row's text follows.
    void onApprovalChanged() { onBlockListChanged(); }
    // The sender's verification state for SenderTrustRole (Client::trustState, as an int).
    void setTrustLookup(std::function<int(const QString &nick)> lookup) { m_trustLookup = std::move(lookup); }
    // How far the other member of a direct channel has read (Client::peerReadSeq), for SeenRole.
    void setPeerReadLookup(std::function<quint64(const QString &channel)> lookup)
    {
        m_peerRead = std::move(lookup);
    }
    // Whether a nick's account was deleted (Client::isDeletedUser): its messages show "deleted user".
    void setDeletedUserLookup(std::function<bool(const QString &nick)> lookup)
    {
        m_deletedLookup = std::move(lookup);
    }
    // Where an attachment's file is on this device, and how far its download is (percent, -1:
    // none) — AttachmentTransfers via the Client — for AttachmentFileRole and TransferRole.
    void setAttachmentLookups(std::function<QString(const QString &attachmentId)> file,
                              std::function<int(const QString &attachmentId)> progress)
    {
        m_fileLookup = std::move(file);
        m_progressLookup = std::move(progress);
    }
    // Whether the user blocked a nick (Client::isBlocked): its messages are hidden behind a line.
    void setBlockedLookup(std::function<bool(const QString &nick)> lookup)
    {
        m_blockedLookup = std::move(lookup);
    }
    // Shows the hidden message seq of a blocked user (until the channel changes).
    void reveal(quint64 seq);
    // The name shown for a sender: the nick, or "deleted user".
    QString senderName(const QString &nick) const;

    // Bytes of decoded thumbnails kept (at most ThumbnailCache::kDefaultBudgetBytes).
    qint64 thumbnailCacheBytes() const { return m_thumbnails.totalBytes(); }

    // How many pages were read from the store since the last setChannel() (lazy-loading checks).
    int pagesLoaded() const { return m_pagesLoaded; }

public slots:
    // New messages were committed for a channel: appended when the window reaches the end.
    void onMessagesStored(const QString &channel);
    // The outbox changed (written, sent, failed, retried).
    void onOutboxChanged(const QString &channel);
    // Local decryption results of these rows changed (a key arrived), or an edit or a deletion
    // changed them: re-read and repaint them (and the replies that quote them).
    void onMessagesChanged(const QString &channel, const QList<quint64> &seqs);
    // A read receipt arrived for channel: repaint the "seen" marks.
    void onReadReceipt(const QString &channel);
    // Accounts were deleted (Client::usersDeleted): repaint the rows with their new sender label.
    void onUsersDeleted();
    // The block list changed: hide or show the rows of the users concerned.
    void onBlockListChanged();
    // An attachment's download progressed or finished: repaint its rows.
    void onAttachmentChanged(const QString &attachmentId);

private:
    QString describe(const StoredMessage &m) const;
    QList<OutboxEntry> collectOutboxRows() const;
    void replaceOutboxRows();
    void appendNewerPage();
    int storedRows() const { return int(m_rows.size()); }
    int rowOfStoredSeq(quint64 seq) const; // -1 when not in the window
    const StoredMessage *replyTarget(const StoredMessage &m) const;
    QVariant attachmentData(const StoredMessage &m, int role) const;
    bool isHiddenBlocked(const StoredMessage &m) const;

    const HistoryStore *m_store;
    QString m_channel;
    QList<StoredMessage> m_rows; // ascending seq, no edit or deletion rows
    mutable QHash<quint64, std::optional<StoredMessage>> m_replyTargets; // quoted messages, by seq
    QList<OutboxEntry> m_outbox; // pending and failed entries, oldest first
    quint64 m_firstUnread = 0;
    int m_anchorRow = -1;
    int m_pagesLoaded = 0;
    bool m_changing = false;
    std::function<int(const QString &)> m_trustLookup;
    std::function<bool()> m_awaitingApproval;
    std::function<quint64(const QString &)> m_peerRead;
    std::function<bool(const QString &)> m_deletedLookup;
    std::function<bool(const QString &)> m_blockedLookup;
    QSet<quint64> m_revealed; // blocked users' messages the user chose to see
    std::function<QString(const QString &)> m_fileLookup;
    std::function<int(const QString &)> m_progressLookup;
    mutable ThumbnailCache m_thumbnails; // by seq, while the channel shows
};

} // namespace hchat::ui
