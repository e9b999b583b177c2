#include "InboxAcknowledger.h"

#include "CoreLogging.h"
#include "HistoryStore.h"
#include "PushChannel.h"
#include "SyncEngine.h"
#include "hchat.pb.h"

namespace hchat {

InboxAcknowledger::InboxAcknowledger(HistoryStore *store, PushChannel *push, SyncEngine *engine,
                                     QObject *parent)
    : QObject(parent), m_store(store), m_push(push), m_engine(engine)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(200);
    connect(&m_timer, &QTimer::timeout, this, &InboxAcknowledger::acknowledge);
    connect(engine, &SyncEngine::inboxStored, this, [this] {
        if (!m_timer.isActive())
            m_timer.start();
    });
    connect(engine, &SyncEngine::catchUpFinished, this, [this] { m_timer.start(); });
}

void InboxAcknowledger::sessionStarted()
{
    m_ackedSeq = 0;
    m_timer.start();
}

void InboxAcknowledger::acknowledge()
{
    const QString inbox = m_engine->inboxStream();
    if (inbox.isEmpty() || !m_push->isConnected() || m_engine->isCatchingUp())
        return;
    const quint64 held = m_store->maxSeq(inbox);
    if (held <= m_ackedSeq || !m_store->makeDurable())
        return;
    hchat::v1::Frame f;
    f.mutable_mark_read()->set_channel(inbox.toStdString());
    f.mutable_mark_read()->set_seq(held);
    m_ackedSeq = held;
    m_push->sendRequest(f, [this](const hchat::v1::Frame &answer) {
        if (answer.has_error()) {
            qCWarning(lcClient).noquote() << "the gateway refused the inbox acknowledgement:"
                                          << QString::fromStdString(answer.error().message());
            m_ackedSeq = 0;
        }
    });
}

} // namespace hchat
