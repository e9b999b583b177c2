#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace hchat {

// One device (one login) of the signed-in account, as the gateway lists it.
struct AccountDevice {
    QString deviceId;
    QString name;
    QDateTime created;
    QDateTime lastActive;
    bool current = false; // this device
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::AccountDevice)
