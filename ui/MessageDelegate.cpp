#include "MessageDelegate.h"

#include "MessageListModel.h"
#include "StoredMessage.h"
#include "crypto/TrustStore.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTextFrame>

namespace hchat::ui {

namespace {
constexpr int kMargin = 8;
constexpr int kPadding = 8;
constexpr int kRadius = 10;
constexpr int kHeaderHeight = 26;
constexpr double kMaxBubbleFraction = 0.72;

QColor senderColor(const QString &nick)
{
    const uint hue = qHash(nick.toLower()) % 360;
    return QColor::fromHsl(int(hue), 140, 95);
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QString dayLabel(const QDate &day)
{
    const QDate today = QDate::currentDate();
    if (day == today)
        return MessageDelegate::tr("Today");
    if (day == today.addDays(-1))
        return MessageDelegate::tr("Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}
} // namespace

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

QString MessageDelegate::senderLabel(const QModelIndex &index)
{
    const QString sender = index.data(MessageListModel::SenderRole).toString();
    const QVariant trust = index.data(MessageListModel::SenderTrustRole);
    if (!trust.isValid())
        return sender;
    switch (crypto::TrustStore::State(trust.toInt())) {
    case crypto::TrustStore::State::Verified:
        return tr("%1 ✔ verified").arg(sender);
    case crypto::TrustStore::State::Changed:
    case crypto::TrustStore::State::NewDevice:
        return tr("%1 ⚠ key changed").arg(sender);
    case crypto::TrustStore::State::Revoked:
        return tr("%1 (revoked device)").arg(sender);
    case crypto::TrustStore::State::Trusted:
    case crypto::TrustStore::State::Unknown:
        break;
    }
    return sender;
}

const MessageDocument *MessageDelegate::document(const QStyleOptionViewItem &option, const QModelIndex &index,
                                                 int width) const
{
    const QPalette &pal = option.palette;
    const QColor dim = pal.color(QPalette::PlaceholderText);
    const QString styleKey = option.font.key() + pal.color(QPalette::Link).name() + dim.name() +
                             pal.color(QPalette::Window).name();
    if (styleKey != m_styleKey) {
        m_documents.clear();
        m_styleKey = styleKey;
    }
    const QString text = index.data(MessageListModel::TextRole).toString();
    const bool deleted = index.data(MessageListModel::DeletedRole).toBool();
    const bool edited = index.data(MessageListModel::EditedRole).toBool();
    const auto crypto = StoredMessage::CryptoState(index.data(MessageListModel::CryptoStateRole).toInt());
    const quint64 seq = index.data(MessageListModel::SeqRole).toULongLong();
    const QString row =
        seq ? QString::number(seq)
            : QLatin1Char('o') + QString::number(index.data(MessageListModel::OutboxIdRole).toLongLong());
    const QString key = QStringLiteral("%1:%2:%3:%4%5%6")
                            .arg(row)
                            .arg(qHash(text))
                            .arg(text.size())
                            .arg(int(deleted))
                            .arg(int(edited))
                            .arg(int(crypto));
    MessageDocument *doc = m_documents.object(key);
    if (!doc) {
        doc = new MessageDocument;
        const MessageDocument::Style style{option.font, pal.color(QPalette::Link), dim,
                                           isDark(pal) ? QColor(30, 32, 36) : QColor(226, 228, 234)};
        const bool readable =
            crypto == StoredMessage::CryptoState::Plain || crypto == StoredMessage::CryptoState::Decrypted;
        if (deleted || !readable)
            doc->setMessagePlainText(text, style, deleted); // not the member's Markdown
        else
            doc->setMessageMarkdown(text, style, edited ? tr("(edited)") : QString());
        m_documents.insert(key, doc);
    }
    doc->fitToWidth(width);
    return doc;
}

MessageDelegate::Layout MessageDelegate::layoutFor(const QStyleOptionViewItem &option,
                                                   const QModelIndex &index) const
{
    Layout l;
    const QRect r = option.rect;
    int y = r.top();
    const bool header = index.data(MessageListModel::NewDayRole).toBool() ||
                        index.data(MessageListModel::FirstUnreadRole).toBool();
    const int headerH = (index.data(MessageListModel::NewDayRole).toBool() ? kHeaderHeight : 0) +
                        (index.data(MessageListModel::FirstUnreadRole).toBool() ? kHeaderHeight : 0);
    if (header) {
        l.headerRect = QRect(r.left(), y, r.width(), headerH);
        y += headerH;
    }
    const auto kind = MessageKind(index.data(MessageListModel::KindRole).toInt());
    const QFontMetrics fm(option.font);
    if ((kind != MessageKind::Text && kind != MessageKind::Attachment) ||
        index.data(MessageListModel::BlockedRole).toBool()) {
        l.system = true;
        l.textRect = QRect(r.left() + kMargin, y + 4, r.width() - 2 * kMargin, fm.height());
        l.bubbleRect = l.textRect.adjusted(0, -4, 0, 4);
        return l;
    }
    const bool own = index.data(MessageListModel::IsOwnRole).toBool();
    const int maxText = std::max(80, int(r.width() * kMaxBubbleFraction) - 2 * kPadding);
    const MessageDocument *doc = document(option, index, maxText);
    l.doc = doc;
    const bool attachment = kind == MessageKind::Attachment;
    // An attachment without a caption has no text line.
    const QSize textSize = attachment && index.data(MessageListModel::TextRole).toString().isEmpty() &&
                                   !index.data(MessageListModel::EditedRole).toBool()
                               ? QSize(0, 0)
                               : doc->size().toSize();
    const QSize attachmentSize = attachment ? attachmentBoxSize(option, index, maxText) : QSize(0, 0);
    const int progressH = attachment && index.data(MessageListModel::TransferRole).toInt() >= 0 ? 8 : 0;
    QFont small = option.font;
    small.setPointSizeF(option.font.pointSizeF() * 0.85);
    const QFontMetrics sfm(small);
    const int metaH = sfm.height();
    const auto delivery = MessageListModel::Delivery(index.data(MessageListModel::DeliveryRole).toInt());
    const int statusH = delivery == MessageListModel::Delivery::Stored ? 0 : sfm.height() + 2;
    const QString meta = own ? QString() : senderLabel(index);
    const int metaW = sfm.horizontalAdvance(meta + QStringLiteral("  00:00 PM") +
                                            (index.data(MessageListModel::SeenRole).toBool() ? tr(" · Seen") : QString()));
    const bool reply = index.data(MessageListModel::ReplyToSeqRole).toULongLong() != 0;
    const int quoteH = reply ? 2 * sfm.height() + 6 : 0;
    const int quoteW = reply ? std::min(maxText, 8 + sfm.horizontalAdvance(index.data(MessageListModel::ReplyTextRole).toString().simplified()))
                             : 0;
    const int innerW = std::max({textSize.width(), metaW, quoteW, attachmentSize.width(),
                                 delivery == MessageListModel::Delivery::Failed ? 180 : 0});
    const int bubbleW = std::min(innerW, maxText) + 2 * kPadding;
    const int attachmentH = attachment ? attachmentSize.height() + progressH + 4 : 0;
    const int bubbleH = metaH + 2 + quoteH + (reply ? 3 : 0) + attachmentH + textSize.height() + statusH + 2 * kPadding;
    const int x = own ? r.right() - kMargin - bubbleW : r.left() + kMargin;
    l.bubbleRect = QRect(x, y + 3, bubbleW, bubbleH);
    l.metaRect = QRect(x + kPadding, y + 3 + kPadding, bubbleW - 2 * kPadding, metaH);
    if (reply)
        l.quoteRect = QRect(x + kPadding, l.metaRect.bottom() + 3, bubbleW - 2 * kPadding, quoteH);
    int top = (reply ? l.quoteRect.bottom() : l.metaRect.bottom()) + 3;
    if (attachment) {
        l.attachmentRect = QRect(x + kPadding, top, attachmentSize.width(), attachmentSize.height());
        if (progressH)
            l.progressRect = QRect(x + kPadding, l.attachmentRect.bottom() + 3, attachmentSize.width(), 4);
        top += attachmentH;
    }
    l.textRect = QRect(x + kPadding, top, textSize.width(), textSize.height());
    l.statusRect = QRect(x + kPadding, l.textRect.bottom() + 3, bubbleW - 2 * kPadding, statusH);
    return l;
}

// An image's thumbnail at most 240×180 (never enlarged), or a file box with name and size.
QSize MessageDelegate::attachmentBoxSize(const QStyleOptionViewItem &option, const QModelIndex &index, int maxWidth)
{
    const QImage thumb = index.data(MessageListModel::ThumbnailRole).value<QImage>();
    if (!thumb.isNull())
        return thumb.size().scaled(QSize(std::min(240, maxWidth), 180).boundedTo(thumb.size()), Qt::KeepAspectRatio);
    const QFontMetrics fm(option.font);
    return {std::min(maxWidth, 260), 2 * fm.height() + 14};
}

QString MessageDelegate::sizeLabel(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

void MessageDelegate::paintAttachment(QPainter *painter, const QStyleOptionViewItem &option,
                                      const QModelIndex &index, const Layout &l) const
{
    const QPalette &pal = option.palette;
    const QRect box = l.attachmentRect;
    const QImage thumb = index.data(MessageListModel::ThumbnailRole).value<QImage>();
    const QString name = index.data(MessageListModel::AttachmentNameRole).toString();
    if (!thumb.isNull()) {
        QPainterPath clip;
        clip.addRoundedRect(box, 6, 6);
        painter->save();
        painter->setClipPath(clip);
        painter->drawImage(box, thumb);
        painter->restore();
    } else {
        painter->setPen(pal.color(QPalette::Mid));
        painter->setBrush(pal.color(QPalette::Base));
        painter->drawRoundedRect(box, 6, 6);
        const QFontMetrics fm(option.font);
        const QRect icon(box.left() + 8, box.top() + (box.height() - 28) / 2, 22, 28);
        painter->setPen(QPen(pal.color(QPalette::Text), 1.2));
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(icon);
        painter->drawLine(icon.left() + 5, icon.top() + 9, icon.right() - 5, icon.top() + 9);
        painter->drawLine(icon.left() + 5, icon.top() + 15, icon.right() - 5, icon.top() + 15);
        painter->drawLine(icon.left() + 5, icon.top() + 21, icon.right() - 9, icon.top() + 21);
        const int textLeft = icon.right() + 10;
        const QRect nameRect(textLeft, box.top() + 6, box.right() - textLeft - 6, fm.height());
        painter->setFont(option.font);
        painter->setPen(pal.color(QPalette::Text));
        painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                          fm.elidedText(name.isEmpty() ? tr("Attachment") : name, Qt::ElideMiddle, nameRect.width()));
        QString detail = sizeLabel(index.data(MessageListModel::AttachmentSizeRole).toLongLong());
        if (index.data(MessageListModel::AttachmentFileRole).toString().isEmpty())
            detail = tr("%1 · click to download").arg(detail);
        painter->setPen(pal.color(QPalette::PlaceholderText));
        painter->drawText(nameRect.translated(0, fm.height() + 2), Qt::AlignLeft | Qt::AlignVCenter, detail);
    }
    if (!l.progressRect.isNull()) {
        const int percent = std::clamp(index.data(MessageListModel::TransferRole).toInt(), 0, 100);
        painter->fillRect(l.progressRect, pal.color(QPalette::Mid));
        painter->fillRect(QRect(l.progressRect.left(), l.progressRect.top(), l.progressRect.width() * percent / 100,
                                l.progressRect.height()),
                          pal.color(QPalette::Highlight));
    }
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const Layout l = layoutFor(option, index);
    const int top = l.headerRect.isNull() ? option.rect.top() : l.headerRect.top();
    return {option.rect.width(), l.bubbleRect.bottom() - top + 6};
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const Layout l = layoutFor(option, index);
    const QPalette &pal = option.palette;
    const bool dark = isDark(pal);
    QFont small = option.font;
    small.setPointSizeF(option.font.pointSizeF() * 0.85);

    if (!l.headerRect.isNull()) {
        QRect h = l.headerRect;
        if (index.data(MessageListModel::NewDayRole).toBool()) {
            const QRect day(h.left(), h.top(), h.width(), kHeaderHeight);
            painter->setFont(small);
            painter->setPen(pal.color(QPalette::PlaceholderText));
            const QString label = dayLabel(index.data(MessageListModel::TimeRole).toDateTime().date());
            painter->drawText(day, Qt::AlignCenter, label);
            h.setTop(h.top() + kHeaderHeight);
        }
        if (index.data(MessageListModel::FirstUnreadRole).toBool()) {
            const QColor red(220, 60, 60);
            painter->setPen(QPen(red, 1));
            const int mid = h.top() + kHeaderHeight / 2;
            painter->drawLine(h.left() + kMargin, mid, h.right() - kMargin, mid);
            painter->setFont(small);
            const QString label = tr("New messages");
            const int w = QFontMetrics(small).horizontalAdvance(label) + 16;
            const QRect tag(h.center().x() - w / 2, mid - 9, w, 18);
            painter->fillRect(tag, pal.color(QPalette::Base));
            painter->drawText(tag, Qt::AlignCenter, label);
        }
    }

    if (l.system) {
        painter->setFont(small);
        painter->setPen(pal.color(QPalette::PlaceholderText));
        painter->drawText(l.textRect, Qt::AlignCenter, index.data(MessageListModel::TextRole).toString());
        painter->restore();
        return;
    }

    const bool own = index.data(MessageListModel::IsOwnRole).toBool();
    const auto delivery = MessageListModel::Delivery(index.data(MessageListModel::DeliveryRole).toInt());
    QColor bubble = own ? (dark ? QColor(38, 79, 140) : QColor(220, 235, 255))
                        : (dark ? QColor(52, 55, 61) : QColor(242, 242, 245));
    if (option.state & QStyle::State_Selected)
        bubble = pal.color(QPalette::Highlight).lighter(dark ? 80 : 170);
    QPainterPath path;
    path.addRoundedRect(l.bubbleRect, kRadius, kRadius);
    painter->fillPath(path, bubble);
    if (index.data(MessageListModel::MentionsMeRole).toBool()) {
        // A message that mentions the user: an accent bar on the bubble's leading edge.
        painter->fillRect(QRect(l.bubbleRect.left(), l.bubbleRect.top() + kRadius, 3, l.bubbleRect.height() - 2 * kRadius),
                          QColor(230, 150, 30));
    }
    if (!l.quoteRect.isNull()) {
        const QFontMetrics sfm(small);
        painter->fillRect(QRect(l.quoteRect.left(), l.quoteRect.top(), 2, l.quoteRect.height()),
                          pal.color(QPalette::PlaceholderText));
        const QRect inner = l.quoteRect.adjusted(8, 2, 0, -2);
        QFont bold = small;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(pal.color(QPalette::Text));
        const QString quotedSender = index.data(MessageListModel::ReplySenderRole).toString();
        painter->drawText(QRect(inner.left(), inner.top(), inner.width(), sfm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                          quotedSender.isEmpty() ? tr("Earlier message") : quotedSender);
        painter->setFont(small);
        painter->setPen(pal.color(QPalette::PlaceholderText));
        const QString quoted = index.data(MessageListModel::ReplyTextRole).toString().simplified();
        painter->drawText(QRect(inner.left(), inner.top() + sfm.height(), inner.width(), sfm.height()),
                          Qt::AlignLeft | Qt::AlignVCenter,
                          sfm.elidedText(quoted.isEmpty() ? tr("(not in this device's history)") : quoted, Qt::ElideRight,
                                         inner.width()));
    }
    if (delivery == MessageListModel::Delivery::Failed) {
        painter->setPen(QPen(QColor(220, 60, 60), 1.5));
        painter->drawPath(path);
    }

    painter->setFont(small);
    QString time = QLocale().toString(index.data(MessageListModel::TimeRole).toDateTime().time(), QLocale::ShortFormat);
    if (const QDateTime written = index.data(MessageListModel::WrittenTimeRole).toDateTime(); written.isValid())
        time = tr("written %1 · delivered %2").arg(QLocale().toString(written, QLocale::ShortFormat), time);
    if (index.data(MessageListModel::SeenRole).toBool())
        time = tr("%1 · Seen").arg(time);
    if (!own) {
        QFont bold = small;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(dark ? senderColor(index.data(MessageListModel::SenderRole).toString()).lighter(160)
                             : senderColor(index.data(MessageListModel::SenderRole).toString()));
        painter->drawText(l.metaRect, Qt::AlignLeft | Qt::AlignVCenter, senderLabel(index));
        painter->setFont(small);
    }
    painter->setPen(pal.color(QPalette::PlaceholderText));
    painter->drawText(l.metaRect, Qt::AlignRight | Qt::AlignVCenter, time);

    if (!l.attachmentRect.isNull())
        paintAttachment(painter, option, index, l);

    painter->translate(l.textRect.topLeft());
    QAbstractTextDocumentLayout::PaintContext ctx;
    const auto crypto = StoredMessage::CryptoState(index.data(MessageListModel::CryptoStateRole).toInt());
    ctx.palette.setColor(QPalette::Text, crypto == StoredMessage::CryptoState::Undecryptable ? QColor(200, 50, 50)
                                         : crypto == StoredMessage::CryptoState::WaitingForKey
                                             ? pal.color(QPalette::PlaceholderText)
                                             : pal.color(QPalette::Text));
    l.doc->documentLayout()->draw(painter, ctx);
    painter->translate(-l.textRect.topLeft());

    if (delivery != MessageListModel::Delivery::Stored) {
        painter->setFont(small);
        if (delivery == MessageListModel::Delivery::Pending) {
            painter->setPen(pal.color(QPalette::PlaceholderText));
            painter->drawText(l.statusRect, Qt::AlignRight | Qt::AlignVCenter, tr("Sending…"));
        } else {
            painter->setPen(QColor(220, 60, 60));
            const QString reason = index.data(MessageListModel::ErrorRole).toString();
            painter->drawText(l.statusRect, Qt::AlignLeft | Qt::AlignVCenter,
                              QFontMetrics(small).elidedText(tr("Not sent: %1 — click to retry").arg(reason),
                                                             Qt::ElideMiddle, l.statusRect.width()));
        }
    }
    painter->restore();
}

bool MessageDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                                  const QModelIndex &index)
{
    if (event->type() != QEvent::MouseButtonRelease)
        return QStyledItemDelegate::editorEvent(event, model, option, index);
    auto *mouse = static_cast<QMouseEvent *>(event);
    if (mouse->button() != Qt::LeftButton)
        return false;
    const Layout l = layoutFor(option, index);
    const QPoint pos = mouse->position().toPoint();
    if (l.doc && l.textRect.contains(pos)) {
        const QString anchor = l.doc->documentLayout()->anchorAt(pos - l.textRect.topLeft());
        if (!anchor.isEmpty()) {
            emit linkActivated(QUrl(anchor));
            return true;
        }
    }
    if (l.attachmentRect.contains(pos) && index.data(MessageListModel::SeqRole).toULongLong() != 0) {
        emit attachmentActivated(index.data(MessageListModel::SeqRole).toULongLong());
        return true;
    }
    if (MessageListModel::Delivery(index.data(MessageListModel::DeliveryRole).toInt()) ==
            MessageListModel::Delivery::Failed &&
        l.bubbleRect.contains(pos)) {
        emit retryRequested(index.data(MessageListModel::OutboxIdRole).toLongLong());
        return true;
    }
    return false;
}

} // namespace hchat::ui
