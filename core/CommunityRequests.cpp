#include "CommunityRequests.h"

#include "CoreLogging.h"
#include "GatewayRequests.h"
#include "hchat.pb.h"

#include <algorithm>

namespace hchat {

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

ChannelRecord::Role roleOf(int role)
{
    return static_cast<ChannelRecord::Role>(std::clamp(role, 0, 2));
}

} // namespace

CommunityRequests::CommunityRequests(GatewayRequests *requests, QObject *parent)
    : QObject(parent), m_requests(requests)
{
}

quint64 CommunityRequests::browseDirectory(const QString &query, const QString &after)
{
    const quint64 id = m_requests->nextId();
    hchat::v1::DirectoryRequest req;
    req.set_query(query.toStdString());
    req.set_after(after.toStdString());
    m_requests->post(QStringLiteral("/v1/directory"), QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id](bool ok, int, const QString &error, const QByteArray &body) {
                         hchat::v1::Directory dir;
                         if (ok && !dir.ParseFromArray(body.constData(), int(body.size()))) {
                             m_requests->finish(id, false,
                                                tr("The gateway's channel directory did not parse."));
                             return;
                         }
                         if (ok) {
                             QList<DirectoryEntry> entries;
                             for (const auto &c : dir.channels())
                                 entries.append({qs(c.name()), qs(c.topic()), c.member_count(), c.joined()});
                             qCDebug(lcCommunity) << "directory:" << entries.size() << "channels";
                             emit directoryListed(id, entries, qs(dir.continue_after()));
                         }
                         m_requests->finish(id, ok, ok ? QString() : error);
                     });
    return id;
}

quint64 CommunityRequests::listMembers(const QString &channel)
{
    const quint64 id = m_requests->nextId();
    hchat::v1::MembersRequest req;
    req.set_channel(channel.toStdString());
    m_requests->post(QStringLiteral("/v1/members"), QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id, channel](bool ok, int, const QString &error, const QByteArray &body) {
                         hchat::v1::MemberList list;
                         if (ok && !list.ParseFromArray(body.constData(), int(body.size()))) {
                             m_requests->finish(id, false, tr("The gateway's member list did not parse."));
                             return;
                         }
                         if (ok) {
                             QList<ChannelMember> members;
                             for (const auto &m : list.members())
                                 members.append({qs(m.nick()), roleOf(m.role()), m.invited()});
                             QList<ChannelBan> bans;
                             for (const auto &b : list.bans())
                                 bans.append({qs(b.nick()), qs(b.by()), qs(b.reason()),
                                              QDateTime::fromMSecsSinceEpoch(b.time_ms())});
                             emit membersListed(id, channel, members, bans, list.truncated());
                         }
                         m_requests->finish(id, ok, ok ? QString() : error);
                     });
    return id;
}

quint64 CommunityRequests::administer(const AdminCommand &command)
{
    const quint64 id = m_requests->nextId();
    hchat::v1::AdminRequest req;
    req.set_action(static_cast<hchat::v1::AdminAction>(command.action));
    req.set_nick(command.nick.toStdString());
    req.set_password(command.password.toStdString());
    req.set_flag(command.flag);
    req.set_channel(command.channel.toStdString());
    req.set_uses(command.uses);
    req.set_expires_in_s(command.expiresInS);
    req.set_after(command.after.toStdString());
    req.set_before_id(command.beforeId);
    const auto action = command.action;
    m_requests->post(QStringLiteral("/v1/admin"), QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id, action](bool ok, int, const QString &error, const QByteArray &body) {
                         hchat::v1::AdminResponse resp;
                         if (ok && !resp.ParseFromArray(body.constData(), int(body.size()))) {
                             m_requests->finish(id, false, tr("The gateway's answer did not parse."));
                             return;
                         }
                         if (ok) {
                             AdminReport r;
                             r.action = action;
                             for (const auto &u : resp.users())
                                 r.users.append({qs(u.nick()), QDateTime::fromMSecsSinceEpoch(u.created_ms()),
                                                 u.admin(), u.suspended(), u.deleted()});
                             for (const auto &c : resp.channels())
                                 r.channels.append({qs(c.name()), int(c.kind()), c.encrypted(),
                                                    c.member_count(), c.max_seq()});
                             for (const auto &a : resp.audit())
                                 r.audit.append({a.id(), QDateTime::fromMSecsSinceEpoch(a.time_ms()),
                                                 qs(a.actor()), qs(a.action()), qs(a.subject()),
                                                 qs(a.detail())});
                             r.inviteCode = qs(resp.invite_code());
                             r.continueAfter = qs(resp.continue_after());
                             r.message = qs(resp.message());
                             qCInfo(lcCommunity) << "admin action" << int(action) << "done";
                             emit adminAnswered(id, r);
                         }
                         m_requests->finish(id, ok, ok ? QString() : error);
                     });
    return id;
}

} // namespace hchat
