#pragma once

#include "StoredMessage.h"

#include <QHash>
#include <QSet>
#include <QWidget>

class QLabel;
class QMenu;
class QPushButton;
class QTimer;

namespace hchat {
class Client;
}

namespace hchat::ui {

class DeviceApprovalBar;
class KeyChangeBanner;
class MessageListModel;
class MessageView;

// The open channel's messages: its title, the device-approval and key-change warnings above the
// message list, and who is typing below it. Marks what the user saw as read. The message menu
// (and activating an attachment) asks for replies, edits and attachments by signals; this pane
// does not write messages.
class ChatPane : public QWidget {
    Q_OBJECT
public:
    explicit ChatPane(Client *client, QWidget *parent = nullptr);

    MessageView *messageView() const { return m_messageView; }
    MessageListModel *messageModel() const { return m_messageModel; }
    KeyChangeBanner *keyChangeBanner() const { return m_keyBanner; }
    QLabel *typingLabel() const { return m_typingLabel; }
    QLabel *topicLabel() const { return m_topic; }

    void setChannel(const QString &channel);
    // The title line: the open channel's, else a hint to join one when there is none.
    void updateHeader(bool anyChannel);
    // Scrolls to message seq of the open channel and selects it.
    void showMessage(quint64 seq);
    // The window became active: what shows at the bottom now counts as read.
    void markShownAsRead();
    // Trust changed (a key accepted, a safety number compared): repaint the rows' marks.
    void repaintMessages();
    // The message view's context menu for the row at index: Reply, Edit, Delete, Copy text.
    void populateMessageMenu(QMenu *menu, const QModelIndex &index);

signals:
    void replyRequested(quint64 seq);
    void editRequested(quint64 seq);
    void deleteRequested(quint64 seq);
    void openAttachmentRequested(quint64 seq);
    void saveAttachmentRequested(quint64 seq);
    void safetyNumberRequested(const QString &nick);
    void statusMessage(const QString &text, int timeoutMs);
    // The empty state's "Browse channels…".
    void browseChannelsRequested();

private:
    void buildLayout();
    void connectMessageModel();
    void connectMessageView();
    void connectTrustWarnings();
    void connectTyping();
    void updateTypingLine();
    void onMessageReceived(const StoredMessage &message);

    Client *m_client;
    MessageListModel *m_messageModel;
    QLabel *m_header;
    QLabel *m_topic;
    QPushButton *m_browseButton;
    QSet<quint64> m_pendingModeration; // requests whose refusal the status line shows
    DeviceApprovalBar *m_approvalBar;
    KeyChangeBanner *m_keyBanner;
    MessageView *m_messageView;
    QLabel *m_typingLabel;
    QTimer *m_typingTimer;
    QHash<QString, QHash<QString, qint64>> m_typingUntilMs; // channel → nick → when it expires
    QString m_channel;
};

} // namespace hchat::ui
