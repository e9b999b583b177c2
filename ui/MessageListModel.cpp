#include "MessageListModel.h"

#include "AttachmentInfo.h"
#include "HistoryStore.h"
#include "Mentions.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QScopedValueRollback>
#include <QSet>

namespace hchat::ui {

MessageListModel::MessageListModel(const HistoryStore *store, QObject *parent)
    : QAbstractListModel(parent), m_store(store)
{
}

void MessageListModel::setChannel(const QString &channel)
{
    const QScopedValueRollback<bool> changing(m_changing, true);
    beginResetModel();
    m_channel = channel;
    m_rows.clear();
    m_revealed.clear();
    m_outbox.clear();
    m_replyTargets.clear();
    m_thumbnails.clear();
    m_pagesLoaded = 0;
    m_anchorRow = -1;
    m_firstUnread = channel.isEmpty() ? 0 : m_store->firstUnreadSeq(channel);
    if (!channel.isEmpty()) {
        const quint64 max = m_store->maxVisibleSeq(channel);
        const quint64 anchor = m_firstUnread ? m_firstUnread : max;
        if (anchor > 0) {
            m_rows = m_store->rowsBefore(channel, anchor + 1, kPageSize);
            ++m_pagesLoaded;
            m_anchorRow = int(m_rows.size()) - 1;
            if (m_firstUnread && !m_rows.isEmpty() && m_rows.last().seq < max) {
                m_rows += m_store->rowsAfter(channel, m_rows.last().seq, kPageSize);
                ++m_pagesLoaded;
            }
        }
        m_outbox = collectOutboxRows();
        if (m_anchorRow < 0)
            m_anchorRow = rowCount() - 1;
    }
    endResetModel();
}

QList<OutboxEntry> MessageListModel::collectOutboxRows() const
{
    QList<OutboxEntry> rows;
    if (m_channel.isEmpty() || (!m_rows.isEmpty() && m_rows.last().seq < m_store->maxVisibleSeq(m_channel)))
        return rows;
    const auto entries =
        m_store->outbox(m_channel, {OutboxEntry::State::Pending, OutboxEntry::State::Failed});
    if (entries.isEmpty())
        return rows;
    // An acknowledged send may already be in the history before its outbox row is marked sent.
    QSet<QByteArray> stored;
    for (qsizetype i = std::max<qsizetype>(0, m_rows.size() - entries.size() - 64); i < m_rows.size(); ++i)
        stored.insert(m_rows.at(i).clientMsgId);
    for (const OutboxEntry &e : entries) {
        // Edits and deletions on their way show in their target once stored, not as rows.
        if ((e.kind == MessageKind::Text || e.kind == MessageKind::Attachment) &&
            !stored.contains(e.clientMsgId))
            rows.append(e);
    }
    return rows;
}

void MessageListModel::replaceOutboxRows()
{
    if (!m_outbox.isEmpty()) {
        beginRemoveRows({}, storedRows(), rowCount() - 1);
        m_outbox.clear();
        endRemoveRows();
    }
    QList<OutboxEntry> fresh = collectOutboxRows();
    if (!fresh.isEmpty()) {
        beginInsertRows({}, storedRows(), storedRows() + int(fresh.size()) - 1);
        m_outbox = std::move(fresh);
        endInsertRows();
    }
}

int MessageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size() + m_outbox.size());
}

