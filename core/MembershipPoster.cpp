#include "MembershipPoster.h"

#include "CoreLogging.h"
#include "HistoryStore.h"
#include "Outbox.h"
#include "crypto/ChannelCrypto.h"

#include <sodium.h>

namespace hchat {

MembershipPoster::MembershipPoster(HistoryStore *store, Outbox *outbox, crypto::ChannelCrypto *crypto,
                                   QObject *parent)
    : QObject(parent), m_store(store), m_outbox(outbox), m_crypto(crypto)
{
    connect(m_outbox, &Outbox::sent, this, [this](qint64 id) { finish(id, true, {}); });
    connect(m_outbox, &Outbox::failed, this,
            [this](qint64 id, const QString &, const QString &reason) { finish(id, false, reason); });
}

QByteArray MembershipPoster::derivedMsgId(const QByteArray &what)
{
    QByteArray id(16, Qt::Uninitialized);
    crypto_generichash(reinterpret_cast<unsigned char *>(id.data()), std::size_t(id.size()),
                       reinterpret_cast<const unsigned char *>(what.constData()), std::size_t(what.size()),
                       nullptr, 0);
    return id;
}

bool MembershipPoster::post(const QString &channel, crypto::MembershipOp::Action action,
                            const QString &subject, const QStringList &members, Done then, QString *error,
                            const QByteArray &clientMsgId, crypto::MembershipOp::Role role)
{
    const QByteArray body = m_crypto->makeMembershipOp(channel, action, subject, members, error, role);
    if (body.isEmpty())
        return false;
    const QByteArray msgId = clientMsgId.isEmpty() ? Outbox::newClientMsgId() : clientMsgId;
    for (const OutboxEntry &e : m_store->outbox(channel)) {
        if (e.clientMsgId != msgId)
            continue;
        // Queued already (a fixed id): `then` follows that entry.
        if (then && e.state == OutboxEntry::State::Pending) {
            Done earlier = m_waiting.take(e.id);
            m_waiting.insert(e.id, [earlier, then](bool ok, const QString &why) {
                if (earlier)
                    earlier(ok, why);
                then(ok, why);
            });
        } else if (then) {
            then(e.state == OutboxEntry::State::Sent, e.error);
        }
        return true;
    }
    const qint64 id = m_outbox->enqueue(channel, msgId, body, MessageKind::Membership, false, {}, error);
    if (id == 0)
        return false;
    qCInfo(lcClient).noquote() << "posting" << crypto::MembershipOp::actionName(action) << subject << "in"
                               << channel;
    if (then)
        m_waiting.insert(id, std::move(then));
    return true;
}

void MembershipPoster::finish(qint64 outboxId, bool ok, const QString &error)
{
    const Done then = m_waiting.take(outboxId);
    if (then)
        then(ok, error);
}

void MembershipPoster::rememberFirstInvitees(const QString &channel, const QStringList &nicks)
{
    m_store->settings().setFirstInvitees(channel, nicks);
}

void MembershipPoster::postGenesis(const QString &channel, Done then)
{
    const crypto::ChannelMembership *membership = m_crypto->membership(channel);
    if (membership && (membership->hasGenesis() || membership->isLegacy())) {
        if (then)
            then(true, {});
        return;
    }
    QStringList invitees;
    if (channel.startsWith(QLatin1Char('@'))) {
        // "@a+b": the other one of the two.
        for (const QString &nick : channel.mid(1).split(QLatin1Char('+')))
            if (nick.compare(m_crypto->nick(), Qt::CaseInsensitive) != 0)
                invitees << nick;
    } else {
        invitees = m_store->settings().firstInvitees(channel);
    }
    QString error;
    const QByteArray msgId =
        derivedMsgId("genesis\n" + channel.toUtf8() + '\n' + m_crypto->deviceId().toUtf8());
    if (!post(channel, crypto::MembershipOp::Action::Genesis, {}, invitees, then, &error, msgId)) {
        qCWarning(lcClient).noquote() << "could not post the genesis of" << channel << ":" << error;
        if (then)
            then(false, error);
    }
}

} // namespace hchat
