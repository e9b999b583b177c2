#pragma once

#include <QDialog>
#include <QHash>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace hchat {
class Client;
}

namespace hchat::ui {

// "Blocked users": everyone this user blocked (Client::blockedUsers), each unblocked with Unblock
// (or Delete) on the selection, and a field to block a user by nick, also one no channel is
// shared with any more. The gateway answers through Client::requestFinished; a refusal (no such
// user, …) shows its reason in the dialog.
class BlockedUsersDialog : public QDialog {
    Q_OBJECT
public:
    explicit BlockedUsersDialog(Client *client, QWidget *parent = nullptr);

    QListWidget *blockedList() const { return m_list; }
    QLineEdit *nickField() const { return m_nick; }
    QPushButton *blockButton() const { return m_block; }
    QPushButton *unblockButton() const { return m_unblock; }
    QLabel *statusLabel() const { return m_status; }
    // Blocks the nick typed in the field.
    void blockEnteredNick();
    // Unblocks every selected user.
    void unblockSelected();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Pending {
        QString nick;
        bool block = false;
    };
    void reload();
    void updateButtons();
    void onFinished(quint64 requestId, bool ok, const QString &error);

    Client *m_client;
    QListWidget *m_list;
    QPushButton *m_unblock;
    QLineEdit *m_nick;
    QPushButton *m_block;
    QLabel *m_status;
    QHash<quint64, Pending> m_pending;
};

} // namespace hchat::ui
