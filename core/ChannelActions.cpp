#include "ChannelActions.h"

#include "AccountSession.h"
#include "CoreLogging.h"
#include "GatewayRequests.h"
#include "HistoryStore.h"
#include "MembershipPoster.h"
#include "SyncEngine.h"
#include "SyncPuller.h"
#include "crypto/ChannelCrypto.h"
#include "hchat.pb.h"

#include <QTimer>

namespace hchat {

namespace {
constexpr int kGenesisWaitMs = 15000;
}

ChannelActions::ChannelActions(HistoryStore *store, GatewayRequests *requests, SyncEngine *engine,
                               SyncPuller *puller, crypto::ChannelCrypto *crypto,
                               MembershipPoster *membership, const AccountSession *account, QObject *parent)
    : QObject(parent), m_store(store), m_requests(requests), m_engine(engine), m_puller(puller),
      m_crypto(crypto), m_membership(membership), m_account(account)
{
    connect(m_crypto, &crypto::ChannelCrypto::membershipChanged, this, &ChannelActions::onMembershipChanged);
    connect(m_crypto, &crypto::ChannelCrypto::membershipRejected, this,
            &ChannelActions::onMembershipRejected);
}

QString ChannelActions::notReady() const
{
    return tr("End-to-end encryption is not ready on this device yet.");
}

quint64 ChannelActions::channelRequest(const hchat::v1::Frame &frame, const QString &channel,
                                       bool waitForGenesis, const QString &failure, bool existingIsOk)
{
    return m_requests->send(frame, [=, this](quint64 id, const hchat::v1::Frame &a) {
        if (a.has_channel_joined())
            m_engine->handleChannelJoined(a.channel_joined().channel(), true);
        bool ok = a.has_channel_joined() || a.has_ok();
        if (ok && waitForGenesis)
            return finishWithGenesis(id, channel);
        if (!ok && existingIsOk)
            ok = a.has_error() && a.error().code() == hchat::v1::ERROR_CHANNEL_EXISTS;
        m_requests->finish(id, ok, ok ? QString() : GatewayRequests::errorText(a, failure));
    });
}

quint64 ChannelActions::joinChannel(const QString &channel)
{
    hchat::v1::Frame f;
    f.mutable_join()->set_channel(channel.toStdString());
    return channelRequest(f, channel, false, tr("Could not join."));
}

quint64 ChannelActions::leaveChannel(const QString &channel)
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    const QString nick = m_account->nick();
    // The others must see the signed LEAVE: it goes while this user can still post there.
    const bool signedLeave = hasSignedMembership(channel) && membership &&
                             (membership->isMember(nick) || membership->isInvited(nick));
    hchat::v1::Frame f;
    f.mutable_leave()->set_channel(channel.toStdString());
    return membershipRequest(signedLeave, channel, crypto::MembershipOp::Action::Leave, {}, f,
                             tr("Could not leave."), [this, channel] {
                                 m_puller->cancel(channel);
                                 m_store->setChannelJoined(channel, false);
                                 emit channelsChanged();
                             });
}

quint64 ChannelActions::createChannel(const QString &channel, ChannelRecord::Kind kind,
                                      const QStringList &members)
{
    hchat::v1::Frame f;
    auto *c = f.mutable_create_channel();
    c->set_channel(channel.toStdString());
    c->set_kind(static_cast<hchat::v1::ChannelKind>(kind));
    const bool encrypted = kind != ChannelRecord::Kind::Open;
    c->set_encrypted(encrypted);
    for (const auto &m : members)
        c->add_members(m.toStdString());
    // Its genesis (signed, naming these as the first invitees) follows the channel's creation.
    if (encrypted)
        m_membership->rememberFirstInvitees(channel, members);
    return channelRequest(f, channel, encrypted, tr("Could not create the channel."));
}

quint64 ChannelActions::openDirectChannel(const QString &nick, QString *channel)
{
    const QString name = ChannelRecord::directName(m_account->nick(), nick);
    if (channel)
        *channel = name;
    const auto existing = m_store->channel(name);
    if (existing && existing->joined) {
        const quint64 id = m_requests->nextId();
        m_requests->finishLater(id, true, {});
        return id;
    }
    hchat::v1::Frame f;
    auto *c = f.mutable_create_channel();
    c->set_channel(name.toStdString());
    c->set_kind(hchat::v1::CHANNEL_KIND_DIRECT);
    // Always encrypted, also while the device key is locked: a locked key delays the first
    // message, it never makes a channel plaintext for good.
    c->set_encrypted(true);
    c->add_members(nick.toStdString());
    return channelRequest(f, name, true, tr("Could not open the direct channel."), true);
}

bool ChannelActions::hasSignedMembership(const QString &channel) const
{
    // Before its genesis (the creator's key still locked) nobody holds keys there yet: the
    // gateway's requests alone do no harm, and the genesis names who is invited.
    const auto rec = m_store->channel(channel);
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    return rec && rec->encrypted && membership && membership->hasGenesis() && !membership->isLegacy();
}

