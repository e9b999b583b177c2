#pragma once

#include "ChannelRecord.h"
#include "crypto/MembershipOp.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <functional>

namespace hchat::v1 {
class Frame;
}

namespace hchat::crypto {
class ChannelCrypto;
}

namespace hchat {

class AccountSession;
class GatewayRequests;
class HistoryStore;
class MembershipPoster;
class SyncEngine;
class SyncPuller;

// What the user does to channels: join, leave, create, invite, remove, answer an invitation,
// open a direct channel. In an encrypted channel whose membership is signed, this device's
// signed operation is stored first and the gateway's request follows; a new private or direct
// channel's request ends once its signed genesis is back.
class ChannelActions : public QObject {
    Q_OBJECT
public:
    ChannelActions(HistoryStore *store, GatewayRequests *requests, SyncEngine *engine, SyncPuller *puller,
                   crypto::ChannelCrypto *crypto, MembershipPoster *membership, const AccountSession *account,
                   QObject *parent = nullptr);

    quint64 joinChannel(const QString &channel);
    quint64 leaveChannel(const QString &channel);
    quint64 createChannel(const QString &channel, ChannelRecord::Kind kind, const QStringList &members);
    quint64 invite(const QString &channel, const QString &nick);
    quint64 removeMember(const QString &channel, const QString &nick);
    QString invitationFrom(const QString &channel) const;
    quint64 acceptInvitation(const QString &channel);
    quint64 openDirectChannel(const QString &nick, QString *channel);

    // Moderation (a Moderate frame, answered Ok or with the gateway's refusal): the gateway
    // carries each out as a stored message of the channel.
    quint64 kick(const QString &channel, const QString &nick, const QString &reason);
    quint64 ban(const QString &channel, const QString &nick, const QString &reason);
    quint64 unban(const QString &channel, const QString &nick);
    // Someone else's message, in an unencrypted channel (encrypted ones: SendPipeline).
    quint64 deleteOthersMessage(const QString &channel, quint64 seq);
    quint64 setTopic(const QString &channel, const QString &topic);
    quint64 setReadOnly(const QString &channel, bool readOnly);
    // Moderator or member (the owner only); Owner hands ownership on.
    quint64 setRole(const QString &channel, const QString &nick, ChannelRecord::Role role);

signals:
    void channelsChanged();
    void invitationsChanged(const QString &channel);
    void messagesChanged(const QString &channel, const QList<quint64> &seqs);
    void encryptionWarning(const QString &channel, const QString &message);

private:
    bool hasSignedMembership(const QString &channel) const;
    // A signed operation first, then the gateway request (send) once the operation is stored.
    quint64 postThenRequest(const QString &channel, crypto::MembershipOp::Action action,
                            const QString &subject, std::function<void(quint64 id)> send,
                            crypto::MembershipOp::Role role = crypto::MembershipOp::Role::Member);
    quint64 membershipRequest(bool signedFirst, const QString &channel, crypto::MembershipOp::Action action,
                              const QString &subject, const hchat::v1::Frame &frame, const QString &failure,
                              std::function<void()> onDone = {});
    // A request answered by the channel's ChannelJoined (join, create, open direct); with
    // waitForGenesis it ends once the new channel's signed genesis is here.
    quint64 channelRequest(const hchat::v1::Frame &frame, const QString &channel, bool waitForGenesis,
                           const QString &failure, bool existingIsOk = false);
    void onMembershipChanged(const QString &channel);
    void finishWithGenesis(quint64 id, const QString &channel);
    void onMembershipRejected(const QString &channel, quint64 seq, const QString &reason);
    QString notReady() const;
    quint64 moderate(const hchat::v1::Frame &frame, const QString &failure);

    HistoryStore *m_store;
    GatewayRequests *m_requests;
    SyncEngine *m_engine;
    SyncPuller *m_puller;
    crypto::ChannelCrypto *m_crypto;
    MembershipPoster *m_membership;
    const AccountSession *m_account;
    QHash<QString, QList<quint64>> m_awaitingGenesis; // channel → requests finished by its genesis
};

} // namespace hchat
