// The notification policy against a notification service on a real session bus (dbus-run-session).
#include "DesktopNotifier.h"
#include "NotificationCenter.h"
#include "NotificationServiceSpy.h"
#include "Translations.h"

#include <QSignalSpy>
#include <QtTest>

using hchat::test::NotificationServiceSpy;
using hchat::ui::ChannelArrivals;
using hchat::ui::DesktopNotifier;
using hchat::ui::NotificationCenter;

class NotificationPolicy : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void catchUpOfFiveHundredMessagesRaisesOneSummary();
    void catchUpOverSeveralChannelsRaisesOneTotal();
    void catchUpWithOnlyOwnOrMutedMessagesRaisesNothing();
    void liveMessagesReplaceTheirChannelsNotification();
    void liveMessagesAreRateLimitedAndCoalesced();
    void noLiveNotificationForOwnMessagesMutedChannelsOrActiveWindow();
    void clickingTheNotificationOpensTheChannel();
    void mentionOnlyChannelNotifiesOnlyForMentions();
    void countsUsePluralForms();

private:
    std::unique_ptr<NotificationServiceSpy> m_service;
    std::unique_ptr<DesktopNotifier> m_notifier;
    std::unique_ptr<NotificationCenter> m_center;
};

void NotificationPolicy::mentionOnlyChannelNotifiesOnlyForMentions()
{
    m_center->setChannelMentionsOnly(QStringLiteral("busy"), true);
    m_center->liveMessage(QStringLiteral("busy"), QStringLiteral("alice"), QStringLiteral("lunch anyone?"));
    m_center->liveMessage(QStringLiteral("busy"), QStringLiteral("alice"), QStringLiteral("mail me at x@me.org"));
    QTest::qWait(500);
    QCOMPARE(m_service->calls().size(), 0);
    m_center->liveMessage(QStringLiteral("busy"), QStringLiteral("alice"), QStringLiteral("@me can you review?"));
    QTRY_COMPARE(m_service->calls().size(), 1);
    QVERIFY(m_service->calls().first().body.contains(QStringLiteral("review")));

    // A catch-up: only the mentions count, and a channel without any raises nothing.
    ChannelArrivals busy{QStringLiteral("busy"), 120, {QStringLiteral("alice")}, QStringLiteral("alice"),
                         QStringLiteral("…"), 1000, 2};
    ChannelArrivals idle{QStringLiteral("idle"), 40, {QStringLiteral("bob")}, QStringLiteral("bob"),
                         QStringLiteral("…"), 900, 0};
    m_center->setChannelMentionsOnly(QStringLiteral("idle"), true);
    m_center->catchUpFinished({busy, idle});
    QTRY_COMPARE(m_service->calls().size(), 2);
    const auto summary = m_service->calls().last().summary;
    QVERIFY2(summary.contains(QStringLiteral("2 new")) && summary.contains(QStringLiteral("busy")), qPrintable(summary));
    m_center->catchUpFinished({idle});
    QTest::qWait(300);
    QCOMPARE(m_service->calls().size(), 2);
}

