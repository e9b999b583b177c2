#pragma once

#include "ChannelRecord.h"
#include "ChannelTable.h"
#include "DraftTable.h"
#include "HistoryDb.h"
#include "MessageTable.h"
#include "OutboxEntry.h"
#include "OutboxTable.h"
#include "ProfileSettings.h"
#include "ReadPositionTable.h"
#include "SearchHit.h"
#include "StoredMessage.h"
#include "StreamTable.h"
#include "UploadTable.h"

#include <QList>
#include <QObject>
#include <QString>

#include "crypto/SecureBuffer.h"

#include <optional>

namespace hchat {

// The local history of a profile: one SQLite database (QtSql, WAL; HistoryDb) holding
//   - channels (ChannelTable) and, per stream (a channel or the device inbox "~<device_id>"), the
//     sync state: committed max seq, the gateway's max, and how far InboundCrypto has processed
//     it (StreamTable);
//   - messages with an FTS5 index over their text, and what this device decrypted of them
//     (MessageTable);
//   - read positions: this account's, and the other side's from its read receipts
//     (ReadPositionTable);
//   - the outbox (OutboxTable), files on their way out and where attachments are kept
//     (UploadTable), drafts (DraftTable);
//   - the settings of the profile (ProfileSettings: nick, device id, gateway addresses, gateways
//     allowed in cleartext, deleted users, key shares to retry).
// HistoryStore is the one entry point for the rest of the client; settings() gives the typed
// profile settings. Every method runs on the calling (GUI) thread and returns quickly; reads are
// cheap enough to serve a QAbstractListModel that pages lazily:
//   count(ch) rows; minSeq(ch)..maxSeq(ch) are all present (history is gap-free);
//   page(ch, from, to) / rowsBefore(ch, seq, n) / rowsAfter(ch, seq, n) for fetchMore both ways.
//
// Writes of messages go through appendMessages(): idempotent by (channel, seq), and a batch plus
// the stream's new max seq commit in ONE transaction, so a crash leaves either all or none.
//
// A database that is not SQLite, is damaged, or was written by a newer HChat is refused with a
// clear lastError() and left untouched on disk; it is never replaced.
//
// Opened with a key, the file is encrypted at rest page by page (crypto::EncryptedPageVfs): its
// plaintext, the search index and the log never reach the disk in the clear; a plain file from
// before is converted on that open (HistoryFileEncryptor). Without a key (no OS keychain), the
// file is plain, and an encrypted one is refused with a clear error.
class HistoryStore : public QObject {
    Q_OBJECT
public:
    using OpenError = HistoryDb::OpenError;
    static constexpr int kSchemaVersion = HistoryDb::kSchemaVersion;

    explicit HistoryStore(QObject *parent = nullptr);
    ~HistoryStore() override;

    // Opens (creating or migrating) the database at path, encrypted at rest under key (32 bytes)
    // unless key is null. False: see openError()/lastError().
    bool open(const QString &path, crypto::SecureBuffer key = {});
    bool isEncrypted() const { return m_db.isEncrypted(); }
    void close();
    bool isOpen() const { return m_db.isOpen(); }
    QString path() const { return m_db.path(); }
    OpenError openError() const { return m_db.openError(); }
    QString lastError() const { return m_db.lastError(); }
    int schemaVersion() const { return m_db.schemaVersion(); } // PRAGMA user_version
    // Full PRAGMA integrity_check (slow).
    bool integrityCheck(QString *details = nullptr) const { return m_db.integrityCheck(details); }
    // Groups the writes of many calls into one transaction (e.g. the decryption results of a
    // catch-up batch: one commit instead of one per message); each write inside still succeeds or
    // fails alone (a savepoint). Batches nest; endBatch() of the outermost commits.
    bool beginBatch() { return m_db.beginBatch(); }
    bool endBatch() { return m_db.endBatch(); }

    // ---- settings of the profile -----------------------------------------------------------------
    ProfileSettings &settings() { return m_settings; }
    const ProfileSettings &settings() const { return m_settings; }
    // Any key of the settings as text (the typed accessors of settings() name those in use).
    QString value(const QString &key, const QString &defaultValue = {}) const
    {
        return m_settings.value(key, defaultValue);
    }
    bool setValue(const QString &key, const QString &value) { return m_settings.setValue(key, value); }

