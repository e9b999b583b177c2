#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace hchat::ui {

// Shown instead of the composer while the open channel is an invitation this user has not
// answered: "alice invited you to #plans" with Accept and Decline. Until accepted the user is no
// member: nothing can be sent there and no member's device shares its keys.
class InvitationBar : public QWidget {
    Q_OBJECT
public:
    explicit InvitationBar(QWidget *parent = nullptr);

    // Shows the invitation (an empty inviter hides the bar).
    void showInvitation(const QString &channel, const QString &inviter);
    QString channel() const { return m_channel; }
    QPushButton *acceptButton() const { return m_accept; }
    QPushButton *declineButton() const { return m_decline; }

signals:
    void accepted(const QString &channel);
    void declined(const QString &channel);

private:
    QLabel *m_label;
    QPushButton *m_accept;
    QPushButton *m_decline;
    QString m_channel;
};

} // namespace hchat::ui