// Issue 23: "1 new message", "12 new messages" (the English catalogue's plural forms), and the
// Chinese forms, never "message(s)".
void NotificationPolicy::countsUsePluralForms()
{
    QCOMPARE(hchat::ui::Translations::install(QStringLiteral("en")), QStringLiteral("en"));
    const QStringList five{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol"),
                           QStringLiteral("dave"), QStringLiteral("erin")};
    const ChannelArrivals one{QStringLiteral("general"), 1,
                              {QStringLiteral("alice")}, QStringLiteral("alice"),
                              QStringLiteral("hi"),      1000};
    const ChannelArrivals twelve{QStringLiteral("general"), 12,  five, QStringLiteral("erin"),
                                 QStringLiteral("hi"),      1000};
    const ChannelArrivals other{QStringLiteral("random"), 1,  {QStringLiteral("bob")}, QStringLiteral("bob"),
                                QStringLiteral("yo"),     900};
    m_center->catchUpFinished({one});
    QTRY_COMPARE(m_service->calls().size(), 1);
    QCOMPARE(m_service->calls().last().summary, QStringLiteral("1 new message in general"));
    m_center->catchUpFinished({twelve});
    QTRY_COMPARE(m_service->calls().size(), 2);
    QCOMPARE(m_service->calls().last().summary, QStringLiteral("12 new messages in general"));
    QVERIFY2(m_service->calls().last().body.startsWith(QStringLiteral("From alice, bob, carol and 2 others")),
             qPrintable(m_service->calls().last().body));
    m_center->catchUpFinished({twelve, other});
    QTRY_COMPARE(m_service->calls().size(), 3);
    QCOMPARE(m_service->calls().last().summary, QStringLiteral("13 new messages in 2 channels"));
    QCOMPARE(m_service->calls().last().body, QStringLiteral("general: 12 new\nrandom: 1 new"));

    QCOMPARE(hchat::ui::Translations::install(QStringLiteral("zh_CN")).left(2), QStringLiteral("zh"));
    m_center->catchUpFinished({twelve});
    QTRY_COMPARE(m_service->calls().size(), 4);
    QCOMPARE(m_service->calls().last().summary, QStringLiteral("general 中有 12 条新消息"));
    hchat::ui::Translations::install(QStringLiteral("en"));
}

void NotificationPolicy::init()
{
    m_service = std::make_unique<NotificationServiceSpy>();
    QVERIFY2(m_service->isRegistered(), "could not register the notification service on the session bus");
    m_notifier = std::make_unique<DesktopNotifier>();
    m_center = std::make_unique<NotificationCenter>(m_notifier.get());
    m_center->setOwnNick(QStringLiteral("me"));
    m_center->setLiveInterval(300);
}

void NotificationPolicy::cleanup()
{
    m_center.reset();
    m_notifier.reset();
    m_service.reset();
}

void NotificationPolicy::catchUpOfFiveHundredMessagesRaisesOneSummary()
{
    ChannelArrivals general{QStringLiteral("general"), 500, {QStringLiteral("alice"), QStringLiteral("bob")},
                            QStringLiteral("bob"), QStringLiteral("see you tomorrow"), 1000};
    m_center->catchUpFinished({general});
    QTRY_COMPARE(m_service->calls().size(), 1);
    QTest::qWait(200);
    QCOMPARE(m_service->calls().size(), 1);
    const auto call = m_service->calls().first();
    QVERIFY2(call.summary.contains(QStringLiteral("500")), qPrintable(call.summary));
    QVERIFY(call.summary.contains(QStringLiteral("general")));
    QVERIFY(call.body.contains(QStringLiteral("alice")));
    QVERIFY(call.body.contains(QStringLiteral("see you tomorrow")));
    QVERIFY(call.actions.contains(QStringLiteral("default")));
    QCOMPARE(call.hints.value(QStringLiteral("desktop-entry")).toString(), QStringLiteral("org.hchat.HChat"));
}

void NotificationPolicy::catchUpOverSeveralChannelsRaisesOneTotal()
{
    m_center->catchUpFinished({{QStringLiteral("a"), 3, {QStringLiteral("x")}, QStringLiteral("x"), {}, 10},
                               {QStringLiteral("b"), 4, {QStringLiteral("y")}, QStringLiteral("y"), {}, 20},
                               {QStringLiteral("c"), 0, {}, {}, {}, 0}});
    QTRY_COMPARE(m_service->calls().size(), 1);
    QTest::qWait(100);
    QCOMPARE(m_service->calls().size(), 1);
    const auto call = m_service->calls().first();
    QVERIFY2(call.summary.contains(QStringLiteral("7")), qPrintable(call.summary));
    QVERIFY2(call.summary.contains(QStringLiteral("2 channels")), qPrintable(call.summary));
    QVERIFY(call.body.indexOf(QStringLiteral("b:")) < call.body.indexOf(QStringLiteral("a:")));
}

void NotificationPolicy::catchUpWithOnlyOwnOrMutedMessagesRaisesNothing()
{
    m_center->setChannelMuted(QStringLiteral("noisy"), true);
    m_center->catchUpFinished({{QStringLiteral("noisy"), 50, {QStringLiteral("x")}, QStringLiteral("x"), {}, 10},
                               {QStringLiteral("mine"), 5, {QStringLiteral("me")}, QStringLiteral("me"), {}, 20}});
    QTest::qWait(300);
    QCOMPARE(m_service->calls().size(), 0);
}

