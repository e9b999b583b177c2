#pragma once

#include <QWidget>

class QLineEdit;
class QListView;
class QListWidget;
class QStackedWidget;

namespace hchat {
class Client;
}

namespace hchat::ui {

class ChannelListModel;
class UiSettings;

// The left column: a search field over the channel list, which gives way to the search results
// while there is a query; each channel's menu (mute, mentions only, leave); and the actions that
// find, make or leave a channel (join, direct message, private channel, invite, leave, the Ctrl+K
// switcher). It does not open channels itself: it says which one the user picked
// (channelActivated), and the window opens it.
class ChannelSidebar : public QWidget {
    Q_OBJECT
public:
    ChannelSidebar(Client *client, UiSettings *settings, QWidget *parent = nullptr);

    ChannelListModel *channelModel() const { return m_channelModel; }
    // Marks channel as the open one in the list (the window opened it).
    void selectChannel(const QString &channel);
    // After the channel list changed: keeps channel selected, or the first one when none is open.
    void reselect(const QString &channel);
    // Picks the channel just joined or created once the list knows it (true if it did).
    bool activatePendingChannel();
    void focusSearch();

public slots:
    void joinChannelDialog();
    void directMessageDialog();
    void createPrivateChannelDialog();
    void inviteMemberDialog();
    void leaveChannel();
    void channelSwitcher();

signals:
    void channelActivated(const QString &channel);
    // After channelActivated, for a channel the user just joined, created or opened a direct
    // message in from a dialog: they are about to write there.
    void newChannelOpened(const QString &channel);
    void searchResultActivated(const QString &channel, quint64 seq);
    void channelMuted(const QString &channel, bool muted);

private:
    void buildLayout();
    void showChannelMenu(const QPoint &pos);
    void runSearch();

    Client *m_client;
    UiSettings *m_settings;
    ChannelListModel *m_channelModel;
    QLineEdit *m_search;
    QStackedWidget *m_stack;
    QListView *m_channelList;
    QListWidget *m_searchResults;
    QString m_channel;
    QString m_channelToOpen;
};

} // namespace hchat::ui