    // The own nick: unreadCount() and catch-up reports ignore one's own messages.
    void setOwnNick(const QString &nick) { m_ownNick = nick; }
    QString ownNick() const { return m_ownNick; }

    // ---- channels ------------------------------------------------------------------------------
    // Inserts or updates name/kind/encrypted/members/joined/serverMaxSeq (muted is kept).
    bool upsertChannel(const ChannelRecord &channel) { return m_channels.upsert(channel); }
    bool setChannelJoined(const QString &channel, bool joined)
    {
        return m_channels.setJoined(channel, joined);
    }
    bool setChannelMembers(const QString &channel, const QStringList &members)
    {
        return m_channels.setMembers(channel, members);
    }
    bool setMuted(const QString &channel, bool muted) { return m_channels.setMuted(channel, muted); }
    bool setChannelTopic(const QString &channel, const QString &topic)
    {
        return m_channels.setTopic(channel, topic);
    }
    bool setChannelReadOnly(const QString &channel, bool readOnly)
    {
        return m_channels.setReadOnly(channel, readOnly);
    }
    bool setChannelRole(const QString &channel, ChannelRecord::Role role)
    {
        return m_channels.setRole(channel, role);
    }
    std::optional<ChannelRecord> channel(const QString &name) const { return m_channels.channel(name); }
    // Channels, most recently active first (then by name). joinedOnly: skip left ones.
    QList<ChannelRecord> channels(bool joinedOnly = true) const { return m_channels.channels(joinedOnly); }

    // ---- messages and sync state -----------------------------------------------------------
    using AppendResult = MessageTable::AppendResult;
    // Appends messages of one stream (a channel or "~<device_id>") in one transaction, together
    // with the stream's new committed max seq (and serverMaxSeq when non-zero). Messages with
    // seq <= the committed max are duplicates and skipped. The rest must be the seqs max+1,
    // max+2, … without a hole and all of this stream; otherwise nothing is written.
    // cryptoThrough: the crypto stage completed the rows up to this seq before they were stored
    // (their decryption results are in them); the stream's crypto cursor moves with them.
    AppendResult appendMessages(const QString &stream, const QList<StoredMessage> &messages,
                                quint64 serverMaxSeq = 0, quint64 cryptoThrough = 0)
    {
        return m_messages.append(stream, messages, serverMaxSeq, cryptoThrough);
    }
    // Committed max seq (0: nothing).
    quint64 maxSeq(const QString &stream) const { return m_streams.maxSeq(stream); }
    // Last reported by the gateway.
    quint64 serverMaxSeq(const QString &stream) const { return m_streams.serverMaxSeq(stream); }
    // Only raises it.
    bool setServerMaxSeq(const QString &stream, quint64 seq)
    {
        return m_streams.setServerMaxSeq(stream, seq);
    }
    // A device inbox whose rows up to seq the gateway deleted after this device acknowledged
    // them (its local copy lost since): the stream goes on after seq. Only raises max_seq.
    bool skipInboxTo(const QString &stream, quint64 seq) { return m_streams.skipInboxTo(stream, seq); }
    // Everything committed so far is on disk (a WAL checkpoint, which syncs): before telling the
    // gateway it may delete what this device holds.
    bool makeDurable() { return m_db.makeDurable(); }
    // How far InboundCrypto has processed the stream (its last seq handled; 0: nothing).
    quint64 cryptoCursor(const QString &stream) const { return m_streams.cryptoCursor(stream); }
    bool setCryptoCursor(const QString &stream, quint64 seq)
    {
        return m_streams.setCryptoCursor(stream, seq);
    }