QString MessageListModel::describe(const StoredMessage &m) const
{
    switch (m.kind) {
    case MessageKind::Text:
    case MessageKind::Attachment: // the caption; the delegate draws the file above it
        if (m.deleted)
            return tr("This message was deleted.");
        if (m.isUnencryptedForgery())
            return tr("Not from a member: %1").arg(m.cryptoReason);
        if (m.encrypted) {
            switch (m.cryptoState) {
            case StoredMessage::CryptoState::Decrypted:
                return m.plainText;
            case StoredMessage::CryptoState::Undecryptable:
                return tr("Undecryptable: %1").arg(m.cryptoReason);
            case StoredMessage::CryptoState::Plain:
            case StoredMessage::CryptoState::WaitingForKey:
                if (m_awaitingApproval && m_awaitingApproval())
                    return tr("Waiting for the key: approve this device from one of your other devices, "
                              "which then hand it the keys of your history.");
                return tr("Waiting for the key… (shown as soon as it arrives)");
            }
        }
        return m.text();
    case MessageKind::Membership:
        return tr("Warning: %1").arg(m.cryptoReason);
    case MessageKind::ChannelCreated:
        return tr("%1 created %2").arg(senderName(m.sender), m.channel);
    case MessageKind::MemberJoined:
        return tr("%1 joined").arg(senderName(m.subject.isEmpty() ? m.sender : m.subject));
    case MessageKind::MemberAdded:
        if (m.cryptoState == StoredMessage::CryptoState::Undecryptable) // no member invited them
            return tr("Warning: %1").arg(m.cryptoReason);
        return tr("%1 added %2").arg(senderName(m.sender), senderName(m.subject));
    case MessageKind::MemberRemoved:
        return tr("%1 removed %2").arg(senderName(m.sender), senderName(m.subject));
    case MessageKind::MemberLeft:
        return tr("%1 left").arg(senderName(m.subject.isEmpty() ? m.sender : m.subject));
    case MessageKind::KeyShare:
    case MessageKind::Edit:
    case MessageKind::Delete:
        return {};
    case MessageKind::UserDeleted:
        return tr("An account was deleted; its messages are shown as from a deleted user");
    case MessageKind::MemberKicked: {
        const QString reason = QString::fromUtf8(m.body).trimmed();
        return reason.isEmpty()
                   ? tr("%1 removed %2").arg(senderName(m.sender), senderName(m.subject))
                   : tr("%1 removed %2: %3").arg(senderName(m.sender), senderName(m.subject), reason);
    }
    case MessageKind::MemberBanned: {
        const QString reason = QString::fromUtf8(m.body).trimmed();
        return reason.isEmpty()
                   ? tr("%1 banned %2").arg(senderName(m.sender), senderName(m.subject))
                   : tr("%1 banned %2: %3").arg(senderName(m.sender), senderName(m.subject), reason);
    }
    case MessageKind::MemberUnbanned:
        return tr("%1 lifted the ban on %2").arg(senderName(m.sender), senderName(m.subject));
    case MessageKind::Topic: {
        const QString topic = QString::fromUtf8(m.body).simplified();
        return topic.isEmpty() ? tr("%1 cleared the topic").arg(senderName(m.sender))
                               : tr("%1 set the topic to \u201c%2\u201d").arg(senderName(m.sender), topic);
    }
    case MessageKind::ReadOnly:
        return m.body == "1"
                   ? tr("%1 made the channel read-only: only moderators can write").arg(senderName(m.sender))
                   : tr("%1 opened the channel to everyone again").arg(senderName(m.sender));
    case MessageKind::Role: {
        const QString role = QString::fromUtf8(m.body);
        if (role == QLatin1String("owner"))
            return tr("%1 is now the owner").arg(senderName(m.subject));
        if (role == QLatin1String("moderator"))
            return tr("%1 is now a moderator").arg(senderName(m.subject));
        return tr("%1 is no longer a moderator").arg(senderName(m.subject));
    }
    }
    return {};
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    if (row >= storedRows()) {
        const OutboxEntry &e = m_outbox.at(row - storedRows());
        switch (role) {
        case Qt::DisplayRole:
        case TextRole:
            return e.text();
        case Qt::AccessibleTextRole:
            return e.state == OutboxEntry::State::Failed ? tr("You, not sent: %1. %2").arg(e.error, e.text())
                                                         : tr("You, sending: %1").arg(e.text());
        case SenderRole:
            return m_store->ownNick();
        case TimeRole:
            return QDateTime::fromMSecsSinceEpoch(e.createdMs);
        case KindRole:
            return int(e.kind);
        case AttachmentIdRole:
            return e.attachmentId;
        case AttachmentNameRole:
        case AttachmentSizeRole:
        case ThumbnailRole: {
            // A plain entry's body is its content; an encrypted one is shown by its caption.
            StoredMessage probe;
            probe.kind = e.kind;
            probe.attachmentId = e.attachmentId;
            probe.attachment = e.encrypted ? QByteArray() : e.body;
            return attachmentData(probe, role);
        }
        case TransferRole:
            return -1;
        case IsOwnRole:
            return true;
        case DeliveryRole:
            return int(e.state == OutboxEntry::State::Failed ? Delivery::Failed : Delivery::Pending);
        case ErrorRole:
            return e.error;
        case OutboxIdRole:
            return e.id;
        case NewDayRole: {
            const QDate day = QDateTime::fromMSecsSinceEpoch(e.createdMs).date();
            const qint64 prevMs = row == 0                 ? 0
                                  : row - 1 < storedRows() ? m_rows.at(row - 1).serverTimeMs
                                                           : m_outbox.at(row - 1 - storedRows()).createdMs;
            return row == 0 || QDateTime::fromMSecsSinceEpoch(prevMs).date() != day;
        }
        case EncryptedRole:
            return e.encrypted;
        case CryptoStateRole:
            return int(e.encrypted ? StoredMessage::CryptoState::Decrypted
                                   : StoredMessage::CryptoState::Plain);
        case ReplyToSeqRole:
            return e.refSeq;
        case ReplySenderRole:
        case ReplyTextRole: {
            StoredMessage probe;
            probe.refSeq = e.refSeq;
            const StoredMessage *target = replyTarget(probe);
            return target ? QVariant(role == ReplySenderRole ? senderName(target->sender) : describe(*target))
                          : QVariant(QString());
        }
        case FirstUnreadRole:
        case SeqRole:
            return role == SeqRole ? QVariant(quint64(0)) : QVariant(false);
        default:
            return {};
        }
    }
    const StoredMessage &m = m_rows.at(row);
    if (role == BlockedRole)
        return isHiddenBlocked(m);
    if (isHiddenBlocked(m)) {
        switch (role) {
        case Qt::DisplayRole:
        case TextRole:
        case Qt::AccessibleTextRole:
            return tr("Message from a blocked user \u2014 show");
        case Qt::ToolTipRole:
            return tr("You blocked %1. Click to show this message.").arg(senderName(m.sender));
        case ReplyToSeqRole:
            return quint64(0);
        case ReplySenderRole:
        case ReplyTextRole:
        case AttachmentIdRole:
        case AttachmentNameRole:
        case AttachmentFileRole:
            return QString();
        case ThumbnailRole:
            return QImage();
        case MentionsMeRole:
        case EditedRole:
            return false;
        default:
            break; // seq, time, day separators and the rest as for any row
        }
    }
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return describe(m);
    case Qt::AccessibleTextRole: {
        if (!m.isChat())
            return describe(m);
        const QString time =
            QLocale().toString(QDateTime::fromMSecsSinceEpoch(m.serverTimeMs).time(), QLocale::ShortFormat);
        QString text = describe(m);
        if (const auto name = attachmentData(m, AttachmentNameRole).toString(); !name.isEmpty())
            text = text.isEmpty() ? tr("file %1").arg(name) : tr("file %1, %2").arg(name, text);
        if (m.editSeq != 0 && !m.deleted)
            text = tr("%1 (edited)").arg(text);
        if (m.isUnencryptedForgery())
            return tr("at %1: %2").arg(time, text);
        if (m.senderTimeMs != 0 && m.serverTimeMs - m.senderTimeMs >= kDelayShownMs)
            text = tr("%1 (written at %2, delivered late)")
                       .arg(text, QLocale().toString(QDateTime::fromMSecsSinceEpoch(m.senderTimeMs),
                                                     QLocale::ShortFormat));
        if (const StoredMessage *target = replyTarget(m))
            return tr("%1 at %2, replying to %3: %4")
                .arg(senderName(m.sender), time, senderName(target->sender), text);
        return tr("%1 at %2: %3").arg(senderName(m.sender), time, text);
    }
    case SeqRole:
        return m.seq;
    case SenderRole:
        return m.isUnencryptedForgery() ? tr("not a member") : senderName(m.sender);
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(m.serverTimeMs);
    case WrittenTimeRole:
        return m.senderTimeMs != 0 && m.serverTimeMs - m.senderTimeMs >= kDelayShownMs
                   ? QDateTime::fromMSecsSinceEpoch(m.senderTimeMs)
                   : QDateTime();
    case KindRole:
        return int(m.kind);
    case IsOwnRole:
        return m.sender.compare(m_store->ownNick(), Qt::CaseInsensitive) == 0;
    case DeliveryRole:
        return int(Delivery::Stored);
    case EncryptedRole:
        return m.encrypted;
    case CryptoStateRole:
        return int(m.encrypted && m.cryptoState == StoredMessage::CryptoState::Plain
                       ? StoredMessage::CryptoState::WaitingForKey
                       : m.cryptoState);
    case CryptoReasonRole:
        return m.cryptoReason;
    case SenderTrustRole:
        return m.encrypted && m_trustLookup ? QVariant(m_trustLookup(m.sender)) : QVariant();
    case NewDayRole:
        return row == 0 || QDateTime::fromMSecsSinceEpoch(m_rows.at(row - 1).serverTimeMs).date() !=
                               QDateTime::fromMSecsSinceEpoch(m.serverTimeMs).date();
    case FirstUnreadRole:
        return m_firstUnread != 0 && m.seq == m_firstUnread;
    case ReplyToSeqRole:
        return m.isChat() ? m.refSeq : 0;
    case ReplySenderRole:
    case ReplyTextRole: {
        const StoredMessage *target = m.isChat() ? replyTarget(m) : nullptr;
        return target ? QVariant(role == ReplySenderRole ? senderName(target->sender) : describe(*target))
                      : QVariant(QString());
    }
    case EditedRole:
        return m.editSeq != 0 && !m.deleted;
    case DeletedRole:
        return m.deleted;
    case SeenRole:
        return m_peerRead && m.isChat() && m.sender.compare(m_store->ownNick(), Qt::CaseInsensitive) == 0 &&
               m.seq <= m_peerRead(m_channel);
    case MentionsMeRole:
        return m.isChat() && !m.deleted && Mentions::mentions(m.text(), m_store->ownNick());
    case AttachmentIdRole:
    case AttachmentNameRole:
    case AttachmentSizeRole:
    case ThumbnailRole:
    case AttachmentFileRole:
    case TransferRole:
        return attachmentData(m, role);
    default:
        return {};
    }
}

