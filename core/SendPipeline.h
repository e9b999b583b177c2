#pragma once

#include "AttachmentTransfers.h"
#include "HistoryStore.h"
#include "StoredMessage.h"
#include "crypto/ChannelCrypto.h"

#include <QObject>

namespace hchat {

class AccountSession;
class InboundCrypto;
class Outbox;

// The outbound path: what the user writes (text, replies, edits, deletions, and the messages of
// finished uploads) → checks → encryption and key shares in encrypted channels → the Outbox,
// which sends it over the push channel when connected. Text and attachments share enqueue().
class SendPipeline : public QObject {
    Q_OBJECT
public:
    SendPipeline(HistoryStore *store, Outbox *outbox, crypto::ChannelCrypto *crypto, InboundCrypto *inbound,
                 AttachmentTransfers *transfers, const AccountSession *account, QObject *parent = nullptr);

    qint64 sendMessage(const QString &channel, const QString &text, QString *error);
    qint64 sendReply(const QString &channel, const QString &text, quint64 replyToSeq, QString *error);
    qint64 editMessage(const QString &channel, quint64 seq, const QString &text, QString *error);
    qint64 deleteMessage(const QString &channel, quint64 seq, QString *error);
    // A moderator's deletion of someone else's message in an end-to-end encrypted channel: a
    // signed deletion like the sender's own, which members' clients honour because the channel's
    // signed membership makes this user an owner or moderator.
    qint64 deleteOthersMessage(const QString &channel, quint64 seq, QString *error);
    qint64 sendAttachment(const QString &channel, const QString &filePath, const QString &caption,
                          const AttachmentTransfers::Preview &preview, quint64 replyToSeq, QString *error);

signals:
    // Something about an encrypted send the user should see (e.g. devices with blocked keys).
    void encryptionWarning(const QString &channel, const QString &message);
    // The keys of nick's devices are needed to share a message key with them.
    void keysWanted(const QString &nick);

private:
    qint64 enqueueText(const QString &channel, const QString &text, MessageKind kind, quint64 refSeq,
                       QString *error);
    bool enqueueAttachment(const HistoryStore::PendingUpload &upload, const AttachmentInfo &info,
                           QString *error);
    // The one path into the outbox: encrypted (with its key shares queued first) when encrypt.
    qint64 enqueue(const QString &channel, const QByteArray &clientMsgId, const QByteArray &payload,
                   MessageKind kind, quint64 refSeq, bool encrypt, const QString &shownText,
                   const QString &attachmentId, QString *error);
    void queueKeyShares(const QString &channel, const crypto::ChannelCrypto::Outgoing &out);
    bool checkOwnMessage(const QString &channel, quint64 seq, QString *error) const;

    HistoryStore *m_store;
    Outbox *m_outbox;
    crypto::ChannelCrypto *m_crypto;
    InboundCrypto *m_inbound;
    AttachmentTransfers *m_transfers;
    const AccountSession *m_account;
};

} // namespace hchat
