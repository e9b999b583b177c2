// The real widgets against the real gateway: sign in, join, send, receive, unread badges, the
// outbox mark, search jump, direct messages and input-method safe Enter.
#include "ChannelListModel.h"
#include "Composer.h"
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "SignInDialog.h"
#include "UiTestHelpers.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTcpServer>

// Waits on the network are generous: CI shares two cores between parallel suites.
static constexpr int kWait = 15000;
using hchat::ConnectionState;
using namespace hchat::test;
using hchat::ui::ChannelListModel;
using hchat::ui::Composer;
using hchat::ui::MainWindow;
using hchat::ui::MessageListModel;
using hchat::ui::SignInDialog;

namespace {

void typeAndSend(Composer *composer, const QString &text)
{
    composer->setFocus();
    composer->setPlainText(text);
    QTest::keyClick(composer, Qt::Key_Return);
}
} // namespace

class MainWindowTest : public GatewaySuite {
    Q_OBJECT
private slots:
    void signInDialogCreatesAnAccountAndSignsIn();
    void signInDialogExplainsAWrongPassword();
    void signInDialogExplainsAnUnreachableGateway();
    void composerSendsAndTheOtherSideReceives();
    void unreadBadgeCountsMessagesInOtherChannels();
    void messageWrittenOfflineShowsPendingThenSent();
    void searchResultJumpsToTheMessage();
    void directMessageOpensAChannelWithTheOtherNick();
    void privateChannelListsItsMembersAndFollowsRemovals();
    void draftsAreKeptPerChannel();
    void enterDuringInputMethodCompositionDoesNotSend();
    void shiftEnterStartsANewLine();
};

void MainWindowTest::signInDialogCreatesAnAccountAndSignsIn()
{
    TestClient client;
    SignInDialog dialog(&*client.client, QStringLiteral("127.0.0.1:%1").arg(m_gw->port()));
    dialog.show();
    dialog.findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("dora"));
    dialog.findChild<QLineEdit *>(QStringLiteral("password"))
        ->setText(QStringLiteral("a long enough password"));
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("register")), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 15000);
    QVERIFY(client.waitOnline());
    QCOMPARE(client->nick(), QStringLiteral("dora"));

    // The same nick again: the dialog says it is taken and stays open.
    TestClient other;
    SignInDialog again(&*other.client, QStringLiteral("127.0.0.1:%1").arg(m_gw->port()));
    again.show();
    again.findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("dora"));
    again.findChild<QLineEdit *>(QStringLiteral("password"))->setText(QStringLiteral("another password"));
    QTest::mouseClick(again.findChild<QPushButton *>(QStringLiteral("register")), Qt::LeftButton);
    auto *status = again.findChild<QLabel *>(QStringLiteral("status"));
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("taken"), Qt::CaseInsensitive), 15000);
    QVERIFY(again.isVisible());
}

void MainWindowTest::signInDialogExplainsAWrongPassword()
{
    QVERIFY(api().registerUser(QStringLiteral("erin"), QStringLiteral("the right password")));
    TestClient client;
    SignInDialog dialog(&*client.client, QStringLiteral("127.0.0.1:%1").arg(m_gw->port()));
    dialog.show();
    dialog.findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("erin"));
    dialog.findChild<QLineEdit *>(QStringLiteral("password"))->setText(QStringLiteral("the wrong password"));
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("logIn")), Qt::LeftButton);
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("status"));
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("password"), Qt::CaseInsensitive), 15000);
    QVERIFY(dialog.result() != QDialog::Accepted);
    QVERIFY(client->nick().isEmpty());
}

void MainWindowTest::signInDialogExplainsAnUnreachableGateway()
{
    TestClient client;
    // A port nothing listens on: bind one, then free it.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 closedPort = probe.serverPort();
    probe.close();
    SignInDialog dialog(&*client.client, QStringLiteral("127.0.0.1:%1").arg(closedPort));
    dialog.show();
    dialog.findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("frank"));
    dialog.findChild<QLineEdit *>(QStringLiteral("password"))->setText(QStringLiteral("whatever it is"));
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("logIn")), Qt::LeftButton);
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("status"));
    QTRY_VERIFY_WITH_TIMEOUT(
        !status->text().isEmpty() && !status->text().contains(QStringLiteral("Signing in")), 20000);
    QVERIFY2(status->text().contains(QStringLiteral("reach"), Qt::CaseInsensitive) ||
                 status->text().contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(status->text()));
    QVERIFY(dialog.result() != QDialog::Accepted);
}

