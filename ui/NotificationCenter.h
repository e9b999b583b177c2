#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>

namespace hchat::ui {

class DesktopNotifier;

// What arrived in one channel during a catch-up, as the notification policy needs it.
struct ChannelArrivals {
    QString channel;
    int count = 0;
    QStringList senders;     // distinct, in order of arrival
    QString newestSender;
    QString newestText;
    qint64 newestTimeMs = 0;
    int mentions = 0;        // how many @mention the own nick
};

// The notification policy: one summary per catch-up, never one per message;
// live messages one each while the window is not active, rate-limited per channel and grouped by
// replaces_id; never for one's own messages or muted channels; clicking opens the channel.
class NotificationCenter : public QObject {
    Q_OBJECT
public:
    explicit NotificationCenter(DesktopNotifier *notifier, QObject *parent = nullptr);

    void setOwnNick(const QString &nick) { m_ownNick = nick; }
    void setChannelMuted(const QString &channel, bool muted);
    bool isChannelMuted(const QString &channel) const { return m_muted.contains(channel); }
    // Mention-only channels notify only for messages that @mention the own nick.
    void setChannelMentionsOnly(const QString &channel, bool mentionsOnly);
    void setMentionsOnlyChannels(const QStringList &channels);
    bool isChannelMentionsOnly(const QString &channel) const { return m_mentionsOnly.contains(channel); }
    void setWindowActive(bool active) { m_windowActive = active; }
    // Live notifications of one channel closer together than this are coalesced into one.
    void setLiveInterval(int ms) { m_liveIntervalMs = ms; }
    // Settings: no notifications at all; or notifications without the message text.
    void setEnabled(bool enabled) { m_enabled = enabled; }
    void setShowPreviews(bool show) { m_showPreviews = show; }

public slots:
    void catchUpFinished(const QList<hchat::ui::ChannelArrivals> &arrivals);
    void liveMessage(const QString &channel, const QString &sender, const QString &text);

signals:
    void openChannelRequested(const QString &channel);

private:
    struct Pending {
        int count = 0;
        QString lastSender;
        QString lastText;
        QElapsedTimer sinceShown;
        bool timerArmed = false;
    };
    void showLive(const QString &channel);
    bool wanted(const QString &channel, const QString &sender) const;

    DesktopNotifier *m_notifier;
    QString m_ownNick;
    QSet<QString> m_muted;
    QSet<QString> m_mentionsOnly;
    bool m_windowActive = false;
    bool m_enabled = true;
    bool m_showPreviews = true;
    int m_liveIntervalMs = 4000;
    QHash<QString, Pending> m_pending;
    QString m_lastSummaryChannel;
};

} // namespace hchat::ui
