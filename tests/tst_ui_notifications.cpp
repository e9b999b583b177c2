// Catch-up and live notifications of the real app against the real gateway, observed by a
// notification service registered on a real session bus (dbus-run-session).
#include "CoreTestHelpers.h"
#include "HistoryStore.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "NotificationCenter.h"
#include "NotificationServiceSpy.h"

// Waits on the network are generous: CI shares two cores between parallel suites.
static constexpr int kWait = 15000;
using hchat::test::GatewayProcess;
using hchat::test::HttpTestApi;
using hchat::test::NotificationServiceSpy;
using hchat::test::TestClient;
using hchat::test::waitSent;
using hchat::ui::MainWindow;

class UiNotifications : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void catchUpOfFiveHundredMessagesRaisesOneSummary();
    void liveMessagesGroupByChannelWithReplacesId();
    void noNotificationForOwnMessagesOrMutedChannels();
    void clickingTheNotificationOpensTheChannel();
    void markupInAMessageIsEscapedForAServiceThatReadsIt();
    void blockedUsersRaiseNoNotification();
    void joiningAChannelWithHistoryRaisesNothing();

private:
    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpTestApi> m_api;
    std::unique_ptr<NotificationServiceSpy> m_service;
    std::unique_ptr<TestClient> m_alice;
    std::unique_ptr<TestClient> m_bob;
    std::unique_ptr<MainWindow> m_window;
    QWidget m_otherWindow; // holds the focus, so that the main window is not the active one
    QString m_aliceToken;
};

void UiNotifications::initTestCase()
{
    m_service = std::make_unique<NotificationServiceSpy>();
    QVERIFY2(m_service->isRegistered(), "no session bus: run under dbus-run-session");
    m_gateway = std::make_unique<GatewayProcess>();
    m_gateway->setExtraArguments({QStringLiteral("--rate-limit"), QStringLiteral("0")});
    QVERIFY(m_gateway->start());
    m_api = std::make_unique<HttpTestApi>(m_gateway->httpUrl());
    m_alice = std::make_unique<TestClient>();
    m_bob = std::make_unique<TestClient>();
    m_aliceToken = m_api->account(QStringLiteral("alice"));
    (*m_alice).connectTo({m_gateway->wsUrl()}, m_aliceToken);
    (*m_bob).connectTo({m_gateway->wsUrl()}, m_api->account(QStringLiteral("bob")));
    QVERIFY(m_alice->waitOnline());
    QVERIFY(m_bob->waitOnline());
    for (const char *ch : {"general", "noisy"}) {
        QVERIFY(m_alice->run((*m_alice)->joinChannel(QString::fromLatin1(ch))));
        QVERIFY(m_bob->run((*m_bob)->joinChannel(QString::fromLatin1(ch))));
    }
    m_window = std::make_unique<MainWindow>(&*m_alice->client);
    m_window->notifications()->setLiveInterval(150);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->openChannel(QStringLiteral("noisy"));
    m_otherWindow.show();
    m_otherWindow.activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isActiveWindow(), kWait);
    QTRY_VERIFY_WITH_TIMEOUT(m_alice->store()->maxSeq(QStringLiteral("noisy")) >= 2, kWait);
    QTest::qWait(300);
    m_service->clear();
}

