#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace hchat {
class Client;
}

namespace hchat::ui {

// First run: gateway address (prefilled with the local gateway), nick and password; log in or
// create an account. Errors (unreachable, wrong password, nick taken) are shown in the dialog.
class SignInDialog : public QDialog {
    Q_OBJECT
public:
    SignInDialog(Client *client, const QString &gatewayAddress, QWidget *parent = nullptr);

    QString gatewayAddress() const;
    // "127.0.0.1:8745", "http://host:port" or "wss://host" → the WebSocket URL of the gateway. A
    // bare host:port is wss:// (TLS), except on this machine (loopback: ./run.sh's gateway).
    static QUrl webSocketUrlFor(const QString &address);
    // Asks before talking to gateway (another machine) without encryption, and records the
    // consent in the client's profile; true when the client may connect.
    static bool confirmCleartext(Client *client, const QUrl &gateway, QWidget *parent);
    // In red: what went wrong (wrong password, unreachable gateway, the session refused).
    void showError(const QString &message);
    // In the ordinary colour: what the dialog wants, nothing having gone wrong.
    void showNotice(const QString &message);

private:
    void logIn();
    void createAccount();
    void setBusy(bool busy, const QString &status = {});
    bool validate();
    void onRequestFinished(quint64 id, bool ok, const QString &error);

    Client *m_client;
    QLineEdit *m_gateway;
    QLineEdit *m_nick;
    QLineEdit *m_password;
    QLineEdit *m_invite; // optional: a gateway that registers by invitation asks for it
    QLabel *m_status;
    QPushButton *m_logIn;
    QPushButton *m_register;
    quint64 m_registerRequest = 0;
    quint64 m_logInRequest = 0;
};

} // namespace hchat::ui
