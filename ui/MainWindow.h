#pragma once

#include "CatchUpReport.h"
#include "ConnectionState.h"
#include "StoredMessage.h"

#include <QHash>
#include <QMainWindow>

class QLabel;
class QToolButton;
class QMenu;
class QTimer;
class QDragEnterEvent;
class QDropEvent;
class QLineEdit;
class QListView;
class QListWidget;
class QStackedWidget;
class QSystemTrayIcon;

namespace hchat {
class Client;
}

namespace hchat::ui {

class ChannelListModel;
class Composer;
class DesktopNotifier;
class KeyChangeBanner;
class MessageListModel;
class MessageView;
class NotificationCenter;
class InvitationBar;
class DeviceApprovalBar;
class ReplyBar;
class TransferPanel;
class UiSettings;

// The window people live in: channel list on the left; the open channel's messages and the
// composer on the right; a search field; a status line (offline / connecting / catching up N of
// M / online). Talks to core only through Client's signals and slots and the item models.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // settings: the app's preferences (nullptr: kept in the client's profile folder, owned here).
    explicit MainWindow(Client *client, UiSettings *settings = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    QString currentChannel() const { return m_currentChannel; }
    NotificationCenter *notifications() const { return m_notifications; }
    MessageView *messageView() const { return m_messageView; }
    Composer *composer() const { return m_composer; }
    ChannelListModel *channelModel() const { return m_channelModel; }
    QString statusText() const;
    KeyChangeBanner *keyChangeBanner() const { return m_keyBanner; }
    UiSettings *settings() const { return m_settings; }
    QSystemTrayIcon *trayIcon() const { return m_tray; }
    TransferPanel *transferPanel() const { return m_transferPanel; }

public slots:
    void openChannel(const QString &channel);
    // Sends files to the open channel (each as its own attachment; a reply when replying).
    void attachFiles(const QStringList &paths);
    void attachFilesDialog();
    // Opens attachment message seq of the open channel with the desktop's application for it,
    // downloading it first (a program or script only after the user confirms: confirmOpenRunnable);
    // saveAttachment() asks where to keep a copy.
    void openAttachment(quint64 seq);
    void openAttachmentFile(const QString &path);
    // Another device signed in to this account waits: approve it if it shows code (approveDevice),
    // or say it is not the user's (its device is revoked).
    void approveDeviceDialog(const QString &deviceId, const QString &code);
    void saveAttachment(quint64 seq);
    void showAndRaise();
    void joinChannelDialog();
    void directMessageDialog();
    void createPrivateChannelDialog();
    void inviteMemberDialog();
    void safetyNumberDialog(const QString &nick);
    void devicesDialog();
    void accountDialog();
    void settingsDialog();
    void channelSwitcher();
    void passphraseDialog();
    void jumpToMessage(const QString &channel, quint64 seq);
    // The composer writes a reply to / an edit of message seq of the open channel.
    void replyTo(quint64 seq);
    void editMessage(quint64 seq);
    // Asks (a window-modal box named "confirmDelete"), then recalls one's own message seq.
    void deleteMessage(quint64 seq);

public:
    // The message view's context menu for the row at index: Reply, Edit, Delete, Copy text.
    void populateMessageMenu(QMenu *menu, const QModelIndex &index);
    ReplyBar *replyBar() const { return m_replyBar; }
    QLabel *typingLabel() const { return m_typingLabel; }

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    void buildTray();
    void sendFromComposer(const QString &text);
    void onConnectionStateChanged(hchat::ConnectionState state);
    void onCatchUpFinished(const hchat::CatchUpReport &report);
    void onMessageReceived(const hchat::StoredMessage &message);
    void runSearch();
    void updateHeader();
    void updateInvitation();
    void updateTrayTooltip();
    void saveDraft();
    void cancelReplyOrEdit();
    void updateTypingLine();
    void updateMentionCandidates();
    void applySettings();
    // Opens the channel just joined or created once the channel list knows it.
    bool openChannelWhenKnown();

    Client *m_client;
    UiSettings *m_settings;
    ChannelListModel *m_channelModel;
    MessageListModel *m_messageModel;
    DesktopNotifier *m_notifier;
    NotificationCenter *m_notifications;
    QListView *m_channelList;
    QLineEdit *m_search;
    QListWidget *m_searchResults;
    QStackedWidget *m_leftStack;
    QLabel *m_header;
    QListWidget *m_members;
    MessageView *m_messageView;
    Composer *m_composer;
    QLabel *m_status;
    KeyChangeBanner *m_keyBanner;
    ReplyBar *m_replyBar;
    InvitationBar *m_invitationBar;
    DeviceApprovalBar *m_approvalBar = nullptr;
    QToolButton *m_attachButton = nullptr;
    QLabel *m_typingLabel;
    TransferPanel *m_transferPanel;
    // Downloads the user asked to open or save when done: attachment id → "" (open) or a path.
    QHash<QString, QString> m_afterDownload;
    QHash<QString, QHash<QString, qint64>> m_typingUntilMs; // channel → nick → when it expires
    QTimer *m_typingTimer;
    QString m_draftBeforeEdit;
    QSystemTrayIcon *m_tray = nullptr;
    QString m_currentChannel;
    QString m_channelToOpen;
    bool m_quitting = false;
};

} // namespace hchat::ui