void MainWindowTest::composerSendsAndTheOtherSideReceives()
{
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("alice"));
    signIn(bob, *m_gw, QStringLiteral("bob"));
    QVERIFY(alice.run(alice->joinChannel(QStringLiteral("lobby"))));
    QVERIFY(bob.run(bob->joinChannel(QStringLiteral("lobby"))));

    MainWindow window(&*alice.client);
    QVERIFY(showOnChannel(window, QStringLiteral("lobby")));
    QCOMPARE(window.currentChannel(), QStringLiteral("lobby"));
    QCOMPARE(window.statusText(), QStringLiteral("Online"));

    typeAndSend(window.composer(), QStringLiteral("hello from the window"));
    QCOMPARE(window.composer()->toPlainText(), QString());
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(model, QStringLiteral("hello from the window")) >= 0, kWait);
    QTRY_COMPARE_WITH_TIMEOUT(
        MessageListModel::Delivery(model->index(rowOfText(model, QStringLiteral("hello from the window")), 0)
                                       .data(MessageListModel::DeliveryRole)
                                       .toInt()),
        MessageListModel::Delivery::Stored, kWait);
    // Bob's client has it.
    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->latestMessage(QStringLiteral("lobby")) &&
                                 bob.store()->latestMessage(QStringLiteral("lobby"))->text() ==
                                     QStringLiteral("hello from the window"),
                             10000);

    // Bob answers; the window shows it, from bob, not own.
    bob->sendMessage(QStringLiteral("lobby"), QStringLiteral("hi alice"));
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(model, QStringLiteral("hi alice")) >= 0, 10000);
    const QModelIndex answer = model->index(rowOfText(model, QStringLiteral("hi alice")), 0);
    QCOMPARE(answer.data(MessageListModel::SenderRole).toString(), QStringLiteral("bob"));
    QVERIFY(!answer.data(MessageListModel::IsOwnRole).toBool());
}

void MainWindowTest::unreadBadgeCountsMessagesInOtherChannels()
{
    TestClient carol, dave;
    signIn(carol, *m_gw, QStringLiteral("carol"));
    signIn(dave, *m_gw, QStringLiteral("dave"));
    for (const char *ch : {"quiet", "busy"}) {
        QVERIFY(carol.run(carol->joinChannel(QString::fromLatin1(ch))));
        QVERIFY(dave.run(dave->joinChannel(QString::fromLatin1(ch))));
    }
    MainWindow window(&*carol.client);
    QVERIFY(showOnChannel(window, QStringLiteral("quiet")));
    for (int i = 0; i < 3; ++i)
        dave->sendMessage(QStringLiteral("busy"), QStringLiteral("busy %1").arg(i));
    ChannelListModel *channels = window.channelModel();
    QTRY_VERIFY_WITH_TIMEOUT(channels->rowOf(QStringLiteral("busy")) >= 0 &&
                                 channels->index(channels->rowOf(QStringLiteral("busy")))
                                         .data(ChannelListModel::UnreadRole)
                                         .toULongLong() == 3,
                             10000);
    // Opening it and seeing the messages clears the badge.
    window.activateWindow();
    window.openChannel(QStringLiteral("busy"));
    carol->markRead(QStringLiteral("busy"), carol.store()->maxSeq(QStringLiteral("busy")));
    QTRY_COMPARE_WITH_TIMEOUT(channels->index(channels->rowOf(QStringLiteral("busy")))
                                  .data(ChannelListModel::UnreadRole)
                                  .toULongLong(),
                              quint64(0), kWait);
}