quint64 ChannelActions::postThenRequest(const QString &channel, crypto::MembershipOp::Action action,
                                        const QString &subject, std::function<void(quint64 id)> send,
                                        crypto::MembershipOp::Role role)
{
    const quint64 id = m_requests->nextId();
    QString error;
    if (!m_crypto->isOpen()) {
        m_requests->finishLater(id, false, notReady());
        return id;
    }
    if (!m_membership->post(
            channel, action, subject, {},
            [this, id, send = std::move(send)](bool ok, const QString &why) {
                if (ok)
                    send(id);
                else
                    m_requests->finish(id, false, why);
            },
            &error, {}, role))
        m_requests->finishLater(id, false, error);
    return id;
}

QString ChannelActions::invitationFrom(const QString &channel) const
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    const QString nick = m_account->nick();
    return membership && membership->isInvited(nick) ? membership->inviterOf(nick) : QString();
}

quint64 ChannelActions::acceptInvitation(const QString &channel)
{
    const quint64 id = m_requests->nextId();
    QString error;
    if (!m_crypto->isOpen())
        error = notReady();
    else if (invitationFrom(channel).isEmpty())
        error = tr("There is no invitation to %1.").arg(channel);
    else if (m_membership->post(
                 channel, crypto::MembershipOp::Action::Accept, {}, {},
                 [this, id](bool ok, const QString &why) { m_requests->finish(id, ok, why); }, &error))
        return id;
    m_requests->finishLater(id, false, error);
    return id;
}

void ChannelActions::onMembershipChanged(const QString &channel)
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    if (membership && membership->hasGenesis())
        for (quint64 id : m_awaitingGenesis.take(channel))
            m_requests->finish(id, true, {});
    // In a channel with signed membership this user's role is what the signed operations say,
    // as soon as one changes it (the gateway's ChannelInfo says it again at the next Welcome).
    if (membership && membership->hasGenesis() && !membership->isLegacy()) {
        const auto role = static_cast<ChannelRecord::Role>(membership->role(m_account->nick()));
        const auto record = m_store->channel(channel);
        if (record && record->role != role && m_store->setChannelRole(channel, role))
            emit channelsChanged();
    }
    emit invitationsChanged(channel);
}

// A new private or direct channel is ready once its signed genesis is back from the gateway and
// applied here: only then can this device write there. The creator's device posts it when the
// channel's CHANNEL_CREATED row comes back (InboundCrypto), whoever asked to open it.
void ChannelActions::finishWithGenesis(quint64 id, const QString &channel)
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    if (!m_crypto->isOpen() || (membership && (membership->hasGenesis() || membership->isLegacy()))) {
        m_requests->finish(id, true, {}); // (a locked key: the genesis follows when it is unlocked)
        return;
    }
    m_awaitingGenesis[channel].append(id);
    // The channel exists either way; a genesis that takes long (its creator offline) must not
    // leave the request open.
    QTimer::singleShot(kGenesisWaitMs, this, [this, id, channel] {
        auto it = m_awaitingGenesis.find(channel);
        if (it != m_awaitingGenesis.end() && it->removeAll(id) > 0) {
            if (it->isEmpty())
                m_awaitingGenesis.erase(it);
            m_requests->finish(id, true, {});
        }
    });
}

// A refused operation, or a gateway row no member's operation explains: the row shows why.
void ChannelActions::onMembershipRejected(const QString &channel, quint64 seq, const QString &reason)
{
    emit messagesChanged(channel, {seq}); // InboundCrypto marked the row (connected first)
    emit encryptionWarning(channel, reason);
}

quint64 ChannelActions::invite(const QString &channel, const QString &nick)
{
    hchat::v1::Frame f;
    f.mutable_invite()->set_channel(channel.toStdString());
    f.mutable_invite()->set_nick(nick.toStdString());
    return membershipRequest(hasSignedMembership(channel), channel, crypto::MembershipOp::Action::Add, nick,
                             f, tr("Could not invite."));
}

quint64 ChannelActions::removeMember(const QString &channel, const QString &nick)
{
    hchat::v1::Frame f;
    f.mutable_remove_member()->set_channel(channel.toStdString());
    f.mutable_remove_member()->set_nick(nick.toStdString());
    return membershipRequest(hasSignedMembership(channel), channel, crypto::MembershipOp::Action::Remove,
                             nick, f, tr("Could not remove the member."));
}

// The gateway request of a membership change; where the channel's membership is signed, only
// after this device's signed operation for it is stored.
quint64 ChannelActions::membershipRequest(bool signedFirst, const QString &channel,
                                          crypto::MembershipOp::Action action, const QString &subject,
                                          const hchat::v1::Frame &frame, const QString &failure,
                                          std::function<void()> onDone)
{
    auto answer = [this, failure, onDone](quint64 id, const hchat::v1::Frame &a) {
        const bool ok = !a.has_error();
        if (ok && onDone)
            onDone();
        m_requests->finish(id, ok, ok ? QString() : GatewayRequests::errorText(a, failure));
    };
    if (!signedFirst)
        return m_requests->send(frame, answer);
    return postThenRequest(channel, action, subject,
                           [this, frame, answer](quint64 id) { m_requests->sendAs(id, frame, answer); });
}

