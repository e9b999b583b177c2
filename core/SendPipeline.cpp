#include "SendPipeline.h"

#include "AccountSession.h"
#include "CoreLogging.h"
#include "InboundCrypto.h"
#include "Outbox.h"

namespace hchat {

namespace {
qint64 fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return 0;
}
} // namespace

SendPipeline::SendPipeline(HistoryStore *store, Outbox *outbox, crypto::ChannelCrypto *crypto,
                           InboundCrypto *inbound, AttachmentTransfers *transfers,
                           const AccountSession *account, QObject *parent)
    : QObject(parent), m_store(store), m_outbox(outbox), m_crypto(crypto), m_inbound(inbound),
      m_transfers(transfers), m_account(account)
{
    m_transfers->setMessageSender([this](const HistoryStore::PendingUpload &upload,
                                         const AttachmentInfo &info,
                                         QString *error) { return enqueueAttachment(upload, info, error); });
}

qint64 SendPipeline::sendMessage(const QString &channel, const QString &text, QString *error)
{
    return enqueueText(channel, text, MessageKind::Text, 0, error);
}

qint64 SendPipeline::sendReply(const QString &channel, const QString &text, quint64 replyToSeq,
                               QString *error)
{
    if (replyToSeq == 0 || !m_store->message(channel, replyToSeq))
        return fail(error, tr("The message you reply to is not in this channel."));
    return enqueueText(channel, text, MessageKind::Text, replyToSeq, error);
}

qint64 SendPipeline::editMessage(const QString &channel, quint64 seq, const QString &text, QString *error)
{
    if (!checkOwnMessage(channel, seq, error))
        return 0;
    return enqueueText(channel, text, MessageKind::Edit, seq, error);
}

qint64 SendPipeline::deleteMessage(const QString &channel, quint64 seq, QString *error)
{
    if (!checkOwnMessage(channel, seq, error))
        return 0;
    return enqueueText(channel, {}, MessageKind::Delete, seq, error);
}

qint64 SendPipeline::deleteOthersMessage(const QString &channel, quint64 seq, QString *error)
{
    const auto rec = m_store->channel(channel);
    const auto m = m_store->message(channel, seq);
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    const QString me = m_account->nick();
    if (!rec || !rec->encrypted)
        return fail(
            error,
            tr("%1 is not end-to-end encrypted: its moderators delete through the server.").arg(channel));
    if (!m || !m->isChat())
        return fail(error, tr("There is no such message to delete."));
    if (m->deleted)
        return fail(error, tr("That message was deleted."));
    if (m->sender.compare(me, Qt::CaseInsensitive) == 0)
        return deleteMessage(channel, seq, error);
    if (!m_crypto->isOpen())
        return fail(error, tr("End-to-end encryption is not ready on this device yet."));
    if (!membership || !membership->hasGenesis() || membership->isLegacy() ||
        membership->role(me) == crypto::MembershipOp::Role::Member)
        return fail(error, tr("Only the channel's owner and moderators may delete others' messages, and "
                              "in %1 the members' own signed records do not make you one.")
                               .arg(channel));
    return enqueueText(channel, {}, MessageKind::Delete, seq, error);
}

bool SendPipeline::checkOwnMessage(const QString &channel, quint64 seq, QString *error) const
{
    const auto m = m_store->message(channel, seq);
    QString why;
    if (!m || !m->isChat())
        why = tr("There is no such message to change.");
    else if (m->sender.compare(m_account->nick(), Qt::CaseInsensitive) != 0)
        why = tr("Only your own messages can be edited or deleted.");
    else if (m->deleted)
        why = tr("That message was deleted.");
    if (why.isEmpty())
        return true;
    fail(error, why);
    return false;
}

