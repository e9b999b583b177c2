#include "BlockList.h"

#include "CoreLogging.h"
#include "GatewayRequests.h"
#include "HistoryStore.h"
#include "hchat.pb.h"

namespace hchat {

BlockList::BlockList(HistoryStore *store, GatewayRequests *requests, QObject *parent)
    : QObject(parent), m_store(store), m_requests(requests)
{
}

void BlockList::load()
{
    const QStringList stored = m_store->settings().blockedUsers();
    m_nicks = QSet<QString>(stored.begin(), stored.end());
    emit changed();
}

QStringList BlockList::nicks() const
{
    QStringList list(m_nicks.begin(), m_nicks.end());
    list.sort();
    return list;
}

void BlockList::adopt(const QByteArray &body)
{
    hchat::v1::BlockList list;
    if (!list.ParseFromArray(body.constData(), int(body.size()))) {
        qCWarning(lcCommunity) << "the gateway's block list did not parse";
        return;
    }
    QSet<QString> nicks;
    for (const auto &n : list.nicks())
        nicks.insert(QString::fromStdString(n).toLower());
    if (nicks == m_nicks)
        return;
    m_nicks = nicks;
    if (m_store->isOpen())
        m_store->settings().setBlockedUsers(this->nicks());
    emit changed();
}

void BlockList::refresh()
{
    m_requests->post(QStringLiteral("/v1/blocks"), {},
                     [this](bool ok, int, const QString &error, const QByteArray &body) {
                         if (ok)
                             adopt(body);
                         else
                             qCInfo(lcCommunity) << "block list not fetched:" << error;
                     });
}

quint64 BlockList::setBlocked(const QString &nick, bool blocked)
{
    const quint64 id = m_requests->nextId();
    hchat::v1::BlockRequest req;
    req.set_nick(nick.toStdString());
    req.set_blocked(blocked);
    m_requests->post(QStringLiteral("/v1/block"), QByteArray::fromStdString(req.SerializeAsString()),
                     [this, id](bool ok, int, const QString &error, const QByteArray &body) {
                         if (ok)
                             adopt(body);
                         m_requests->finish(id, ok, ok ? QString() : error);
                     });
    return id;
}

} // namespace hchat