    // Stored messages of the channel.
    quint64 count(const QString &channel) const { return m_messages.count(channel); }
    // 0 when empty.
    quint64 minSeq(const QString &channel) const { return m_messages.minSeq(channel); }
    // The newest message the message view shows (edits and deletions are not rows of it).
    quint64 maxVisibleSeq(const QString &channel) const { return m_messages.maxVisibleSeq(channel); }
    std::optional<StoredMessage> message(const QString &channel, quint64 seq) const
    {
        return m_messages.message(channel, seq);
    }
    std::optional<StoredMessage> latestMessage(const QString &channel) const
    {
        return m_messages.latestMessage(channel);
    }
    // Messages with fromSeq <= seq <= toSeq, ascending.
    QList<StoredMessage> page(const QString &channel, quint64 fromSeq, quint64 toSeq) const
    {
        return m_messages.page(channel, fromSeq, toSeq);
    }
    // rowsBefore, rowsAfter, countBefore and latestMessage leave out edits and deletions: they
    // show in the message they change (its text, StoredMessage::editSeq, deleted).
    // Up to limit messages just below beforeSeq (seq < beforeSeq), ascending.
    QList<StoredMessage> rowsBefore(const QString &channel, quint64 beforeSeq, int limit) const
    {
        return m_messages.rowsBefore(channel, beforeSeq, limit);
    }
    // Up to limit messages just above afterSeq (seq > afterSeq), ascending.
    QList<StoredMessage> rowsAfter(const QString &channel, quint64 afterSeq, int limit) const
    {
        return m_messages.rowsAfter(channel, afterSeq, limit);
    }
    // Number of stored messages with seq < seq (the row of seq in a full list).
    quint64 countBefore(const QString &channel, quint64 seq) const
    {
        return m_messages.countBefore(channel, seq);
    }

    // Nicks that wrote text messages in the channel, most recent first (mention completion).
    QStringList recentSenders(const QString &channel, int limit = 200) const
    {
        return m_messages.recentSenders(channel, limit);
    }

    // ---- local decryption results (schema 2) -------------------------------------------------
    // Records what this device made of an encrypted message; a Decrypted text is indexed for
    // search. Local only: never sent anywhere. A decrypted edit or deletion is applied to its
    // target in the same transaction (*amendedSeq: the target's seq, 0 when none changed).
    // An attachment's decryption yields its AttachmentContent (`attachment`, kept only when it
    // names the message's upload) and caption (plainText).
    // See MessageTable::SignedModeratorCheck.
    void setSignedModeratorCheck(MessageTable::SignedModeratorCheck check)
    {
        m_messages.setSignedModeratorCheck(std::move(check));
    }
    bool setDecryption(const QString &channel, quint64 seq, StoredMessage::CryptoState state,
                       const QString &plainText, const QString &reason, quint64 *amendedSeq = nullptr,
                       const QByteArray &attachment = {}, qint64 senderTimeMs = 0)
    {
        return m_messages.setDecryption(channel, seq, state, plainText, reason, amendedSeq, attachment,
                                        senderTimeMs);
    }

    // ---- read positions --------------------------------------------------------------------
    quint64 readSeq(const QString &channel) const { return m_readPositions.readSeq(channel); }
    // Raises the read position (never lowers it). Returns true when it moved. synced=false marks
    // it as still to be told to the gateway (see unsyncedReadPositions()).
    bool setReadSeq(const QString &channel, quint64 seq, bool synced = true)
    {
        return m_readPositions.setReadSeq(channel, seq, synced);
    }
    QList<QPair<QString, quint64>> unsyncedReadPositions() const { return m_readPositions.unsynced(); }
    bool markReadPositionSynced(const QString &channel, quint64 seq)
    {
        return m_readPositions.markSynced(channel, seq);
    }
    // Text messages from others above the read position.
    quint64 unreadCount(const QString &channel) const
    {
        return m_readPositions.unreadCount(channel, m_ownNick);
    }
    // How many of the rows fromSeq..toSeq count in unreadCount().
    quint64 unreadCountIn(const QString &channel, quint64 fromSeq, quint64 toSeq) const
    {
        return m_readPositions.unreadCountIn(channel, fromSeq, toSeq, m_ownNick);
    }
    // The first unread message's seq (for the "new messages" marker); 0 when all read.
    quint64 firstUnreadSeq(const QString &channel) const
    {
        return m_readPositions.firstUnreadSeq(channel, m_ownNick);
    }
    // How far the other side of the channel has read it (its read receipts; 0: unknown).
    quint64 peerReadSeq(const QString &channel) const { return m_readPositions.peerReadSeq(channel); }
    bool setPeerReadSeq(const QString &channel, quint64 seq)
    {
        return m_readPositions.setPeerReadSeq(channel, seq);
    }

