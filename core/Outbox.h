#pragma once

#include "Backoff.h"
#include "OutboxEntry.h"

#include <QObject>
#include <QTimer>

namespace hchat {

class HistoryStore;
class PushChannel;

// Messages the user wrote, kept in the HistoryStore until the gateway acknowledges them.
// enqueue() stores a pending entry with a fresh 16-byte client_msg_id; while the push channel is
// connected, pending entries are sent one at a time, oldest first, so they arrive in the order
// written. An ack marks the entry sent (with its seq). A refusal that cannot get better (not a
// member, too large, invalid) marks it failed with a readable reason (retry() makes it pending
// again); a transient refusal or an unknown outcome (link dropped, no answer) leaves it pending and
// it is resent later with the same client_msg_id, which the gateway deduplicates.
class Outbox : public QObject {
    Q_OBJECT
public:
    Outbox(HistoryStore *store, PushChannel *push, QObject *parent = nullptr);

    // Returns the entry id (> 0), or 0 with *error set (e.g. body too large, store failure).
    qint64 enqueue(const QString &channel, const QByteArray &body, MessageKind kind = MessageKind::Text,
                   bool encrypted = false, QString *error = nullptr);
    // With a given client_msg_id (an encrypted body binds it) and, for encrypted entries, the
    // text as written (kept locally for display).
    qint64 enqueue(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body, MessageKind kind,
                   bool encrypted, const QString &plainText, QString *error = nullptr);
    // A reply (Text), an edit or a deletion: refSeq names the message concerned. A plain
    // deletion has an empty body.
    qint64 enqueueReferring(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body,
                            MessageKind kind, quint64 refSeq, bool encrypted, const QString &plainText,
                            QString *error = nullptr, const QString &attachmentId = {});
    bool retry(qint64 id);   // a failed entry becomes pending and is sent when possible
    bool isSending() const { return m_inFlight != 0; }
    Backoff &backoff() { return m_backoff; }

    static QByteArray newClientMsgId();

public slots:
    void flush();            // send what is pending (called when the link is up)

signals:
    void entryChanged(qint64 id, const QString &channel, hchat::OutboxEntry::State state);
    void sent(qint64 id, const QString &channel, quint64 seq);
    void failed(qint64 id, const QString &channel, const QString &reason);

private:
    void sendNext();

    HistoryStore *m_store;
    PushChannel *m_push;
    qint64 m_inFlight = 0;
    QTimer m_retryTimer;
    Backoff m_backoff{std::chrono::milliseconds(250), std::chrono::seconds(15)};
};

} // namespace hchat
