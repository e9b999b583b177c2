#pragma once

#include <QDialog>

class QLabel;
class QPushButton;

namespace hchat {
class Client;
}

namespace hchat::ui {

// Shows the 60-digit safety number between the own user and nick (crypto::SafetyNumber over
// both users' identity keys) for comparison in person or over another channel; "Mark as
// verified" marks every trusted device of nick verified.
class SafetyNumberDialog : public QDialog {
    Q_OBJECT
public:
    SafetyNumberDialog(Client *client, const QString &nick, QWidget *parent = nullptr);

    QString number() const { return m_number; }
    QPushButton *verifyButton() const { return m_verify; }

private:
    Client *m_client;
    QString m_nick;
    QString m_number;
    QLabel *m_digits;
    QPushButton *m_verify;
};

} // namespace hchat::ui
