#pragma once

#include <QStyledItemDelegate>

namespace hchat::ui {

// Paints a channel list entry: a kind glyph (# open, lock encrypted, @ direct), the title (bold
// while unread), the newest message's preview and an unread badge; muted channels are dimmed.
class ChannelDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace hchat::ui
