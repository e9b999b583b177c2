// MessageListModel and MessageView over the shared 1,000,000-message history fixture (read only)
// and over small scratch histories (outbox rows).
#include "HistoryStore.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "TestEnv.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using hchat::HistoryStore;
using hchat::MessageKind;
using hchat::StoredMessage;
using hchat::ui::MessageListModel;
using hchat::ui::MessageView;

namespace {
StoredMessage message(const QString &channel, quint64 seq, const QString &sender, const QString &text,
                      MessageKind kind = MessageKind::Text, const QString &subject = {})
{
    StoredMessage m;
    m.channel = channel;
    m.seq = seq;
    m.sender = sender;
    m.clientMsgId = QByteArray::number(seq).rightJustified(16, 'x');
    m.serverTimeMs = 1700000000000LL + qint64(seq) * 60000;
    m.body = text.toUtf8();
    m.kind = kind;
    m.subject = subject;
    return m;
}
} // namespace

class MessageModelTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void openingTheMillionMessageChannelLoadsAtMostThreePagesBeforeFirstPaint();
    void openingAnchorsAtTheFirstUnreadMessage();
    void scrollingUpFetchesOlderPagesContiguously();
    void fetchMoreReachesTheNewestMessage();
    void searchJumpLoadsTheWindowAroundAnyMessage();
    void pendingAndFailedSendsFollowTheStoredMessages();
    void membershipChangesReadAsSentences();
    void liveMessagesAreAppendedAtTheTail();

private:
    HistoryStore m_big;
    QTemporaryDir m_scratch{hchat::test::scratchRoot() + QStringLiteral("/model-XXXXXX")};
};

void MessageModelTest::initTestCase()
{
    const QString fixture = qEnvironmentVariable("HCHAT_HISTORY_FIXTURE");
    QVERIFY2(!fixture.isEmpty() && QFile::exists(fixture), "HCHAT_HISTORY_FIXTURE must name the 1M fixture");
    QVERIFY2(m_big.open(fixture), qPrintable(m_big.lastError()));
    m_big.setOwnNick(QStringLiteral("me"));
    QCOMPARE(m_big.maxSeq(QStringLiteral("big")), quint64(1000000));
}

void MessageModelTest::openingTheMillionMessageChannelLoadsAtMostThreePagesBeforeFirstPaint()
{
    MessageListModel model(&m_big);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MessageView view;
    view.resize(800, 600);
    view.setMessageModel(&model);
    QSignalSpy painted(&view, &MessageView::firstPaintAfterReset);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    model.setChannel(QStringLiteral("big"));
    QTRY_VERIFY(painted.size() >= 1);
    QVERIFY2(model.pagesLoaded() <= 3, qPrintable(QString::number(model.pagesLoaded())));
    QVERIFY(model.rowCount() <= 3 * MessageListModel::kPageSize);
    QVERIFY(model.rowCount() > 0);
}

void MessageModelTest::openingAnchorsAtTheFirstUnreadMessage()
{
    MessageListModel model(&m_big);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChannel(QStringLiteral("big"));
    const QModelIndex anchor = model.index(model.anchorRow());
    QCOMPARE(anchor.data(MessageListModel::SeqRole).toULongLong(), quint64(999901));
    QVERIFY(anchor.data(MessageListModel::FirstUnreadRole).toBool());
    QVERIFY(!model.index(model.anchorRow() - 1).data(MessageListModel::FirstUnreadRole).toBool());
    // The window reaches the newest message, so nothing newer is left to fetch.
    QCOMPARE(model.index(model.rowCount() - 1).data(MessageListModel::SeqRole).toULongLong(), quint64(1000000));
    QVERIFY(!model.canFetchMore({}));
}

void MessageModelTest::scrollingUpFetchesOlderPagesContiguously()
{
    MessageListModel model(&m_big);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChannel(QStringLiteral("big"));
    const int before = model.rowCount();
    for (int i = 0; i < 3; ++i) {
        QVERIFY(model.canFetchOlder());
        model.fetchOlder();
    }
    QCOMPARE(model.rowCount(), before + 3 * MessageListModel::kPageSize);
    quint64 previous = model.index(0).data(MessageListModel::SeqRole).toULongLong();
    for (int row = 1; row < model.rowCount(); ++row) {
        const quint64 seq = model.index(row).data(MessageListModel::SeqRole).toULongLong();
        QCOMPARE(seq, previous + 1);
        previous = seq;
    }
}

void MessageModelTest::fetchMoreReachesTheNewestMessage()
{
    MessageListModel model(&m_big);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChannel(QStringLiteral("big"));
    QCOMPARE(model.rowForSeq(998500) >= 0, true);
    int rounds = 0;
    while (model.canFetchMore({}) && rounds < 50) {
        model.fetchMore({});
        ++rounds;
    }
    QVERIFY(rounds > 0);
    QCOMPARE(model.index(model.rowCount() - 1).data(MessageListModel::SeqRole).toULongLong(), quint64(1000000));
}

