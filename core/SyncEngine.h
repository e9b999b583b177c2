#pragma once

#include "CatchUpReport.h"
#include "HistoryStore.h"
#include "IncomingBatch.h"
#include "StoredMessage.h"
#include "SyncPuller.h"
#include "hchat.pb.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <vector>

namespace hchat {

// Merges pushed and pulled messages into the HistoryStore.
//  - Stores idempotently by (channel, seq): a seq at or below the committed max is a duplicate.
//  - A pushed seq above committed max + 1 is a gap: the pushed message is held in memory and the
//    gap is pulled; held messages are stored as soon as they are contiguous.
//  - After every (re)connect, beginCatchUp() pulls every joined channel and the device inbox from
//    committed max + 1 until has_more is false (each batch + new max in one transaction), then
//    emits exactly one catchUpFinished() report. A catch-up interrupted by a disconnect keeps
//    counting into the report of the next one.
//  - A sync response with a hole, for another channel, or otherwise inconsistent is rejected with
//    a clear error; nothing of it is stored, and the pull is retried.
class SyncEngine : public QObject {
    Q_OBJECT
public:
    SyncEngine(HistoryStore *store, SyncPuller *puller, QObject *parent = nullptr);

    void setOwnNick(const QString &nick) { m_ownNick = nick; }
    void setInboxStream(const QString &stream) { m_inbox = stream; } // "~<device_id>"
    QString inboxStream() const { return m_inbox; }
    // Stages that run, in the order added, on the new rows of a stream before they are stored
    // (in seq order), and may complete them (local decryption results): each row is written once.
    using BatchStage = std::function<void(IncomingBatch &batch)>;
    void addBatchStage(BatchStage stage) { m_batchStages.push_back(std::move(stage)); }
    // Stages that run, in the order added, on the rows just appended to a stream (in seq order)
    // before anyone is told about them.
    using InsertedStage = std::function<void(const QString &stream, const QList<StoredMessage> &inserted)>;
    void addInsertedStage(InsertedStage stage) { m_insertedStages.push_back(std::move(stage)); }
    // Senders the catch-up report leaves out (blocked users): asked when the report is made, so a
    // block that arrives during the catch-up counts too.
    using SenderFilter = std::function<bool(const QString &sender)>;
    void setHiddenSenders(SenderFilter hidden) { m_hiddenSenders = std::move(hidden); }

    void beginCatchUp(const hchat::v1::Welcome &welcome);
    void handlePush(const hchat::v1::Message &message);
    // ownJoin: the answer to this user's own Join, CreateChannel or acceptance (what the channel
    // held up to it is read); else a push (a direct channel or an invitation someone else made,
    // whose messages are news).
    void handleChannelJoined(const hchat::v1::ChannelInfo &channel, bool ownJoin = false);
    void handleReadPosition(const QString &channel, quint64 seq);
    void resyncAll(); // pull every stream again (after a frame that did not parse)
    void stop();      // link down: cancel pulls, forget held pushes (they will be pulled)

    bool isCatchingUp() const { return m_catchingUp; }
    int heldCount() const;
    quint64 gapsDetected() const { return m_gaps; }
    quint64 rejectedBatches() const { return m_rejected; }

signals:
    // Rows firstSeq..lastSeq of channel were stored (append at the end of the channel).
    void messagesStored(const QString &channel, quint64 firstSeq, quint64 lastSeq);
    // Rows were stored in this device's inbox (never shown).
    void inboxStored();
    // A message stored outside a catch-up (for live notifications). Includes one's own.
    void liveMessage(const hchat::StoredMessage &message);
    void catchUpStarted();
    void catchUpProgress(quint64 done, quint64 total);
    void catchUpFinished(const hchat::CatchUpReport &report);
    void channelsChanged();
    void readPositionChanged(const QString &channel, quint64 seq);
    // Stored messages whose shown text an edit or a deletion just changed.
    void messagesAmended(const QString &channel, const QList<quint64> &seqs);
    void gapDetected(const QString &channel, quint64 committedMax, quint64 pushedSeq);
    void syncError(const QString &message);

private:
    SyncPuller::SinkResult commitBatch(const QString &stream, quint64 fromSeq,
                                       const hchat::v1::SyncResponse &response);
    // Stores rows of stream (those above its committed max) through the batch stages, then tells.
    HistoryStore::AppendResult store(const QString &stream, const QList<StoredMessage> &rows,
                                     quint64 serverMaxSeq = 0);
    void onStored(const QString &stream, const QList<StoredMessage> &inserted);
    void drainHeld(const QString &stream);
    void onPullFinished(const QString &stream, quint64 maxSeq);
    void onPullFailed(const QString &stream, const QString &error, int code);
    void streamDone(const QString &stream);
    void finishCatchUp();
    void noteArrival(const QString &stream, const StoredMessage &m);
    void ensureChannel(const QString &name);
    void applyMembership(const StoredMessage &m);
    void saveChannel(const hchat::v1::ChannelInfo &info);

    HistoryStore *m_store;
    SyncPuller *m_puller;
    QString m_ownNick;
    QString m_inbox;
    std::vector<BatchStage> m_batchStages;
    std::vector<InsertedStage> m_insertedStages;
    QHash<QString, QMap<quint64, StoredMessage>> m_held;
    QHash<QString, int> m_repulls;
    bool m_catchingUp = false;
    QSet<QString> m_catchUpPending;
    QSet<QString> m_invitations; // channels of the last Welcome the user was invited to, not yet a member of
    quint64 m_progressDone = 0;
    quint64 m_progressTotal = 0;
    // What the catch-up brought, per channel and sender (in order of first appearance): the
    // report is summed from it without the hidden senders.
    QMap<QString, QList<CatchUpReport::Channel>> m_arrivals;
    SenderFilter m_hiddenSenders;
    quint64 m_gaps = 0;
    quint64 m_rejected = 0;
};

} // namespace hchat
