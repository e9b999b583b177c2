#pragma once

#include "ChannelBan.h"
#include "ChannelMember.h"

#include <QHash>
#include <QListWidget>
#include <QSet>

class QMenu;

namespace hchat {
class Client;
}

namespace hchat::ui {

// The right-hand column: the members of the open channel with their roles (the gateway's member
// list; a private channel's own membership until it answers), and a menu per member of what the
// user's role there permits: safety number, leave, remove (kick) or ban with a reason, make or
// remove a moderator, hand ownership on (owner), block or unblock. Hidden for direct channels.
class MemberList : public QListWidget {
    Q_OBJECT
public:
    explicit MemberList(Client *client, QWidget *parent = nullptr);

    void showChannel(const QString &channel);
    // Asks the gateway for the open channel's members again.
    void refresh();
    // The menu for nick (what showMenu() pops up): one action per thing the user may do.
    void populateMenu(QMenu *menu, const QString &nick);
    ChannelRecord::Role roleOf(const QString &nick) const;

signals:
    void safetyNumberRequested(const QString &nick);
    void statusMessage(const QString &text, int timeoutMs);

private:
    void showMenu(const QPoint &pos);
    void showMembers(QList<hchat::ChannelMember> members);
    void onMembersListed(quint64 requestId, const QString &channel,
                         const QList<hchat::ChannelMember> &members);
    // Runs a moderation request; its refusal shows the gateway's reason.
    void track(quint64 requestId, const QString &what);
    QString askReason(const QString &title, const QString &label);

    Client *m_client;
    QString m_channel;
    quint64 m_listRequest = 0;
    QHash<QString, ChannelRecord::Role> m_roles; // lower-case nick → role
    QHash<quint64, QString> m_pending;           // request → what it does
};

} // namespace hchat::ui