void UiNotifications::catchUpOfFiveHundredMessagesRaisesOneSummary()
{
    QSignalSpy caughtUp(&*m_alice->client, &hchat::Client::catchUpFinished);
    (*m_alice)->disconnectFromGateway();
    QTRY_VERIFY_WITH_TIMEOUT((*m_alice)->connectionState() == hchat::ConnectionState::Offline, kWait);
    for (int i = 0; i < 500; ++i)
        (*m_bob)->sendMessage(QStringLiteral("general"), QStringLiteral("while you were away %1").arg(i));
    const quint64 target = m_bob->store()->maxSeq(QStringLiteral("general")) + 500;
    QTRY_VERIFY_WITH_TIMEOUT(m_bob->store()->maxSeq(QStringLiteral("general")) >= target, 60000);
    QCOMPARE(m_service->calls().size(), 0);

    (*m_alice)->startSession(m_aliceToken);
    QTRY_VERIFY_WITH_TIMEOUT(caughtUp.size() >= 1, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->calls().size(), 1, kWait);
    QTest::qWait(500);
    QCOMPARE(m_service->calls().size(), 1);
    const auto call = m_service->calls().first();
    QVERIFY2(call.summary.contains(QStringLiteral("500")), qPrintable(call.summary));
    QVERIFY2(call.summary.contains(QStringLiteral("general")), qPrintable(call.summary));
    QVERIFY(call.body.contains(QStringLiteral("bob")));
    m_service->clear();
}

void UiNotifications::liveMessagesGroupByChannelWithReplacesId()
{
    QVERIFY(!m_window->isActiveWindow());
    (*m_bob)->sendMessage(QStringLiteral("general"), QStringLiteral("live one"));
    QTRY_VERIFY_WITH_TIMEOUT(m_service->calls().size() == 1, 10000);
    QTest::qWait(250);
    (*m_bob)->sendMessage(QStringLiteral("general"), QStringLiteral("live two"));
    QTRY_VERIFY_WITH_TIMEOUT(m_service->calls().size() == 2, 10000);
    const auto calls = m_service->calls();
    QCOMPARE(calls.at(0).body, QStringLiteral("live one"));
    QCOMPARE(calls.at(1).body, QStringLiteral("live two"));
    QCOMPARE(calls.at(1).replacesId, calls.at(0).returnedId);
    m_service->clear();
}

void UiNotifications::noNotificationForOwnMessagesOrMutedChannels()
{
    (*m_alice)->sendMessage(QStringLiteral("general"), QStringLiteral("my own words"));
    QTRY_VERIFY_WITH_TIMEOUT(m_bob->store()->latestMessage(QStringLiteral("general"))->text() ==
                                 QStringLiteral("my own words"),
                             10000);
    QVERIFY((*m_alice)->setMuted(QStringLiteral("noisy"), true));
    m_window->notifications()->setChannelMuted(QStringLiteral("noisy"), true);
    (*m_bob)->sendMessage(QStringLiteral("noisy"), QStringLiteral("nobody hears this"));
    QTRY_VERIFY_WITH_TIMEOUT(m_alice->store()->latestMessage(QStringLiteral("noisy"))->text() ==
                                 QStringLiteral("nobody hears this"),
                             10000);
    QTest::qWait(500);
    QCOMPARE(m_service->calls().size(), 0);
}

void UiNotifications::clickingTheNotificationOpensTheChannel()
{
    QCOMPARE(m_window->currentChannel(), QStringLiteral("noisy"));
    QTest::qWait(200);
    (*m_bob)->sendMessage(QStringLiteral("general"), QStringLiteral("click me"));
    QTRY_VERIFY_WITH_TIMEOUT(!m_service->calls().isEmpty(), 10000);
    m_service->invokeAction(m_service->calls().last().returnedId, QStringLiteral("default"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->currentChannel(), QStringLiteral("general"), kWait);
}

// A member's text is not markup: a service that reads markup in bodies (body-markup) gets it
// escaped, so a link or an image in a message is shown as text, not followed or loaded; a service
// that shows bodies as plain text gets it unchanged. The summary is plain text for every service.
// Each service is a new owner of the bus name: its capabilities are asked again.
void UiNotifications::markupInAMessageIsEscapedForAServiceThatReadsIt()
{
    const QString hostile =
        QStringLiteral("<a href=\"http://127.0.0.1/x\">click</a> & <img src=\"file:///etc/passwd\">");
    const QString escaped =
        QStringLiteral("&lt;a href=&quot;http://127.0.0.1/x&quot;&gt;click&lt;/a&gt; &amp; "
                       "&lt;img src=&quot;file:///etc/passwd&quot;&gt;");
    const QString summary = QStringLiteral("bob in general");
    m_otherWindow.activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isActiveWindow(), kWait);

    m_service.reset(); // the name must be free for the next service
    m_service = std::make_unique<NotificationServiceSpy>(
        nullptr,
        QStringList{QStringLiteral("actions"), QStringLiteral("body"), QStringLiteral("body-markup")});
    QVERIFY(m_service->isRegistered());
    (*m_bob)->sendMessage(QStringLiteral("general"), hostile);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->calls().size(), 1, kWait);
    QCOMPARE(m_service->calls().first().body, escaped);
    QCOMPARE(m_service->calls().first().summary, summary);

    m_service.reset();
    m_service = std::make_unique<NotificationServiceSpy>(); // "actions" and "body" only
    QVERIFY(m_service->isRegistered());
    QTest::qWait(300); // past the live interval
    (*m_bob)->sendMessage(QStringLiteral("general"), hostile);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->calls().size(), 1, kWait);
    QCOMPARE(m_service->calls().first().body, hostile);
    QCOMPARE(m_service->calls().first().summary, summary);
}

