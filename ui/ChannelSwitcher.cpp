#include "ChannelSwitcher.h"

#include "ChannelListModel.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QListView>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

namespace hchat::ui {

ChannelSwitcher::ChannelSwitcher(QAbstractItemModel *channels, QWidget *parent)
    : QDialog(parent), m_proxy(new QSortFilterProxyModel(this)), m_filter(new QLineEdit),
      m_list(new QListView)
{
    setObjectName(QStringLiteral("channelSwitcher"));
    setWindowTitle(tr("Switch to channel"));
    resize(420, 320);
    m_proxy->setSourceModel(channels);
    m_proxy->setFilterRole(ChannelListModel::TitleRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setObjectName(QStringLiteral("channelFilter"));
    m_filter->setPlaceholderText(tr("Channel or person"));
    m_filter->setAccessibleName(tr("Channel or person to switch to"));
    m_filter->installEventFilter(this);
    m_list->setObjectName(QStringLiteral("channelMatches"));
    m_list->setAccessibleName(tr("Matching channels"));
    m_list->setModel(m_proxy);
    m_list->setModelColumn(0);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_list);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text.trimmed());
        if (m_proxy->rowCount() > 0)
            m_list->setCurrentIndex(m_proxy->index(0, 0));
    });
    connect(m_filter, &QLineEdit::returnPressed, this, &ChannelSwitcher::choose);
    connect(m_list, &QListView::activated, this, &ChannelSwitcher::choose);
    if (m_proxy->rowCount() > 0)
        m_list->setCurrentIndex(m_proxy->index(0, 0));
}

int ChannelSwitcher::matchCount() const
{
    return m_proxy->rowCount();
}

bool ChannelSwitcher::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int rows = m_proxy->rowCount();
            if (rows > 0) {
                const int row = m_list->currentIndex().isValid() ? m_list->currentIndex().row() : -1;
                const int next = std::clamp(row + (key == Qt::Key_Down ? 1 : -1), 0, rows - 1);
                m_list->setCurrentIndex(m_proxy->index(next, 0));
            }
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void ChannelSwitcher::choose()
{
    const QModelIndex index = m_list->currentIndex();
    if (!index.isValid())
        return;
    emit channelChosen(index.data(ChannelListModel::NameRole).toString());
    accept();
}

} // namespace hchat::ui
