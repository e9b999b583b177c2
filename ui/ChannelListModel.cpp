#include "ChannelListModel.h"

#include "Client.h"
#include "HistoryStore.h"
#include "MessageDocument.h"
#include "PlainToolTip.h"

#include <QDateTime>

namespace hchat::ui {

ChannelListModel::ChannelListModel(Client *client, QObject *parent) : QAbstractListModel(parent), m_client(client)
{
    connect(client, &Client::channelsChanged, this, &ChannelListModel::reload);
    connect(client, &Client::signedIn, this, &ChannelListModel::reload);
    connect(client, &Client::unreadChanged, this, &ChannelListModel::onUnreadChanged);
    connect(client, &Client::messagesStored, this,
            [this](const QString &channel, quint64, quint64) { onMessagesStored(channel); });
    // A late decryption or an edit may change the newest message's preview.
    connect(client, &Client::messagesDecrypted, this,
            [this](const QString &channel, const QList<quint64> &) { onMessagesStored(channel); });
    connect(client, &Client::messagesChanged, this,
            [this](const QString &channel, const QList<quint64> &) { onMessagesStored(channel); });
    reload();
}

QString ChannelListModel::titleFor(const ChannelRecord &channel, const QString &ownNick)
{
    if (channel.kind != ChannelRecord::Kind::Direct)
        return channel.name;
    // "@alice+bob": the other one's nick, as the members list spells it when known.
    for (const QString &member : channel.members) {
        if (member.compare(ownNick, Qt::CaseInsensitive) != 0)
            return member;
    }
    const QStringList both = channel.name.mid(1).split(QLatin1Char('+'));
    for (const QString &nick : both) {
        if (nick.compare(ownNick, Qt::CaseInsensitive) != 0)
            return nick;
    }
    return channel.name;
}

ChannelListModel::Row ChannelListModel::makeRow(const ChannelRecord &record) const
{
    Row row{record, m_client->unreadCount(record.name), {}};
    if (const QString inviter = m_client->invitationFrom(record.name); !inviter.isEmpty())
        row.preview = tr("Invitation from %1").arg(inviter);
    else if (const auto newest = m_client->store()->latestMessage(record.name)) {
        if (newest->isUnencryptedForgery())
            row.preview = tr("a message not from a member");
        else if (newest->isChat() && m_client->isBlocked(newest->sender))
            row.preview = tr("a message from a blocked user");
        else if (newest->isChat() && newest->encrypted &&
                 newest->cryptoState != StoredMessage::CryptoState::Decrypted)
            row.preview = tr("%1: encrypted message").arg(newest->sender); // not readable here (yet)
        else if (newest->kind == MessageKind::Attachment)
            row.preview = tr("%1: sent a file").arg(newest->sender);
        else if (newest->isChat())
            row.preview = QStringLiteral("%1: %2").arg(
                newest->sender, MessageDocument::plainTextOf(newest->text().left(400)).simplified().left(80));
    }
    return row;
}

void ChannelListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    if (m_client->store() && m_client->store()->isOpen()) {
        for (const ChannelRecord &record : m_client->channels())
            m_rows.append(makeRow(record));
    }
    endResetModel();
}

void ChannelListModel::onUnreadChanged(const QString &channel, quint64 unread)
{
    const int row = rowOf(channel);
    if (row < 0)
        return;
    m_rows[row].unread = unread;
    emit dataChanged(index(row), index(row), {UnreadRole, Qt::DisplayRole, Qt::AccessibleTextRole});
}

void ChannelListModel::onMessagesStored(const QString &channel)
{
    const int row = rowOf(channel);
    if (row < 0) {
        reload();
        return;
    }
    const auto record = m_client->store()->channel(channel);
    if (!record)
        return;
    m_rows[row] = makeRow(*record);
    if (row > 0 && m_rows[row].record.lastActivityMs > m_rows[row - 1].record.lastActivityMs) {
        // Most recently active first: move it to the top.
        beginMoveRows({}, row, row, {}, 0);
        m_rows.move(row, 0);
        endMoveRows();
    } else {
        emit dataChanged(index(row), index(row));
    }
}

int ChannelListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ChannelListModel::rowOf(const QString &channel) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).record.name == channel)
            return i;
    }
    return -1;
}

QString ChannelListModel::channelAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).record.name : QString();
}

QVariant ChannelListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const ChannelRecord &c = row.record;
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return titleFor(c, m_client->nick());
    case Qt::AccessibleTextRole: {
        QString text = c.kind == ChannelRecord::Kind::Direct ? tr("Direct message with %1").arg(titleFor(c, m_client->nick()))
                                                             : tr("Channel %1").arg(c.name);
        if (c.encrypted)
            text += tr(", encrypted");
        if (row.unread)
            text += tr(", %n unread", nullptr, int(row.unread));
        if (c.muted)
            text += tr(", muted");
        return text;
    }
    case Qt::ToolTipRole:
        return plainToolTip(c.kind == ChannelRecord::Kind::Open ? c.name
                                                                : c.members.join(QStringLiteral(", ")));
    case NameRole:
        return c.name;
    case KindRole:
        return int(c.kind);
    case EncryptedRole:
        return c.encrypted;
    case MutedRole:
        return c.muted;
    case UnreadRole:
        return row.unread;
    case PreviewRole:
        return row.preview;
    case LastActivityRole:
        return c.lastActivityMs ? QDateTime::fromMSecsSinceEpoch(c.lastActivityMs) : QDateTime();
    default:
        return {};
    }
}

QHash<int, QByteArray> ChannelListModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({{NameRole, "name"},
                  {TitleRole, "title"},
                  {KindRole, "kind"},
                  {EncryptedRole, "encrypted"},
                  {MutedRole, "muted"},
                  {UnreadRole, "unread"},
                  {PreviewRole, "preview"},
                  {LastActivityRole, "lastActivity"}});
    return names;
}

} // namespace hchat::ui
