#pragma once

#include "ChannelBan.h"
#include "ChannelMember.h"

#include <QDialog>
#include <QSet>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace hchat {
class Client;
}

namespace hchat::ui {

// A channel's settings for its moderators: the topic, whether it is read-only for members, and
// its bans, each of which can be lifted. Save sends what changed; a refusal shows the gateway's
// reason in the dialog.
class ChannelSettingsDialog : public QDialog {
    Q_OBJECT
public:
    ChannelSettingsDialog(Client *client, const QString &channel, QWidget *parent = nullptr);

    QLineEdit *topicField() const { return m_topic; }
    QCheckBox *readOnlyBox() const { return m_readOnly; }
    QTreeWidget *banList() const { return m_bans; }
    QLabel *statusLabel() const { return m_status; }
    void save();
    void liftSelectedBan();

private:
    void onMembersListed(quint64 requestId, const QString &channel, const QList<hchat::ChannelBan> &bans);
    void onFinished(quint64 requestId, bool ok, const QString &error);

    Client *m_client;
    QString m_channel;
    QString m_savedTopic;
    bool m_savedReadOnly = false;
    QLineEdit *m_topic;
    QCheckBox *m_readOnly;
    QTreeWidget *m_bans;
    QPushButton *m_lift;
    QLabel *m_status;
    quint64 m_listRequest = 0;
    QSet<quint64> m_saving; // requests Save is waiting for
    quint64 m_liftRequest = 0;
    bool m_saveFailed = false;
};

} // namespace hchat::ui