void MainWindowTest::messageWrittenOfflineShowsPendingThenSent()
{
    GatewayProcess gateway;
    QVERIFY(gateway.start());
    HttpTestApi api(gateway.httpUrl());
    TestClient gina;
    const QString token = api.account(QStringLiteral("gina"));
    gina.connectTo({gateway.wsUrl()}, token);
    QVERIFY(gina.waitOnline());
    QVERIFY(gina.run(gina->joinChannel(QStringLiteral("notes"))));
    MainWindow window(&*gina.client);
    window.show();
    window.openChannel(QStringLiteral("notes"));

    const quint16 port = gateway.port();
    gateway.kill();
    QTRY_VERIFY_WITH_TIMEOUT(gina->connectionState() != ConnectionState::Online, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(window.statusText().startsWith(QStringLiteral("Offline")) ||
                                 window.statusText().startsWith(QStringLiteral("Connecting")),
                             kWait);
    typeAndSend(window.composer(), QStringLiteral("written on the train"));
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(model, QStringLiteral("written on the train")) >= 0, kWait);
    QCOMPARE(
        MessageListModel::Delivery(model->index(rowOfText(model, QStringLiteral("written on the train")), 0)
                                       .data(MessageListModel::DeliveryRole)
                                       .toInt()),
        MessageListModel::Delivery::Pending);

    gateway.setPort(port);
    QVERIFY(gateway.start());
    QTRY_COMPARE_WITH_TIMEOUT(
        MessageListModel::Delivery(model->index(rowOfText(model, QStringLiteral("written on the train")), 0)
                                       .data(MessageListModel::DeliveryRole)
                                       .toInt()),
        MessageListModel::Delivery::Stored, 20000);
    QCOMPARE(model->index(rowOfText(model, QStringLiteral("written on the train")), 0)
                     .data(MessageListModel::SeqRole)
                     .toULongLong() > 0,
             true);
}

void MainWindowTest::searchResultJumpsToTheMessage()
{
    TestClient hank, ivy;
    signIn(hank, *m_gw, QStringLiteral("hank"));
    signIn(ivy, *m_gw, QStringLiteral("ivy"));
    QVERIFY(hank.run(hank->joinChannel(QStringLiteral("archive"))));
    QVERIFY(ivy.run(ivy->joinChannel(QStringLiteral("archive"))));
    for (int i = 0; i < 30; ++i)
        ivy->sendMessage(QStringLiteral("archive"), i == 7 ? QStringLiteral("the zebra password is blue")
                                                           : QStringLiteral("filler %1").arg(i));
    QTRY_VERIFY_WITH_TIMEOUT(hank.store()->maxSeq(QStringLiteral("archive")) >= 31, 15000);
    MainWindow window(&*hank.client);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *search = window.findChild<QLineEdit *>(QStringLiteral("search"));
    QTest::keyClicks(search, QStringLiteral("zebra"));
    auto *results = window.findChild<QListWidget *>(QStringLiteral("searchResults"));
    QTRY_COMPARE_WITH_TIMEOUT(results->count(), 1, kWait);
    QVERIFY(results->item(0)->text().contains(QStringLiteral("zebra")));
    emit results->itemActivated(results->item(0));
    QCOMPARE(window.currentChannel(), QStringLiteral("archive"));
    const QModelIndex current = window.messageView()->currentIndex();
    QVERIFY(current.isValid());
    QCOMPARE(current.data(MessageListModel::TextRole).toString(),
             QStringLiteral("the zebra password is blue"));
}

void MainWindowTest::directMessageOpensAChannelWithTheOtherNick()
{
    TestClient jack, kate; // direct messages are end-to-end encrypted: both have a device key
    withE2ee(jack);
    withE2ee(kate);
    signIn(jack, *m_gw, QStringLiteral("jack"));
    signIn(kate, *m_gw, QStringLiteral("kate"));
    QString channel;
    QVERIFY(jack.run(jack->openDirectChannel(QStringLiteral("kate"), &channel)));
    QCOMPARE(channel, QStringLiteral("@jack+kate"));
    QVERIFY(waitE2eeReady(jack, {QStringLiteral("kate")}));
    QVERIFY(jack->sendMessage(channel, QStringLiteral("psst")) > 0);
    QTRY_VERIFY_WITH_TIMEOUT(kate.store()->latestMessage(channel) &&
                                 kate.store()->latestMessage(channel)->text() == QStringLiteral("psst"),
                             10000);
    MainWindow window(&*kate.client);
    window.show();
    ChannelListModel *channels = window.channelModel();
    QTRY_VERIFY_WITH_TIMEOUT(channels->rowOf(channel) >= 0, kWait);
    QCOMPARE(channels->index(channels->rowOf(channel)).data(ChannelListModel::TitleRole).toString(),
             QStringLiteral("jack"));
}

