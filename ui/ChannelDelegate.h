#pragma once

#include <QIcon>
#include <QStyledItemDelegate>

namespace hchat::ui {

// Paints a channel list entry: a kind mark (# open, a lock icon encrypted, @ direct), the title (bold
// while unread), the newest message's preview and an unread badge; muted channels are dimmed.
class ChannelDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ChannelDelegate(QObject *parent = nullptr);
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    QIcon m_lockIcon; // AppIcons::encrypted(), looked up once
};

} // namespace hchat::ui
