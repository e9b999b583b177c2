// SenderKeyStore: its own SQLite file; sealed sender keys at rest; persistence of inbound and
// outbound sessions, shares, the replay set and waiting messages.
#include "TestEnv.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/SenderKeyStore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace hchat::crypto;

class CryptoSenderKeyStore : public QObject {
    Q_OBJECT
private slots:
    void init();
    void inboundPersistsSealed();
    void lowerStartIndexWinsAndConflictsAreRefused();
    void outboundPersistsIndexAndRotationFlag();
    void sharesAndWaitingAndForget();
    void replaySetPersists();
    void refusesGarbageAndWrongKeySizes();
    void theSessionCacheStaysBounded();

private:
    QString path() const { return m_dir->filePath(QStringLiteral("crypto.sqlite")); }
    std::unique_ptr<QTemporaryDir> m_dir;
    const QString ch = QStringLiteral("club");
    const QString dev = QStringLiteral("a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0");
};

void CryptoSenderKeyStore::init()
{
    m_dir =
        std::make_unique<QTemporaryDir>(hchat::test::scratchRoot() + QStringLiteral("/crypto-sks-XXXXXX"));
    QVERIFY(m_dir->isValid());
}

void CryptoSenderKeyStore::inboundPersistsSealed()
{
    auto id = DeviceIdentity::generate();
    auto s = SenderSession::create(ch);
    {
        SenderKeyStore store;
        QVERIFY2(store.open(path(), id->deriveStorageKey()), qPrintable(store.lastError()));
        QVERIFY(store.addInbound(QStringLiteral("alice"), dev, *s));
        QVERIFY(store.inbound(ch, dev, s->sessionId()));
        QVERIFY(!store.inbound(ch, QStringLiteral("other"), s->sessionId()));
        QVERIFY(!store.inbound(QStringLiteral("elsewhere"), dev, s->sessionId()));
    }
    // Not in clear in the database files.
    for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
        QFile f(path() + suffix);
        if (f.open(QIODevice::ReadOnly))
            QVERIFY(!f.readAll().contains(s->key().toByteArray()));
    }
    SenderKeyStore store;
    QVERIFY(store.open(path(), id->deriveStorageKey()));
    const SenderSession *back = store.inbound(ch, dev, s->sessionId());
    QVERIFY(back);
    QVERIFY(back->key().equals(s->key()));
    QCOMPARE(store.inboundCount(ch), 1);
    // Another device's storage key cannot unseal it.
    store.close();
    auto other = DeviceIdentity::generate();
    QVERIFY(store.open(path(), other->deriveStorageKey()));
    QVERIFY(!store.inbound(ch, dev, s->sessionId()));
}

void CryptoSenderKeyStore::lowerStartIndexWinsAndConflictsAreRefused()
{
    auto id = DeviceIdentity::generate();
    SenderKeyStore store;
    QVERIFY(store.open(path(), id->deriveStorageKey()));
    auto s = SenderSession::create(ch);
    auto at10 = s->from(10);
    auto at3 = s->from(3);
    QVERIFY(store.addInbound(QStringLiteral("alice"), dev, *at10));
    QVERIFY(store.addInbound(QStringLiteral("alice"), dev, *at3));
    QCOMPARE(store.inbound(ch, dev, s->sessionId())->startIndex(), 3u);
    QVERIFY(store.addInbound(QStringLiteral("alice"), dev, *at10));
    QCOMPARE(store.inbound(ch, dev, s->sessionId())->startIndex(), 3u);
    SecureBuffer k = SecureBuffer::random(32);
    auto conflicting = SenderSession::fromKey(ch, s->sessionId(), 0, k.view());
    QVERIFY(!store.addInbound(QStringLiteral("alice"), dev, *conflicting));
    QVERIFY(store.inbound(ch, dev, s->sessionId())->key().equals(at3->key()));
    // The session of HChat before the ratchet under the same id is another chain too.
    auto indexed =
        SenderSession::fromKey(ch, s->sessionId(), 0, s->key().view(), 0, SenderSession::Derivation::Indexed);
    QVERIFY(!store.addInbound(QStringLiteral("alice"), dev, *indexed));
}

void CryptoSenderKeyStore::outboundPersistsIndexAndRotationFlag()
{
    auto id = DeviceIdentity::generate();
    auto s = SenderSession::create(ch);
    s->takeIndex();
    s->takeIndex();
    {
        SenderKeyStore store;
        QVERIFY(store.open(path(), id->deriveStorageKey()));
        QVERIFY(!store.outbound(ch));
        QVERIFY(store.saveOutbound(*s));
        s->takeIndex();
        s->requestRotation();
        QVERIFY(store.saveOutbound(*s));
    }
    SenderKeyStore store;
    QVERIFY(store.open(path(), id->deriveStorageKey()));
    auto back = store.outbound(ch);
    QVERIFY(back);
    QCOMPARE(back->sessionId(), s->sessionId());
    QCOMPARE(back->nextIndex(), 3u);
    QVERIFY(back->rotationRequested());
    QVERIFY(back->key().equals(s->key()));
    QVERIFY(store.removeOutbound(ch));
    QVERIFY(!store.outbound(ch));
}

