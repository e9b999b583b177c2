// The history's side of moderation (issue 21), without a gateway: a moderator's deletion of
// someone else's message is honoured in unencrypted channels only, the channel's topic,
// read-only flag and the user's role are kept (schema 9), and the moderation kinds are stored
// as ordinary rows.
#include "HistoryStore.h"
#include "TestEnv.h"

#include <QTemporaryDir>
#include <QtTest>

using hchat::ChannelRecord;
using hchat::HistoryStore;
using hchat::MessageKind;
using hchat::StoredMessage;

namespace {

StoredMessage msg(const QString &channel, quint64 seq, const QString &sender, const QString &text = {})
{
    StoredMessage m;
    m.channel = channel;
    m.seq = seq;
    m.sender = sender;
    m.senderDevice = QStringLiteral("dev1");
    m.clientMsgId = QByteArray(16, char(seq % 251));
    m.serverTimeMs = 1700000000000LL + qint64(seq);
    m.body = (text.isEmpty() ? QStringLiteral("message %1").arg(seq) : text).toUtf8();
    return m;
}

StoredMessage deletion(const QString &channel, quint64 seq, const QString &sender, quint64 target)
{
    StoredMessage d = msg(channel, seq, sender);
    d.kind = MessageKind::Delete;
    d.body.clear();
    d.refSeq = target;
    return d;
}

ChannelRecord channel(const QString &name, bool encrypted)
{
    ChannelRecord c;
    c.name = name;
    c.kind = encrypted ? ChannelRecord::Kind::InviteOnly : ChannelRecord::Kind::Open;
    c.encrypted = encrypted;
    return c;
}

} // namespace

class ModerationHistoryTest : public QObject {
    Q_OBJECT
private slots:
    void init();
    void moderatorDeletesInUnencryptedChannel();
    void moderatorDeletionIgnoredInEncryptedChannel();
    void channelSettingsAreKept();
    void moderationKindsAreRows();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryStore> m_store;
};

void ModerationHistoryTest::init()
{
    m_dir =
        std::make_unique<QTemporaryDir>(hchat::test::scratchRoot() + QStringLiteral("/moderation-XXXXXX"));
    m_store = std::make_unique<HistoryStore>();
    QVERIFY2(m_store->open(m_dir->filePath(QStringLiteral("history.sqlite"))),
             qPrintable(m_store->lastError()));
}

void ModerationHistoryTest::moderatorDeletesInUnencryptedChannel()
{
    QVERIFY(m_store->upsertChannel(channel(QStringLiteral("lobby"), false)));
    const auto r = m_store->appendMessages(
        QStringLiteral("lobby"),
        {msg(QStringLiteral("lobby"), 1, QStringLiteral("spammer"), QStringLiteral("buy now")),
         deletion(QStringLiteral("lobby"), 2, QStringLiteral("mod"), 1)});
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.amended, QList<quint64>{1});
    const auto spam = m_store->message(QStringLiteral("lobby"), 1);
    QVERIFY(spam);
    QVERIFY(spam->deleted);
    QVERIFY(spam->body.isEmpty());
    QVERIFY(m_store->search(QStringLiteral("buy")).isEmpty());
}

