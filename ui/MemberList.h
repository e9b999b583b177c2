#pragma once

#include <QListWidget>

namespace hchat {
class Client;
}

namespace hchat::ui {

// The right-hand column: the members of the open invite-only or direct channel (as the channel's
// own membership messages say), with a menu to compare safety numbers, leave, or remove a member.
// Hidden for open channels, which have no fixed member list.
class MemberList : public QListWidget {
    Q_OBJECT
public:
    explicit MemberList(Client *client, QWidget *parent = nullptr);

    void showChannel(const QString &channel);

signals:
    void safetyNumberRequested(const QString &nick);

private:
    void showMenu(const QPoint &pos);

    Client *m_client;
    QString m_channel;
};

} // namespace hchat::ui