void CryptoSenderKeyStore::sharesAndWaitingAndForget()
{
    auto id = DeviceIdentity::generate();
    SenderKeyStore store;
    QVERIFY(store.open(path(), id->deriveStorageKey()));
    auto s = SenderSession::create(ch);
    QVERIFY(!store.wasShared(ch, s->sessionId(), QStringLiteral("bdev")));
    QVERIFY(store.recordShare(ch, s->sessionId(), QStringLiteral("bob"), QStringLiteral("bdev")));
    QVERIFY(
        store.recordShare(ch, s->sessionId(), QStringLiteral("bob"), QStringLiteral("bdev"))); // idempotent
    QVERIFY(store.wasShared(ch, s->sessionId(), QStringLiteral("bdev")));
    auto s2 = s->rotate();
    QVERIFY(!store.wasShared(ch, s2->sessionId(), QStringLiteral("bdev")));

    QVERIFY(store.addWaiting(ch, 4, dev, s->sessionId()));
    QVERIFY(store.addWaiting(ch, 2, dev, s->sessionId()));
    QVERIFY(store.addWaiting(ch, 9, dev, s2->sessionId()));
    QCOMPARE(store.waitingFor(ch, dev, s->sessionId()), (QList<quint64>{2, 4}));
    QVERIFY(store.removeWaiting(ch, 2));
    QCOMPARE(store.waitingFor(ch, dev, s->sessionId()), QList<quint64>{4});

    QVERIFY(store.addInbound(QStringLiteral("alice"), dev, *s));
    QVERIFY(store.saveOutbound(*s2));
    QVERIFY(store.forgetChannel(ch));
    QVERIFY(!store.inbound(ch, dev, s->sessionId()));
    QVERIFY(!store.outbound(ch));
    QVERIFY(store.waitingFor(ch, dev, s->sessionId()).isEmpty());
    QVERIFY(!store.wasShared(ch, s->sessionId(), QStringLiteral("bdev")));
}

void CryptoSenderKeyStore::replaySetPersists()
{
    auto id = DeviceIdentity::generate();
    const QByteArray sid(16, 's');
    {
        SenderKeyStore store;
        QVERIFY(store.open(path(), id->deriveStorageKey()));
        QVERIFY(!store.isReplay(dev, sid, 3, ch, 10));
        QVERIFY(store.markSeen(dev, sid, 3, ch, 10));
        QVERIFY(!store.isReplay(dev, sid, 3, ch, 10)); // the same message again
        QVERIFY(store.isReplay(dev, sid, 3, ch, 11));
        QVERIFY(store.isReplay(dev, sid, 3, QStringLiteral("other"), 10));
        QVERIFY(!store.isReplay(QStringLiteral("otherdev"), sid, 3, ch, 11)); // per sender device
        QVERIFY(store.markSeen(dev, sid, 3, ch, 11));                         // ignored: first one wins
        // Inside a batch the records count at once and are written when it ends.
        QVERIFY(store.beginBatch());
        for (quint32 i = 4; i <= 6; ++i)
            QVERIFY(store.markSeen(dev, sid, i, ch, 20 + i));
        QVERIFY(store.isReplay(dev, sid, 5, ch, 99));
        QVERIFY(!store.isReplay(dev, sid, 5, ch, 25));
        QVERIFY(store.endBatch());
    }
    SenderKeyStore store;
    QVERIFY(store.open(path(), id->deriveStorageKey()));
    QVERIFY(store.isReplay(dev, sid, 3, ch, 11));
    QVERIFY(!store.isReplay(dev, sid, 3, ch, 10));
    for (quint32 i = 4; i <= 6; ++i) {
        QVERIFY(store.isReplay(dev, sid, i, ch, 99));
        QVERIFY(!store.isReplay(dev, sid, i, ch, 20 + i));
    }
}

void CryptoSenderKeyStore::refusesGarbageAndWrongKeySizes()
{
    SenderKeyStore store;
    QVERIFY(!store.open(path(), SecureBuffer::random(16)));
    QVERIFY(!store.lastError().isEmpty());
    {
        QFile f(path());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'g'));
    }
    QVERIFY(!store.open(path(), SecureBuffer::random(32)));
    QVERIFY(!store.isOpen());
    QFile f(path());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray(4096, 'g')); // untouched
}

namespace {
int mappings()
{
    QFile maps(QStringLiteral("/proc/self/maps"));
    return maps.open(QIODevice::ReadOnly) ? int(maps.readAll().count('\n')) : -1;
}
} // namespace

// Every cached session key sits in guarded memory (libsodium: mappings of its own). Reading 3,000
// sessions must not keep 3,000 of them: before the cache was bounded, the process gained about
// two mappings per session and, after some tens of thousands, ran out (found by fuzz_e2ee).
void CryptoSenderKeyStore::theSessionCacheStaysBounded()
{
    auto id = DeviceIdentity::generate();
    SenderKeyStore store;
    QVERIFY(store.open(path(), id->deriveStorageKey()));
    std::vector<QByteArray> ids;
    store.beginBatch();
    for (int i = 0; i < 3000; ++i) {
        auto s = SenderSession::create(ch);
        QVERIFY(store.addInbound(QStringLiteral("alice"), dev, *s));
        ids.push_back(s->sessionId());
    }
    store.endBatch();
    const int before = mappings();
    for (const QByteArray &sid : ids)
        QVERIFY(store.inbound(ch, dev, sid));
    const int grown = mappings() - before;
    qInfo("mappings gained reading 3,000 sessions: %d", grown);
    QVERIFY2(grown < 1500, qPrintable(QString::number(grown)));
}

QTEST_GUILESS_MAIN(CryptoSenderKeyStore)
#include "tst_crypto_senderkeystore.moc"
