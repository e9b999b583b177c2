#pragma once
// Helpers for the end-to-end encryption suites: a Client with an in-memory identity store (so
// no keychain and no Argon2id are needed), signed in against the real gateway.

#include "CoreTestHelpers.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/IdentityStore.h"

#include "Outbox.h"

#include <QFile>

#include <map>
#include <memory>

namespace hchat::test {

// The device identity kept in memory: one per store, as a fresh install would have.
class MemoryIdentityStore : public hchat::crypto::IdentityStore {
public:
    using Secrets = std::map<QString, QByteArray>;
    // secrets: shared by the stores of clients that are to load the same identities.
    explicit MemoryIdentityStore(std::shared_ptr<Secrets> secrets = std::make_shared<Secrets>())
        : m_secrets(std::move(secrets))
    {
    }
    // Puts an identity in the store (as if it had been saved before).
    void preset(const QString &account, const hchat::crypto::DeviceIdentity &identity)
    {
        const auto secret = identity.exportSecret();
        (*m_secrets)[account] =
            QByteArray(reinterpret_cast<const char *>(secret.data()), qsizetype(secret.size()));
    }
    void loadIdentity(const QString &account) override
    {
        QMetaObject::invokeMethod(
            this,
            [this, account] {
                const auto it = m_secrets->find(account);
                if (it == m_secrets->end()) {
                    deliverLoaded(account, std::nullopt);
                    return;
                }
                deliverLoaded(account, hchat::crypto::DeviceIdentity::fromSecret(it->second));
            },
            Qt::QueuedConnection);
    }
    void saveIdentity(const QString &account, const hchat::crypto::DeviceIdentity &identity) override
    {
        const auto secret = identity.exportSecret();
        (*m_secrets)[account] =
            QByteArray(reinterpret_cast<const char *>(secret.data()), qsizetype(secret.size()));
        QMetaObject::invokeMethod(
            this, [this, account] { emit identitySaved(account); }, Qt::QueuedConnection);
    }
    void removeIdentity(const QString &account) override
    {
        m_secrets->erase(account);
        QMetaObject::invokeMethod(
            this, [this, account] { emit identityRemoved(account); }, Qt::QueuedConnection);
    }

private:
    std::shared_ptr<Secrets> m_secrets;
};

// The client knows at least one trusted device of every nick.
inline bool knowsKeysOf(const TestClient &c, const QStringList &nicks);

// Gives a TestClient a device identity kept in memory, before it signs in: it can then use
// encrypted channels and direct messages.
inline void withE2ee(TestClient &c)
{
    c->setIdentityStore(std::make_unique<MemoryIdentityStore>());
}

// Waits until the client's identity is loaded and it knows a trusted device of each peer.
inline bool waitE2eeReady(const TestClient &c, const QStringList &peers = {}, int timeoutMs = 20000)
{
    QDeadlineTimer d(timeoutMs);
    while (!d.hasExpired() && !(c->isEncryptionReady() && knowsKeysOf(c, peers)))
        QTest::qWait(10);
    return c->isEncryptionReady() && knowsKeysOf(c, peers);
}

// A user with E2EE: registered, logged in (a new device), online and with its identity loaded.
// via: the address the client connects to instead of the gateway's (a GatewayProxy).
inline std::unique_ptr<TestClient> e2eeUser(const GatewayProcess &gw, const QString &nick,
                                            const QString &existingDir = {}, const QUrl &via = {})
{
    HttpTestApi api(gw.httpUrl());
    const QString token = api.account(nick);
    auto c = std::make_unique<TestClient>(existingDir);
    (*c)->setIdentityStore(std::make_unique<MemoryIdentityStore>());
    c->connectTo({via.isEmpty() ? gw.wsUrl() : via}, token);
    if (!c->waitOnline(20000))
        qWarning() << nick << "did not come online";
    QDeadlineTimer d(20000);
    while (!d.hasExpired() && !(*c)->isEncryptionReady())
        QTest::qWait(10);
    return c;
}

inline bool knowsKeysOf(const TestClient &c, const QStringList &nicks)
{
    for (const QString &n : nicks) {
        bool any = false;
        for (const auto &d : c->crypto()->trust().devices(n))
            any = any || !d.trustedKey.isEmpty();
        if (!any)
            return false;
    }
    return true;
}

// The invitee's answer: waits for the invitation to channel to reach the client, then accepts it
// and waits until the client counts itself a member.
inline bool acceptInvitation(const TestClient &c, const QString &channel, int timeoutMs = 20000)
{
    QDeadlineTimer d(timeoutMs);
    while (!d.hasExpired() && c->invitationFrom(channel).isEmpty())
        QTest::qWait(10);
    QString error;
    if (c->invitationFrom(channel).isEmpty() || !c.run(c->acceptInvitation(channel), &error, timeoutMs)) {
        qWarning().noquote() << c->nick() << "could not accept the invitation to" << channel << error;
        return false;
    }
    while (!d.hasExpired() && !c->crypto()->isMember(channel, c->nick()))
        QTest::qWait(10);
    return c->crypto()->isMember(channel, c->nick());
}

// Sends and waits for the gateway's ack; returns the seq (0 on failure).
inline quint64 sendAndWait(const TestClient &c, const QString &channel, const QString &text,
                           int timeoutMs = 20000)
{
    QString error;
    const qint64 id = c->sendMessage(channel, text, &error);
    if (id == 0)
        qWarning().noquote() << "send failed:" << error;
    return waitSent(c, id, timeoutMs);
}

inline QString shownText(const TestClient &c, const QString &channel, quint64 seq)
{
    const auto m = c.store()->message(channel, seq);
    if (!m || m->cryptoState != hchat::StoredMessage::CryptoState::Decrypted)
        return {};
    return m->plainText;
}

// Whether the bytes occur in the gateway database (main, -wal, -shm) or its output.
inline QStringList whereFound(const GatewayProcess &gw, const QByteArray &needle)
{
    QStringList where;
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        QFile f(gw.databasePath() + suffix);
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            where << QStringLiteral("gateway.db") + suffix;
    }
    if (gw.output().contains(needle))
        where << QStringLiteral("output");
    return where;
}

} // namespace hchat::test
