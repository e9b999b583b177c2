#pragma once

#include <QFrame>

class QLabel;

namespace hchat::ui {

// Shown above the messages while this device waits to be approved by another device of the
// account (DeviceApproval::State::Waiting): what to do, and the code the other device must show.
// Until then the account's contacts share no keys with this device.
class DeviceApprovalBar : public QFrame {
    Q_OBJECT
public:
    explicit DeviceApprovalBar(QWidget *parent = nullptr);

    // An empty code hides the bar.
    void showWaiting(const QString &nick, const QString &code);
    QString code() const { return m_code; }

private:
    QLabel *m_label;
    QLabel *m_codeLabel;
    QString m_code;
};

} // namespace hchat::ui
