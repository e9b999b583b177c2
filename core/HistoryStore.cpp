#include "HistoryStore.h"

namespace hchat {

HistoryStore::HistoryStore(QObject *parent) : QObject(parent) {}

HistoryStore::~HistoryStore()
{
    close();
}

bool HistoryStore::open(const QString &path, crypto::SecureBuffer key)
{
    return m_db.open(path, std::move(key));
}

void HistoryStore::close()
{
    m_db.close();
}

bool HistoryStore::beginBatch()
{
    return m_db.beginBatch();
}

bool HistoryStore::endBatch()
{
    return m_db.endBatch();
}

bool HistoryStore::makeDurable()
{
    return m_db.makeDurable();
}

// ---- profile settings ----------------------------------------------------------------------

QString HistoryStore::value(const QString &key, const QString &defaultValue) const
{
    return m_settings.value(key, defaultValue);
}

bool HistoryStore::setValue(const QString &key, const QString &value)
{
    return m_settings.setValue(key, value);
}

// ---- channels ------------------------------------------------------------------------------

bool HistoryStore::upsertChannel(const ChannelRecord &channel)
{
    return m_channels.upsert(channel);
}

bool HistoryStore::setChannelJoined(const QString &channel, bool joined)
{
    return m_channels.setJoined(channel, joined);
}

bool HistoryStore::setChannelMembers(const QString &channel, const QStringList &members)
{
    return m_channels.setMembers(channel, members);
}

bool HistoryStore::setMuted(const QString &channel, bool muted)
{
    return m_channels.setMuted(channel, muted);
}

std::optional<ChannelRecord> HistoryStore::channel(const QString &name) const
{
    return m_channels.channel(name);
}

QList<ChannelRecord> HistoryStore::channels(bool joinedOnly) const
{
    return m_channels.channels(joinedOnly);
}

// ---- streams -------------------------------------------------------------------------------

quint64 HistoryStore::maxSeq(const QString &stream) const
{
    return m_streams.maxSeq(stream);
}

quint64 HistoryStore::serverMaxSeq(const QString &stream) const
{
    return m_streams.serverMaxSeq(stream);
}

bool HistoryStore::setServerMaxSeq(const QString &stream, quint64 seq)
{
    return m_streams.setServerMaxSeq(stream, seq);
}

bool HistoryStore::skipInboxTo(const QString &stream, quint64 seq)
{
    return m_streams.skipInboxTo(stream, seq);
}

// ---- messages ------------------------------------------------------------------------------

HistoryStore::AppendResult HistoryStore::appendMessages(const QString &stream,
                                                        const QList<StoredMessage> &messages,
                                                        quint64 serverMaxSeq)
{
    return m_messages.append(stream, messages, serverMaxSeq);
}

bool HistoryStore::setDecryption(const QString &channel, quint64 seq, StoredMessage::CryptoState state,
                                 const QString &plainText, const QString &reason, quint64 *amendedSeq,
                                 const QByteArray &attachment, qint64 senderTimeMs)
{
    return m_messages.setDecryption(channel, seq, state, plainText, reason, amendedSeq, attachment,
                                    senderTimeMs);
}

quint64 HistoryStore::count(const QString &channel) const
{
    return m_messages.count(channel);
}

quint64 HistoryStore::minSeq(const QString &channel) const
{
    return m_messages.minSeq(channel);
}

quint64 HistoryStore::maxVisibleSeq(const QString &channel) const
{
    return m_messages.maxVisibleSeq(channel);
}

std::optional<StoredMessage> HistoryStore::message(const QString &channel, quint64 seq) const
{
    return m_messages.message(channel, seq);
}

std::optional<StoredMessage> HistoryStore::latestMessage(const QString &channel) const
{
    return m_messages.latestMessage(channel);
}

QList<StoredMessage> HistoryStore::page(const QString &channel, quint64 fromSeq, quint64 toSeq) const
{
    return m_messages.page(channel, fromSeq, toSeq);
}

QList<StoredMessage> HistoryStore::rowsBefore(const QString &channel, quint64 beforeSeq, int limit) const
{
    return m_messages.rowsBefore(channel, beforeSeq, limit);
}

QList<StoredMessage> HistoryStore::rowsAfter(const QString &channel, quint64 afterSeq, int limit) const
{
    return m_messages.rowsAfter(channel, afterSeq, limit);
}

quint64 HistoryStore::countBefore(const QString &channel, quint64 seq) const
{
    return m_messages.countBefore(channel, seq);
}

QStringList HistoryStore::recentSenders(const QString &channel, int limit) const
{
    return m_messages.recentSenders(channel, limit);
}

QList<SearchHit> HistoryStore::search(const QString &query, int limit, const QString &channel) const
{
    return m_messages.search(query, limit, channel);
}

// ---- read positions ------------------------------------------------------------------------

quint64 HistoryStore::readSeq(const QString &channel) const
{
    return m_readPositions.readSeq(channel);
}

bool HistoryStore::setReadSeq(const QString &channel, quint64 seq, bool synced)
{
    return m_readPositions.setReadSeq(channel, seq, synced);
}

QList<QPair<QString, quint64>> HistoryStore::unsyncedReadPositions() const
{
    return m_readPositions.unsynced();
}

bool HistoryStore::markReadPositionSynced(const QString &channel, quint64 seq)
{
    return m_readPositions.markSynced(channel, seq);
}

quint64 HistoryStore::unreadCount(const QString &channel) const
{
    return m_readPositions.unreadCount(channel, m_ownNick);
}

quint64 HistoryStore::firstUnreadSeq(const QString &channel) const
{
    return m_readPositions.firstUnreadSeq(channel, m_ownNick);
}

// ---- drafts --------------------------------------------------------------------------------

QString HistoryStore::draft(const QString &channel) const
{
    return m_drafts.draft(channel);
}

bool HistoryStore::setDraft(const QString &channel, const QString &text)
{
    return m_drafts.setDraft(channel, text);
}

// ---- outbox --------------------------------------------------------------------------------

qint64 HistoryStore::addOutbox(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body,
                               MessageKind kind, bool encrypted, const QString &plainText, quint64 refSeq,
                               const QString &attachmentId)
{
    return m_outbox.add(channel, clientMsgId, body, kind, encrypted, plainText, refSeq, attachmentId);
}

std::optional<OutboxEntry> HistoryStore::outboxEntry(qint64 id) const
{
    return m_outbox.entry(id);
}

std::optional<OutboxEntry> HistoryStore::nextPending() const
{
    return m_outbox.nextPending();
}

QList<OutboxEntry> HistoryStore::outbox(const QString &channel, QList<OutboxEntry::State> states) const
{
    return m_outbox.entries(channel, states);
}

bool HistoryStore::markOutboxSent(qint64 id, quint64 seq)
{
    return m_outbox.markSent(id, seq);
}

bool HistoryStore::markOutboxFailed(qint64 id, const QString &reason)
{
    return m_outbox.markFailed(id, reason);
}

bool HistoryStore::markOutboxPending(qint64 id)
{
    return m_outbox.markPending(id);
}

// ---- attachments -----------------------------------------------------------------------------

qint64 HistoryStore::addUpload(const PendingUpload &upload)
{
    return m_uploads.add(upload);
}

bool HistoryStore::setUploadStaged(qint64 id, const QString &stagedPath, const QByteArray &content)
{
    return m_uploads.setStaged(id, stagedPath, content);
}

bool HistoryStore::setUploadId(qint64 id, const QString &uploadId)
{
    return m_uploads.setUploadId(id, uploadId);
}

bool HistoryStore::removeUpload(qint64 id)
{
    return m_uploads.remove(id);
}

std::optional<HistoryStore::PendingUpload> HistoryStore::upload(qint64 id) const
{
    return m_uploads.upload(id);
}

QList<HistoryStore::PendingUpload> HistoryStore::uploads() const
{
    return m_uploads.uploads();
}

QString HistoryStore::attachmentFile(const QString &attachmentId) const
{
    return m_uploads.attachmentFile(attachmentId);
}

bool HistoryStore::setAttachmentFile(const QString &attachmentId, const QString &path)
{
    return m_uploads.setAttachmentFile(attachmentId, path);
}

bool HistoryStore::removeAttachmentFile(const QString &attachmentId)
{
    return m_uploads.removeAttachmentFile(attachmentId);
}

} // namespace hchat
