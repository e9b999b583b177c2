#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace hchat {
class Client;
}

namespace hchat::ui {

// Account: change the password (the current one is needed; the other devices are logged out, this
// one stays signed in), log out everywhere (every device, this one too), and delete the account
// for good (the password must be typed, then confirmed; its messages show "deleted user" to
// everyone). After log out everywhere or delete the dialog closes and the Client asks for a
// sign-in (Client::signInRequired).
class AccountDialog : public QDialog {
    Q_OBJECT
public:
    explicit AccountDialog(hchat::Client *client, QWidget *parent = nullptr);

    QLineEdit *currentPasswordField() const { return m_current; }
    QLineEdit *newPasswordField() const { return m_new; }
    QLineEdit *repeatPasswordField() const { return m_repeat; }
    QPushButton *changePasswordButton() const { return m_change; }
    QPushButton *logOutEverywhereButton() const { return m_logOutAll; }
    QLineEdit *deletePasswordField() const { return m_deletePassword; }
    QPushButton *deleteAccountButton() const { return m_delete; }
    QString statusText() const;

private:
    void updateButtons();
    void changePassword();
    void logOutEverywhere();
    void deleteAccount();
    void setBusy(quint64 requestId, const QString &message);
    void onFinished(quint64 requestId, bool ok, const QString &error);

    hchat::Client *m_client;
    QLineEdit *m_current;
    QLineEdit *m_new;
    QLineEdit *m_repeat;
    QPushButton *m_change;
    QPushButton *m_logOutAll;
    QLineEdit *m_deletePassword;
    QPushButton *m_delete;
    QLabel *m_status;
    quint64 m_pending = 0;
    enum class Action { None, Change, LogOutAll, Delete } m_action = Action::None;
};

} // namespace hchat::ui
