// The commit writer's channel cache (issue 19): a send reads a channel's stream record and members
// from memory, and every membership change, rolled-back savepoint or transaction is seen by the very
// next send.
#include "SqlMessageStore.h"
#include "SqliteConnection.h"
#include "TestEnv.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace hchat::server;

namespace {

hchat::v1::Message text(const std::string &body)
{
    hchat::v1::Message m;
    m.set_sender("alice");
    m.set_body(body);
    m.set_kind(hchat::v1::MESSAGE_KIND_TEXT);
    return m;
}

} // namespace

class ServerChannelCache : public QObject {
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>(hchat::test::scratchRoot() + QStringLiteral("/cache-XXXXXX"));
        m_path = (m_dir->path() + "/gw.db").toStdString();
        m_writer = std::make_unique<SqlMessageStore>(std::make_unique<SqliteConnection>(m_path), true, true);
        QVERIFY(m_writer->cachesChannels());
        m_writer->beginWrite();
        m_alice = *m_writer->createUser("alice", "x", 1);
        m_bob = *m_writer->createUser("bob", "x", 1);
        m_carol = *m_writer->createUser("carol", "x", 1);
        m_stream = *m_writer->createStream("room", hchat::v1::CHANNEL_KIND_INVITE_ONLY, false, "", 1);
        m_writer->addMember(m_stream, m_alice);
        m_writer->addMember(m_stream, m_bob);
        m_writer->commit();
    }
    void cleanup()
    {
        m_writer.reset();
        m_dir.reset();
    }

    void onlyChannelsAreCachedAndOnlyForTheWriter()
    {
        SqlMessageStore reader(std::make_unique<SqliteConnection>(m_path), false);
        QVERIFY(!reader.cachesChannels());
        QVERIFY(SqlMessageStore::open(m_path, false, true) != nullptr);
    }

    // Another connection's commit (hchat-gateway admin while the gateway runs) changes SQLite's
    // data_version, and the writer's next transaction forgets what it remembered. (That the cache
    // is used at all shows in the cases below, which fail without their invalidation.)
    void whatAnotherConnectionCommittedIsSeenByTheNextTransaction()
    {
        m_writer->beginWrite();
        QVERIFY(m_writer->findStream("room"));
        QVERIFY(m_writer->isMember(m_stream, m_bob));
        m_writer->commit();
        {
            SqlMessageStore other(std::make_unique<SqliteConnection>(m_path), false);
            other.beginWrite();
            other.removeMember(m_stream, m_bob);
            other.commit();
        }
        m_writer->beginWrite();
        QVERIFY(m_writer->findStream("room"));
        QVERIFY(!m_writer->isMember(m_stream, m_bob));
        m_writer->commit();
    }

    void membershipChangesAreSeenByTheNextSend()
    {
        m_writer->beginWrite();
        m_writer->savepoint();
        auto stream = m_writer->findStream("room");
        QVERIFY(stream);
        QVERIFY(m_writer->isMember(stream->id, m_bob));
        QCOMPARE(m_writer->memberIds(stream->id), (std::vector<std::int64_t>{m_alice, m_bob}));
        m_writer->releaseSavepoint();
        m_writer->savepoint();
        m_writer->removeMember(stream->id, m_bob);
        m_writer->releaseSavepoint();
        m_writer->savepoint();
        QVERIFY(!m_writer->isMember(m_writer->findStream("room")->id, m_bob));
        m_writer->addInvitee(stream->id, m_carol, m_alice, 2);
        QVERIFY(m_writer->isMember(stream->id, m_carol));
        QCOMPARE(m_writer->memberIds(stream->id), (std::vector<std::int64_t>{m_alice, m_carol}));
        m_writer->releaseSavepoint();
        m_writer->commit();
        m_writer->beginWrite();
        m_writer->addMember(stream->id, m_bob);
        QVERIFY(m_writer->isMember(stream->id, m_bob));
        m_writer->commit();
    }

    void aRolledBackSavepointTakesItsChangesOutOfTheCache()
    {
        m_writer->beginWrite();
        auto stream = *m_writer->findStream("room");
        QVERIFY(!m_writer->isMember(stream.id, m_carol));
        m_writer->savepoint();
        m_writer->addMember(stream.id, m_carol);
        QVERIFY(m_writer->isMember(stream.id, m_carol)); // read (and cached) inside the savepoint
        auto message = text("one");
        m_writer->appendMessage(*m_writer->findStream("room"), m_carol, message);
        QCOMPARE(message.seq(), 1u);
        QCOMPARE(m_writer->findStream("room")->maxSeq, 1u);
        m_writer->rollbackToSavepoint();
        QVERIFY(!m_writer->isMember(stream.id, m_carol));
        QCOMPARE(m_writer->findStream("room")->maxSeq, 0u);
        // The seq is not skipped: the next message takes 1.
        m_writer->savepoint();
        message = text("two");
        m_writer->appendMessage(*m_writer->findStream("room"), m_alice, message);
        QCOMPARE(message.seq(), 1u);
        m_writer->releaseSavepoint();
        m_writer->commit();
        m_writer->beginRead();
        QCOMPARE(m_writer->findStream("room")->maxSeq, 1u);
        m_writer->commit();
    }

    void aRolledBackTransactionTakesItsChangesOutOfTheCache()
    {
        m_writer->beginWrite();
        m_writer->savepoint();
        auto message = text("one");
        m_writer->appendMessage(*m_writer->findStream("room"), m_alice, message);
        m_writer->removeMember(m_stream, m_bob);
        QVERIFY(!m_writer->isMember(m_stream, m_bob));
        m_writer->releaseSavepoint();
        QCOMPARE(m_writer->findStream("room")->maxSeq, 1u);
        m_writer->rollback(); // the commit failed
        m_writer->beginWrite();
        QCOMPARE(m_writer->findStream("room")->maxSeq, 0u);
        QVERIFY(m_writer->isMember(m_stream, m_bob));
        m_writer->commit();
    }

    void aDeletedUserLeavesEveryCachedChannel()
    {
        m_writer->beginWrite();
        const auto other = *m_writer->createStream("other", hchat::v1::CHANNEL_KIND_OPEN, false, "", 1);
        m_writer->addMember(other, m_bob);
        QVERIFY(m_writer->findStream("room"));
        QVERIFY(m_writer->findStream("other"));
        QVERIFY(m_writer->isMember(m_stream, m_bob));
        QVERIFY(m_writer->isMember(other, m_bob));
        m_writer->commit();
        m_writer->beginWrite();
        m_writer->deleteUser(m_bob, 3);
        QVERIFY(m_writer->findStream("room"));
        QVERIFY(m_writer->findStream("other"));
        QVERIFY(!m_writer->isMember(m_stream, m_bob));
        QVERIFY(!m_writer->isMember(other, m_bob));
        QCOMPARE(m_writer->memberIds(m_stream), (std::vector<std::int64_t>{m_alice}));
        m_writer->commit();
    }

    // Two gateways on one database: a channel another one made after this one looked finds no new
    // id here, so a Join cannot make an invite-only channel open, nor its joiner the owner.
    void aChannelAnotherConnectionMadeIsNotTakenAsNew()
    {
        m_writer->beginWrite();
        QVERIFY(!m_writer->findStream("race"));
        m_writer->commit();
        {
            SqlMessageStore other(std::make_unique<SqliteConnection>(m_path), false);
            other.beginWrite();
            QVERIFY(other.createStream("race", hchat::v1::CHANNEL_KIND_INVITE_ONLY, true, "", 2));
            other.commit();
        }
        m_writer->beginWrite();
        QVERIFY(!m_writer->createStream("race", hchat::v1::CHANNEL_KIND_OPEN, false, "", 3));
        QVERIFY(!m_writer->createStream("room", hchat::v1::CHANNEL_KIND_OPEN, false, "", 3));
        const auto race = m_writer->findStream("race");
        QVERIFY(race && race->kind == hchat::v1::CHANNEL_KIND_INVITE_ONLY && race->encrypted);
        m_writer->commit();
    }

    void inboxesAreNotCached()
    {
        m_writer->beginWrite();
        const auto inbox = *m_writer->createStream("~dev", StreamRecord::kInbox, false, "", 1);
        auto found = m_writer->findStream("~dev");
        QVERIFY(found && found->id == inbox);
        {
            auto message = text("share");
            m_writer->appendMessage(*found, m_alice, message);
        }
        m_writer->acknowledgeInbox(*m_writer->findStream("~dev"), 1);
        QCOMPARE(m_writer->findStream("~dev")->ackedSeq, 1u);
        m_writer->commit();
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_path;
    std::unique_ptr<SqlMessageStore> m_writer;
    std::int64_t m_alice = 0, m_bob = 0, m_carol = 0, m_stream = 0;
};

QTEST_GUILESS_MAIN(ServerChannelCache)
#include "tst_server_channelcache.moc"
