#pragma once

#include "crypto/MembershipOp.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace hchat {

class HistoryStore;
class Outbox;
namespace crypto {
class ChannelCrypto;
}

// Signs this device's membership operations (genesis, add, accept, leave, remove) and sends them
// through the outbox, so they survive a lost link or a restart like any message; `then` runs
// once the gateway stored the operation (or refused it). The Client sends a gateway request that
// stands for an operation (Invite, Leave) only after it, so that every member's client sees the
// signed operation before the gateway's row.
class MembershipPoster : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(bool ok, const QString &error)>;

    MembershipPoster(HistoryStore *store, Outbox *outbox, crypto::ChannelCrypto *crypto,
                     QObject *parent = nullptr);

    // Queues the operation; false with *error when it cannot be made (then `then` never runs).
    // clientMsgId: empty for a fresh one; a fixed one makes posting the same operation twice a
    // no-op (the genesis, an automatic acceptance).
    bool post(const QString &channel, crypto::MembershipOp::Action action, const QString &subject,
              const QStringList &members, Done then = {}, QString *error = nullptr,
              const QByteArray &clientMsgId = {},
              crypto::MembershipOp::Role role = crypto::MembershipOp::Role::Member);

    // The first invitees of a channel this device is creating: kept until its genesis is posted,
    // which happens when the channel's CHANNEL_CREATED row by this device comes back.
    void rememberFirstInvitees(const QString &channel, const QStringList &nicks);
    // Posts the channel's genesis once (a fixed client_msg_id), unless it has one; `then` as for post().
    void postGenesis(const QString &channel, Done then = {});

    // A client_msg_id derived from what it stands for (16 bytes of BLAKE2b).
    static QByteArray derivedMsgId(const QByteArray &what);

private:
    void finish(qint64 outboxId, bool ok, const QString &error);

    HistoryStore *m_store;
    Outbox *m_outbox;
    crypto::ChannelCrypto *m_crypto;
    QHash<qint64, Done> m_waiting; // outbox id → continuation
};

} // namespace hchat
