#include "InvitationBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace hchat::ui {

InvitationBar::InvitationBar(QWidget *parent)
    : QWidget(parent), m_label(new QLabel), m_accept(new QPushButton(tr("&Accept"))),
      m_decline(new QPushButton(tr("&Decline")))
{
    setObjectName(QStringLiteral("invitationBar"));
    m_label->setObjectName(QStringLiteral("invitationLabel"));
    m_label->setTextFormat(Qt::PlainText);
    m_label->setWordWrap(true);
    m_accept->setObjectName(QStringLiteral("acceptInvitation"));
    m_decline->setObjectName(QStringLiteral("declineInvitation"));
    m_accept->setDefault(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_decline);
    layout->addWidget(m_accept);
    connect(m_accept, &QPushButton::clicked, this, [this] { emit accepted(m_channel); });
    connect(m_decline, &QPushButton::clicked, this, [this] { emit declined(m_channel); });
    setVisible(false);
}

void InvitationBar::showInvitation(const QString &channel, const QString &inviter)
{
    m_channel = channel;
    setVisible(!inviter.isEmpty());
    if (inviter.isEmpty())
        return;
    m_label->setText(
        tr("%1 invited you to %2, an end-to-end encrypted channel. Accept to read and write there; "
           "until then no member's device shares its keys with yours.")
            .arg(inviter, channel));
    setAccessibleName(m_label->text());
}

} // namespace hchat::ui
