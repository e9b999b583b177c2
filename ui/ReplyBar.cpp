#include "ReplyBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace hchat::ui {

namespace {
QString quoted(const QString &text)
{
    constexpr int kMax = 80;
    const QString flat = text.simplified();
    return flat.size() > kMax ? flat.left(kMax - 1) + QChar(0x2026) : flat;
}
} // namespace

ReplyBar::ReplyBar(QWidget *parent) : QWidget(parent), m_label(new QLabel), m_cancel(new QToolButton)
{
    setObjectName(QStringLiteral("replyBar"));
    m_label->setObjectName(QStringLiteral("replyBarLabel"));
    m_label->setTextFormat(Qt::PlainText);
    m_label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_cancel->setObjectName(QStringLiteral("replyBarCancel"));
    m_cancel->setText(QStringLiteral("✕"));
    m_cancel->setToolTip(tr("Cancel (Esc)"));
    m_cancel->setAccessibleName(tr("Cancel"));
    m_cancel->setAutoRaise(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        clear();
        emit cancelled();
    });
    setVisible(false);
}

void ReplyBar::startReply(quint64 seq, const QString &sender, const QString &text)
{
    show(Mode::Reply, seq, tr("Replying to %1: %2").arg(sender, quoted(text)));
}

void ReplyBar::startEdit(quint64 seq, const QString &text)
{
    show(Mode::Edit, seq, tr("Editing your message: %1").arg(quoted(text)));
}

void ReplyBar::show(Mode mode, quint64 seq, const QString &text)
{
    m_mode = mode;
    m_seq = seq;
    m_label->setText(text);
    setAccessibleName(text);
    setVisible(true);
}

void ReplyBar::clear()
{
    m_mode = Mode::None;
    m_seq = 0;
    m_label->clear();
    setVisible(false);
}

QString ReplyBar::label() const
{
    return m_label->text();
}

} // namespace hchat::ui
