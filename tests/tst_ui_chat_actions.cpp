// Reply, @mention completion, edit and delete through the real window against the real gateway:
// the message menu, the reply/edit strip above the composer, the completion popup, the
// confirmation box, and what the other member's client ends up with.
#include "Composer.h"
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "NotificationCenter.h"
#include "ReplyBar.h"
#include "UiSettings.h"
#include "UiTestHelpers.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>

static constexpr int kWait = 15000;
using namespace hchat;
using namespace hchat::test;
using hchat::ui::Composer;
using hchat::ui::MainWindow;
using hchat::ui::MessageListModel;
using hchat::ui::ReplyBar;

namespace {

// Triggers the message menu's action (by object name) for the row of seq; false if absent.
bool triggerMenuAction(MainWindow &window, quint64 seq, const char *action)
{
    auto *model = window.messageView()->model();
    const int row = rowOfSeq(model, seq);
    if (row < 0)
        return false;
    QMenu menu;
    window.populateMessageMenu(&menu, model->index(row, 0));
    auto *a = menu.findChild<QAction *>(QString::fromLatin1(action));
    if (!a)
        return false;
    a->trigger();
    return true;
}

quint64 sentSeq(const TestClient &c, qint64 id)
{
    return hchat::test::waitSent(c, id, kWait);
}
} // namespace

class ChatActionsTest : public GatewaySuite {
    Q_OBJECT
private slots:
    void replyQuotesTheMessage();
    void mentionCompletionInsertsTheNick();
    void editChangesTheMessageForEveryone();
    void deleteAsksThenRecallsTheMessage();
    void othersMessagesOfferNoEditOrDelete();
    void mentionOnlyChannelNotifiesOnlyMentions();
    void typingLineShowsWhoIsTyping();
    void seenMarkFollowsReadReceiptsAndSettings();
};

void ChatActionsTest::replyQuotesTheMessage()
{
    const QString ch = QStringLiteral("garden");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("alice"), ch);
    signIn(bob, *m_gw, QStringLiteral("bob"), ch);
    const quint64 question = sentSeq(bob, bob->sendMessage(ch, QStringLiteral("who waters the tomatoes?")));
    QVERIFY(question > 0);
    MainWindow window(&*alice.client);
    QVERIFY(showOnChannel(window, ch));
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(model, question) >= 0, kWait);

    QVERIFY(triggerMenuAction(window, question, "replyAction"));
    QVERIFY(window.replyBar()->isVisible());
    QCOMPARE(window.replyBar()->mode(), ReplyBar::Mode::Reply);
    QVERIFY(window.replyBar()->label().contains(QStringLiteral("bob")));
    QVERIFY(window.replyBar()->label().contains(QStringLiteral("tomatoes")));
    window.composer()->setPlainText(QStringLiteral("I do, every morning"));
    QTest::keyClick(window.composer(), Qt::Key_Return);
    QVERIFY(!window.replyBar()->isVisible());

    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->latestMessage(ch) && bob.store()->latestMessage(ch)->text() ==
                                                                   QStringLiteral("I do, every morning"),
                             kWait);
    const quint64 answer = bob.store()->latestMessage(ch)->seq;
    QCOMPARE(bob.store()->message(ch, answer)->refSeq, question);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(model, answer) >= 0, kWait);
    const QModelIndex i = model->index(rowOfSeq(model, answer), 0);
    QCOMPARE(i.data(MessageListModel::ReplyToSeqRole).toULongLong(), question);
    QCOMPARE(i.data(MessageListModel::ReplySenderRole).toString(), QStringLiteral("bob"));
    QCOMPARE(i.data(MessageListModel::ReplyTextRole).toString(), QStringLiteral("who waters the tomatoes?"));
    QVERIFY(i.data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("replying to bob")));

    // Escape cancels a reply before it is sent.
    QVERIFY(triggerMenuAction(window, question, "replyAction"));
    QVERIFY(window.replyBar()->isVisible());
    QTest::keyClick(window.composer(), Qt::Key_Escape);
    QVERIFY(!window.replyBar()->isVisible());
}

