#pragma once

#include "OutboxEntry.h"
#include "StoredMessage.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>

#include <functional>

namespace hchat {
class HistoryStore;
}

namespace hchat::ui {

// The messages of one channel for the message view, paged lazily from the local SQLite history so
// that a channel with a million messages opens at once. The model holds a contiguous window of
// seqs [first, last]; fetchMore() extends it downwards (newer, the view's usual direction),
// fetchOlder() upwards when the user scrolls to the top. Messages still in the outbox (pending or
// failed) follow the stored ones when the window reaches the newest message.
class MessageListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        SeqRole = Qt::UserRole + 1,
        SenderRole,
        TextRole,        // the text to show (membership changes as a sentence)
        TimeRole,        // QDateTime, local time
        KindRole,        // int(hchat::MessageKind)
        IsOwnRole,
        DeliveryRole,    // int(Delivery)
        ErrorRole,       // failed sends: why
        OutboxIdRole,    // failed/pending sends: the outbox id, for retry
        NewDayRole,      // the first message of its day in the window: draw a day separator
        FirstUnreadRole, // draw the "new messages" marker above this one
        EncryptedRole,
        CryptoStateRole,  // int(StoredMessage::CryptoState): Plain, Decrypted, WaitingForKey, Undecryptable
        CryptoReasonRole, // why a message is waiting or undecryptable
        SenderTrustRole,  // int(crypto::TrustStore::State) of the sender (encrypted messages), see setTrustLookup
    };
    Q_ENUM(Role)
    enum class Delivery { Stored = 0, Pending = 1, Failed = 2 };
    Q_ENUM(Delivery)

    static constexpr int kPageSize = 200;

    explicit MessageListModel(HistoryStore *store, QObject *parent = nullptr);

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

    // The sender's verification state for SenderTrustRole (Client::trustState, as an int).
    void setTrustLookup(std::function<int(const QString &nick)> lookup) { m_trustLookup = std::move(lookup); }
    // Whether a nick's account was deleted (Client::isDeletedUser): its messages show "deleted user".
    void setDeletedUserLookup(std::function<bool(const QString &nick)> lookup) { m_deletedLookup = std::move(lookup); }
    // The name shown for a sender: the nick, or "deleted user".
    QString senderName(const QString &nick) const;

    // How many pages were read from the store since the last setChannel() (lazy-loading checks).
    int pagesLoaded() const { return m_pagesLoaded; }

public slots:
    // New messages were committed for a channel: appended when the window reaches the end.
    void onMessagesStored(const QString &channel);
    // The outbox changed (written, sent, failed, retried).
    void onOutboxChanged(const QString &channel);
    // Local decryption results of these rows changed (a key arrived): re-read and repaint them.
    void onMessagesDecrypted(const QString &channel, const QList<quint64> &seqs);
    // Accounts were deleted (Client::usersDeleted): repaint the rows with their new sender label.
    void onUsersDeleted();

private:
    QString describe(const StoredMessage &m) const;
    QList<OutboxEntry> collectOutboxRows() const;
    void replaceOutboxRows();
    void appendNewerPage();
    int storedRows() const { return int(m_rows.size()); }

    HistoryStore *m_store;
    QString m_channel;
    QList<StoredMessage> m_rows;   // seqs m_rows.first().seq .. m_rows.last().seq, contiguous
    QList<OutboxEntry> m_outbox;   // pending and failed entries, oldest first
    quint64 m_firstUnread = 0;
    int m_anchorRow = -1;
    int m_pagesLoaded = 0;
    bool m_changing = false;
    std::function<int(const QString &)> m_trustLookup;
    std::function<bool(const QString &)> m_deletedLookup;
};

} // namespace hchat::ui