void ModerationHistoryTest::moderatorDeletionIgnoredInEncryptedChannel()
{
    // In an end-to-end encrypted channel only a message's own sender deletes it: a deletion by
    // anyone else (even verified and decrypted) changes nothing, whatever the gateway relays.
    QVERIFY(m_store->upsertChannel(channel(QStringLiteral("secret"), true)));
    StoredMessage text = msg(QStringLiteral("secret"), 1, QStringLiteral("alice"));
    text.encrypted = true;
    text.body = QByteArray("ciphertext");
    text.cryptoState = StoredMessage::CryptoState::Decrypted;
    text.plainText = QStringLiteral("private words");
    StoredMessage del = deletion(QStringLiteral("secret"), 2, QStringLiteral("mod"), 1);
    del.encrypted = true;
    del.body = QByteArray("ciphertext");
    del.cryptoState = StoredMessage::CryptoState::Decrypted;
    // And a plaintext deletion that claims to come from a moderator.
    StoredMessage plainDel = deletion(QStringLiteral("secret"), 3, QStringLiteral("mod"), 1);
    const auto r = m_store->appendMessages(QStringLiteral("secret"), {text, del, plainDel});
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(r.amended.isEmpty());
    const auto kept = m_store->message(QStringLiteral("secret"), 1);
    QVERIFY(kept);
    QVERIFY(!kept->deleted);
    QCOMPARE(kept->plainText, QStringLiteral("private words"));

    // A plain channel's message in an encrypted one is not the moderators' either: also a
    // channel that was unencrypted once keeps its old plain rows from moderators' deletions.
    QVERIFY(m_store->upsertChannel(channel(QStringLiteral("upgraded"), false)));
    QVERIFY(m_store
                ->appendMessages(QStringLiteral("upgraded"),
                                 {msg(QStringLiteral("upgraded"), 1, QStringLiteral("alice"))})
                .ok);
    QVERIFY(m_store->upsertChannel(channel(QStringLiteral("upgraded"), true)));
    QVERIFY(m_store
                ->appendMessages(QStringLiteral("upgraded"),
                                 {deletion(QStringLiteral("upgraded"), 2, QStringLiteral("mod"), 1)})
                .ok);
    QVERIFY(!m_store->message(QStringLiteral("upgraded"), 1)->deleted);

    // Direct channels are encrypted by their name alone.
    QVERIFY(m_store
                ->appendMessages(QStringLiteral("@a+b"),
                                 {msg(QStringLiteral("@a+b"), 1, QStringLiteral("a")),
                                  deletion(QStringLiteral("@a+b"), 2, QStringLiteral("b"), 1)})
                .ok);
    QVERIFY(!m_store->message(QStringLiteral("@a+b"), 1)->deleted);
}

void ModerationHistoryTest::channelSettingsAreKept()
{
    QCOMPARE(HistoryStore::kSchemaVersion, 9);
    ChannelRecord c = channel(QStringLiteral("news"), false);
    c.topic = QStringLiteral("Release news, once a week");
    c.readOnly = true;
    c.role = ChannelRecord::Role::Moderator;
    QVERIFY(m_store->upsertChannel(c));
    auto got = m_store->channel(QStringLiteral("news"));
    QVERIFY(got);
    QCOMPARE(got->topic, c.topic);
    QVERIFY(got->readOnly);
    QCOMPARE(got->role, ChannelRecord::Role::Moderator);
    QVERIFY(got->canModerate());
    QVERIFY(got->canPost());
    QVERIFY(m_store->setChannelRole(QStringLiteral("news"), ChannelRecord::Role::Member));
    QVERIFY(m_store->setChannelTopic(QStringLiteral("news"), QStringLiteral("Quiet")));
    got = m_store->channel(QStringLiteral("news"));
    QVERIFY(!got->canModerate());
    QVERIFY(!got->canPost()); // read-only for plain members
    QCOMPARE(got->topic, QStringLiteral("Quiet"));
    QVERIFY(m_store->setChannelReadOnly(QStringLiteral("news"), false));
    QVERIFY(m_store->channel(QStringLiteral("news"))->canPost());

    // Kept across a reopen.
    const QString path = m_store->path();
    m_store.reset();
    HistoryStore again;
    QVERIFY(again.open(path));
    QCOMPARE(again.channel(QStringLiteral("news"))->topic, QStringLiteral("Quiet"));
}

void ModerationHistoryTest::moderationKindsAreRows()
{
    QVERIFY(m_store->upsertChannel(channel(QStringLiteral("lobby"), false)));
    StoredMessage kicked = msg(QStringLiteral("lobby"), 1, QStringLiteral("mod"), QStringLiteral("spam"));
    kicked.kind = MessageKind::MemberKicked;
    kicked.subject = QStringLiteral("bob");
    StoredMessage topic = msg(QStringLiteral("lobby"), 2, QStringLiteral("mod"), QStringLiteral("Be kind"));
    topic.kind = MessageKind::Topic;
    QVERIFY(m_store->appendMessages(QStringLiteral("lobby"), {kicked, topic}).ok);
    const auto rows = m_store->page(QStringLiteral("lobby"), 1, 2);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).kind, MessageKind::MemberKicked);
    QCOMPARE(rows.at(0).subject, QStringLiteral("bob"));
    QCOMPARE(rows.at(1).kind, MessageKind::Topic);
    QVERIFY(hchat::isModeration(rows.at(1).kind));
    QVERIFY(!rows.at(1).isChat());
}

QTEST_GUILESS_MAIN(ModerationHistoryTest)
#include "tst_core_moderation.moc"
