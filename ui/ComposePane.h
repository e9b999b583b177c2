#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace hchat {
class Client;
}

namespace hchat::ui {

class AttachmentPane;
class Composer;
class InvitationBar;
class ReplyBar;

// Writing to the open channel, below its messages: the reply/edit strip, the files on their way,
// an unanswered invitation (which takes the composer's place) and the composer with its attach
// button. Sends, replies, edits and deletes; keeps each channel's draft.
class ComposePane : public QWidget {
    Q_OBJECT
public:
    explicit ComposePane(Client *client, QWidget *parent = nullptr);

    Composer *composer() const { return m_composer; }
    ReplyBar *replyBar() const { return m_replyBar; }
    AttachmentPane *attachments() const { return m_attachments; }
    QLabel *readOnlyLine() const { return m_readOnlyLine; }

    // Shows channel's draft (the current draft is saved first by saveDraft()).
    void setChannel(const QString &channel);
    void setComposerEnabled(bool enabled);
    void saveDraft();
    // An unanswered invitation takes the composer's place: nothing can be written there before.
    void updateInvitation();
    // The nicks "@" offers: the channel's members and recent senders, not the user.
    void updateMentionCandidates();

public slots:
    // Sends files to the open channel (each as its own attachment; a reply when replying).
    void attachFiles(const QStringList &paths);
    void attachFilesDialog();
    // The composer writes a reply to / an edit of message seq of the open channel.
    // The keyboard focus to the composer (a channel just joined: what the user types goes there).
    void focusComposer();
    void replyTo(quint64 seq);
    void editMessage(quint64 seq);
    // Asks (a window-modal box named "confirmDelete"), then recalls one's own message seq.
    void deleteMessage(quint64 seq);

signals:
    // A new message (not an edit) went to the outbox.
    void messageSent();
    void statusMessage(const QString &text, int timeoutMs);

private:
    void buildLayout();
    void connectWidgets();
    void send(const QString &text);
    void cancelReplyOrEdit();
    bool readOnlyHere() const; // the open channel is read-only for this user

    Client *m_client;
    ReplyBar *m_replyBar;
    AttachmentPane *m_attachments;
    InvitationBar *m_invitationBar;
    QLabel *m_readOnlyLine;
    QToolButton *m_attachButton;
    Composer *m_composer;
    QString m_draftBeforeEdit;
    QString m_channel;
};

} // namespace hchat::ui
