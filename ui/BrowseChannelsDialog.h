#pragma once

#include "DirectoryEntry.h"

#include <QDialog>
#include <QList>

class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace hchat {
class Client;
}

namespace hchat::ui {

// "Browse channels": the gateway's open channels (name, topic, members), searchable by name or
// topic, the ones the user is in marked; Join (or a double click) joins the selected one and
// channelJoined() asks the window to open it.
class BrowseChannelsDialog : public QDialog {
    Q_OBJECT
public:
    explicit BrowseChannelsDialog(Client *client, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    QTreeWidget *channelList() const { return m_list; }
    QPushButton *joinButton() const { return m_join; }
    // Asks the gateway again for the channels matching the search field.
    void refresh();

signals:
    void channelJoined(const QString &channel);

private:
    void onListed(quint64 requestId, const QList<hchat::DirectoryEntry> &channels,
                  const QString &continueAfter);
    void onFinished(quint64 requestId, bool ok, const QString &error);
    void joinSelected();
    void updateButtons();

    Client *m_client;
    QLineEdit *m_search;
    QTreeWidget *m_list;
    QLabel *m_status;
    QPushButton *m_join;
    QTimer *m_searchDelay;
    quint64 m_listRequest = 0;
    quint64 m_joinRequest = 0;
    QString m_joining;
};

} // namespace hchat::ui
