// HistoryStore: idempotent insert, batch atomicity, paging, FTS, read positions, outbox, drafts,
// migrations, and refusing damaged or newer databases without touching them.
#include "HistoryStore.h"
#include "SearchIndex.h"
#include "TestEnv.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace hchat;

namespace {

StoredMessage msg(const QString &channel, quint64 seq, const QString &text = {},
                  const QString &sender = QStringLiteral("alice"))
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

QList<StoredMessage> range(const QString &channel, quint64 from, quint64 to)
{
    QList<StoredMessage> out;
    for (quint64 s = from; s <= to; ++s)
        out << msg(channel, s);
    return out;
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

// Runs statements on the file at path through a connection of its own (to see or to set up what an
// older version, or anyone else, left there). False at the first that fails; *firstValue: the first
// column of the last statement's first row.
bool rawExec(const QString &path, const QStringList &statements, QVariant *firstValue = nullptr)
{
    const QString name = QStringLiteral("raw-check");
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            ok = std::all_of(statements.begin(), statements.end(), [&q](const QString &sql) {
                const bool done = q.exec(sql);
                if (!done)
                    qWarning().noquote() << sql << "-" << q.lastError().text();
                return done;
            });
            if (ok && firstValue && q.next())
                *firstValue = q.value(0);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

quint64 rawCount(const QString &path, const QString &sql)
{
    QVariant n;
    rawExec(path, {sql}, &n);
    return n.toULongLong();
}

} // namespace

class TestHistoryStore : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString dbPath(const QString &name = QStringLiteral("h.sqlite")) const { return m_dir->filePath(name); }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>(test::scratchRoot() + QStringLiteral("/store-XXXXXX"));
        QVERIFY(m_dir->isValid());
    }

    void createsSchemaWithWal()
    {
        HistoryStore s;
        QVERIFY2(s.open(dbPath()), qPrintable(s.lastError()));
        QCOMPARE(s.schemaVersion(), HistoryStore::kSchemaVersion);
        QVERIFY(s.integrityCheck());
        s.close();
        QCOMPARE(rawCount(dbPath(), QStringLiteral("PRAGMA user_version")),
                 quint64(HistoryStore::kSchemaVersion));
        QVERIFY(QFile::exists(dbPath() + QStringLiteral("-wal")) ||
                rawCount(dbPath(), QStringLiteral("SELECT 1")) == 1);
        // journal_mode is persistent for WAL.
        const QString name = QStringLiteral("wal-check");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(dbPath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        }
        QSqlDatabase::removeDatabase(name);
    }

