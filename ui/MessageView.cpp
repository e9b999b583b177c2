#include "MessageView.h"

#include "MessageDelegate.h"
#include "MessageListModel.h"

#include <QDesktopServices>
#include <QScrollBar>
#include <QTimer>

namespace hchat::ui {

MessageView::MessageView(QWidget *parent) : QListView(parent), m_delegate(new MessageDelegate(this))
{
    setItemDelegate(m_delegate);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setResizeMode(QListView::Adjust);
    setLayoutMode(QListView::Batched);
    setBatchSize(50);
    setWordWrap(true);
    setMouseTracking(true);
    setFrameShape(QFrame::NoFrame);
    setAccessibleName(tr("Messages"));
    verticalScrollBar()->setSingleStep(24);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &MessageView::onScrolled);
    // A link in a member's message opens only when clicked, and only on the web or in the mail
    // client: never a local file or program (file:, a custom scheme) by a member's say-so.
    connect(m_delegate, &MessageDelegate::linkActivated, this, [](const QUrl &url) {
        static const QStringList allowed{QStringLiteral("http"), QStringLiteral("https"),
                                         QStringLiteral("mailto")};
        if (allowed.contains(url.scheme().toLower()))
            QDesktopServices::openUrl(url);
    });
}

void MessageView::setMessageModel(MessageListModel *model)
{
    m_model = model;
    setModel(model);
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        m_awaitingFirstPaint = true;
        m_followTail = true;
        QTimer::singleShot(0, this, &MessageView::scrollToAnchor);
    });
    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this, [this](const QModelIndex &, int first, int) {
        // Older rows go in above what the user is reading: remember the height to keep it in place.
        m_heightBeforePrepend = first == 0 && m_model->rowCount() > 0 ? verticalScrollBar()->maximum() : -1;
    });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int) {
        if (first == 0 && m_heightBeforePrepend >= 0) {
            const int before = m_heightBeforePrepend;
            const int value = verticalScrollBar()->value();
            QTimer::singleShot(0, this, [this, before, value] {
                executeDelayedItemsLayout();
                verticalScrollBar()->setValue(value + verticalScrollBar()->maximum() - before);
            });
        } else if (m_followTail) {
            QTimer::singleShot(0, this, [this] {
                scrollToBottom();
                reportSeen();
            });
        }
        m_heightBeforePrepend = -1;
    });
}

void MessageView::scrollToAnchor()
{
    if (!m_model || m_model->rowCount() == 0)
        return;
    scrollToRow(m_model->anchorRow());
}

void MessageView::scrollToRow(int row)
{
    if (!m_model || row < 0 || row >= m_model->rowCount())
        return;
    const QModelIndex index = m_model->index(row);
    scrollTo(index, row == m_model->rowCount() - 1 ? QAbstractItemView::PositionAtBottom
                                                   : QAbstractItemView::PositionAtTop);
    reportSeen();
}

bool MessageView::isAtBottom() const
{
    return verticalScrollBar()->value() >= verticalScrollBar()->maximum() - 4;
}

void MessageView::onScrolled(int value)
{
    if (!m_model)
        return;
    m_followTail = isAtBottom() && !m_model->canFetchMore({});
    if (value <= verticalScrollBar()->minimum() && m_model->canFetchOlder())
        m_model->fetchOlder();
    reportSeen();
}

void MessageView::reportSeen()
{
    if (!m_model || !isVisible())
        return;
    const QModelIndex bottom = indexAt(QPoint(viewport()->width() / 2, viewport()->height() - 2));
    const QModelIndex last = bottom.isValid() ? bottom : m_model->index(m_model->rowCount() - 1);
    for (int row = last.row(); row >= 0; --row) {
        const quint64 seq = m_model->index(row).data(MessageListModel::SeqRole).toULongLong();
        if (seq > 0) {
            emit seenUpTo(seq);
            return;
        }
    }
}

void MessageView::paintEvent(QPaintEvent *event)
{
    QListView::paintEvent(event);
    if (m_awaitingFirstPaint) {
        m_awaitingFirstPaint = false;
        emit firstPaintAfterReset();
    }
}

void MessageView::resizeEvent(QResizeEvent *event)
{
    const bool atBottom = isAtBottom();
    QListView::resizeEvent(event);
    if (atBottom)
        QTimer::singleShot(0, this, [this] { scrollToBottom(); });
}

} // namespace hchat::ui