void ChatActionsTest::mentionCompletionInsertsTheNick()
{
    const QString ch = QStringLiteral("mentions");
    TestClient alice, bob, bert;
    signIn(alice, *m_gw, QStringLiteral("alice2"), ch);
    signIn(bob, *m_gw, QStringLiteral("bobby"), ch);
    signIn(bert, *m_gw, QStringLiteral("bertha"), ch);
    QVERIFY(sentSeq(bob, bob->sendMessage(ch, QStringLiteral("hi"))) > 0);
    const quint64 last = sentSeq(bert, bert->sendMessage(ch, QStringLiteral("hello")));
    QVERIFY(last > 0);
    QTRY_VERIFY_WITH_TIMEOUT(alice.store()->maxSeq(ch) >= last, kWait);

    MainWindow window(&*alice.client);
    QVERIFY(showOnChannel(window, ch));
    Composer *composer = window.composer();
    composer->setFocus();
    QTest::keyClicks(composer, QStringLiteral("thanks @b"));
    QCompleter *completer = composer->mentionCompleter();
    QTRY_VERIFY_WITH_TIMEOUT(completer->popup()->isVisible(), 5000);
    QCOMPARE(completer->completionCount(), 2); // bertha, bobby (not the own nick)
    QTest::keyClicks(composer, QStringLiteral("o"));
    QTRY_COMPARE_WITH_TIMEOUT(completer->completionCount(), 1, 5000);
    // Enter takes the nick (it does not send).
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(composer->toPlainText(), QStringLiteral("thanks @bobby "));
    QVERIFY(!completer->popup()->isVisible());
    QTest::keyClicks(composer, QStringLiteral("for the help"));
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->latestMessage(ch) &&
                                 bob.store()->latestMessage(ch)->text() ==
                                     QStringLiteral("thanks @bobby for the help"),
                             kWait);
    // Bob's view marks it as mentioning him.
    MessageListModel bobModel(bob.store());
    bobModel.setChannel(ch);
    const QModelIndex row = bobModel.index(rowOfSeq(&bobModel, bob.store()->latestMessage(ch)->seq), 0);
    QVERIFY(row.data(MessageListModel::MentionsMeRole).toBool());
    QVERIFY(!bobModel.index(0, 0).data(MessageListModel::MentionsMeRole).toBool());
}

void ChatActionsTest::editChangesTheMessageForEveryone()
{
    const QString ch = QStringLiteral("edits");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("alice3"), ch);
    signIn(bob, *m_gw, QStringLiteral("bob3"), ch);
    MainWindow window(&*alice.client);
    QVERIFY(showOnChannel(window, ch));
    window.composer()->setPlainText(QStringLiteral("unfinished draft"));
    const quint64 seq = sentSeq(alice, alice->sendMessage(ch, QStringLiteral("the train leaves at 9")));
    QVERIFY(seq > 0);
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(model, seq) >= 0, kWait);

    QVERIFY(triggerMenuAction(window, seq, "editAction"));
    QCOMPARE(window.replyBar()->mode(), ReplyBar::Mode::Edit);
    QCOMPARE(window.composer()->toPlainText(), QStringLiteral("the train leaves at 9"));
    window.composer()->setPlainText(QStringLiteral("the train leaves at 10"));
    QTest::keyClick(window.composer(), Qt::Key_Return);
    // The draft written before the edit comes back.
    QCOMPARE(window.composer()->toPlainText(), QStringLiteral("unfinished draft"));
    QTRY_COMPARE_WITH_TIMEOUT(
        model->index(rowOfSeq(model, seq), 0).data(MessageListModel::TextRole).toString(),
        QStringLiteral("the train leaves at 10"), kWait);
    QVERIFY(model->index(rowOfSeq(model, seq), 0).data(MessageListModel::EditedRole).toBool());
    QTRY_COMPARE_WITH_TIMEOUT(bob.store()->message(ch, seq)->text(), QStringLiteral("the train leaves at 10"),
                              kWait);
    // No row for the edit itself, no pending row for it either.
    for (int r = 0; r < model->rowCount(); ++r)
        QVERIFY(model->index(r, 0).data(MessageListModel::TextRole).toString() !=
                    QStringLiteral("the train leaves at 10") ||
                r == rowOfSeq(model, seq));
}

void ChatActionsTest::deleteAsksThenRecallsTheMessage()
{
    const QString ch = QStringLiteral("recall");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("alice4"), ch);
    signIn(bob, *m_gw, QStringLiteral("bob4"), ch);
    MainWindow window(&*alice.client);
    QVERIFY(showOnChannel(window, ch));
    const quint64 seq = sentSeq(alice, alice->sendMessage(ch, QStringLiteral("oops, wrong channel")));
    QVERIFY(seq > 0);
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(model, seq) >= 0, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->maxSeq(ch) >= seq, kWait);

    // Cancel first: nothing happens.
    QVERIFY(triggerMenuAction(window, seq, "deleteAction"));
    auto *box = window.findChild<QMessageBox *>(QStringLiteral("confirmDelete"));
    QVERIFY(box && box->isVisible());
    box->button(QMessageBox::Cancel)->click();
    QTest::qWait(300);
    QVERIFY(!alice.store()->message(ch, seq)->deleted);
    QTRY_VERIFY_WITH_TIMEOUT(!window.findChild<QMessageBox *>(QStringLiteral("confirmDelete")), 5000);

    QVERIFY(triggerMenuAction(window, seq, "deleteAction"));
    box = window.findChild<QMessageBox *>(QStringLiteral("confirmDelete"));
    QVERIFY(box);
    box->findChild<QPushButton *>(QStringLiteral("confirmDeleteButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(
        model->index(rowOfSeq(model, seq), 0).data(MessageListModel::DeletedRole).toBool(), kWait);
    QCOMPARE(model->index(rowOfSeq(model, seq), 0).data(MessageListModel::TextRole).toString(),
             QStringLiteral("This message was deleted."));
    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->message(ch, seq)->deleted, kWait);
    QVERIFY(bob.store()->message(ch, seq)->text().isEmpty());
    // A deleted message offers nothing more.
    QVERIFY(!triggerMenuAction(window, seq, "replyAction"));
}

