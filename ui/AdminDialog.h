#pragma once

#include "AdminReport.h"

#include <QDialog>
#include <QHash>

class QLabel;
class QListWidget;
class QSpinBox;
class QTabWidget;
class QTreeWidget;

namespace hchat {
class Client;
}

namespace hchat::ui {

class CreateUserDialog;

// Gateway administration for its administrators (Client::isAdmin): the users (create one, reset a
// password, suspend, make admin, delete), invite codes (made here, copied to the clipboard), the channels
// (purge) and the audit log. Every action is the gateway's POST /v1/admin; its answer or refusal
// shows in the dialog's status line.
class AdminDialog : public QDialog {
    Q_OBJECT
public:
    explicit AdminDialog(Client *client, QWidget *parent = nullptr);

    QTabWidget *tabs() const { return m_tabs; }
    QTreeWidget *userList() const { return m_users; }
    QTreeWidget *channelList() const { return m_channels; }
    QTreeWidget *auditList() const { return m_audit; }
    QListWidget *inviteList() const { return m_invites; }
    QLabel *statusLabel() const { return m_status; }
    void reload();
    // Opens the "Create user" form (the users tab's Create user… button).
    CreateUserDialog *createUser();

private:
    QWidget *buildUsersTab();
    QWidget *buildInvitesTab();
    QWidget *buildChannelsTab();
    QWidget *buildAuditTab();
    quint64 run(const hchat::AdminCommand &command, bool reloadAfter);
    void onAnswered(quint64 requestId, const hchat::AdminReport &report);
    void onFinished(quint64 requestId, bool ok, const QString &error);
    QString selectedUser() const;
    void resetPassword();
    void toggleSuspended();
    void toggleAdmin();
    void deleteUser();
    void createInvite();
    void purgeChannel();

    Client *m_client;
    QTabWidget *m_tabs;
    QTreeWidget *m_users;
    QTreeWidget *m_channels;
    QTreeWidget *m_audit;
    QListWidget *m_invites;
    QSpinBox *m_inviteUses;
    QSpinBox *m_inviteDays;
    QLabel *m_status;
    QHash<quint64, bool> m_pending; // request → reload the lists once it is done
    QString m_selectUser;           // a user just created: selected when the list comes back
};

} // namespace hchat::ui