void NotificationPolicy::liveMessagesReplaceTheirChannelsNotification()
{
    QSignalSpy shown(m_notifier.get(), &DesktopNotifier::notified);
    m_center->liveMessage(QStringLiteral("general"), QStringLiteral("alice"), QStringLiteral("one"));
    QTRY_COMPARE(shown.size(), 1);
    QTest::qWait(350);
    m_center->liveMessage(QStringLiteral("general"), QStringLiteral("alice"), QStringLiteral("two"));
    QTRY_COMPARE(m_service->calls().size(), 2);
    const auto calls = m_service->calls();
    QCOMPARE(calls.at(0).replacesId, 0u);
    QCOMPARE(calls.at(1).replacesId, calls.at(0).returnedId);
    QCOMPARE(calls.at(1).body, QStringLiteral("two"));
}

void NotificationPolicy::liveMessagesAreRateLimitedAndCoalesced()
{
    for (int i = 0; i < 20; ++i)
        m_center->liveMessage(QStringLiteral("general"), QStringLiteral("alice"), QStringLiteral("msg %1").arg(i));
    QTRY_COMPARE(m_service->calls().size(), 1);
    // The 19 that came within the interval arrive as one replacing notification once it passes.
    QTRY_COMPARE(m_service->calls().size(), 2);
    QTest::qWait(500);
    QCOMPARE(m_service->calls().size(), 2);
    const auto second = m_service->calls().at(1);
    QVERIFY2(second.summary.contains(QStringLiteral("19")), qPrintable(second.summary));
    QVERIFY(second.body.contains(QStringLiteral("msg 19")));
}

void NotificationPolicy::noLiveNotificationForOwnMessagesMutedChannelsOrActiveWindow()
{
    m_center->liveMessage(QStringLiteral("general"), QStringLiteral("me"), QStringLiteral("mine"));
    m_center->liveMessage(QStringLiteral("general"), QStringLiteral("ME"), QStringLiteral("mine too"));
    m_center->setChannelMuted(QStringLiteral("quiet"), true);
    m_center->liveMessage(QStringLiteral("quiet"), QStringLiteral("alice"), QStringLiteral("shh"));
    m_center->setWindowActive(true);
    m_center->liveMessage(QStringLiteral("general"), QStringLiteral("alice"), QStringLiteral("seen"));
    QTest::qWait(400);
    QCOMPARE(m_service->calls().size(), 0);
    m_center->setWindowActive(false);
    m_center->liveMessage(QStringLiteral("general"), QStringLiteral("alice"), QStringLiteral("unseen"));
    QTRY_COMPARE(m_service->calls().size(), 1);
}

void NotificationPolicy::clickingTheNotificationOpensTheChannel()
{
    QSignalSpy shown(m_notifier.get(), &DesktopNotifier::notified);
    QSignalSpy open(m_center.get(), &NotificationCenter::openChannelRequested);
    m_center->catchUpFinished({{QStringLiteral("old"), 1, {QStringLiteral("x")}, QStringLiteral("x"), {}, 10},
                               {QStringLiteral("fresh"), 2, {QStringLiteral("y")}, QStringLiteral("y"), {}, 99}});
    QTRY_COMPARE(shown.size(), 1);
    m_service->invokeAction(m_service->calls().first().returnedId, QStringLiteral("default"));
    QTRY_COMPARE(open.size(), 1);
    QCOMPARE(open.first().first().toString(), QStringLiteral("fresh"));

    m_center->liveMessage(QStringLiteral("general"), QStringLiteral("alice"), QStringLiteral("hi"));
    QTRY_COMPARE(shown.size(), 2);
    m_service->invokeAction(m_service->calls().last().returnedId, QStringLiteral("default"));
    QTRY_COMPARE(open.size(), 2);
    QCOMPARE(open.last().first().toString(), QStringLiteral("general"));
}

QTEST_GUILESS_MAIN(NotificationPolicy)
#include "tst_ui_notification_policy.moc"