void ChatActionsTest::othersMessagesOfferNoEditOrDelete()
{
    const QString ch = QStringLiteral("others");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("alice5"), ch);
    signIn(bob, *m_gw, QStringLiteral("bob5"), ch);
    const quint64 seq = sentSeq(bob, bob->sendMessage(ch, QStringLiteral("bob's words")));
    QVERIFY(seq > 0);
    MainWindow window(&*alice.client);
    window.openChannel(ch);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(window.messageView()->model(), seq) >= 0, kWait);
    QVERIFY(triggerMenuAction(window, seq, "copyAction"));
    QVERIFY(!triggerMenuAction(window, seq, "editAction"));
    QVERIFY(!triggerMenuAction(window, seq, "deleteAction"));
}

void ChatActionsTest::mentionOnlyChannelNotifiesOnlyMentions()
{
    const QString ch = QStringLiteral("quiet");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("alice6"), ch);
    signIn(bob, *m_gw, QStringLiteral("bob6"), ch);
    QTemporaryDir settingsDir;
    hchat::ui::UiSettings settings(settingsDir.path());
    MainWindow window(&*alice.client, &settings);
    settings.setChannelMentionsOnly(ch, true);
    QVERIFY(window.notifications()->isChannelMentionsOnly(ch));
    settings.setChannelMentionsOnly(ch, false);
    QVERIFY(!window.notifications()->isChannelMentionsOnly(ch));
}

void ChatActionsTest::typingLineShowsWhoIsTyping()
{
    const QString ch = QStringLiteral("typists");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("alice7"), ch);
    signIn(bob, *m_gw, QStringLiteral("bob7"), ch);
    MainWindow window(&*alice.client);
    QVERIFY(showOnChannel(window, ch));
    QVERIFY(window.typingLabel()->text().isEmpty());
    bob->notifyTyping(ch);
    QTRY_COMPARE_WITH_TIMEOUT(window.typingLabel()->text(), QStringLiteral("bob7 is typing…"), kWait);
    // Their message arrives: they are no longer typing it.
    QVERIFY(sentSeq(bob, bob->sendMessage(ch, QStringLiteral("done typing"))) > 0);
    QTRY_VERIFY_WITH_TIMEOUT(window.typingLabel()->text().isEmpty(), kWait);
    // Typing in the composer tells bob.
    QSignalSpy atBob(bob.client.get(), &Client::typing);
    window.composer()->setFocus();
    QTest::keyClicks(window.composer(), QStringLiteral("hel"));
    QTRY_COMPARE_WITH_TIMEOUT(atBob.size(), 1, kWait);
    QCOMPARE(atBob.first().at(1).toString(), QStringLiteral("alice7"));
}

void ChatActionsTest::seenMarkFollowsReadReceiptsAndSettings()
{
    TestClient alice, bob; // direct messages are end-to-end encrypted: both have a device key
    withE2ee(alice);
    withE2ee(bob);
    alice.connectTo({m_gw->wsUrl()}, account(QStringLiteral("alice8")));
    bob.connectTo({m_gw->wsUrl()}, account(QStringLiteral("bob8")));
    QVERIFY(alice.waitOnline() && bob.waitOnline());
    QString dm;
    QVERIFY(alice.run(alice->openDirectChannel(QStringLiteral("bob8"), &dm)));
    QVERIFY(waitE2eeReady(alice, {QStringLiteral("bob8")}));
    QTemporaryDir settingsDir;
    hchat::ui::UiSettings settings(settingsDir.path());
    MainWindow window(&*alice.client, &settings);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(alice.store()->channel(dm).has_value(), kWait);
    window.openChannel(dm);
    const quint64 seq = sentSeq(alice, alice->sendMessage(dm, QStringLiteral("did you get the file?")));
    QVERIFY(seq > 0);
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(model, seq) >= 0, kWait);
    QVERIFY(!model->index(rowOfSeq(model, seq), 0).data(MessageListModel::SeenRole).toBool());
    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->maxSeq(dm) >= seq, kWait);
    bob->markRead(dm, seq);
    QTRY_VERIFY_WITH_TIMEOUT(model->index(rowOfSeq(model, seq), 0).data(MessageListModel::SeenRole).toBool(),
                             kWait);

    // The privacy switches reach the client.
    QVERIFY(alice->sharesTyping() && alice->sharesReadReceipts());
    settings.setShareTyping(false);
    settings.setShareReadReceipts(false);
    QVERIFY(!alice->sharesTyping());
    QVERIFY(!alice->sharesReadReceipts());
}

QTEST_MAIN(ChatActionsTest)
#include "tst_ui_chat_actions.moc"
