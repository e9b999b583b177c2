// Replies, edits and deletions (issue 11) through the real gateway: they travel as messages of
// the stream and reach online members live and offline members by catch-up; a deletion erases the
// text from every member's SQLite history and search index and from the gateway's database; only
// the sender may edit or delete; in encrypted channels edits and deletions are encrypted and
// signed like messages.
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"
#include "RawSession.h"

#include "hchat.pb.h"

using namespace hchat;
using namespace hchat::test;

namespace {

bool fileContains(const QString &path, const QByteArray &needle)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.readAll().contains(needle);
}

hchat::v1::Frame sendFrame(const QString &channel, hchat::v1::MessageKind kind, quint64 refSeq,
                           const QByteArray &body)
{
    static quint8 counter = 0;
    hchat::v1::Frame f;
    auto *s = f.mutable_send();
    s->set_channel(channel.toStdString());
    QByteArray id(16, char(0x5a));
    id[0] = char(++counter);
    s->set_client_msg_id(id.toStdString());
    s->set_kind(kind);
    s->set_ref_seq(refSeq);
    s->set_body(body.toStdString());
    return f;
}

} // namespace

class CoreAmendments : public GatewaySuite {
    Q_OBJECT
private:
    std::unique_ptr<TestClient> online(const QString &nick, const QString &channel)
    {
        return onlineUser(*m_gw, nick, channel);
    }

private slots:
    void replyNamesTheQuotedMessageOnEveryMember();
    void editReachesOnlineAndOfflineMembers();
    void deleteErasesTheTextEverywhere();
    void onlyTheSenderMayEditOrDelete();
    void encryptedEditAndDeleteAreSignedAndApplied();
};

void CoreAmendments::replyNamesTheQuotedMessageOnEveryMember()
{
    const QString ch = QStringLiteral("replies");
    auto alice = online(QStringLiteral("ra"), ch);
    auto bob = online(QStringLiteral("rb"), ch);
    const quint64 question = waitSent(*alice, (*alice)->sendMessage(ch, QStringLiteral("lunch at noon?")));
    QVERIFY(question > 0);
    QTRY_VERIFY_WITH_TIMEOUT(bob->store()->maxSeq(ch) >= question, 10000);
    const quint64 answer =
        waitSent(*bob, (*bob)->sendReply(ch, QStringLiteral("yes, see you there"), question));
    QVERIFY(answer > 0);
    QTRY_VERIFY_WITH_TIMEOUT(alice->store()->maxSeq(ch) >= answer, 10000);
    for (auto *c : {alice.get(), bob.get()}) {
        const auto m = c->store()->message(ch, answer);
        QVERIFY(m);
        QCOMPARE(m->kind, MessageKind::Text);
        QCOMPARE(m->refSeq, question);
        QCOMPARE(m->text(), QStringLiteral("yes, see you there"));
    }
    // A reply to a message the channel does not have is refused, and nothing is stored.
    QString error;
    QCOMPARE((*bob)->sendReply(ch, QStringLiteral("to nowhere"), answer + 100, &error), qint64(0));
    QVERIFY(!error.isEmpty());
    RawSession raw(m_gw->wsUrl(), account(QStringLiteral("rc")));
    QVERIFY(raw.open() && raw.join(ch));
    const quint64 before = answer + 1; // rc's join message
    QTRY_COMPARE_WITH_TIMEOUT(bob->store()->maxSeq(ch), before, 10000);
    const auto refused = raw.request(sendFrame(ch, hchat::v1::MESSAGE_KIND_TEXT, before + 50, "future"));
    QVERIFY2(refused.has_error(), refused.DebugString().c_str());
    QCOMPARE(refused.error().code(), hchat::v1::ERROR_INVALID_ARGUMENT);
    QTest::qWait(200);
    QCOMPARE(bob->store()->maxSeq(ch), before);
}

