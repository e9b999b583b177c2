#include "ChannelDelegate.h"

#include "AppIcons.h"
#include "ChannelListModel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace hchat::ui {

namespace {
constexpr int kPad = 8;
}

ChannelDelegate::ChannelDelegate(QObject *parent)
    : QStyledItemDelegate(parent), m_lockIcon(AppIcons::encrypted())
{
}

QSize ChannelDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics fm(option.font);
    return {200, 2 * fm.height() + 2 * kPad + 2};
}

void ChannelDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, opt.widget);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette &pal = opt.palette;
    QColor text = pal.color(selected ? QPalette::HighlightedText : QPalette::Text);
    QColor dim = selected ? text : pal.color(QPalette::PlaceholderText);
    const bool muted = index.data(ChannelListModel::MutedRole).toBool();
    if (muted)
        text = dim;

    const QRect r = opt.rect.adjusted(kPad, kPad, -kPad, -kPad);
    const QFontMetrics fm(opt.font);
    const auto kind = ChannelRecord::Kind(index.data(ChannelListModel::KindRole).toInt());
    const bool encrypted = index.data(ChannelListModel::EncryptedRole).toBool();
    const int glyphW = std::max(fm.horizontalAdvance(QStringLiteral("W")), fm.height()) + 6;
    const QRect glyphRect(r.left(), r.top(), glyphW, fm.height());
    if (encrypted) {
        const int side = std::min(fm.height(), 16);
        const QRect iconRect(glyphRect.left(), glyphRect.top() + (glyphRect.height() - side) / 2, side, side);
        m_lockIcon.paint(painter, iconRect, Qt::AlignCenter, selected ? QIcon::Selected : QIcon::Normal);
    } else {
        painter->setPen(dim);
        painter->drawText(glyphRect, Qt::AlignLeft | Qt::AlignVCenter,
                          kind == ChannelRecord::Kind::Direct ? QStringLiteral("@") : QStringLiteral("#"));
    }

    const quint64 unread = index.data(ChannelListModel::UnreadRole).toULongLong();
    int badgeW = 0;
    if (unread > 0) {
        QFont badgeFont = opt.font;
        badgeFont.setBold(true);
        badgeFont.setPointSizeF(opt.font.pointSizeF() * 0.85);
        const QString label = unread > 999 ? QStringLiteral("999+") : QString::number(unread);
        const QFontMetrics bfm(badgeFont);
        badgeW = std::max(bfm.horizontalAdvance(label) + 12, bfm.height() + 4);
        const QRect badge(r.right() - badgeW, r.top() + 1, badgeW, bfm.height() + 2);
        QPainterPath pill;
        pill.addRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
        painter->fillPath(pill, muted ? pal.color(QPalette::Mid) : QColor(220, 60, 60));
        painter->setFont(badgeFont);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, label);
    }

    QFont titleFont = opt.font;
    titleFont.setBold(unread > 0 && !muted);
    painter->setFont(titleFont);
    painter->setPen(text);
    const QRect titleRect(r.left() + glyphW, r.top(), r.width() - glyphW - badgeW - 4, fm.height());
    painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(titleFont).elidedText(index.data(ChannelListModel::TitleRole).toString(),
                                                         Qt::ElideRight, titleRect.width()));
    painter->setFont(opt.font);
    painter->setPen(dim);
    const QRect previewRect(r.left() + glyphW, r.top() + fm.height() + 2, r.width() - glyphW, fm.height());
    painter->drawText(previewRect, Qt::AlignLeft | Qt::AlignVCenter,
                      fm.elidedText(index.data(ChannelListModel::PreviewRole).toString(), Qt::ElideRight,
                                    previewRect.width()));
    painter->restore();
}

} // namespace hchat::ui
