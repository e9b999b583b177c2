#include "Outbox.h"

#include "CoreLogging.h"
#include "HistoryStore.h"
#include "Limits.h"
#include "PushChannel.h"

#include <sodium.h>

namespace hchat {

namespace {

bool isPermanent(hchat::v1::ErrorCode code)
{
    switch (code) {
    case hchat::v1::ERROR_NOT_MEMBER:
    case hchat::v1::ERROR_TOO_LARGE:
    case hchat::v1::ERROR_INVALID_ARGUMENT:
    case hchat::v1::ERROR_NO_SUCH_CHANNEL:
    case hchat::v1::ERROR_FORBIDDEN:
    case hchat::v1::ERROR_MALFORMED:
    case hchat::v1::ERROR_INVALID_NAME:
    case hchat::v1::ERROR_UNKNOWN_FRAME:
    case hchat::v1::ERROR_LIMIT_ABOVE_CAP: // a quota: sending the same again cannot succeed soon
        return true;
    default:
        return false;
    }
}

QString readableReason(const hchat::v1::Error &e)
{
    switch (e.code()) {
    case hchat::v1::ERROR_NOT_MEMBER:
        return Outbox::tr("You are not a member of this channel.");
    case hchat::v1::ERROR_TOO_LARGE:
        return Outbox::tr("The message is too large.");
    case hchat::v1::ERROR_NO_SUCH_CHANNEL:
        return Outbox::tr("The channel does not exist.");
    case hchat::v1::ERROR_FORBIDDEN:
        return Outbox::tr("You may not write in this channel.");
    default:
        return e.message().empty() ? Outbox::tr("The gateway refused the message.")
                                   : QString::fromStdString(e.message());
    }
}

} // namespace

Outbox::Outbox(HistoryStore *store, PushChannel *push, QObject *parent)
    : QObject(parent), m_store(store), m_push(push)
{
    if (sodium_init() < 0)
        qCCritical(lcOutbox) << "libsodium failed to initialise";
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &Outbox::flush);
    connect(m_push, &PushChannel::welcomed, this, [this] {
        m_backoff.reset();
        flush();
    });
}

QByteArray Outbox::newClientMsgId()
{
    QByteArray id(static_cast<qsizetype>(limits::kClientMsgIdBytes), Qt::Uninitialized);
    randombytes_buf(id.data(), static_cast<size_t>(id.size()));
    return id;
}

qint64 Outbox::enqueue(const QString &channel, const QByteArray &body, MessageKind kind, bool encrypted,
                       QString *error)
{
    return enqueue(channel, newClientMsgId(), body, kind, encrypted, QString(), error);
}

qint64 Outbox::enqueue(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body,
                       MessageKind kind, bool encrypted, const QString &plainText, QString *error)
{
    return enqueueReferring(channel, clientMsgId, body, kind, 0, encrypted, plainText, error);
}

qint64 Outbox::enqueueReferring(const QString &channel, const QByteArray &clientMsgId, const QByteArray &body,
                                MessageKind kind, quint64 refSeq, bool encrypted, const QString &plainText,
                                QString *error, const QString &attachmentId)
{
    auto setError = [error](const QString &e) {
        if (error)
            *error = e;
    };
    if (channel.isEmpty()) {
        setError(tr("No channel given."));
        return 0;
    }
    if ((kind == MessageKind::Edit || kind == MessageKind::Delete) && refSeq == 0) {
        setError(tr("No message given to change."));
        return 0;
    }
    if (body.isEmpty() && !(kind == MessageKind::Delete && !encrypted)) {
        setError(tr("The message is empty."));
        return 0;
    }
    if (static_cast<std::size_t>(body.size()) > limits::kMaxMessageBodyBytes) {
        setError(tr("The message is too large (%1 bytes; at most %2).")
                     .arg(body.size())
                     .arg(limits::kMaxMessageBodyBytes));
        return 0;
    }
    if (kind == MessageKind::Attachment && attachmentId.isEmpty()) {
        setError(tr("No attachment given."));
        return 0;
    }
    const qint64 id =
        m_store->addOutbox(channel, clientMsgId, body, kind, encrypted, plainText, refSeq, attachmentId);
    if (id == 0) {
        setError(tr("Could not save the message: %1").arg(m_store->lastError()));
        return 0;
    }
    qCDebug(lcOutbox) << "pending" << id << channel;
    emit entryChanged(id, channel, OutboxEntry::State::Pending);
    flush();
    return id;
}