QVariant MessageListModel::attachmentData(const StoredMessage &m, int role) const
{
    const bool known = m.kind == MessageKind::Attachment && !m.deleted && !m.attachment.isEmpty();
    const auto info = known ? AttachmentInfo::parse(m.attachment) : std::nullopt;
    switch (role) {
    case AttachmentIdRole:
        return info ? info->id : QString();
    case AttachmentNameRole:
        return info ? info->name : QString();
    case AttachmentSizeRole:
        return info ? qint64(info->size) : qint64(0);
    case ThumbnailRole: {
        if (!info || info->thumbnail.isEmpty())
            return QImage();
        if (m.seq == 0) // an outbox row: the user's own file, shown while it is sent
            return ThumbnailCache::decode(info->thumbnail, qGuiApp ? qGuiApp->devicePixelRatio() : 1.0);
        return m_thumbnails.thumbnail(m.seq, info->thumbnail);
    }
    case AttachmentFileRole:
        return info && m_fileLookup ? m_fileLookup(info->id) : QString();
    case TransferRole:
        return info && m_progressLookup ? m_progressLookup(info->id) : -1;
    default:
        return {};
    }
}

void MessageListModel::onAttachmentChanged(const QString &attachmentId)
{
    for (int row = 0; row < storedRows(); ++row) {
        if (m_rows.at(row).attachmentId == attachmentId)
            emit dataChanged(index(row), index(row), {AttachmentFileRole, TransferRole});
    }
}

