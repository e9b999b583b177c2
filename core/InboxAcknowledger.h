#pragma once

#include <QObject>
#include <QTimer>

namespace hchat {

class HistoryStore;
class PushChannel;
class SyncEngine;

// The device inbox (key shares and other rows for this device alone): once the rows this device
// holds are durable on disk, it tells the gateway, which then deletes them. Not during a catch-up
// (the checkpoint would compete with it): its end acknowledges everything at once.
class InboxAcknowledger : public QObject {
    Q_OBJECT
public:
    InboxAcknowledger(HistoryStore *store, PushChannel *push, SyncEngine *engine, QObject *parent = nullptr);

    // A new connection: acknowledge again, in case the last acknowledgement was lost.
    void sessionStarted();

private:
    void acknowledge();

    HistoryStore *m_store;
    PushChannel *m_push;
    SyncEngine *m_engine;
    QTimer m_timer;
    quint64 m_ackedSeq = 0; // the inbox seq last acknowledged in this connection
};

} // namespace hchat
