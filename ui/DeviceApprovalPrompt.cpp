#include "DeviceApprovalPrompt.h"

#include <QPushButton>

namespace hchat::ui {

DeviceApprovalPrompt::DeviceApprovalPrompt(const QString &nick, const QString &deviceId, const QString &code,
                                           QWidget *parent)
    : QMessageBox(
          QMessageBox::Question, tr("Approve a new device?"),
          tr("A new device signed in to your account %1 (device %2). Approve it only if it shows this "
             "code:\n\n"
             "%3\n\nOnce approved, your contacts' devices trust it and it can read what is sent to you from "
             "now on. If you did not just sign in somewhere, choose “Not mine”: the device is signed out.")
              .arg(nick, deviceId.left(8), code),
          QMessageBox::NoButton, parent)
{
    setObjectName(objectNameFor(deviceId));
    setTextFormat(Qt::PlainText); // the device id and the nick come from the gateway
    setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *approve = addButton(tr("&Approve"), QMessageBox::AcceptRole);
    approve->setObjectName(QStringLiteral("approveDeviceButton"));
    QPushButton *reject = addButton(tr("&Not mine"), QMessageBox::DestructiveRole);
    reject->setObjectName(QStringLiteral("rejectDeviceButton"));
    addButton(tr("&Later"), QMessageBox::RejectRole);
    connect(this, &QMessageBox::buttonClicked, this, [this, approve, reject](QAbstractButton *button) {
        if (button == approve)
            emit approved();
        else if (button == reject)
            emit disowned();
    });
}

QString DeviceApprovalPrompt::objectNameFor(const QString &deviceId)
{
    return QStringLiteral("approveDevice-") + deviceId;
}

} // namespace hchat::ui