    void idempotentInsert()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        auto r = s.appendMessages(QStringLiteral("general"), range(QStringLiteral("general"), 1, 10));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.inserted.size(), 10);
        QCOMPARE(r.maxSeq, quint64(10));
        // The same batch again, and an overlapping one: nothing doubles.
        r = s.appendMessages(QStringLiteral("general"), range(QStringLiteral("general"), 1, 10));
        QVERIFY(r.ok);
        QCOMPARE(r.inserted.size(), 0);
        r = s.appendMessages(QStringLiteral("general"), range(QStringLiteral("general"), 5, 15));
        QVERIFY(r.ok);
        QCOMPARE(r.inserted.size(), 5);
        QCOMPARE(r.inserted.first().seq, quint64(11));
        QCOMPARE(s.count(QStringLiteral("general")), quint64(15));
        QCOMPARE(s.maxSeq(QStringLiteral("general")), quint64(15));
        QCOMPARE(s.minSeq(QStringLiteral("general")), quint64(1));
        // Another channel is independent.
        QVERIFY(s.appendMessages(QStringLiteral("other"), range(QStringLiteral("other"), 1, 3)).ok);
        QCOMPARE(s.count(QStringLiteral("other")), quint64(3));
        QCOMPARE(s.count(QStringLiteral("general")), quint64(15));
        s.close();
        QCOMPARE(rawCount(dbPath(), QStringLiteral("SELECT count(*) FROM messages")), quint64(18));
    }

    void batchWithHoleOrForeignRowChangesNothing()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        QVERIFY(s.appendMessages(QStringLiteral("c"), range(QStringLiteral("c"), 1, 5)).ok);
        // A hole in the middle: rows 6..7 would be fine but 9 skips 8 → the whole batch is refused.
        auto batch = range(QStringLiteral("c"), 6, 7);
        batch << msg(QStringLiteral("c"), 9);
        auto r = s.appendMessages(QStringLiteral("c"), batch);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("hole")), qPrintable(r.error));
        QCOMPARE(r.maxSeq, quint64(5));
        QCOMPARE(s.count(QStringLiteral("c")), quint64(5));
        QCOMPARE(s.maxSeq(QStringLiteral("c")), quint64(5));
        // A batch that does not start at max + 1.
        r = s.appendMessages(QStringLiteral("c"), range(QStringLiteral("c"), 7, 9));
        QVERIFY(!r.ok);
        QCOMPARE(s.count(QStringLiteral("c")), quint64(5));
        // A row of another channel.
        batch = range(QStringLiteral("c"), 6, 8);
        batch[1].channel = QStringLiteral("elsewhere");
        r = s.appendMessages(QStringLiteral("c"), batch);
        QVERIFY(!r.ok);
        QCOMPARE(s.count(QStringLiteral("c")), quint64(5));
        QCOMPARE(s.count(QStringLiteral("elsewhere")), quint64(0));
        QVERIFY(s.search(QStringLiteral("message")).size() == 5);
    }

    void batchIsOneTransaction()
    {
        // A failure inside the transaction (the FTS insert is made to fail by a trigger on a
        // poisoned body) rolls back every row and the max seq.
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        QVERIFY(s.appendMessages(QStringLiteral("t"), range(QStringLiteral("t"), 1, 3)).ok);
        s.close();
        {
            const QString name = QStringLiteral("poison");
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
                db.setDatabaseName(dbPath());
                QVERIFY(db.open());
                QSqlQuery q(db);
                QVERIFY(q.exec(QStringLiteral(
                    "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.body = CAST('poison' AS BLOB) "
                    "BEGIN SELECT RAISE(ABORT, 'poisoned'); END")));
            }
            QSqlDatabase::removeDatabase(name);
        }
        QVERIFY(s.open(dbPath()));
        auto batch = range(QStringLiteral("t"), 4, 10);
        batch[5].body = "poison"; // seq 9
        const auto r = s.appendMessages(QStringLiteral("t"), batch, 10);
        QVERIFY(!r.ok);
        QCOMPARE(s.count(QStringLiteral("t")), quint64(3));
        QCOMPARE(s.maxSeq(QStringLiteral("t")), quint64(3));
        QCOMPARE(s.serverMaxSeq(QStringLiteral("t")), quint64(3));
        QCOMPARE(s.search(QStringLiteral("message")).size(), 3);
        batch[5].body = "fine";
        QVERIFY(s.appendMessages(QStringLiteral("t"), batch, 10).ok);
        QCOMPARE(s.count(QStringLiteral("t")), quint64(10));
    }

    void paging()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        for (quint64 from = 1; from <= 1000; from += 250)
            QVERIFY(s.appendMessages(QStringLiteral("p"), range(QStringLiteral("p"), from, from + 249)).ok);
        QCOMPARE(s.count(QStringLiteral("p")), quint64(1000));
        const auto mid = s.page(QStringLiteral("p"), 100, 199);
        QCOMPARE(mid.size(), 100);
        QCOMPARE(mid.first().seq, quint64(100));
        QCOMPARE(mid.last().seq, quint64(199));
        QCOMPARE(mid.first().text(), QStringLiteral("message 100"));
        QCOMPARE(mid.first().clientMsgId.size(), 16);
        const auto before = s.rowsBefore(QStringLiteral("p"), 100, 30);
        QCOMPARE(before.size(), 30);
        QCOMPARE(before.first().seq, quint64(70));
        QCOMPARE(before.last().seq, quint64(99));
        QCOMPARE(s.rowsBefore(QStringLiteral("p"), 5, 30).size(), 4);
        const auto after = s.rowsAfter(QStringLiteral("p"), 990, 30);
        QCOMPARE(after.size(), 10);
        QCOMPARE(after.first().seq, quint64(991));
        QCOMPARE(s.countBefore(QStringLiteral("p"), 500), quint64(499));
        QCOMPARE(s.latestMessage(QStringLiteral("p"))->seq, quint64(1000));
        QVERIFY(!s.latestMessage(QStringLiteral("nothing")));
        QCOMPARE(s.message(QStringLiteral("p"), 42)->text(), QStringLiteral("message 42"));
        QVERIFY(s.page(QStringLiteral("p"), 10, 5).isEmpty());
    }

    void channelsAndActivity()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        ChannelRecord a;
        a.name = QStringLiteral("alpha");
        a.serverMaxSeq = 7;
        ChannelRecord d;
        d.name = QStringLiteral("@alice+bob");
        d.kind = ChannelRecord::Kind::Direct;
        d.members = {QStringLiteral("alice"), QStringLiteral("bob")};
        QVERIFY(s.upsertChannel(a));
        QVERIFY(s.upsertChannel(d));
        QVERIFY(s.appendMessages(d.name, range(d.name, 1, 2)).ok);
        auto list = s.channels();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.first().name, d.name); // most recent activity first
        QCOMPARE(list.first().members, d.members);
        QCOMPARE(list.first().kind, ChannelRecord::Kind::Direct);
        QCOMPARE(list.first().maxSeq, quint64(2));
        QCOMPARE(list.last().serverMaxSeq, quint64(7));
        QVERIFY(s.setMuted(QStringLiteral("alpha"), true));
        QVERIFY(s.upsertChannel(a)); // keeps muted
        QVERIFY(s.channel(QStringLiteral("alpha"))->muted);
        QVERIFY(s.setChannelJoined(QStringLiteral("alpha"), false));
        QCOMPARE(s.channels(true).size(), 1);
        QCOMPARE(s.channels(false).size(), 2);
    }

    // Whatever a gateway says later, a channel never goes back to open or to plaintext; one that
    // becomes encrypted (a plain private channel of an older HChat) is so from its next message.
    void encryptionOnlyEverSwitchesOn()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        ChannelRecord secret;
        secret.name = QStringLiteral("secret");
        secret.kind = ChannelRecord::Kind::InviteOnly;
        secret.encrypted = true;
        QVERIFY(s.upsertChannel(secret));
        ChannelRecord downgraded = secret;
        downgraded.kind = ChannelRecord::Kind::Open;
        downgraded.encrypted = false;
        QVERIFY(s.upsertChannel(downgraded));
        QVERIFY(s.channel(QStringLiteral("secret"))->encrypted);
        QCOMPARE(s.channel(QStringLiteral("secret"))->kind, ChannelRecord::Kind::InviteOnly);
        QCOMPARE(s.channel(QStringLiteral("secret"))->encryptedFromSeq, quint64(0));
        QVERIFY(s.channel(QStringLiteral("secret"))->plainRowIsForged(1));

        ChannelRecord old;
        old.name = QStringLiteral("old-private");
        old.kind = ChannelRecord::Kind::InviteOnly;
        QVERIFY(s.upsertChannel(old));
        QVERIFY(s.appendMessages(old.name, range(old.name, 1, 3)).ok);
        old.encrypted = true;
        QVERIFY(s.upsertChannel(old));
        const auto rec = s.channel(old.name);
        QVERIFY(rec->encrypted);
        QCOMPARE(rec->encryptedFromSeq, quint64(4));
        QVERIFY(!rec->plainRowIsForged(3));
        QVERIFY(rec->plainRowIsForged(4));
        old.encrypted = false;
        QVERIFY(s.upsertChannel(old));
        QVERIFY(s.channel(old.name)->encrypted);
        QCOMPARE(s.channel(old.name)->encryptedFromSeq, quint64(4));
    }

    void readPositionsAndUnread()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        s.setOwnNick(QStringLiteral("bob"));
        auto batch = range(QStringLiteral("r"), 1, 10);
        batch[9].sender = QStringLiteral("bob");   // own message does not count
        batch[4].kind = MessageKind::MemberJoined; // nor does a membership event
        QVERIFY(s.appendMessages(QStringLiteral("r"), batch).ok);
        QCOMPARE(s.unreadCount(QStringLiteral("r")), quint64(8));
        QCOMPARE(s.firstUnreadSeq(QStringLiteral("r")), quint64(1));
        QVERIFY(s.setReadSeq(QStringLiteral("r"), 6, false));
        QCOMPARE(s.unreadCount(QStringLiteral("r")), quint64(3));
        QCOMPARE(s.firstUnreadSeq(QStringLiteral("r")), quint64(7));
        QVERIFY(!s.setReadSeq(QStringLiteral("r"), 3)); // never goes back
        QCOMPARE(s.readSeq(QStringLiteral("r")), quint64(6));
        QCOMPARE(s.unsyncedReadPositions().size(), 1);
        QVERIFY(s.markReadPositionSynced(QStringLiteral("r"), 6));
        QVERIFY(s.unsyncedReadPositions().isEmpty());
        QVERIFY(s.setReadSeq(QStringLiteral("r"), 10));
        QCOMPARE(s.unreadCount(QStringLiteral("r")), quint64(0));
        QCOMPARE(s.firstUnreadSeq(QStringLiteral("r")), quint64(0));
    }

    void fullTextSearch()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        QList<StoredMessage> batch;
        batch << msg(QStringLiteral("s"), 1, QStringLiteral("The quick brown fox"));
        batch << msg(QStringLiteral("s"), 2, QStringLiteral("jumps over the lazy dog"));
        batch << msg(QStringLiteral("s"), 3, QStringLiteral("Café crème at noon"));
        batch << msg(QStringLiteral("s"), 4, QStringLiteral("secret"));
        batch[3].encrypted = true; // ciphertext is never indexed
        QVERIFY(s.appendMessages(QStringLiteral("s"), batch).ok);
        QVERIFY(
            s.appendMessages(QStringLiteral("t"), {msg(QStringLiteral("t"), 1, QStringLiteral("a fox in t"))})
                .ok);
        auto hits = s.search(QStringLiteral("fox"));
        QCOMPARE(hits.size(), 2);
        hits = s.search(QStringLiteral("fox"), 10, QStringLiteral("s"));
        QCOMPARE(hits.size(), 1);
        QCOMPARE(hits.first().channel, QStringLiteral("s"));
        QCOMPARE(hits.first().seq, quint64(1));
        QVERIFY(hits.first().snippet.contains(SearchHit::kMarkStart + QStringLiteral("fox") +
                                              SearchHit::kMarkEnd));
        QVERIFY(hits.first().snippetHtml().contains(QStringLiteral("<b>fox</b>")));
        QCOMPARE(s.search(QStringLiteral("qui")).size(), 1);      // prefix
        QCOMPARE(s.search(QStringLiteral("lazy DOG")).size(), 1); // all words, any case
        QCOMPARE(s.search(QStringLiteral("lazy cat")).size(), 0);
        QCOMPARE(s.search(QStringLiteral("cafe")).size(), 1); // diacritics folded
        QCOMPARE(s.search(QStringLiteral("secret")).size(), 0);
        // FTS syntax in user input is harmless.
        QCOMPARE(s.search(QStringLiteral("\"unbalanced AND OR NEAR( *")).size(), 0);
        QCOMPARE(s.search(QStringLiteral("   ")).size(), 0);
    }

    // The crypto stage completes rows before they are stored: each is written once, with its
    // result, its search text and the stream's crypto cursor in the same transaction.
    void rowsThatArriveDecryptedAreStoredOnceWithTheirResult()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        const QString ch = QStringLiteral("e");
        auto encrypted = [&](quint64 seq, MessageKind kind, const QString &plain,
                             StoredMessage::CryptoState state) {
            StoredMessage m = msg(ch, seq, QStringLiteral("ciphertext %1").arg(seq));
            m.encrypted = true;
            m.kind = kind;
            m.cryptoState = state;
            m.plainText = plain;
            m.senderTimeMs = state == StoredMessage::CryptoState::Decrypted ? 1700000000123LL : 0;
            if (state != StoredMessage::CryptoState::Decrypted)
                m.cryptoReason = QStringLiteral("waiting for the key");
            return m;
        };
        QList<StoredMessage> batch;
        batch << encrypted(1, MessageKind::Text, QStringLiteral("meet at the harbour"),
                           StoredMessage::CryptoState::Decrypted);
        batch << encrypted(2, MessageKind::Text, {}, StoredMessage::CryptoState::WaitingForKey);
        StoredMessage edit = encrypted(3, MessageKind::Edit, QStringLiteral("meet at the station"),
                                       StoredMessage::CryptoState::Decrypted);
        edit.refSeq = 1;
        batch << edit;
        StoredMessage file = encrypted(4, MessageKind::Attachment, QStringLiteral("a caption"),
                                       StoredMessage::CryptoState::Decrypted);
        file.attachmentId = QStringLiteral("upload-4");
        file.attachment = QByteArray("not the description of upload-4");
        batch << file;
        StoredMessage forged = msg(ch, 5, QStringLiteral("plaintext someone slipped in"));
        forged.cryptoState = StoredMessage::CryptoState::Undecryptable;
        forged.cryptoReason = QStringLiteral("sent without encryption");
        batch << forged;

        const auto appended = s.appendMessages(ch, batch, 5, 5);
        QVERIFY2(appended.ok, qPrintable(appended.error));
        QCOMPARE(appended.inserted.size(), 5);
        QCOMPARE(appended.amended, QList<quint64>{1}); // the decrypted edit counted at once
        QCOMPARE(s.cryptoCursor(ch), quint64(5));

        const auto first = s.message(ch, 1);
        QVERIFY(first);
        QCOMPARE(first->cryptoState, StoredMessage::CryptoState::Decrypted);
        QCOMPARE(first->text(), QStringLiteral("meet at the station"));
        QCOMPARE(first->senderTimeMs, 1700000000123LL);
        const auto waiting = s.message(ch, 2);
        QCOMPARE(waiting->cryptoState, StoredMessage::CryptoState::WaitingForKey);
        QCOMPARE(waiting->cryptoReason, QStringLiteral("waiting for the key"));
        QVERIFY(waiting->text().isEmpty());
        QCOMPARE(waiting->senderTimeMs, 0); // only a verified message has a signed time
        // Content that does not describe the upload the gateway delivered is not kept.
        QVERIFY(s.message(ch, 4)->attachment.isEmpty());
        QCOMPARE(s.message(ch, 5)->cryptoState, StoredMessage::CryptoState::Undecryptable);

        QCOMPARE(s.search(QStringLiteral("station")).size(), 1);
        QCOMPARE(s.search(QStringLiteral("harbour")).size(), 0); // the edit replaced it
        QCOMPARE(s.search(QStringLiteral("ciphertext")).size(), 0);
        QCOMPARE(s.search(QStringLiteral("slipped")).size(), 0); // a refused row is not searchable

        // The row still waiting gets its result later, once.
        QVERIFY(
            s.setDecryption(ch, 2, StoredMessage::CryptoState::Decrypted, QStringLiteral("late key"), {}));
        QCOMPARE(s.message(ch, 2)->text(), QStringLiteral("late key"));
        QCOMPARE(s.search(QStringLiteral("late")).size(), 1);
    }

    // The search index is derived data in a file of its own: one that is damaged, or that
    // belongs to another history, is built again from the history instead of answering wrongly.
    void searchIndexThatCannotBeTrustedIsBuiltAgain()
    {
        const QString other = dbPath(QStringLiteral("other.sqlite"));
        {
            HistoryStore s;
            QVERIFY(s.open(other));
            QVERIFY(
                s.appendMessages(QStringLiteral("o"), {msg(QStringLiteral("o"), 1, QStringLiteral("zebra"))})
                    .ok);
            QVERIFY(s.waitForSearchIndex(5000));
        }
        {
            HistoryStore s;
            QVERIFY(s.open(dbPath()));
            QVERIFY(s.appendMessages(QStringLiteral("c"),
                                     {msg(QStringLiteral("c"), 1, QStringLiteral("giraffe"))})
                        .ok);
            QCOMPARE(s.search(QStringLiteral("giraffe")).size(), 1);
        }
        const QString index = SearchIndex::pathFor(dbPath());
        QVERIFY(QFile::exists(index));

        // Another history's index in its place: its rows would name the wrong messages.
        SearchIndex::remove(dbPath());
        QVERIFY(QFile::copy(SearchIndex::pathFor(other), index));
        {
            HistoryStore s;
            QVERIFY(s.open(dbPath()));
            QCOMPARE(s.search(QStringLiteral("zebra")).size(), 0);
            QCOMPARE(s.search(QStringLiteral("giraffe")).size(), 1);
        }
        // A damaged one.
        SearchIndex::remove(dbPath());
        {
            QFile f(index);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(8192, '\x5a'));
        }
        {
            HistoryStore s;
            QVERIFY2(s.open(dbPath()), qPrintable(s.lastError()));
            const auto hits = s.search(QStringLiteral("giraffe"));
            QCOMPARE(hits.size(), 1);
            QCOMPARE(hits.first().channel, QStringLiteral("c"));
        }
    }

    // What changes after a row was indexed (a deletion, an edit) reaches the index, and a deleted
    // message is never found, even before the index has caught up.
    void searchFollowsEditsAndDeletions()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        const QString c = QStringLiteral("f");
        QVERIFY(s.appendMessages(c, {msg(c, 1, QStringLiteral("original words")),
                                     msg(c, 2, QStringLiteral("doomed words"))})
                    .ok);
        QCOMPARE(s.search(QStringLiteral("words")).size(), 2);
        StoredMessage edit = msg(c, 3, QStringLiteral("revised words"));
        edit.kind = MessageKind::Edit;
        edit.refSeq = 1;
        StoredMessage deletion = msg(c, 4, QString());
        deletion.kind = MessageKind::Delete;
        deletion.refSeq = 2;
        deletion.body.clear();
        QVERIFY(s.appendMessages(c, {edit, deletion}).ok);
        QCOMPARE(s.search(QStringLiteral("original")).size(), 0);
        QCOMPARE(s.search(QStringLiteral("revised")).size(), 1);
        QCOMPARE(s.search(QStringLiteral("doomed")).size(), 0);
        QCOMPARE(rawCount(dbPath(), QStringLiteral("SELECT count(*) FROM search_dirty")), quint64(0));
    }

    // Rows bound straight on the SQLite handle read back as QtSql would have stored them.
    void rowsKeepNullEmptyAndUnicodeValues()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        StoredMessage m = msg(QStringLiteral("u"), 1, QStringLiteral("Grüße, 你好 🙂"));
        m.clientMsgId = QByteArray();
        m.subject = QString();
        StoredMessage empty = msg(QStringLiteral("u"), 2);
        empty.body = QByteArray("");
        empty.clientMsgId = QByteArray("\0\1", 2);
        QVERIFY(s.appendMessages(QStringLiteral("u"), {m, empty}).ok);
        const auto a = s.message(QStringLiteral("u"), 1);
        QCOMPARE(a->text(), QStringLiteral("Grüße, 你好 🙂"));
        QVERIFY(a->clientMsgId.isNull());
        QCOMPARE(a->subject, QString(""));
        const auto b = s.message(QStringLiteral("u"), 2);
        QVERIFY(b->body.isEmpty());
        QCOMPARE(b->clientMsgId, QByteArray("\0\1", 2));
        QCOMPARE(
            rawCount(dbPath(), QStringLiteral("SELECT count(*) FROM messages WHERE client_msg_id IS NULL")),
            quint64(1));
        QCOMPARE(s.search(QStringLiteral("你好")).size(), 1);
    }

    void draftsAndOutbox()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        QVERIFY(s.setDraft(QStringLiteral("d"), QStringLiteral("half a thought")));
        QCOMPARE(s.draft(QStringLiteral("d")), QStringLiteral("half a thought"));
        QVERIFY(s.setDraft(QStringLiteral("d"), QString()));
        QCOMPARE(s.draft(QStringLiteral("d")), QString());

        const qint64 a = s.addOutbox(QStringLiteral("d"), QByteArray(16, 'a'), "one");
        const qint64 b = s.addOutbox(QStringLiteral("d"), QByteArray(16, 'b'), "two");
        QVERIFY(a > 0 && b > a);
        QCOMPARE(s.addOutbox(QStringLiteral("d"), QByteArray(16, 'a'), "dup"),
                 qint64(0)); // client_msg_id unique
        QCOMPARE(s.nextPending()->id, a);
        QVERIFY(s.markOutboxSent(a, 17));
        QCOMPARE(s.outboxEntry(a)->state, OutboxEntry::State::Sent);
        QCOMPARE(s.outboxEntry(a)->seq, quint64(17));
        QVERIFY(!s.markOutboxPending(a)); // sent stays sent
        QCOMPARE(s.nextPending()->id, b);
        QVERIFY(s.markOutboxFailed(b, QStringLiteral("You are not a member of this channel.")));
        QVERIFY(!s.nextPending());
        QCOMPARE(s.outbox(QStringLiteral("d"), {OutboxEntry::State::Failed}).size(), 1);
        QCOMPARE(s.outbox({}, {OutboxEntry::State::Failed})[0].error,
                 QStringLiteral("You are not a member of this channel."));
        QVERIFY(s.markOutboxPending(b));
        QCOMPARE(s.nextPending()->id, b);
        QCOMPARE(s.outbox().size(), 2);
    }

    void persistsAcrossReopen()
    {
        {
            HistoryStore s;
            QVERIFY(s.open(dbPath()));
            QVERIFY(s.appendMessages(QStringLiteral("k"), range(QStringLiteral("k"), 1, 5), 9).ok);
            QVERIFY(s.setValue(QStringLiteral("nick"), QStringLiteral("bob")));
        }
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        QCOMPARE(s.maxSeq(QStringLiteral("k")), quint64(5));
        QCOMPARE(s.serverMaxSeq(QStringLiteral("k")), quint64(9));
        QCOMPARE(s.value(QStringLiteral("nick")), QStringLiteral("bob"));
        QCOMPARE(s.value(QStringLiteral("missing"), QStringLiteral("x")), QStringLiteral("x"));
    }

    void migratesFromVersionZero()
    {
        // An empty SQLite file (user_version 0, from before the first schema) is migrated.
        const QString name = QStringLiteral("v0");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(dbPath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE unrelated(x)")));
        }
        QSqlDatabase::removeDatabase(name);
        HistoryStore s;
        QVERIFY2(s.open(dbPath()), qPrintable(s.lastError()));
        QCOMPARE(s.schemaVersion(), HistoryStore::kSchemaVersion);
        QVERIFY(s.appendMessages(QStringLiteral("m"), range(QStringLiteral("m"), 1, 2)).ok);
        s.close();
        // Opening again does not migrate twice.
        QVERIFY(s.open(dbPath()));
        QCOMPARE(s.count(QStringLiteral("m")), quint64(2));
    }

    // Schema 7: the crypto cursor of each stream and the other side's read position of each
    // channel move from key/value text into columns, and their keys leave kv.
    void migratesCursorsOutOfKeyValues()
    {
        {
            HistoryStore s;
            QVERIFY(s.open(dbPath()));
            QVERIFY(s.appendMessages(QStringLiteral("x"), range(QStringLiteral("x"), 1, 3)).ok);
            QVERIFY(s.setReadSeq(QStringLiteral("y"), 2));
        }
        // As schema 6 kept them (and without what schema 9 added).
        QVERIFY(rawExec(
            dbPath(), {QStringLiteral("ALTER TABLE channels DROP COLUMN topic"),
                       QStringLiteral("ALTER TABLE channels DROP COLUMN read_only"),
                       QStringLiteral("ALTER TABLE channels DROP COLUMN role"),
                       QStringLiteral("ALTER TABLE streams DROP COLUMN crypto_seq"),
                       QStringLiteral("ALTER TABLE read_positions DROP COLUMN peer_read_seq"),
                       QStringLiteral("INSERT INTO kv(key, value) VALUES('crypto_seq:x', '3'),"
                                      " ('crypto_seq:~dev', '7'), ('peer_read:y', '5'), ('peer_read:z', '9'),"
                                      " ('nick', 'bob')"),
                       QStringLiteral("PRAGMA user_version=6")}));

        HistoryStore s;
        QVERIFY2(s.open(dbPath()), qPrintable(s.lastError()));
        QCOMPARE(s.schemaVersion(), HistoryStore::kSchemaVersion);
        QVERIFY(s.integrityCheck());
        QCOMPARE(s.cryptoCursor(QStringLiteral("x")), quint64(3));
        QCOMPARE(s.maxSeq(QStringLiteral("x")), quint64(3));
        QCOMPARE(s.cryptoCursor(QStringLiteral("~dev")), quint64(7)); // a stream known by its cursor only
        QCOMPARE(s.maxSeq(QStringLiteral("~dev")), quint64(0));
        QCOMPARE(s.peerReadSeq(QStringLiteral("y")), quint64(5)); // beside the own read position
        QCOMPARE(s.readSeq(QStringLiteral("y")), quint64(2));
        QCOMPARE(s.peerReadSeq(QStringLiteral("z")), quint64(9));
        QCOMPARE(s.readSeq(QStringLiteral("z")), quint64(0));
        QVERIFY(s.unsyncedReadPositions().isEmpty());
        QVERIFY(s.channels(false).isEmpty());
        QCOMPARE(s.value(QStringLiteral("crypto_seq:x"), QStringLiteral("gone")), QStringLiteral("gone"));
        QCOMPARE(s.value(QStringLiteral("peer_read:y"), QStringLiteral("gone")), QStringLiteral("gone"));
        QCOMPARE(s.settings().nick(), QStringLiteral("bob"));
        s.close();
        QCOMPARE(rawCount(dbPath(), QStringLiteral("SELECT count(*) FROM kv")), quint64(1));

        // The cursors are plain columns now: set, read back, and kept apart per stream and channel.
        QVERIFY(s.open(dbPath()));
        QVERIFY(s.setCryptoCursor(QStringLiteral("x"), 4));
        QVERIFY(s.setPeerReadSeq(QStringLiteral("y"), 6));
        QVERIFY(s.setReadSeq(QStringLiteral("y"), 3));
        QCOMPARE(s.cryptoCursor(QStringLiteral("x")), quint64(4));
        QCOMPARE(s.maxSeq(QStringLiteral("x")), quint64(3));
        QCOMPARE(s.peerReadSeq(QStringLiteral("y")), quint64(6));
        QCOMPARE(s.readSeq(QStringLiteral("y")), quint64(3));
        QCOMPARE(s.cryptoCursor(QStringLiteral("unknown")), quint64(0));
        QCOMPARE(s.peerReadSeq(QStringLiteral("unknown")), quint64(0));
    }

    // The typed settings keep the text format older versions wrote to kv.
    void profileSettingsKeepTheirFormat()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        ProfileSettings &settings = s.settings();
        QVERIFY(settings.nick().isEmpty());
        QVERIFY(settings.gatewayUrls().isEmpty());
        QVERIFY(settings.setNick(QStringLiteral("alice")));
        QVERIFY(settings.setDeviceId(QStringLiteral("d1")));
        QVERIFY(settings.setGatewayUrls(
            {QUrl(QStringLiteral("wss://b.example/v1/ws")), QUrl(QStringLiteral("wss://a.example/v1/ws"))}));
        QVERIFY(settings.setCleartextGateways({QStringLiteral("lan:8080"), QStringLiteral("box:80")}));
        QVERIFY(settings.setDeletedUsers({QStringLiteral("zed"), QStringLiteral("amy")}));
        QVERIFY(settings.setCryptoRetryShares({12, 7}));
        QCOMPARE(s.value(QStringLiteral("nick")), QStringLiteral("alice"));
        QCOMPARE(s.value(QStringLiteral("device_id")), QStringLiteral("d1"));
        QCOMPARE(s.value(QStringLiteral("gateway_urls")),
                 QStringLiteral("wss://b.example/v1/ws wss://a.example/v1/ws"));
        QCOMPARE(s.value(QStringLiteral("cleartext_gateways")), QStringLiteral("box:80 lan:8080"));
        QCOMPARE(s.value(QStringLiteral("deleted_users")), QStringLiteral("amy zed"));
        QCOMPARE(s.value(QStringLiteral("crypto_retry_shares")), QStringLiteral("12 7"));
        QCOMPARE(settings.gatewayUrls().first(), QUrl(QStringLiteral("wss://b.example/v1/ws")));
        QCOMPARE(settings.cleartextGateways(),
                 (QStringList{QStringLiteral("box:80"), QStringLiteral("lan:8080")}));
        QCOMPARE(settings.deletedUsers(), (QSet<QString>{QStringLiteral("amy"), QStringLiteral("zed")}));
        QCOMPARE(settings.cryptoRetryShares(), (QList<quint64>{12, 7}));
        QVERIFY(settings.setNick({}));
        QCOMPARE(s.value(QStringLiteral("nick"), QStringLiteral("none")), QString());
    }

    void refusesNewerVersionUntouched()
    {
        {
            HistoryStore s;
            QVERIFY(s.open(dbPath()));
            QVERIFY(s.appendMessages(QStringLiteral("n"), range(QStringLiteral("n"), 1, 3)).ok);
        }
        const QString name = QStringLiteral("future");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(dbPath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version=%1").arg(HistoryStore::kSchemaVersion + 5)));
            QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
        }
        QSqlDatabase::removeDatabase(name);
        const QByteArray before = fileHash(dbPath());
        HistoryStore s;
        QVERIFY(!s.open(dbPath()));
        QCOMPARE(s.openError(), HistoryStore::OpenError::NewerVersion);
        QVERIFY2(s.lastError().contains(QStringLiteral("newer version")), qPrintable(s.lastError()));
        QVERIFY(!s.isOpen());
        QCOMPARE(fileHash(dbPath()), before);
        QCOMPARE(rawCount(dbPath(), QStringLiteral("SELECT count(*) FROM messages")), quint64(3));
    }

    void refusesCorruptUntouched_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("garbage")
            << QByteArray("this is not a database at all, just some bytes\n").repeated(200);
        QByteArray header("SQLite format 3");
        header.append('\0');
        header.append(QByteArray(4080, '\xff'));
        QTest::newRow("damaged header") << header;
    }

    void refusesCorruptUntouched()
    {
        QFETCH(QByteArray, content);
        {
            QFile f(dbPath());
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const QByteArray before = fileHash(dbPath());
        HistoryStore s;
        QVERIFY(!s.open(dbPath()));
        QCOMPARE(s.openError(), HistoryStore::OpenError::Corrupt);
        QVERIFY2(s.lastError().contains(QStringLiteral("damaged")), qPrintable(s.lastError()));
        QVERIFY(!s.isOpen());
        QCOMPARE(fileHash(dbPath()), before);
        QVERIFY(!QFile::exists(dbPath() + QStringLiteral("-wal")) ||
                QFileInfo(dbPath() + QStringLiteral("-wal")).size() == 0);
    }

    void largeBatchesAreFast()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        QElapsedTimer t;
        t.start();
        for (quint64 from = 1; from <= 20000; from += 1000)
            QVERIFY(
                s.appendMessages(QStringLiteral("big"), range(QStringLiteral("big"), from, from + 999)).ok);
        qInfo() << "20000 rows in 20 transactions:" << t.elapsed() << "ms";
        QCOMPARE(s.count(QStringLiteral("big")), quint64(20000));
        QVERIFY(t.elapsed() < 20000);
    }

    // Schema 1 (before E2EE) migrates to 2: the messages keep their data, gain the local-only
    // decryption columns, and a decrypted text becomes searchable.
    void editsAndDeletionsChangeTheirTarget()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        const QString c = QStringLiteral("a");
        auto edit = [&](quint64 seq, quint64 target, const QString &text,
                        const QString &sender = QStringLiteral("alice")) {
            StoredMessage m = msg(c, seq, text, sender);
            m.kind = MessageKind::Edit;
            m.refSeq = target;
            return m;
        };
        StoredMessage reply = msg(c, 2, QStringLiteral("a reply"), QStringLiteral("bob"));
        reply.refSeq = 1;
        StoredMessage del = msg(c, 6, {}, QStringLiteral("alice"));
        del.kind = MessageKind::Delete;
        del.refSeq = 3;
        del.body.clear();
        const auto r = s.appendMessages(c, {msg(c, 1, QStringLiteral("first words")), reply,
                                            msg(c, 3, QStringLiteral("doomed remark")),
                                            edit(4, 1, QStringLiteral("better words")),
                                            edit(5, 1, QStringLiteral("hijacked"), QStringLiteral("mallory")),
                                            del, edit(7, 3, QStringLiteral("edit after delete"))});
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.amended, (QList<quint64>{1, 3}));
        QCOMPARE(s.message(c, 2)->refSeq, quint64(1));
        // The sender's edit counts; one by someone else is ignored.
        QCOMPARE(s.message(c, 1)->text(), QStringLiteral("better words"));
        QCOMPARE(s.message(c, 1)->editSeq, quint64(4));
        QCOMPARE(s.search(QStringLiteral("better")).size(), 1);
        QCOMPARE(s.search(QStringLiteral("first")).size(), 0);
        QCOMPARE(s.search(QStringLiteral("hijacked")).size(), 0);
        // The deletion erased the text (and an edit after it does not bring any back).
        const auto gone = s.message(c, 3);
        QVERIFY(gone->deleted);
        QVERIFY(gone->body.isEmpty());
        QCOMPARE(s.search(QStringLiteral("doomed")).size(), 0);
        // Edits and deletions are not rows of the view, nor unread, nor the channel preview.
        const auto rows = s.rowsAfter(c, 0, 100);
        QCOMPARE(rows.size(), 3);
        QCOMPARE(s.maxVisibleSeq(c), quint64(3));
        QCOMPARE(s.maxSeq(c), quint64(7));
        QCOMPARE(s.latestMessage(c)->seq, quint64(3));
        QCOMPARE(s.countBefore(c, 7), quint64(3));

        // Encrypted: an edit applies once decrypted, and only the newest edit's text stays, in
        // whatever order the keys arrive; the target decrypted last keeps the edited text.
        const QString e = QStringLiteral("e");
        StoredMessage target = msg(e, 1, QStringLiteral("x"));
        target.encrypted = true;
        StoredMessage e2 = edit(2, 1, QStringLiteral("y"));
        StoredMessage e3 = edit(3, 1, QStringLiteral("z"));
        e2.channel = e3.channel = e;
        e2.encrypted = e3.encrypted = true;
        QVERIFY(s.appendMessages(e, {target, e2, e3}).ok);
        using CS = StoredMessage::CryptoState;
        quint64 amended = 0;
        QVERIFY(s.setDecryption(e, 3, CS::Decrypted, QStringLiteral("third text"), {}, &amended));
        QCOMPARE(amended, quint64(1));
        QVERIFY(s.setDecryption(e, 2, CS::Decrypted, QStringLiteral("second text"), {}, &amended));
        QVERIFY(s.setDecryption(e, 1, CS::Decrypted, QStringLiteral("first text"), {}, &amended));
        QCOMPARE(s.message(e, 1)->text(), QStringLiteral("third text"));
        QCOMPARE(s.search(QStringLiteral("third")).size(), 1);
        QCOMPARE(s.search(QStringLiteral("first")).size(), 0);
        QCOMPARE(s.search(QStringLiteral("second")).size(), 0);
    }

    // Issue 21: in an encrypted channel someone else's signed deletion counts only when the
    // crypto layer says its sender was an owner or moderator then; without that answer, never.
    void anEncryptedDeletionOfAnothersMessageNeedsTheSignedModeratorRole()
    {
        HistoryStore s;
        QVERIFY(s.open(dbPath()));
        const QString e = QStringLiteral("vault");
        using CS = StoredMessage::CryptoState;
        auto encrypted = [&](quint64 seq, const QString &sender, MessageKind kind, quint64 ref) {
            StoredMessage m = msg(e, seq, {}, sender);
            m.encrypted = true;
            m.kind = kind;
            m.refSeq = ref;
            m.body = QByteArray(32, '\1');
            return m;
        };
        QList<std::tuple<QString, QString, quint64>> asked;
        s.setSignedModeratorCheck([&](const QString &channel, const QString &deleter, quint64 seq) {
            asked.append({channel, deleter, seq});
            return deleter == QLatin1String("mod");
        });
        QVERIFY(s.appendMessages(e, {encrypted(1, QStringLiteral("spammer"), MessageKind::Text, 0),
                                     encrypted(2, QStringLiteral("spammer"), MessageKind::Text, 0),
                                     encrypted(3, QStringLiteral("member"), MessageKind::Delete, 1),
                                     encrypted(4, QStringLiteral("mod"), MessageKind::Delete, 2)})
                    .ok);
        for (quint64 seq : {1, 2})
            QVERIFY(s.setDecryption(e, seq, CS::Decrypted, QStringLiteral("cheap watches"), {}));
        quint64 amended = 0;
        QVERIFY(s.setDecryption(e, 3, CS::Decrypted, {}, {}, &amended));
        QCOMPARE(amended, quint64(0));
        QVERIFY(!s.message(e, 1)->deleted);
        QCOMPARE(s.message(e, 1)->text(), QStringLiteral("cheap watches"));
        QVERIFY(s.setDecryption(e, 4, CS::Decrypted, {}, {}, &amended));
        QCOMPARE(amended, quint64(2));
        QVERIFY(s.message(e, 2)->deleted);
        QVERIFY(s.message(e, 2)->plainText.isEmpty());
        QCOMPARE(asked, (QList<std::tuple<QString, QString, quint64>>{{e, QStringLiteral("member"), 3},
                                                                      {e, QStringLiteral("mod"), 4}}));
        // Without the crypto layer to answer, nobody else's deletion counts.
        s.setSignedModeratorCheck({});
        QVERIFY(s.appendMessages(e, {encrypted(5, QStringLiteral("spammer"), MessageKind::Text, 0),
                                     encrypted(6, QStringLiteral("mod"), MessageKind::Delete, 5)})
                    .ok);
        QVERIFY(s.setDecryption(e, 5, CS::Decrypted, QStringLiteral("more watches"), {}));
        QVERIFY(s.setDecryption(e, 6, CS::Decrypted, {}, {}, &amended));
        QVERIFY(!s.message(e, 5)->deleted);
    }

    void migratesSchemaOneToTwo()
    {
        const QString name = QStringLiteral("v1-maker");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(dbPath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            const QStringList v1 = {
                QStringLiteral("CREATE TABLE kv(key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
                QStringLiteral("CREATE TABLE channels(name TEXT PRIMARY KEY, kind INTEGER NOT NULL DEFAULT 0,"
                               " encrypted INTEGER NOT NULL DEFAULT 0, members TEXT NOT NULL DEFAULT '',"
                               " joined INTEGER NOT NULL DEFAULT 1, muted INTEGER NOT NULL DEFAULT 0)"),
                QStringLiteral(
                    "CREATE TABLE streams(stream TEXT PRIMARY KEY, max_seq INTEGER NOT NULL DEFAULT 0,"
                    " server_max_seq INTEGER NOT NULL DEFAULT 0)"),
                QStringLiteral("CREATE TABLE messages(id INTEGER PRIMARY KEY, channel TEXT NOT NULL, seq "
                               "INTEGER NOT NULL,"
                               " sender TEXT NOT NULL DEFAULT '', sender_device TEXT NOT NULL DEFAULT '',"
                               " client_msg_id BLOB, server_time_ms INTEGER NOT NULL DEFAULT 0, body BLOB,"
                               " encrypted INTEGER NOT NULL DEFAULT 0, kind INTEGER NOT NULL DEFAULT 0,"
                               " subject TEXT NOT NULL DEFAULT '', UNIQUE(channel, seq))"),
                QStringLiteral("CREATE VIRTUAL TABLE messages_fts USING fts5(text, tokenize='unicode61 "
                               "remove_diacritics 2')"),
                QStringLiteral("CREATE TABLE read_positions(channel TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
                               " synced INTEGER NOT NULL DEFAULT 1)"),
                QStringLiteral(
                    "CREATE TABLE outbox(id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL,"
                    " client_msg_id BLOB NOT NULL UNIQUE, body BLOB NOT NULL,"
                    " encrypted INTEGER NOT NULL DEFAULT 0, kind INTEGER NOT NULL DEFAULT 0,"
                    " state INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL DEFAULT 0,"
                    " error TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL,"
                    " updated_ms INTEGER NOT NULL)"),
                QStringLiteral("CREATE INDEX outbox_state ON outbox(state, id)"),
                QStringLiteral("CREATE TABLE drafts(channel TEXT PRIMARY KEY, text TEXT NOT NULL)"),
                QStringLiteral("INSERT INTO messages(channel, seq, sender, body, encrypted) VALUES('c', 1, "
                               "'ann', x'00ff10', 1)"),
                QStringLiteral(
                    "INSERT INTO messages(channel, seq, sender, body) VALUES('c', 2, 'ann', 'plain words')"),
                QStringLiteral("INSERT INTO messages_fts(rowid, text) VALUES(2, 'plain words')"),
                QStringLiteral("INSERT INTO streams(stream, max_seq) VALUES('c', 2)"),
                // A private channel made without encryption, and an open one.
                QStringLiteral("INSERT INTO channels(name, kind, encrypted) VALUES('c', 1, 0)"),
                QStringLiteral("INSERT INTO channels(name, kind, encrypted) VALUES('lobby', 0, 0)"),
                QStringLiteral("PRAGMA user_version=1"),
            };
            for (const QString &sql : v1)
                QVERIFY2(q.exec(sql), qPrintable(sql));
            db.close();
        }
        QSqlDatabase::removeDatabase(name);

        HistoryStore s;
        QVERIFY2(s.open(dbPath()), qPrintable(s.lastError()));
        QCOMPARE(s.schemaVersion(), HistoryStore::kSchemaVersion);
        QVERIFY(s.integrityCheck());
        auto enc = s.message(QStringLiteral("c"), 1);
        QVERIFY(enc && enc->encrypted);
        QCOMPARE(enc->cryptoState, StoredMessage::CryptoState::Plain);
        QCOMPARE(enc->text(), QString()); // nothing shown before local decryption
        QCOMPARE(s.message(QStringLiteral("c"), 2)->text(), QStringLiteral("plain words"));
        QCOMPARE(s.search(QStringLiteral("plain")).size(), 1);
        // Schema 5: the plain private channel is encrypted from its next message; its history stays.
        QVERIFY(s.channel(QStringLiteral("c"))->encrypted);
        QCOMPARE(s.channel(QStringLiteral("c"))->encryptedFromSeq, quint64(3));
        QVERIFY(!s.channel(QStringLiteral("c"))->plainRowIsForged(2));
        QVERIFY(!s.channel(QStringLiteral("lobby"))->encrypted);

        QVERIFY(s.setDecryption(QStringLiteral("c"), 1, StoredMessage::CryptoState::Decrypted,
                                QStringLiteral("hidden meaning"), {}));
        enc = s.message(QStringLiteral("c"), 1);
        QCOMPARE(enc->cryptoState, StoredMessage::CryptoState::Decrypted);
        QCOMPARE(enc->text(), QStringLiteral("hidden meaning"));
        QCOMPARE(s.search(QStringLiteral("hidden")).size(), 1);
        // Undecryptable later (e.g. re-checked): the text leaves the index.
        QVERIFY(s.setDecryption(QStringLiteral("c"), 1, StoredMessage::CryptoState::Undecryptable, {},
                                QStringLiteral("bad signature")));
        QCOMPARE(s.search(QStringLiteral("hidden")).size(), 0);
        QCOMPARE(s.message(QStringLiteral("c"), 1)->cryptoReason, QStringLiteral("bad signature"));
        // Encrypted outbox entries keep their text locally.
        const qint64 id = s.addOutbox(QStringLiteral("c"), QByteArray(16, 'x'), QByteArray("ciphertext"),
                                      MessageKind::Text, true, QStringLiteral("as written"));
        QVERIFY(id > 0);
        QCOMPARE(s.outboxEntry(id)->text(), QStringLiteral("as written"));
    }
};

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_core_historystore.moc"