const StoredMessage *MessageListModel::replyTarget(const StoredMessage &m) const
{
    if (m.refSeq == 0)
        return nullptr;
    auto it = m_replyTargets.find(m.refSeq);
    if (it == m_replyTargets.end())
        it = m_replyTargets.insert(m.refSeq, m_store->message(m_channel, m.refSeq));
    return it->has_value() ? &**it : nullptr;
}

int MessageListModel::rowOfStoredSeq(quint64 seq) const
{
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), seq,
                                     [](const StoredMessage &m, quint64 s) { return m.seq < s; });
    return it != m_rows.cend() && it->seq == seq ? int(it - m_rows.cbegin()) : -1;
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({{SeqRole, "seq"},
                  {SenderRole, "sender"},
                  {TextRole, "text"},
                  {TimeRole, "time"},
                  {WrittenTimeRole, "writtenTime"},
                  {BlockedRole, "blocked"},
                  {KindRole, "kind"},
                  {IsOwnRole, "isOwn"},
                  {DeliveryRole, "delivery"},
                  {ErrorRole, "error"},
                  {OutboxIdRole, "outboxId"},
                  {NewDayRole, "newDay"},
                  {FirstUnreadRole, "firstUnread"},
                  {EncryptedRole, "encrypted"},
                  {CryptoStateRole, "cryptoState"},
                  {CryptoReasonRole, "cryptoReason"},
                  {SenderTrustRole, "senderTrust"},
                  {ReplyToSeqRole, "replyToSeq"},
                  {ReplySenderRole, "replySender"},
                  {ReplyTextRole, "replyText"},
                  {EditedRole, "edited"},
                  {DeletedRole, "deleted"},
                  {MentionsMeRole, "mentionsMe"},
                  {SeenRole, "seen"},
                  {AttachmentIdRole, "attachmentId"},
                  {AttachmentNameRole, "attachmentName"},
                  {AttachmentSizeRole, "attachmentSize"},
                  {ThumbnailRole, "thumbnail"},
                  {AttachmentFileRole, "attachmentFile"},
                  {TransferRole, "transfer"}});
    return names;
}