// ---- moderation ----------------------------------------------------------------------------

namespace {
hchat::v1::Frame moderation(const QString &channel, hchat::v1::ModerationAction action,
                            const QString &nick = {})
{
    hchat::v1::Frame f;
    auto *m = f.mutable_moderate();
    m->set_channel(channel.toStdString());
    m->set_action(action);
    m->set_nick(nick.toStdString());
    return f;
}
} // namespace

quint64 ChannelActions::moderate(const hchat::v1::Frame &frame, const QString &failure)
{
    qCInfo(lcCommunity) << "moderation" << int(frame.moderate().action()) << "in"
                        << QString::fromStdString(frame.moderate().channel());
    return m_requests->send(frame, [this, failure](quint64 id, const hchat::v1::Frame &a) {
        const bool ok = !a.has_error();
        m_requests->finish(id, ok, ok ? QString() : GatewayRequests::errorText(a, failure));
    });
}

quint64 ChannelActions::kick(const QString &channel, const QString &nick, const QString &reason)
{
    auto f = moderation(channel, hchat::v1::MODERATION_ACTION_KICK, nick);
    f.mutable_moderate()->set_reason(reason.toStdString());
    return moderate(f, tr("Could not remove %1.").arg(nick));
}

quint64 ChannelActions::ban(const QString &channel, const QString &nick, const QString &reason)
{
    auto f = moderation(channel, hchat::v1::MODERATION_ACTION_BAN, nick);
    f.mutable_moderate()->set_reason(reason.toStdString());
    const QString failure = tr("Could not ban %1.").arg(nick);
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    if (!hasSignedMembership(channel) || !membership || !membership->isMember(nick))
        return moderate(f, failure);
    // An encrypted channel's members follow its signed operations: the member is removed by this
    // device's signed removal first (and the gateway's membership with it), then banned.
    hchat::v1::Frame remove;
    remove.mutable_remove_member()->set_channel(channel.toStdString());
    remove.mutable_remove_member()->set_nick(nick.toStdString());
    return postThenRequest(
        channel, crypto::MembershipOp::Action::Remove, nick, [this, remove, f, failure](quint64 id) {
            m_requests->sendAs(id, remove, [this, f, failure](quint64 id, const hchat::v1::Frame &a) {
                if (a.has_error())
                    return m_requests->finish(id, false, GatewayRequests::errorText(a, failure));
                m_requests->sendAs(id, f, [this, failure](quint64 id, const hchat::v1::Frame &b) {
                    m_requests->finish(id, !b.has_error(),
                                       b.has_error() ? GatewayRequests::errorText(b, failure) : QString());
                });
            });
        });
}

quint64 ChannelActions::unban(const QString &channel, const QString &nick)
{
    return moderate(moderation(channel, hchat::v1::MODERATION_ACTION_UNBAN, nick),
                    tr("Could not lift the ban on %1.").arg(nick));
}

quint64 ChannelActions::deleteOthersMessage(const QString &channel, quint64 seq)
{
    auto f = moderation(channel, hchat::v1::MODERATION_ACTION_DELETE_MESSAGE);
    f.mutable_moderate()->set_ref_seq(seq);
    return moderate(f, tr("Could not delete the message."));
}

quint64 ChannelActions::setTopic(const QString &channel, const QString &topic)
{
    auto f = moderation(channel, hchat::v1::MODERATION_ACTION_SET_TOPIC);
    f.mutable_moderate()->set_topic(topic.toStdString());
    return moderate(f, tr("Could not set the topic."));
}

quint64 ChannelActions::setReadOnly(const QString &channel, bool readOnly)
{
    auto f = moderation(channel, hchat::v1::MODERATION_ACTION_SET_READ_ONLY);
    f.mutable_moderate()->set_read_only(readOnly);
    return moderate(f, tr("Could not change who may write in %1.").arg(channel));
}

quint64 ChannelActions::setRole(const QString &channel, const QString &nick, ChannelRecord::Role role)
{
    // In an encrypted channel a role is the owner's signed operation, which members check and the
    // gateway follows once it is stored: there is no gateway request after it.
    if (hasSignedMembership(channel))
        return postThenRequest(
            channel, crypto::MembershipOp::Action::Role, nick,
            [this](quint64 id) { m_requests->finish(id, true, {}); }, crypto::MembershipOp::Role(int(role)));
    auto f = moderation(channel, hchat::v1::MODERATION_ACTION_SET_ROLE, nick);
    f.mutable_moderate()->set_role(static_cast<hchat::v1::ChannelRole>(role));
    return moderate(f, role == ChannelRecord::Role::Owner ? tr("Could not hand ownership on to %1.").arg(nick)
                                                          : tr("Could not change the role of %1.").arg(nick));
}

} // namespace hchat
