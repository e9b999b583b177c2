#include "DeviceApprovalBar.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>

namespace hchat::ui {

DeviceApprovalBar::DeviceApprovalBar(QWidget *parent) : QFrame(parent), m_label(new QLabel), m_codeLabel(new QLabel)
{
    setObjectName(QStringLiteral("deviceApprovalBar"));
    setFrameShape(QFrame::StyledPanel);
    setBackgroundRole(QPalette::AlternateBase);
    setAutoFillBackground(true);
    m_label->setObjectName(QStringLiteral("deviceApprovalText"));
    m_label->setTextFormat(Qt::PlainText);
    m_label->setWordWrap(true);
    m_codeLabel->setObjectName(QStringLiteral("deviceApprovalCode"));
    m_codeLabel->setTextFormat(Qt::PlainText);
    m_codeLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(mono.pointSizeF() * 1.6);
    mono.setBold(true);
    m_codeLabel->setFont(mono);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_codeLabel);
    setVisible(false);
}

void DeviceApprovalBar::showWaiting(const QString &nick, const QString &code)
{
    m_code = code;
    setVisible(!code.isEmpty());
    if (code.isEmpty())
        return;
    m_label->setText(tr("This device waits for approval. On another device where you are signed in as %1, "
                        "approve it if that device shows this code. Until then your contacts share no keys "
                        "with this device, so encrypted messages cannot be read here.")
                         .arg(nick));
    m_codeLabel->setText(code);
    setAccessibleName(m_label->text() + QLatin1Char(' ') + code);
}

} // namespace hchat::ui
