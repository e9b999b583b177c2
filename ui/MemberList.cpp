#include "MemberList.h"

#include "Client.h"
#include "HistoryStore.h"

#include <QMenu>

namespace hchat::ui {

MemberList::MemberList(Client *client, QWidget *parent) : QListWidget(parent), m_client(client)
{
    setObjectName(QStringLiteral("members"));
    setAccessibleName(tr("Members"));
    setContextMenuPolicy(Qt::CustomContextMenu);
    setMaximumWidth(220);
    connect(this, &QListWidget::customContextMenuRequested, this, &MemberList::showMenu);
}

void MemberList::showChannel(const QString &channel)
{
    m_channel = channel;
    const auto record = m_client->store()->channel(channel);
    clear();
    const bool listed = record && record->kind != ChannelRecord::Kind::Open;
    if (listed)
        addItems(record->members);
    setVisible(listed);
}

void MemberList::showMenu(const QPoint &pos)
{
    const QListWidgetItem *item = itemAt(pos);
    const auto record = m_client->store()->channel(m_channel);
    if (!item || !record || (record->kind != ChannelRecord::Kind::InviteOnly && !record->encrypted))
        return;
    const QString nick = item->text();
    QMenu menu;
    if (record->encrypted && nick.compare(m_client->nick(), Qt::CaseInsensitive) != 0)
        menu.addAction(tr("Safety number with %1…").arg(nick), this,
                       [this, nick] { emit safetyNumberRequested(nick); });
    if (nick.compare(m_client->nick(), Qt::CaseInsensitive) == 0)
        menu.addAction(tr("Leave %1").arg(m_channel), this, [this] { m_client->leaveChannel(m_channel); });
    else
        menu.addAction(tr("Remove %1 from %2").arg(nick, m_channel), this,
                       [this, nick] { m_client->removeMember(m_channel, nick); });
    menu.exec(viewport()->mapToGlobal(pos));
}

} // namespace hchat::ui