bool MessageListModel::canFetchMore(const QModelIndex &parent) const
{
    // Views and testers may ask from inside our own row signals; never nest a change.
    if (m_changing || parent.isValid() || m_channel.isEmpty() || m_rows.isEmpty())
        return false;
    return m_rows.last().seq < m_store->maxVisibleSeq(m_channel);
}

void MessageListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    appendNewerPage();
}

void MessageListModel::appendNewerPage()
{
    const QScopedValueRollback<bool> changing(m_changing, true);
    const auto newer = m_store->rowsAfter(m_channel, m_rows.last().seq, kPageSize);
    ++m_pagesLoaded;
    if (newer.isEmpty())
        return;
    if (!m_outbox.isEmpty()) {
        beginRemoveRows({}, storedRows(), rowCount() - 1);
        m_outbox.clear();
        endRemoveRows();
    }
    beginInsertRows({}, storedRows(), storedRows() + int(newer.size()) - 1);
    m_rows += newer;
    endInsertRows();
    replaceOutboxRows();
}

bool MessageListModel::canFetchOlder() const
{
    return !m_changing && !m_rows.isEmpty() && m_rows.first().seq > m_store->minSeq(m_channel);
}

void MessageListModel::fetchOlder()
{
    if (!canFetchOlder())
        return;
    const QScopedValueRollback<bool> changing(m_changing, true);
    const auto older = m_store->rowsBefore(m_channel, m_rows.first().seq, kPageSize);
    ++m_pagesLoaded;
    if (older.isEmpty())
        return;
    beginInsertRows({}, 0, int(older.size()) - 1);
    m_rows = older + m_rows;
    endInsertRows();
    if (m_anchorRow >= 0)
        m_anchorRow += int(older.size());
}