// A blocked user's messages, mentions included, raise no notification: not live, not as a catch-up
// summary of their messages alone, and a summary among others' messages neither counts nor names
// them, nor lists a channel where only they wrote.
void UiNotifications::blockedUsersRaiseNoNotification()
{
    const QString general = QStringLiteral("general");
    const QString pestered = QStringLiteral("pestered");
    TestClient pest;
    pest.connectTo({m_gateway->wsUrl()}, m_api->account(QStringLiteral("pest")));
    QVERIFY(pest.waitOnline());
    QVERIFY(m_alice->run((*m_alice)->joinChannel(pestered)));
    QVERIFY(pest.run(pest->joinChannel(general)));
    QVERIFY(pest.run(pest->joinChannel(pestered)));
    QVERIFY(m_alice->run((*m_alice)->setBlocked(QStringLiteral("pest"), true)));
    QTRY_VERIFY_WITH_TIMEOUT(m_alice->store()->maxSeq(pestered) >= 2, kWait);
    m_otherWindow.activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isActiveWindow(), kWait);
    QTest::qWait(300);
    m_service->clear();

    // Live.
    const quint64 seq = waitSent(pest, pest->sendMessage(general, QStringLiteral("@alice are you there?")));
    QVERIFY(seq > 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_alice->store()->maxSeq(general) >= seq, kWait);
    QTest::qWait(500);
    QCOMPARE(m_service->calls().size(), 0);

    // A catch-up that brought only the blocked user's messages.
    QSignalSpy caughtUp(&*m_alice->client, &hchat::Client::catchUpFinished);
    (*m_alice)->disconnectFromGateway();
    QTRY_VERIFY_WITH_TIMEOUT((*m_alice)->connectionState() == hchat::ConnectionState::Offline, kWait);
    QVERIFY(waitSent(pest, pest->sendMessage(general, QStringLiteral("@alice hello?"))) > 0);
    QVERIFY(waitSent(pest, pest->sendMessage(pestered, QStringLiteral("@alice over here"))) > 0);
    (*m_alice)->startSession(m_aliceToken);
    QTRY_COMPARE_WITH_TIMEOUT(caughtUp.size(), 1, kWait);
    QTest::qWait(500);
    QCOMPARE(m_service->calls().size(), 0);

    // One among another's: the summary is of bob's message alone.
    (*m_alice)->disconnectFromGateway();
    QTRY_VERIFY_WITH_TIMEOUT((*m_alice)->connectionState() == hchat::ConnectionState::Offline, kWait);
    QVERIFY(waitSent(*m_bob, (*m_bob)->sendMessage(general, QStringLiteral("hi from bob"))) > 0);
    QVERIFY(waitSent(pest, pest->sendMessage(general, QStringLiteral("@alice answer me"))) > 0);
    QVERIFY(waitSent(pest, pest->sendMessage(pestered, QStringLiteral("@alice still here"))) > 0);
    (*m_alice)->startSession(m_aliceToken);
    QTRY_COMPARE_WITH_TIMEOUT(caughtUp.size(), 2, kWait);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->calls().size(), 1, kWait);
    QTest::qWait(500);
    QCOMPARE(m_service->calls().size(), 1);
    const auto call = m_service->calls().first();
    QVERIFY2(call.summary.startsWith(QStringLiteral("1 new")), qPrintable(call.summary));
    QVERIFY2(call.summary.contains(general), qPrintable(call.summary));
    QVERIFY2(!call.summary.contains(pestered) && !call.body.contains(pestered), qPrintable(call.summary));
    QVERIFY2(call.body.contains(QStringLiteral("hi from bob")), qPrintable(call.body));
    QVERIFY2(!call.body.contains(QStringLiteral("pest")), qPrintable(call.body));
    QVERIFY(m_alice->run((*m_alice)->setBlocked(QStringLiteral("pest"), false)));
}