void MainWindowTest::privateChannelListsItsMembersAndFollowsRemovals()
{
    TestClient lena, mike;
    signIn(lena, *m_gw, QStringLiteral("lena"));
    signIn(mike, *m_gw, QStringLiteral("mike"));
    QVERIFY(lena.run(lena->createChannel(QStringLiteral("plans"), hchat::ChannelRecord::Kind::InviteOnly,
                                         {QStringLiteral("mike")})));
    MainWindow window(&*lena.client);
    window.show();
    window.openChannel(QStringLiteral("plans"));
    auto *members = window.findChild<QListWidget *>(QStringLiteral("members"));
    QVERIFY(members);
    auto names = [members] {
        QStringList list;
        for (int i = 0; i < members->count(); ++i)
            list << members->item(i)->data(Qt::UserRole).toString();
        return list;
    };
    QTRY_VERIFY_WITH_TIMEOUT(
        names().contains(QStringLiteral("mike")) && names().contains(QStringLiteral("lena")), kWait);
    QVERIFY(members->isVisible());
    QVERIFY(lena.run(lena->removeMember(QStringLiteral("plans"), QStringLiteral("mike"))));
    QTRY_VERIFY_WITH_TIMEOUT(!names().contains(QStringLiteral("mike")), kWait);
    // The creator owns it, and the list says so.
    QTRY_VERIFY_WITH_TIMEOUT(
        members->count() > 0 && members->item(0)->text() == QStringLiteral("lena (owner)"), kWait);
    // Open channels list their members with roles too (the gateway's member list).
    QVERIFY(lena.run(lena->joinChannel(QStringLiteral("open-air"))));
    window.openChannel(QStringLiteral("open-air"));
    QVERIFY(members->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(names() == QStringList{QStringLiteral("lena")}, kWait);
    // Direct channels have no member list.
    QString direct;
    QVERIFY(lena.run(lena->openDirectChannel(QStringLiteral("mike"), &direct)));
    window.openChannel(direct);
    QVERIFY(!members->isVisible());
}

void MainWindowTest::draftsAreKeptPerChannel()
{
    TestClient nina;
    signIn(nina, *m_gw, QStringLiteral("nina"));
    QVERIFY(nina.run(nina->joinChannel(QStringLiteral("first"))));
    QVERIFY(nina.run(nina->joinChannel(QStringLiteral("second"))));
    {
        MainWindow window(&*nina.client);
        window.show();
        window.openChannel(QStringLiteral("first"));
        QTest::keyClicks(window.composer(), QStringLiteral("half a thought"));
        window.openChannel(QStringLiteral("second"));
        QCOMPARE(window.composer()->toPlainText(), QString());
        QTest::keyClicks(window.composer(), QStringLiteral("another one"));
        window.openChannel(QStringLiteral("first"));
        QCOMPARE(window.composer()->toPlainText(), QStringLiteral("half a thought"));
    }
    // Kept in the profile: a new window (or a restart) finds them.
    MainWindow again(&*nina.client);
    again.openChannel(QStringLiteral("second"));
    QCOMPARE(again.composer()->toPlainText(), QStringLiteral("another one"));
}

void MainWindowTest::enterDuringInputMethodCompositionDoesNotSend()
{
    Composer composer;
    composer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&composer));
    QSignalSpy submitted(&composer, &Composer::submitted);
    composer.setFocus();
    QInputMethodEvent preedit(QStringLiteral("ni"), {});
    QCoreApplication::sendEvent(&composer, &preedit);
    QVERIFY(composer.isComposing());
    QTest::keyClick(&composer, Qt::Key_Return);
    QCOMPARE(submitted.size(), 0);
    QInputMethodEvent commit;
    commit.setCommitString(QStringLiteral("你"));
    QCoreApplication::sendEvent(&composer, &commit);
    QVERIFY(!composer.isComposing());
    QCOMPARE(composer.toPlainText(), QStringLiteral("你"));
    QTest::keyClick(&composer, Qt::Key_Return);
    QCOMPARE(submitted.size(), 1);
    QCOMPARE(submitted.first().first().toString(), QStringLiteral("你"));
}

void MainWindowTest::shiftEnterStartsANewLine()
{
    Composer composer;
    composer.show();
    QSignalSpy submitted(&composer, &Composer::submitted);
    QTest::keyClicks(&composer, QStringLiteral("one"));
    QTest::keyClick(&composer, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(&composer, QStringLiteral("two"));
    QCOMPARE(submitted.size(), 0);
    QCOMPARE(composer.toPlainText(), QStringLiteral("one\ntwo"));
}

QTEST_MAIN(MainWindowTest)
#include "tst_ui_main_window.moc"
