#pragma once

#include <QDialog>

class QAbstractItemModel;
class QLineEdit;
class QListView;
class QSortFilterProxyModel;

namespace hchat::ui {

// Ctrl+K: type a few letters of a channel or a person, Enter opens it. Filters the channel list
// model (by title, case-insensitive); Up and Down move through the matches without leaving the
// text field.
class ChannelSwitcher : public QDialog {
    Q_OBJECT
public:
    explicit ChannelSwitcher(QAbstractItemModel *channels, QWidget *parent = nullptr);

    QLineEdit *filterField() const { return m_filter; }
    QListView *matches() const { return m_list; }
    int matchCount() const;

signals:
    void channelChosen(const QString &channel);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void choose();

    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QListView *m_list;
};

} // namespace hchat::ui
