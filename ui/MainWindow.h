#pragma once

#include "AttachmentPane.h"
#include "CatchUpReport.h"
#include "ChannelSidebar.h"
#include "ChatPane.h"
#include "ComposePane.h"
#include "ConnectionState.h"
#include "StoredMessage.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QSplitter;
class QDragEnterEvent;
class QDropEvent;
class QSystemTrayIcon;

namespace hchat {
class Client;
}

namespace hchat::ui {

class DesktopNotifier;
class MemberList;
class NotificationCenter;
class UiSettings;

// The window people live in: the channel sidebar on the left (with the search field); the open
// channel's messages (ChatPane) above the composer (ComposePane) in the middle; the members of a
// private channel on the right; a status line (offline / connecting / catching up N of M /
// online). Holds the menus, the tray icon and the notifications, and wires the panes together.
// Talks to core only through Client's signals and slots and the item models.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // settings: the app's preferences (nullptr: kept in the client's profile folder, owned here).
    explicit MainWindow(Client *client, UiSettings *settings = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    QString currentChannel() const { return m_currentChannel; }
    NotificationCenter *notifications() const { return m_notifications; }
    QString statusText() const;
    UiSettings *settings() const { return m_settings; }
    QSystemTrayIcon *trayIcon() const { return m_tray; }
    ChannelListModel *channelModel() const { return m_sidebar->channelModel(); }
    MessageView *messageView() const { return m_chat->messageView(); }
    KeyChangeBanner *keyChangeBanner() const { return m_chat->keyChangeBanner(); }
    QLabel *typingLabel() const { return m_chat->typingLabel(); }
    Composer *composer() const { return m_compose->composer(); }
    ReplyBar *replyBar() const { return m_compose->replyBar(); }
    TransferPanel *transferPanel() const { return m_compose->attachments()->transferPanel(); }
    // The message view's context menu for the row at index: Reply, Edit, Delete, Copy text.
    void populateMessageMenu(QMenu *menu, const QModelIndex &index)
    {
        m_chat->populateMessageMenu(menu, index);
    }

public slots:
    void openChannel(const QString &channel);
    // Sends files to the open channel (each as its own attachment; a reply when replying).
    void attachFiles(const QStringList &paths) { m_compose->attachFiles(paths); }
    // Opens attachment message seq of the open channel, downloading it first.
    void openAttachment(quint64 seq) { m_compose->attachments()->openAttachment(seq); }
    // Another device signed in to this account waits: approve it if it shows code (approveDevice),
    // or say it is not the user's (its device is revoked).
    void approveDeviceDialog(const QString &deviceId, const QString &code);
    void showAndRaise();
    void jumpToMessage(const QString &channel, quint64 seq);
    void safetyNumberDialog(const QString &nick);
    void devicesDialog();
    void accountDialog();
    void settingsDialog();
    void passphraseDialog();
    // Issue 21: the channel directory, the open channel's settings (moderators), administration,
    // the blocked users.
    void browseChannelsDialog();
    void channelSettingsDialog();
    void adminDialog();
    void blockedUsersDialog();
    // Help: the keyboard shortcuts, and the versions of HChat and Qt.
    void shortcutsDialog();
    void aboutDialog();

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildLayout();
    void connectPanes();
    void connectClient();
    void buildMenus();
    void buildTray();
    void showStatus(const QString &text, int timeoutMs);
    void onConnectionStateChanged(hchat::ConnectionState state);
    void onCatchUpFinished(const hchat::CatchUpReport &report);
    void onChannelsChanged();
    void onMessageReceived(const hchat::StoredMessage &message);
    void updateHeader();
    void updateTrayTooltip();
    void syncMutedChannels();
    void applySettings();
    void updateCommunityActions();

    Client *m_client;
    UiSettings *m_settings;
    DesktopNotifier *m_notifier;
    NotificationCenter *m_notifications;
    ChannelSidebar *m_sidebar;
    ChatPane *m_chat;
    ComposePane *m_compose;
    MemberList *m_members;
    QLabel *m_status;
    QSystemTrayIcon *m_tray = nullptr;
    QSplitter *m_splitter = nullptr;
    bool m_membersSized = false;
    QAction *m_channelSettingsAction = nullptr;
    QAction *m_adminAction = nullptr;
    QString m_currentChannel;
    bool m_quitting = false;
};

} // namespace hchat::ui