void CoreAmendments::editReachesOnlineAndOfflineMembers()
{
    const QString ch = QStringLiteral("edits");
    auto alice = online(QStringLiteral("ea"), ch);
    auto bob = online(QStringLiteral("eb"), ch);
    auto carol = online(QStringLiteral("ec"), ch);
    const QString carolToken = carol->token;
    const quint64 seq =
        waitSent(*alice, (*alice)->sendMessage(ch, QStringLiteral("the meeting is on tuesday")));
    QVERIFY(seq > 0);
    QTRY_VERIFY_WITH_TIMEOUT(carol->store()->maxSeq(ch) >= seq && bob->store()->maxSeq(ch) >= seq, 10000);
    (*carol)->disconnectFromGateway();
    QTRY_COMPARE_WITH_TIMEOUT((*carol)->connectionState(), ConnectionState::Offline, 5000);

    QSignalSpy changed(bob->client.get(), &Client::messagesChanged);
    const quint64 edit =
        waitSent(*alice, (*alice)->editMessage(ch, seq, QStringLiteral("the meeting is on wednesday")));
    QVERIFY(edit > seq);
    QTRY_VERIFY_WITH_TIMEOUT(bob->store()->maxSeq(ch) >= edit, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 5000);
    QCOMPARE(changed.last().at(1).value<QList<quint64>>(), QList<quint64>{seq});

    (*carol)->startSession(carolToken);
    QVERIFY(carol->waitOnline());
    QTRY_VERIFY_WITH_TIMEOUT(carol->store()->maxSeq(ch) >= edit, 10000);
    for (auto *c : {alice.get(), bob.get(), carol.get()}) {
        const auto m = c->store()->message(ch, seq);
        QVERIFY(m);
        QCOMPARE(m->text(), QStringLiteral("the meeting is on wednesday"));
        QCOMPARE(m->editSeq, edit);
        QVERIFY(!m->deleted);
        // The edit is not a row of its own, and search finds the new text only.
        const auto rows = c->store()->rowsAfter(ch, seq - 1, 100);
        QVERIFY(
            std::none_of(rows.cbegin(), rows.cend(), [](const StoredMessage &r) { return r.isAmendment(); }));
        QCOMPARE((*c)->search(QStringLiteral("wednesday")).size(), 1);
        QCOMPARE((*c)->search(QStringLiteral("tuesday")).size(), 0);
        QCOMPARE((*c)->unreadCount(ch), c == alice.get() ? quint64(0) : quint64(1));
    }
}

