#pragma once
// Helpers shared by the client-core integration suites (header-only; they need hchat_core, which
// the hchat_testsupport library does not link).

#include "Client.h"
#include "GatewayProcess.h"
#include "HistoryStore.h"
#include "HttpTestApi.h"
#include "MemoryTokenVault.h"
#include "TestEnv.h"
#include "TestHistoryKey.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace hchat::test {

// A Client with its own temporary profile (its history encrypted at rest under testHistoryKey) and
// an in-memory token vault.
struct TestClient {
    std::unique_ptr<QTemporaryDir> dir;
    std::unique_ptr<hchat::Client> client;
    QString token;

    explicit TestClient(const QString &existingDir = {})
    {
        if (existingDir.isEmpty())
            dir = std::make_unique<QTemporaryDir>(scratchRoot() + QStringLiteral("/client-XXXXXX"));
        client = std::make_unique<hchat::Client>(std::make_unique<hchat::MemoryTokenVault>());
        const QString path = existingDir.isEmpty() ? dir->path() : existingDir;
        if (!client->openProfile(path, testHistoryKey(path)))
            qWarning() << "openProfile failed:" << client->lastError();
        tune();
    }
    QString path() const { return client->store()->path(); }
    hchat::Client *operator->() const { return client.get(); }
    const hchat::HistoryStore *store() const { return client->store(); }

    // Quick reconnects and dead-link detection for tests.
    void tune();
    void connectTo(const QList<QUrl> &urls, const QString &sessionToken)
    {
        token = sessionToken;
        client->setGatewayUrls(urls);
        client->startSession(sessionToken);
    }
    bool waitOnline(int timeoutMs = 15000) const
    {
        QDeadlineTimer d(timeoutMs);
        while (!d.hasExpired() && client->connectionState() != hchat::ConnectionState::Online)
            QTest::qWait(10);
        return client->connectionState() == hchat::ConnectionState::Online;
    }
    // Runs a Client request and waits for its requestFinished.
    bool run(quint64 id, QString *error = nullptr, int timeoutMs = 10000) const
    {
        bool done = false, ok = false;
        auto c = QObject::connect(client.get(), &hchat::Client::requestFinished,
                                  [&](quint64 rid, bool rok, const QString &e) {
                                      if (rid != id)
                                          return;
                                      done = true;
                                      ok = rok;
                                      if (error)
                                          *error = e;
                                  });
        QDeadlineTimer d(timeoutMs);
        while (!done && !d.hasExpired())
            QTest::qWait(5);
        QObject::disconnect(c);
        return ok;
    }
};

// A new account signed in from a fresh profile, online (and member of channel when given).
inline std::unique_ptr<TestClient> onlineUser(const GatewayProcess &gw, const QString &nick,
                                              const QString &channel = {})
{
    auto c = std::make_unique<TestClient>();
    c->connectTo({gw.wsUrl()}, HttpTestApi(gw.httpUrl()).account(nick));
    if (!c->waitOnline() || (!channel.isEmpty() && !c->run((*c)->joinChannel(channel))))
        qWarning() << nick << "is not online in" << channel;
    return c;
}

// Signs client in to gw as a new account nick and, when channel is given, joins it. For a test's
// set-up: a step that fails fails the running test.
inline void signIn(TestClient &client, const GatewayProcess &gw, const QString &nick,
                   const QString &channel = {})
{
    const QString token = HttpTestApi(gw.httpUrl()).account(nick);
    QVERIFY(!token.isEmpty());
    client.connectTo({gw.wsUrl()}, token);
    QVERIFY(client.waitOnline());
    if (!channel.isEmpty())
        QVERIFY(client.run(client->joinChannel(channel)));
}

// Waits for the gateway's ack of an outbox entry; its seq, or 0 if refused or not in time.
inline quint64 waitSent(const TestClient &c, qint64 outboxId, int timeoutMs = 20000)
{
    QDeadlineTimer d(timeoutMs);
    while (outboxId > 0 && !d.hasExpired()) {
        const auto e = c.store()->outboxEntry(outboxId);
        if (e && e->state == hchat::OutboxEntry::State::Sent)
            return e->seq;
        if (e && e->state == hchat::OutboxEntry::State::Failed)
            return 0;
        QTest::qWait(10);
    }
    return 0;
}

} // namespace hchat::test

#include "PushChannel.h"
#include "SyncPuller.h"

inline void hchat::test::TestClient::tune()
{
    client->pushChannel()->backoff().setBase(std::chrono::milliseconds(100));
    client->pushChannel()->backoff().setCap(std::chrono::milliseconds(1000));
    client->pushChannel()->setKeepAlive(1000, 4000);
    client->puller()->setRetryBackoff(std::chrono::milliseconds(50), std::chrono::milliseconds(500));
}
