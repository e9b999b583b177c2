#pragma once

#include "hchat.pb.h"

#include <QByteArray>
#include <QList>
#include <QObject>

namespace hchat {

class GatewayHttp;
class PushChannel;

// Completes a Welcome's channel list: a Welcome that could not hold every channel says where the
// list goes on, and the rest is pulled page by page (POST /v1/channels) before the catch-up may
// start, since catching up on part of the list would take the others for left. Pages that do not
// add up (out of order, empty but claiming more, too many) are refused and asked for again.
class ChannelListPager : public QObject {
    Q_OBJECT
public:
    ChannelListPager(GatewayHttp *http, const PushChannel *push, QObject *parent = nullptr);

    // A new connection's Welcome: complete() with it at once, or once its pages are in.
    void start(const hchat::v1::Welcome &welcome);
    // A channel joined (pushed) while the pages came in: it may sort into a page already fetched.
    void noteJoined(const hchat::v1::ChannelInfo &channel);

signals:
    void complete(const hchat::v1::Welcome &welcome);

private:
    void pull(hchat::v1::Welcome welcome, quint64 connection);
    void finish(hchat::v1::Welcome &welcome);

    GatewayHttp *m_http;
    const PushChannel *m_push;
    quint64 m_connection = 0; // counts Welcomes: answers for an older connection are dropped
    bool m_paging = false;
    QList<QByteArray> m_joinedWhilePaging; // ChannelInfos pushed while the list was being paged
};

} // namespace hchat