void MessageModelTest::searchJumpLoadsTheWindowAroundAnyMessage()
{
    MessageListModel model(&m_big);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChannel(QStringLiteral("big"));
    const int row = model.rowForSeq(12345);
    QVERIFY(row >= 0);
    QCOMPARE(model.index(row).data(MessageListModel::SeqRole).toULongLong(), quint64(12345));
    QVERIFY(model.index(row).data(MessageListModel::TextRole).toString().startsWith(QStringLiteral("message 12345 ")));
    QVERIFY(model.rowCount() <= MessageListModel::kPageSize + 1);
    QCOMPARE(model.rowForSeq(2000000), -1);
}

void MessageModelTest::pendingAndFailedSendsFollowTheStoredMessages()
{
    HistoryStore store;
    QVERIFY(store.open(m_scratch.filePath(QStringLiteral("outbox.db"))));
    store.setOwnNick(QStringLiteral("me"));
    const QString ch = QStringLiteral("general");
    QVERIFY(store.appendMessages(ch, {message(ch, 1, QStringLiteral("alice"), QStringLiteral("hi"))}).ok);
    MessageListModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChannel(ch);
    QCOMPARE(model.rowCount(), 1);

    const qint64 pending = store.addOutbox(ch, QByteArray(16, 'p'), "on its way");
    const qint64 failed = store.addOutbox(ch, QByteArray(16, 'f'), "refused");
    QVERIFY(pending > 0 && failed > 0);
    QVERIFY(store.markOutboxFailed(failed, QStringLiteral("The message is too long.")));
    model.onOutboxChanged(ch);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(MessageListModel::Delivery(model.index(1).data(MessageListModel::DeliveryRole).toInt()),
             MessageListModel::Delivery::Pending);
    QCOMPARE(MessageListModel::Delivery(model.index(2).data(MessageListModel::DeliveryRole).toInt()),
             MessageListModel::Delivery::Failed);
    QCOMPARE(model.index(2).data(MessageListModel::ErrorRole).toString(), QStringLiteral("The message is too long."));
    QCOMPARE(model.index(2).data(MessageListModel::OutboxIdRole).toLongLong(), failed);
    QVERIFY(model.index(1).data(MessageListModel::IsOwnRole).toBool());

    // The pending one is acknowledged and arrives as seq 2: it shows once, as stored.
    StoredMessage sent = message(ch, 2, QStringLiteral("me"), QStringLiteral("on its way"));
    sent.clientMsgId = QByteArray(16, 'p');
    QVERIFY(store.appendMessages(ch, {sent}).ok);
    model.onMessagesStored(ch);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1).data(MessageListModel::SeqRole).toULongLong(), quint64(2));
    QCOMPARE(MessageListModel::Delivery(model.index(1).data(MessageListModel::DeliveryRole).toInt()),
             MessageListModel::Delivery::Stored);
    QVERIFY(store.markOutboxSent(pending, 2));
    model.onOutboxChanged(ch);
    QCOMPARE(model.rowCount(), 3);
}

void MessageModelTest::membershipChangesReadAsSentences()
{
    HistoryStore store;
    QVERIFY(store.open(m_scratch.filePath(QStringLiteral("members.db"))));
    const QString ch = QStringLiteral("team");
    QVERIFY(store.appendMessages(ch, {message(ch, 1, QStringLiteral("alice"), {}, MessageKind::ChannelCreated),
                                      message(ch, 2, QStringLiteral("alice"), {}, MessageKind::MemberAdded,
                                              QStringLiteral("bob")),
                                      message(ch, 3, QStringLiteral("bob"), {}, MessageKind::MemberLeft,
                                              QStringLiteral("bob"))})
                .ok);
    MessageListModel model(&store);
    model.setChannel(ch);
    QCOMPARE(model.index(0).data(MessageListModel::TextRole).toString(), QStringLiteral("alice created team"));
    QCOMPARE(model.index(1).data(MessageListModel::TextRole).toString(), QStringLiteral("alice added bob"));
    QCOMPARE(model.index(2).data(MessageListModel::TextRole).toString(), QStringLiteral("bob left"));
}

void MessageModelTest::liveMessagesAreAppendedAtTheTail()
{
    HistoryStore store;
    QVERIFY(store.open(m_scratch.filePath(QStringLiteral("live.db"))));
    const QString ch = QStringLiteral("live");
    MessageListModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChannel(ch);
    QCOMPARE(model.rowCount(), 0);
    for (quint64 seq = 1; seq <= 450; ++seq) {
        QVERIFY(store.appendMessages(ch, {message(ch, seq, QStringLiteral("bob"), QStringLiteral("m%1").arg(seq))}).ok);
        model.onMessagesStored(ch);
    }
    QCOMPARE(model.rowCount(), 450);
    QCOMPARE(model.index(449).data(MessageListModel::SeqRole).toULongLong(), quint64(450));
    QVERIFY(model.index(0).data(MessageListModel::NewDayRole).toBool());
}

QTEST_MAIN(MessageModelTest)
#include "tst_ui_message_model.moc"
