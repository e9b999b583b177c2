#include "MemberList.h"

#include "Client.h"
#include "HistoryStore.h"

#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>

#include <algorithm>

namespace hchat::ui {

MemberList::MemberList(Client *client, QWidget *parent) : QListWidget(parent), m_client(client)
{
    setObjectName(QStringLiteral("members"));
    setAccessibleName(tr("Members"));
    setContextMenuPolicy(Qt::CustomContextMenu);
    setMaximumWidth(220);
    setSpacing(2);
    connect(this, &QListWidget::customContextMenuRequested, this, &MemberList::showMenu);
    connect(m_client, &Client::membersListed, this,
            [this](quint64 id, const QString &channel, const QList<ChannelMember> &members) {
                onMembersListed(id, channel, members);
            });
    connect(m_client, &Client::requestFinished, this, [this](quint64 id, bool ok, const QString &error) {
        const auto it = m_pending.find(id);
        if (it == m_pending.end())
            return;
        const QString what = it.value();
        m_pending.erase(it);
        if (!ok)
            emit statusMessage(tr("%1 refused: %2").arg(what, error), 15000);
        refresh();
    });
    // Who is in the channel and their roles change with its membership and moderation messages.
    connect(m_client, &Client::messageReceived, this, [this](const StoredMessage &m) {
        if (m.channel == m_channel && !m.isChat() && !m.isAmendment())
            refresh();
    });
    connect(m_client, &Client::blockListChanged, this, [this] { showChannel(m_channel); });
}

void MemberList::showChannel(const QString &channel)
{
    const bool changed = channel != m_channel;
    m_channel = channel;
    const auto record = m_client->store()->channel(channel);
    const bool listed = record && record->kind != ChannelRecord::Kind::Direct && record->joined;
    setVisible(listed);
    if (!listed) {
        clear();
        return;
    }
    if (changed) {
        m_roles.clear();
        QList<ChannelMember> known;
        for (const QString &nick : record->members)
            known.append({nick, ChannelRecord::Role::Member, false});
        showMembers(known);
    }
    refresh();
}

void MemberList::refresh()
{
    if (!m_channel.isEmpty() && !isHidden())
        m_listRequest = m_client->listMembers(m_channel);
}

void MemberList::onMembersListed(quint64 requestId, const QString &channel,
                                 const QList<ChannelMember> &members)
{
    if (requestId != m_listRequest || channel != m_channel)
        return;
    m_roles.clear();
    for (const ChannelMember &m : members)
        m_roles.insert(m.nick.toLower(), m.role);
    // An encrypted channel's members are those its membership says (as before); the gateway's
    // list only adds their roles.
    const auto record = m_client->store()->channel(m_channel);
    if (record && record->encrypted) {
        QList<ChannelMember> known;
        for (const QString &nick : record->members)
            known.append({nick, roleOf(nick), false});
        showMembers(known);
        return;
    }
    showMembers(members);
}

void MemberList::showMembers(QList<ChannelMember> members)
{
    // The owner first, then the moderators, then everyone by name.
    std::stable_sort(members.begin(), members.end(), [](const ChannelMember &a, const ChannelMember &b) {
        if (a.role != b.role)
            return int(a.role) > int(b.role);
        return a.nick.compare(b.nick, Qt::CaseInsensitive) < 0;
    });
    const QString current = currentItem() ? currentItem()->data(Qt::UserRole).toString() : QString();
    clear();
    for (const ChannelMember &m : members) {
        QString text = m.nick;
        switch (m.role) {
        case ChannelRecord::Role::Owner:
            text = tr("%1 (owner)").arg(m.nick);
            break;
        case ChannelRecord::Role::Moderator:
            text = tr("%1 (moderator)").arg(m.nick);
            break;
        case ChannelRecord::Role::Member:
            break;
        }
        if (m.invited)
            text = tr("%1 (invited)").arg(text);
        if (m_client->isBlocked(m.nick))
            text = tr("%1 (blocked)").arg(text);
        auto *item = new QListWidgetItem(text, this);
        item->setData(Qt::UserRole, m.nick);
        if (m.role != ChannelRecord::Role::Member) {
            QFont f = item->font();
            f.setBold(true);
            item->setFont(f);
        }
        if (m.nick == current)
            setCurrentItem(item);
    }
}

ChannelRecord::Role MemberList::roleOf(const QString &nick) const
{
    return m_roles.value(nick.toLower(), ChannelRecord::Role::Member);
}

void MemberList::showMenu(const QPoint &pos)
{
    const QListWidgetItem *item = itemAt(pos);
    if (!item)
        return;
    QMenu menu;
    populateMenu(&menu, item->data(Qt::UserRole).toString());
    if (!menu.isEmpty())
        menu.exec(viewport()->mapToGlobal(pos));
}

QString MemberList::askReason(const QString &title, const QString &label)
{
    bool ok = false;
    const QString reason = QInputDialog::getText(this, title, label, QLineEdit::Normal, {}, &ok);
    return ok ? reason.trimmed() : QString(QChar(0)); // NUL: cancelled
}

void MemberList::track(quint64 requestId, const QString &what)
{
    m_pending.insert(requestId, what);
}

void MemberList::populateMenu(QMenu *menu, const QString &nick)
{
    const auto record = m_client->store()->channel(m_channel);
    if (!record || nick.isEmpty())
        return;
    const QString channel = m_channel;
    const bool self = nick.compare(m_client->nick(), Qt::CaseInsensitive) == 0;
    auto add = [menu](const QString &text, const char *name, auto slot) {
        QAction *a = menu->addAction(text);
        a->setObjectName(QLatin1String(name));
        QObject::connect(a, &QAction::triggered, menu, slot);
        return a;
    };
    if (self) {
        add(tr("Leave %1").arg(channel), "leaveAction", [this, channel] { m_client->leaveChannel(channel); });
        return;
    }
    if (record->encrypted)
        add(tr("Safety number with %1…").arg(nick), "safetyNumberAction",
            [this, nick] { emit safetyNumberRequested(nick); });

    // What the user's role permits over this member: owners over everyone, moderators over members.
    const ChannelRecord::Role mine = record->role;
    const ChannelRecord::Role theirs = roleOf(nick);
    const bool moderates = record->canModerate() && int(mine) > int(theirs);
    if (moderates) {
        menu->addSeparator();
        if (record->encrypted) {
            // Private channels: the signed removal (the gateway checks the role too).
            add(tr("Remove %1 from %2").arg(nick, channel), "removeAction", [this, channel, nick] {
                track(m_client->removeMember(channel, nick), tr("Removing %1").arg(nick));
            });
        } else {
            add(tr("Remove %1 from the channel…").arg(nick), "kickAction", [this, channel, nick] {
                const QString reason =
                    askReason(tr("Remove %1").arg(nick),
                              tr("Why is %1 removed? (shown to the channel; optional)").arg(nick));
                if (reason != QString(QChar(0)))
                    track(m_client->kick(channel, nick, reason), tr("Removing %1").arg(nick));
            });
        }
        add(tr("Ban %1 from %2…").arg(nick, channel), "banAction", [this, channel, nick] {
            const QString reason = askReason(
                tr("Ban %1").arg(nick), tr("Why is %1 banned? (shown to the channel; optional)").arg(nick));
            if (reason != QString(QChar(0)))
                track(m_client->ban(channel, nick, reason), tr("Banning %1").arg(nick));
        });
    }
    if (mine == ChannelRecord::Role::Owner && record->kind != ChannelRecord::Kind::Direct) {
        menu->addSeparator();
        if (theirs == ChannelRecord::Role::Moderator)
            add(tr("Remove moderator rights from %1").arg(nick), "demoteAction", [this, channel, nick] {
                track(m_client->setMemberRole(channel, nick, ChannelRecord::Role::Member),
                      tr("Changing the role of %1").arg(nick));
            });
        else
            add(tr("Make %1 a moderator").arg(nick), "promoteAction", [this, channel, nick] {
                track(m_client->setMemberRole(channel, nick, ChannelRecord::Role::Moderator),
                      tr("Changing the role of %1").arg(nick));
            });
        add(tr("Hand ownership of %1 on to %2…").arg(channel, nick), "handOwnershipAction",
            [this, channel, nick] {
                if (QMessageBox::question(this, tr("Hand ownership on"),
                                          tr("Make %1 the owner of %2? You stay a moderator, and only %1 can "
                                             "give ownership back.")
                                              .arg(nick, channel)) == QMessageBox::Yes)
                    track(m_client->setMemberRole(channel, nick, ChannelRecord::Role::Owner),
                          tr("Handing ownership on to %1").arg(nick));
            });
    }
    menu->addSeparator();
    if (m_client->isBlocked(nick))
        add(tr("Unblock %1").arg(nick), "unblockAction",
            [this, nick] { track(m_client->setBlocked(nick, false), tr("Unblocking %1").arg(nick)); });
    else
        add(tr("Block %1").arg(nick), "blockAction",
            [this, nick] { track(m_client->setBlocked(nick, true), tr("Blocking %1").arg(nick)); });
}

} // namespace hchat::ui
