#pragma once

#include <QHash>
#include <QWidget>

namespace hchat {
class Client;
}

namespace hchat::ui {

class TransferPanel;

// Files in and out of the open channel: sends files (chosen in a dialog, or given), shows each
// transfer's progress with a cancel button (TransferPanel; this pane shows only while it has
// rows), and opens or saves a message's attachment, downloading it first.
class AttachmentPane : public QWidget {
    Q_OBJECT
public:
    explicit AttachmentPane(Client *client, QWidget *parent = nullptr);

    TransferPanel *transferPanel() const { return m_transferPanel; }
    void setChannel(const QString &channel) { m_channel = channel; }
    // Asks which files to send to the open channel (none: cancelled).
    QStringList chooseFiles();
    // Sends each file as its own attachment, a reply to replyTo unless it is 0.
    void sendFiles(const QStringList &paths, quint64 replyTo);

public slots:
    // Opens attachment message seq of the open channel with the desktop's application for it,
    // downloading it first (a program or script only after the user confirms: confirmOpenRunnable).
    void openAttachment(quint64 seq);
    // Asks where to keep a copy of attachment message seq.
    void saveAttachment(quint64 seq);

signals:
    void downloadStarted(const QString &attachmentId);
    void statusMessage(const QString &text, int timeoutMs);

private:
    void openFile(const QString &path);
    void onDownloadFinished(const QString &attachmentId, bool ok, const QString &error);

    Client *m_client;
    TransferPanel *m_transferPanel;
    QString m_channel;
    // Downloads the user asked to open or save when done: attachment id → "" (open) or a path.
    QHash<QString, QString> m_afterDownload;
};

} // namespace hchat::ui