// Issue 23: the 50 messages a channel held before alice joined it are not news to her: no
// notification, no unread count, no "New messages" line; bob's next message is (one notification,
// one unread).
void UiNotifications::joiningAChannelWithHistoryRaisesNothing()
{
    const QString archive = QStringLiteral("archive");
    QVERIFY(m_bob->run((*m_bob)->joinChannel(archive)));
    quint64 last = 0;
    for (int i = 0; i < 50; ++i)
        last = waitSent(*m_bob, (*m_bob)->sendMessage(archive, QStringLiteral("before you came %1").arg(i)));
    QVERIFY(last >= 50);
    m_otherWindow.activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isActiveWindow(), kWait);
    QTest::qWait(300);
    m_service->clear();

    QSignalSpy unread(&*m_alice->client, &hchat::Client::unreadChanged);
    QVERIFY(m_alice->run((*m_alice)->joinChannel(archive)));
    QTRY_VERIFY_WITH_TIMEOUT(m_alice->store()->maxSeq(archive) > last, kWait);
    QTest::qWait(1000); // past the live interval and the unread signal's coalescing
    QCOMPARE(m_service->calls().size(), 0);
    QCOMPARE((*m_alice)->unreadCount(archive), quint64(0));
    for (const auto &args : unread)
        if (args.at(0).toString() == archive)
            QCOMPARE(args.at(1).toULongLong(), quint64(0));
    m_window->openChannel(archive);
    auto *model = m_window->messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() >= 50, kWait);
    for (int row = 0; row < model->rowCount(); ++row)
        QVERIFY2(!model->index(row, 0).data(hchat::ui::MessageListModel::FirstUnreadRole).toBool(),
                 qPrintable(model->index(row, 0).data(hchat::ui::MessageListModel::TextRole).toString()));

    // Her other devices learn it: a device signed in now counts nothing unread there either.
    TestClient laptop;
    laptop.connectTo({m_gateway->wsUrl()}, m_api->account(QStringLiteral("alice")));
    QVERIFY(laptop.waitOnline());
    QTRY_VERIFY_WITH_TIMEOUT(laptop.store()->maxSeq(archive) > last, kWait);
    QTest::qWait(300);
    QCOMPARE(laptop->unreadCount(archive), quint64(0));

    // What bob writes after she joined is news.
    m_otherWindow.activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isActiveWindow(), kWait);
    QVERIFY(waitSent(*m_bob, (*m_bob)->sendMessage(archive, QStringLiteral("welcome, alice"))) > last);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->calls().size(), 1, kWait);
    QCOMPARE(m_service->calls().first().body, QStringLiteral("welcome, alice"));
    QTRY_COMPARE_WITH_TIMEOUT((*m_alice)->unreadCount(archive), quint64(1), kWait);
}

QTEST_MAIN(UiNotifications)
#include "tst_ui_notifications.moc"