int MessageListModel::rowForSeq(quint64 seq)
{
    if (const int row = rowOfStoredSeq(seq); row >= 0)
        return row;
    const auto m = m_store->message(m_channel, seq);
    if (!m || m->isAmendment())
        return -1;
    const QScopedValueRollback<bool> changing(m_changing, true);
    beginResetModel();
    m_rows = m_store->rowsBefore(m_channel, seq + 1, kPageSize / 2);
    m_rows += m_store->rowsAfter(m_channel, seq, kPageSize / 2);
    m_pagesLoaded += 2;
    m_outbox = collectOutboxRows();
    endResetModel();
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).seq == seq)
            return i;
    }
    return -1;
}

void MessageListModel::onMessagesStored(const QString &channel)
{
    if (channel != m_channel)
        return;
    if (m_rows.isEmpty()) {
        setChannel(channel);
        return;
    }
    // Only a window that reaches the newest message follows the live tail; otherwise the view
    // fetches newer pages itself when the user scrolls down.
    if (m_rows.last().seq + kPageSize >= m_store->maxSeq(channel)) {
        while (canFetchMore({}))
            appendNewerPage();
    }
}

void MessageListModel::onReadReceipt(const QString &channel)
{
    if (channel != m_channel || m_rows.isEmpty() || m_changing)
        return;
    emit dataChanged(index(0), index(storedRows() - 1), {SeenRole});
}

void MessageListModel::onMessagesChanged(const QString &channel, const QList<quint64> &seqs)
{
    if (channel != m_channel || m_changing)
        return;
    for (quint64 seq : seqs)
        m_replyTargets.remove(seq);
    if (m_rows.isEmpty())
        return;
    const QSet<quint64> changed(seqs.cbegin(), seqs.cend());
    for (int row = 0; row < m_rows.size(); ++row) {
        const StoredMessage &m = m_rows.at(row);
        const bool quotes = m.refSeq != 0 && changed.contains(m.refSeq);
        if (!changed.contains(m.seq) && !quotes)
            continue;
        if (changed.contains(m.seq)) {
            m_thumbnails.remove(m.seq);
            if (auto fresh = m_store->message(m_channel, m.seq))
                m_rows[row] = *fresh;
        }
        const QModelIndex i = index(row);
        emit dataChanged(i, i);
    }
}

QString MessageListModel::senderName(const QString &nick) const
{
    return m_deletedLookup && m_deletedLookup(nick) ? tr("deleted user") : nick;
}

bool MessageListModel::isHiddenBlocked(const StoredMessage &m) const
{
    return m_blockedLookup && m.isChat() && !m.deleted && !m_revealed.contains(m.seq) &&
           m.sender.compare(m_store->ownNick(), Qt::CaseInsensitive) != 0 && m_blockedLookup(m.sender);
}

void MessageListModel::reveal(quint64 seq)
{
    m_revealed.insert(seq);
    const int row = rowOfStoredSeq(seq);
    if (row >= 0)
        emit dataChanged(index(row), index(row));
}

void MessageListModel::onBlockListChanged()
{
    if (!m_rows.isEmpty())
        emit dataChanged(index(0), index(storedRows() - 1));
}

void MessageListModel::onUsersDeleted()
{
    if (!m_rows.isEmpty())
        emit dataChanged(index(0), index(storedRows() - 1));
}

void MessageListModel::onOutboxChanged(const QString &channel)
{
    if (channel == m_channel)
        replaceOutboxRows();
}

} // namespace hchat::ui
