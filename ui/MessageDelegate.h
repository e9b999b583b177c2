#pragma once

#include "MessageDocument.h"

#include <QCache>
#include <QStyledItemDelegate>

namespace hchat::ui {

// Paints one message of MessageListModel: a bubble with sender and time (own messages on the
// right), a day separator, the "new messages" marker, membership changes as a centred line, the
// text rendered from Markdown (MessageDocument) with clickable links, and the delivery state of
// one's own messages (sending, failed with the reason and a retry on click). The rendered text of
// each row is cached (by row, text and edit state), so that scrolling parses nothing again.
class MessageDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit MessageDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

    // The rendered text of the message at index, laid out at most width wide (cached).
    const MessageDocument *document(const QStyleOptionViewItem &option, const QModelIndex &index,
                                    int width) const;
    // The sender with its verification state (encrypted messages): "bob ✔ verified" …
    static QString senderLabel(const QModelIndex &index);

signals:
    void linkActivated(const QUrl &url);
    void retryRequested(qint64 outboxId);
    // The user clicked an attachment (its thumbnail or file box): open it, downloading first.
    void attachmentActivated(quint64 seq);

private:
    struct Layout {
        QRect headerRect;   // day separator and/or new-messages marker
        QRect bubbleRect;
        QRect textRect;
        QRect metaRect;     // sender/time line
        QRect statusRect;   // delivery state line (own messages)
        QRect quoteRect;    // replies: the quoted message (sender and text, one line each)
        QRect attachmentRect; // attachments: the thumbnail or the file box
        QRect progressRect;   // … the download's progress bar, while one runs
        bool system = false;
        const MessageDocument *doc = nullptr; // the text (not for system rows)
    };
    Layout layoutFor(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    static QSize attachmentBoxSize(const QStyleOptionViewItem &option, const QModelIndex &index, int maxWidth);
    static QString sizeLabel(qint64 bytes);
    void paintAttachment(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index,
                         const Layout &l) const;

    // Rendered texts by row (seq or outbox id), text, edit and crypto state; cleared when the
    // font or the palette changes.
    mutable QCache<QString, MessageDocument> m_documents{600};
    mutable QString m_styleKey;
};

} // namespace hchat::ui