bool Outbox::retry(qint64 id)
{
    const auto e = m_store->outboxEntry(id);
    if (!e || e->state != OutboxEntry::State::Failed)
        return false;
    if (!m_store->markOutboxPending(id))
        return false;
    emit entryChanged(id, e->channel, OutboxEntry::State::Pending);
    flush();
    return true;
}

void Outbox::flush()
{
    if (m_inFlight != 0 || !m_push->isConnected())
        return;
    sendNext();
}

void Outbox::sendNext()
{
    if (!m_push->isConnected())
        return;
    const auto next = m_store->nextPending();
    if (!next)
        return;
    // Signed membership operations and key shares are never encrypted as a whole.
    if (!next->encrypted && next->kind != MessageKind::KeyShare && next->kind != MessageKind::Membership) {
        // Written in the clear before its channel became end-to-end encrypted: it stays here.
        const auto rec = m_store->channel(next->channel);
        if (rec && rec->encrypted) {
            const QString reason =
                tr("Not sent: %1 is end-to-end encrypted now. Send it again.").arg(next->channel);
            qCWarning(lcOutbox).noquote()
                << "plaintext message" << next->id << "to" << next->channel << "held back";
            m_store->markOutboxFailed(next->id, reason);
            emit entryChanged(next->id, next->channel, OutboxEntry::State::Failed);
            emit failed(next->id, next->channel, reason);
            sendNext();
            return;
        }
    }
    hchat::v1::Frame frame;
    auto *send = frame.mutable_send();
    send->set_channel(next->channel.toStdString());
    send->set_client_msg_id(next->clientMsgId.toStdString());
    send->set_body(next->body.toStdString());
    send->set_encrypted(next->encrypted);
    send->set_kind(static_cast<hchat::v1::MessageKind>(next->kind));
    send->set_ref_seq(next->refSeq);
    send->set_attachment_id(next->attachmentId.toStdString());
    const qint64 id = next->id;
    const QString channel = next->channel;
    m_inFlight = id;
    const quint64 rid = m_push->sendRequest(frame, [this, id, channel](const hchat::v1::Frame &answer) {
        m_inFlight = 0;
        if (answer.has_send_ack()) {
            const quint64 seq = answer.send_ack().seq();
            m_store->markOutboxSent(id, seq);
            m_backoff.reset();
            qCDebug(lcOutbox) << "sent" << id << "as" << channel << seq
                              << (answer.send_ack().duplicate() ? "(duplicate)" : "");
            emit entryChanged(id, channel, OutboxEntry::State::Sent);
            emit sent(id, channel, seq);
            sendNext();
            return;
        }
        const hchat::v1::Error err = answer.has_error() ? answer.error() : hchat::v1::Error();
        if (answer.has_error() && isPermanent(err.code())) {
            const QString reason = readableReason(err);
            qCWarning(lcOutbox).noquote() << "message" << id << "to" << channel << "failed:" << reason;
            m_store->markOutboxFailed(id, reason);
            emit entryChanged(id, channel, OutboxEntry::State::Failed);
            emit failed(id, channel, reason);
            sendNext();
            return;
        }
        // Transient or unknown outcome: stays pending; resent later with the same client_msg_id.
        const auto delay = m_backoff.next();
        qCInfo(lcOutbox).noquote() << "message" << id << "not acknowledged ("
                                   << QString::fromStdString(err.message()) << "); retrying in"
                                   << delay.count() << "ms";
        m_retryTimer.start(delay);
    });
    if (rid == 0)
        m_inFlight = 0;
}

} // namespace hchat
