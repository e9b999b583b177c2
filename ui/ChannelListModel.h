#pragma once

#include "ChannelRecord.h"
#include "StoredMessage.h"

#include <QAbstractListModel>
#include <QHash>

namespace hchat {
class Client;
}

namespace hchat::ui {

// The channel list: open channels, encrypted channels and direct messages, most recently active
// first, each with its unread count and a preview of its newest message.
class ChannelListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        NameRole = Qt::UserRole + 1, // the channel's name in the protocol ("general", "@alice+bob")
        TitleRole,                   // what to show ("general", or "alice" for a direct message)
        KindRole,                    // int(ChannelRecord::Kind)
        EncryptedRole,
        MutedRole,
        UnreadRole,
        PreviewRole,                 // "alice: see you"
        LastActivityRole,            // QDateTime
    };
    Q_ENUM(Role)

    explicit ChannelListModel(Client *client, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    int rowOf(const QString &channel) const;
    QString channelAt(int row) const;
    static QString titleFor(const ChannelRecord &channel, const QString &ownNick);

public slots:
    void reload();
    void onUnreadChanged(const QString &channel, quint64 unread);
    void onMessagesStored(const QString &channel);

private:
    struct Row {
        ChannelRecord record;
        quint64 unread = 0;
        QString preview;
    };
    Row makeRow(const ChannelRecord &record) const;

    Client *m_client;
    QList<Row> m_rows;
};

} // namespace hchat::ui
