#pragma once

#include <QObject>
#include <QSet>
#include <QStringList>

namespace hchat {

class GatewayRequests;
class HistoryStore;

// The users this user blocked (POST /v1/blocks, /v1/block): the gateway refuses their direct
// messages and invitations, and the message list hides their messages. Kept in the profile
// too, so that they stay hidden offline; fetched again after each Welcome.
class BlockList : public QObject {
    Q_OBJECT
public:
    BlockList(HistoryStore *store, GatewayRequests *requests, QObject *parent = nullptr);

    // The profile's list (after the profile opened).
    void load();
    // The gateway's list, after each Welcome.
    void refresh();
    quint64 setBlocked(const QString &nick, bool blocked);
    bool isBlocked(const QString &nick) const { return m_nicks.contains(nick.toLower()); }
    QStringList nicks() const;

signals:
    void changed();

private:
    void adopt(const QByteArray &body);

    HistoryStore *m_store;
    GatewayRequests *m_requests;
    QSet<QString> m_nicks; // lower-case
};

} // namespace hchat