void CoreAmendments::deleteErasesTheTextEverywhere()
{
    const QString ch = QStringLiteral("recall");
    const QByteArray secret = "the vault code is 4417-kestrel";
    auto alice = online(QStringLiteral("da"), ch);
    auto carol = online(QStringLiteral("dc"), ch);
    const QString carolToken = carol->token;
    const quint64 seq = waitSent(*alice, (*alice)->sendMessage(ch, QString::fromUtf8(secret)));
    QVERIFY(seq > 0);
    const quint64 edit = waitSent(
        *alice, (*alice)->editMessage(ch, seq, QString::fromUtf8(secret) + QStringLiteral(" (new)")));
    QVERIFY(edit > 0);
    QTRY_VERIFY_WITH_TIMEOUT(carol->store()->maxSeq(ch) >= edit, 10000);
    QCOMPARE((*carol)->search(QStringLiteral("kestrel")).size(), 1);
    (*carol)->disconnectFromGateway();
    QTRY_COMPARE_WITH_TIMEOUT((*carol)->connectionState(), ConnectionState::Offline, 5000);

    const quint64 del = waitSent(*alice, (*alice)->deleteMessage(ch, seq));
    QVERIFY(del > edit);
    QTRY_VERIFY_WITH_TIMEOUT(alice->store()->maxSeq(ch) >= del, 10000);
    QVERIFY(alice->store()->message(ch, seq)->deleted);
    QString error;
    QCOMPARE((*alice)->editMessage(ch, seq, QStringLiteral("too late"), &error), qint64(0));
    QVERIFY(!error.isEmpty());

    (*carol)->startSession(carolToken);
    QVERIFY(carol->waitOnline());
    QTRY_VERIFY_WITH_TIMEOUT(carol->store()->maxSeq(ch) >= del, 10000);
    const auto m = carol->store()->message(ch, seq);
    QVERIFY(m && m->deleted);
    QVERIFY(m->body.isEmpty() && m->text().isEmpty());
    QVERIFY(carol->store()->message(ch, edit)->body.isEmpty());
    QCOMPARE((*carol)->search(QStringLiteral("kestrel")).size(), 0);
    QCOMPARE((*carol)->search(QStringLiteral("vault")).size(), 0);

    // A member who joins later pulls the history from the gateway: the text is gone there too.
    auto late = online(QStringLiteral("dl"), ch);
    QTRY_VERIFY_WITH_TIMEOUT(late->store()->maxSeq(ch) >= del, 10000);
    QVERIFY(late->store()->message(ch, seq)->deleted);
    QVERIFY(late->store()->message(ch, seq)->text().isEmpty());

    // Nothing of the text is left in the files: the client's history once closed (its WAL
    // checkpointed), the gateway's database once stopped.
    const QString carolDb = carol->path();
    const auto carolDir = std::move(carol->dir); // the profile outlives the client
    carol.reset();
    QVERIFY(QFile::exists(carolDb));
    QVERIFY2(!fileContains(carolDb, secret), "the deleted text is still in the member's database file");
    QVERIFY(!fileContains(carolDb + QStringLiteral("-wal"), secret));
    const QString gatewayDb = m_gw->databasePath();
    alice.reset();
    late.reset();
    QCOMPARE(m_gw->terminate(), 0);
    QVERIFY2(!fileContains(gatewayDb, secret), "the deleted text is still in the gateway's database file");
    QVERIFY(!fileContains(gatewayDb + QStringLiteral("-wal"), secret));
    QVERIFY(m_gw->start());
}

void CoreAmendments::onlyTheSenderMayEditOrDelete()
{
    const QString ch = QStringLiteral("owners");
    auto alice = online(QStringLiteral("oa"), ch);
    const quint64 seq = waitSent(*alice, (*alice)->sendMessage(ch, QStringLiteral("mine")));
    QVERIFY(seq > 0);
    RawSession mallory(m_gw->wsUrl(), account(QStringLiteral("om")));
    QVERIFY(mallory.open() && mallory.join(ch));
    QTRY_VERIFY_WITH_TIMEOUT(alice->store()->maxSeq(ch) >= seq + 1, 10000);
    const quint64 max = alice->store()->maxSeq(ch);

    auto expectError = [&](hchat::v1::Frame frame, hchat::v1::ErrorCode code) {
        const auto answer = mallory.request(std::move(frame));
        QVERIFY2(answer.has_error(), answer.DebugString().c_str());
        QCOMPARE(answer.error().code(), code);
    };
    expectError(sendFrame(ch, hchat::v1::MESSAGE_KIND_EDIT, seq, "not yours"), hchat::v1::ERROR_FORBIDDEN);
    expectError(sendFrame(ch, hchat::v1::MESSAGE_KIND_DELETE, seq, ""), hchat::v1::ERROR_FORBIDDEN);
    expectError(sendFrame(ch, hchat::v1::MESSAGE_KIND_EDIT, 0, "what"), hchat::v1::ERROR_INVALID_ARGUMENT);
    expectError(sendFrame(ch, hchat::v1::MESSAGE_KIND_EDIT, max + 5, "what"),
                hchat::v1::ERROR_INVALID_ARGUMENT);
    // Membership messages are not text: nobody edits them.
    expectError(sendFrame(ch, hchat::v1::MESSAGE_KIND_EDIT, 1, "what"), hchat::v1::ERROR_INVALID_ARGUMENT);
    expectError(sendFrame(ch, hchat::v1::MESSAGE_KIND_DELETE, max, "a deletion with text"),
                hchat::v1::ERROR_INVALID_ARGUMENT);
    expectError(sendFrame(ch, hchat::v1::MESSAGE_KIND_MEMBER_ADDED, seq, "x"),
                hchat::v1::ERROR_INVALID_ARGUMENT);
    QTest::qWait(200);
    QCOMPARE(alice->store()->maxSeq(ch), max);
    QCOMPARE(alice->store()->message(ch, seq)->text(), QStringLiteral("mine"));

    // The client refuses to try: not its message.
    auto bob = online(QStringLiteral("ob"), ch);
    QTRY_VERIFY_WITH_TIMEOUT(bob->store()->maxSeq(ch) >= seq, 10000);
    QString error;
    QCOMPARE((*bob)->editMessage(ch, seq, QStringLiteral("x"), &error), qint64(0));
    QVERIFY(!error.isEmpty());
    QCOMPARE((*bob)->deleteMessage(ch, seq, &error), qint64(0));
}

