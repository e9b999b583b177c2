#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace hchat {
class Client;
}

namespace hchat::ui {

// "Create user" for gateway administrators (AdminDialog): a nick, a password typed twice (masked;
// a mismatch or a too short one is refused here), optionally an administrator. Create asks the
// gateway (POST /v1/admin CREATE_USER); the form stays open with the gateway's reason when it
// refuses (nick taken, …) and closes with userCreated() when it is done.
class CreateUserDialog : public QDialog {
    Q_OBJECT
public:
    explicit CreateUserDialog(Client *client, QWidget *parent = nullptr);

    QLineEdit *nickField() const { return m_nick; }
    QLineEdit *passwordField() const { return m_password; }
    QLineEdit *confirmField() const { return m_confirm; }
    QCheckBox *adminBox() const { return m_admin; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *createButton() const { return m_create; }
    void create();

signals:
    void userCreated(const QString &nick, bool admin);

private:
    void onFinished(quint64 requestId, bool ok, const QString &error);
    void updateButtons();

    Client *m_client;
    QLineEdit *m_nick;
    QLineEdit *m_password;
    QLineEdit *m_confirm;
    QCheckBox *m_admin;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QPushButton *m_create = nullptr;
    quint64 m_request = 0;
    QString m_creating;
};

} // namespace hchat::ui
