#pragma once

#include <QMessageBox>

namespace hchat::ui {

// The question for another device that signed in to this account and waits to be approved:
// Approve only if it shows the same code, "Not mine" signs it out, Later leaves it waiting.
// Named after the device (objectNameFor), so that one device is asked about once at a time.
class DeviceApprovalPrompt : public QMessageBox {
    Q_OBJECT
public:
    DeviceApprovalPrompt(const QString &nick, const QString &deviceId, const QString &code,
                         QWidget *parent = nullptr);

    static QString objectNameFor(const QString &deviceId);

signals:
    void approved();
    void disowned();
};

} // namespace hchat::ui
