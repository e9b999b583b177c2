#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

class QAbstractItemView;

namespace hchat::ui {

// For the start-up benchmark (hchat --startup-report FILE): notes when a window first paints its
// channel list with channels in it, and its open channel's messages, writes both
// times (milliseconds since the Unix epoch, so the launching process can subtract its own clock)
// and the resident memory to FILE as one JSON object, and quits. Watches paint events only: it
// changes nothing the window does.
class StartupReport : public QObject {
    Q_OBJECT
public:
    StartupReport(QAbstractItemView *channels, QAbstractItemView *messages, const QString &path,
                  QObject *parent = nullptr);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void finish();

    QAbstractItemView *m_channels;
    QAbstractItemView *m_messages;
    QString m_path;
    qint64 m_channelsPaintedMs = 0;
    qint64 m_messagesPaintedMs = 0;
    bool m_done = false;
};

} // namespace hchat::ui
