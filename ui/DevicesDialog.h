#pragma once

#include "AccountDevice.h"

#include <QDialog>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace hchat {
class Client;
}

namespace hchat::ui {

// Devices in one place: this account's devices as the gateway lists them (name, added, last
// active) with Revoke for the others; and the devices of the people this user shares encrypted
// channels with, each with its trust state, Accept for a changed key or a new device, and the
// safety number of its owner.
class DevicesDialog : public QDialog {
    Q_OBJECT
public:
    explicit DevicesDialog(Client *client, QWidget *parent = nullptr);

    QTreeWidget *ownDevices() const { return m_own; }
    QTreeWidget *peerDevices() const { return m_peers; }
    QPushButton *revokeButton() const { return m_revoke; }
    QPushButton *acceptButton() const { return m_accept; }
    QPushButton *safetyNumberButton() const { return m_safety; }
    QString statusText() const;

public slots:
    void refresh();

signals:
    void safetyNumberRequested(const QString &nick);

private:
    void showOwnDevices(const QList<hchat::AccountDevice> &devices);
    void showPeerDevices();
    void revokeSelected();
    void acceptSelected();
    void updateButtons();

    Client *m_client;
    QTreeWidget *m_own;
    QTreeWidget *m_peers;
    QPushButton *m_revoke;
    QPushButton *m_accept;
    QPushButton *m_safety;
    QLabel *m_status;
    quint64 m_listRequest = 0;
    quint64 m_revokeRequest = 0;
    QString m_revokeName;
};

} // namespace hchat::ui