void CoreAmendments::encryptedEditAndDeleteAreSignedAndApplied()
{
    const QString ch = QStringLiteral("sealed");
    auto alice = e2eeUser(*m_gw, QStringLiteral("xa"));
    auto bob = e2eeUser(*m_gw, QStringLiteral("xb"));
    QVERIFY(alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {QStringLiteral("xb")})));
    QVERIFY(acceptInvitation(*bob, ch));
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, QStringLiteral("xb")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("xb")}), 20000);
    const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("the parcel is blue"));
    QVERIFY(seq > 0);
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, seq), QStringLiteral("the parcel is blue"), 20000);

    const quint64 reply = waitSent(*bob, (*bob)->sendReply(ch, QStringLiteral("got it"), seq));
    QVERIFY(reply > 0);
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*alice, ch, reply), QStringLiteral("got it"), 20000);
    QCOMPARE(alice->store()->message(ch, reply)->refSeq, seq);

    const quint64 edit =
        waitSent(*alice, (*alice)->editMessage(ch, seq, QStringLiteral("the parcel is green")));
    QVERIFY(edit > 0);
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, seq), QStringLiteral("the parcel is green"), 20000);
    QCOMPARE(bob->store()->message(ch, seq)->editSeq, edit);
    QCOMPARE((*bob)->search(QStringLiteral("green")).size(), 1);
    QCOMPARE((*bob)->search(QStringLiteral("blue")).size(), 0);
    // The gateway relays the edit without reading it.
    QVERIFY(whereFound(*m_gw, "the parcel is green").isEmpty());

    const quint64 del = waitSent(*alice, (*alice)->deleteMessage(ch, seq));
    QVERIFY(del > 0);
    QTRY_VERIFY_WITH_TIMEOUT(bob->store()->message(ch, seq) && bob->store()->message(ch, seq)->deleted,
                             20000);
    QVERIFY(bob->store()->message(ch, seq)->plainText.isEmpty());
    QCOMPARE((*bob)->search(QStringLiteral("green")).size(), 0);

    // Bob cannot recall Alice's message even by crafting the encrypted deletion himself: the
    // gateway refuses it (not the sender), whatever the ciphertext says.
    const quint64 other = sendAndWait(*alice, ch, QStringLiteral("stays"));
    QVERIFY(other > 0);
    QTRY_COMPARE_WITH_TIMEOUT(shownText(*bob, ch, other), QStringLiteral("stays"), 20000);
    QString error;
    QCOMPARE((*bob)->deleteMessage(ch, other, &error), qint64(0));
}

QTEST_GUILESS_MAIN(CoreAmendments)
#include "tst_core_amendments.moc"