    // ---- search ----------------------------------------------------------------------------
    // Full-text search (FTS5) over text messages; every word must match (prefix match), newest
    // first. Operators in the query are taken literally, so any input is safe.
    // Until what was committed is in the search index, built on its own thread (SearchIndex);
    // false after timeoutMs or without an index.
    bool waitForSearchIndex(int timeoutMs) { return m_db.waitForSearch(timeoutMs); }
    QList<SearchHit> search(const QString &query, int limit = 100, const QString &channel = {}) const
    {
        return m_messages.search(query, limit, channel);
    }

    // ---- drafts ----------------------------------------------------------------------------
    QString draft(const QString &channel) const { return m_drafts.draft(channel); }
    // Empty text removes it.
    bool setDraft(const QString &channel, const QString &text) { return m_drafts.setDraft(channel, text); }

    // ---- outbox ----------------------------------------------------------------------------
    // Returns the new entry's id (> 0), or 0 on failure.
    // plainText: for encrypted entries, the text as written (local only, for display).
    qint64 addOutbox(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body,
                     MessageKind kind = MessageKind::Text, bool encrypted = false,
                     const QString &plainText = {}, quint64 refSeq = 0, const QString &attachmentId = {})
    {
        return m_outbox.add(channel, clientMsgId, body, kind, encrypted, plainText, refSeq, attachmentId);
    }
    std::optional<OutboxEntry> outboxEntry(qint64 id) const { return m_outbox.entry(id); }
    // The oldest pending.
    std::optional<OutboxEntry> nextPending() const { return m_outbox.nextPending(); }
    // Entries of a channel (all channels when empty) in the given states, oldest first.
    QList<OutboxEntry> outbox(const QString &channel = {}, QList<OutboxEntry::State> states = {}) const
    {
        return m_outbox.entries(channel, states);
    }
    bool markOutboxSent(qint64 id, quint64 seq) { return m_outbox.markSent(id, seq); }
    bool markOutboxFailed(qint64 id, const QString &reason) { return m_outbox.markFailed(id, reason); }
    bool markOutboxPending(qint64 id) { return m_outbox.markPending(id); }

    // ---- attachments on their way out (schema 4) ---------------------------------------------
    // A file being prepared or uploaded (UploadTable::PendingUpload).
    using PendingUpload = UploadTable::PendingUpload;
    // 0 on failure.
    qint64 addUpload(const PendingUpload &upload) { return m_uploads.add(upload); }
    bool setUploadStaged(qint64 id, const QString &stagedPath, const QByteArray &content)
    {
        return m_uploads.setStaged(id, stagedPath, content);
    }
    bool setUploadId(qint64 id, const QString &uploadId) { return m_uploads.setUploadId(id, uploadId); }
    bool removeUpload(qint64 id) { return m_uploads.remove(id); }
    std::optional<PendingUpload> upload(qint64 id) const { return m_uploads.upload(id); }
    QList<PendingUpload> uploads() const { return m_uploads.uploads(); }

    // Where this device keeps the file of an attachment (downloaded, or sent from here).
    QString attachmentFile(const QString &attachmentId) const
    {
        return m_uploads.attachmentFile(attachmentId);
    }
    bool setAttachmentFile(const QString &attachmentId, const QString &path)
    {
        return m_uploads.setAttachmentFile(attachmentId, path);
    }
    bool removeAttachmentFile(const QString &attachmentId)
    {
        return m_uploads.removeAttachmentFile(attachmentId);
    }

private:
    HistoryDb m_db;
    StreamTable m_streams{m_db};
    ChannelTable m_channels{m_db, m_streams};
    MessageTable m_messages{m_db, m_streams};
    ReadPositionTable m_readPositions{m_db};
    OutboxTable m_outbox{m_db};
    UploadTable m_uploads{m_db};
    DraftTable m_drafts{m_db};
    ProfileSettings m_settings{m_db};
    QString m_ownNick;
};

} // namespace hchat
