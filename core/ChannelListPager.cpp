#include "ChannelListPager.h"

#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "PushChannel.h"

#include <QSet>
#include <QTimer>

namespace hchat {

ChannelListPager::ChannelListPager(GatewayHttp *http, const PushChannel *push, QObject *parent)
    : QObject(parent), m_http(http), m_push(push)
{
}

void ChannelListPager::start(const hchat::v1::Welcome &welcome)
{
    ++m_connection;
    m_paging = !welcome.channels_continue_after().empty();
    m_joinedWhilePaging.clear();
    if (m_paging)
        pull(welcome, m_connection);
    else
        emit complete(welcome);
}

void ChannelListPager::noteJoined(const hchat::v1::ChannelInfo &channel)
{
    if (m_paging)
        m_joinedWhilePaging.append(QByteArray::fromStdString(channel.SerializeAsString()));
}

void ChannelListPager::finish(hchat::v1::Welcome &welcome)
{
    QSet<std::string> listed;
    for (const auto &c : welcome.channels())
        listed.insert(c.name());
    for (const QByteArray &bytes : std::as_const(m_joinedWhilePaging)) {
        hchat::v1::ChannelInfo info;
        if (info.ParseFromArray(bytes.constData(), int(bytes.size())) && !listed.contains(info.name()))
            *welcome.add_channels() = info;
    }
    m_paging = false;
    m_joinedWhilePaging.clear();
    emit complete(welcome);
}

void ChannelListPager::pull(hchat::v1::Welcome welcome, quint64 connection)
{
    // More than any person belongs to; a gateway that keeps paging past it is not believed.
    constexpr int kMaxChannels = 100000;
    hchat::v1::ChannelListRequest req;
    req.set_after(welcome.channels_continue_after());
    m_http->post(QStringLiteral("/v1/channels"), req,
                 [this, welcome, connection](const GatewayHttp::Result &r) mutable {
                     if (connection != m_connection || !m_push->isConnected())
                         return;
                     hchat::v1::ChannelList page;
                     const std::string after = welcome.channels_continue_after();
                     QString problem;
                     if (!r.ok || !page.ParseFromArray(r.body.constData(), int(r.body.size())))
                         problem = r.ok ? QStringLiteral("an unreadable channel list") : r.error;
                     else if (page.channels().empty() && !page.continue_after().empty())
                         problem = QStringLiteral("an empty page that claims more");
                     else if (welcome.channels_size() + page.channels_size() > kMaxChannels)
                         problem = QStringLiteral("more than %1 channels").arg(kMaxChannels);
                     for (int i = 0; problem.isEmpty() && i < page.channels_size(); ++i)
                         if (page.channels(i).name() <= (i == 0 ? after : page.channels(i - 1).name()))
                             problem = QStringLiteral("channels out of order");
                     if (problem.isEmpty() && !page.continue_after().empty() &&
                         page.continue_after() != page.channels(page.channels_size() - 1).name())
                         problem = QStringLiteral("a page that does not go on after its last channel");
                     if (!problem.isEmpty()) {
                         // Catching up on part of the list would mark the rest as left: wait and ask again.
                         qCWarning(lcClient)
                             << "channel list page refused:" << problem << "- asking again shortly";
                         QTimer::singleShot(3000, this, [this, welcome, connection] {
                             if (connection == m_connection)
                                 pull(welcome, connection);
                         });
                         return;
                     }
                     for (auto &c : *page.mutable_channels())
                         *welcome.add_channels() = std::move(c);
                     welcome.set_channels_continue_after(page.continue_after());
                     if (!page.continue_after().empty()) {
                         pull(std::move(welcome), connection);
                         return;
                     }
                     finish(welcome);
                 });
}

} // namespace hchat