qint64 SendPipeline::enqueueText(const QString &channel, const QString &text, MessageKind kind,
                                 quint64 refSeq, QString *error)
{
    const auto rec = m_store->channel(channel);
    if (!rec)
        return fail(error, tr("No channel %1.").arg(channel));
    if (rec->encrypted && text.isEmpty() && kind != MessageKind::Delete)
        return fail(error, tr("The message is empty."));
    return enqueue(channel, Outbox::newClientMsgId(), text.toUtf8(), kind, refSeq, rec->encrypted,
                   rec->encrypted ? text : QString(), {}, error);
}

qint64 SendPipeline::sendAttachment(const QString &channel, const QString &filePath, const QString &caption,
                                    const AttachmentTransfers::Preview &preview, quint64 replyToSeq,
                                    QString *error)
{
    const auto rec = m_store->channel(channel);
    if (!rec)
        return fail(error, tr("No channel %1.").arg(channel));
    if (rec->encrypted && !m_crypto->isOpen())
        return fail(error, tr("End-to-end encryption is not ready on this device yet."));
    return m_transfers->startUpload(channel, filePath, caption, rec->encrypted, replyToSeq, preview, error);
}

// The upload is at the gateway: its message goes into the outbox with the client_msg_id chosen
// when the upload began, so a second hand-over after a crash adds nothing.
bool SendPipeline::enqueueAttachment(const HistoryStore::PendingUpload &upload, const AttachmentInfo &info,
                                     QString *error)
{
    for (const OutboxEntry &e : m_store->outbox(upload.channel))
        if (e.clientMsgId == upload.clientMsgId)
            return true;
    const auto rec = m_store->channel(upload.channel);
    if (!upload.encrypted && (!rec || rec->encrypted))
        // Staged in the clear for a channel that has been encrypted since: its description must
        // not follow in the clear.
        return fail(error, tr("%1 is end-to-end encrypted now; send the file again.").arg(upload.channel));
    return enqueue(upload.channel, upload.clientMsgId, info.serialize(), MessageKind::Attachment,
                   upload.refSeq, upload.encrypted, info.caption, info.id, error) != 0;
}

qint64 SendPipeline::enqueue(const QString &channel, const QByteArray &clientMsgId, const QByteArray &payload,
                             MessageKind kind, quint64 refSeq, bool encrypt, const QString &shownText,
                             const QString &attachmentId, QString *error)
{
    if (!encrypt)
        return m_outbox->enqueueReferring(channel, clientMsgId, payload, kind, refSeq, false, shownText,
                                          error, attachmentId);
    if (!m_crypto->isOpen())
        return fail(error, tr("End-to-end encryption is not ready on this device yet."));
    m_inbound->process(channel); // membership up to date before choosing recipients
    const crypto::ChannelCrypto::Outgoing out =
        m_crypto->encryptBytesForSend(channel, clientMsgId, payload, kind, refSeq, attachmentId);
    if (!out.ok)
        return fail(error, out.error);
    queueKeyShares(channel, out);
    return m_outbox->enqueueReferring(channel, clientMsgId, out.body, kind, refSeq, true, shownText, error,
                                      attachmentId);
}

// Key shares go before the message they unlock: the outbox sends oldest first, so each member
// device holds the key before the message arrives.
void SendPipeline::queueKeyShares(const QString &channel, const crypto::ChannelCrypto::Outgoing &out)
{
    for (const auto &share : out.shares) {
        QString e;
        if (m_outbox->enqueue(share.stream, share.clientMsgId, share.body, MessageKind::KeyShare, false, {},
                              &e) == 0)
            qCWarning(lcClient).noquote()
                << "could not queue a key share for" << share.recipientDevice << ":" << e;
    }
    for (const QString &nick : out.missingKeys)
        emit keysWanted(nick);
    if (!out.blockedDevices.isEmpty())
        emit encryptionWarning(channel,
                               tr("Not shared with %1: the key changed or the device is new. Check and "
                                  "accept it to include it.")
                                   .arg(out.blockedDevices.join(QStringLiteral(", "))));
}

} // namespace hchat
