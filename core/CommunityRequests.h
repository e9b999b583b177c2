#pragma once

#include "AdminCommand.h"
#include "AdminReport.h"
#include "ChannelBan.h"
#include "ChannelMember.h"
#include "DirectoryEntry.h"

#include <QList>
#include <QObject>

namespace hchat {

class GatewayRequests;

// The community's HTTP requests that read or administer the gateway: the directory of open
// channels (POST /v1/directory), a channel's members and bans (POST /v1/members) and the
// administrators' actions (POST /v1/admin). Each returns a request id that ends with one
// GatewayRequests::finished; the answer comes first, as a signal with the same id.
class CommunityRequests : public QObject {
    Q_OBJECT
public:
    explicit CommunityRequests(GatewayRequests *requests, QObject *parent = nullptr);

    quint64 browseDirectory(const QString &query, const QString &after = {});
    quint64 listMembers(const QString &channel);
    quint64 administer(const AdminCommand &command);

signals:
    void directoryListed(quint64 requestId, const QList<hchat::DirectoryEntry> &channels,
                         const QString &continueAfter);
    void membersListed(quint64 requestId, const QString &channel, const QList<hchat::ChannelMember> &members,
                       const QList<hchat::ChannelBan> &bans, bool truncated);
    void adminAnswered(quint64 requestId, const hchat::AdminReport &report);

private:
    GatewayRequests *m_requests;
};

} // namespace hchat
