#include "KeyChangeBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace hchat::ui {

KeyChangeBanner::KeyChangeBanner(QWidget *parent)
    : QFrame(parent), m_label(new QLabel), m_accept(new QPushButton(tr("Accept the new key"))),
      m_compare(new QPushButton(tr("Safety number…")))
{
    setObjectName(QStringLiteral("keyChangeBanner"));
    setAccessibleName(tr("Security warning"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, QColor(190, 30, 30));
    pal.setColor(QPalette::WindowText, Qt::white);
    setPalette(pal);
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::PlainText);
    QFont bold = m_label->font();
    bold.setBold(true);
    m_label->setFont(bold);
    m_accept->setObjectName(QStringLiteral("acceptKeyButton"));
    m_compare->setObjectName(QStringLiteral("safetyNumberButton"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_compare);
    layout->addWidget(m_accept);
    connect(m_accept, &QPushButton::clicked, this, [this] {
        if (m_pending.isEmpty())
            return;
        const Warning w = m_pending.takeFirst();
        emit accepted(w.nick, w.deviceId);
        showFirst();
    });
    connect(m_compare, &QPushButton::clicked, this, [this] {
        if (!m_pending.isEmpty())
            emit safetyNumberRequested(m_pending.first().nick);
    });
    hide();
}

void KeyChangeBanner::addWarning(const QString &nick, const QString &deviceId, bool newDevice)
{
    for (const Warning &w : std::as_const(m_pending))
        if (w.nick.compare(nick, Qt::CaseInsensitive) == 0 && w.deviceId == deviceId)
            return;
    m_pending.append({nick, deviceId, newDevice});
    showFirst();
}

void KeyChangeBanner::removeWarning(const QString &nick, const QString &deviceId)
{
    for (qsizetype i = 0; i < m_pending.size(); ++i) {
        if (m_pending.at(i).nick.compare(nick, Qt::CaseInsensitive) == 0 && m_pending.at(i).deviceId == deviceId) {
            m_pending.removeAt(i);
            break;
        }
    }
    showFirst();
}

QString KeyChangeBanner::text() const
{
    return m_label->text();
}

void KeyChangeBanner::showFirst()
{
    if (m_pending.isEmpty()) {
        m_label->clear();
        hide();
        return;
    }
    const Warning &w = m_pending.first();
    QString text = w.newDevice
                       ? tr("%1 has a new device (%2). Messages are not shared with it until you accept it. "
                            "If %1 did not add a device, someone may be listening in.")
                             .arg(w.nick, w.deviceId)
                       : tr("The security key of %1 (device %2) changed. Messages are not shared with it until "
                            "you accept the new key. Compare safety numbers if you are unsure.")
                             .arg(w.nick, w.deviceId);
    if (m_pending.size() > 1)
        text += QLatin1Char(' ') + tr("(%n more warning(s))", nullptr, int(m_pending.size() - 1));
    m_label->setText(text);
    show();
}

} // namespace hchat::ui
