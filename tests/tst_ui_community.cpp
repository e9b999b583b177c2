// Issue 21 in the window, under a real X server (xvfb-run), against the real gateway: browsing
// and joining a channel, a moderator's member menu, the channel settings dialog, the topic under
// the title, a read-only channel's composer, blocked users' messages and the blocked users dialog,
// the admin dialog and its create-user form. The screenshots (build/screenshots/community-*.png)
// are for people to look at.
#include "AdminDialog.h"
#include "BlockedUsersDialog.h"
#include "BrowseChannelsDialog.h"
#include "ChannelSettingsDialog.h"
#include "ComposePane.h"
#include "Composer.h"
#include "CoreTestHelpers.h"
#include "CreateUserDialog.h"
#include "MainWindow.h"
#include "MemberList.h"
#include "MessageView.h"
#include "SignInDialog.h"
#include "UiTestHelpers.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QStyleFactory>
#include <QTreeWidget>

static constexpr int kWait = 15000;
using hchat::ChannelRecord;
using hchat::test::GatewayProcess;
using hchat::test::HttpTestApi;
using hchat::test::rowOfText;
using hchat::test::showOnChannel;
using hchat::test::signIn;
using hchat::test::TestClient;
using hchat::test::waitSent;
using hchat::ui::MainWindow;
using hchat::ui::MessageListModel;

namespace {
int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}

QAction *findAction(QWidget *root, const QString &name)
{
    for (QAction *a : root->findChildren<QAction *>())
        if (a->objectName() == name)
            return a;
    return nullptr;
}

QStringList actionNames(const QMenu &menu)
{
    QStringList names;
    for (const QAction *a : menu.actions())
        if (!a->isSeparator())
            names << a->objectName();
    return names;
}
} // namespace

class CommunityUiTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void browseAndJoinAChannel();
    void emptyWindowOffersTheDirectory();
    void moderatorsMemberMenu();
    void channelSettingsDialog();
    void readOnlyChannelDisablesTheComposer();
    void blockedUsersMessagesAreHidden();
    void blockedUsersDialog();
    void adminDialog();
    void adminDialogCreatesAUser();
    void signInTakesAnInviteCode();

private:
    // Saves image as community-<name>.png; fails the test if it looks blank.
    void save(const QImage &image, const QString &name);
    QImage grab(QWidget *window) { return window->screen()->grabWindow(window->winId()).toImage(); }

    std::unique_ptr<GatewayProcess> m_gw;
    QString m_outDir;
};

void CommunityUiTest::initTestCase()
{
    QVERIFY2(QGuiApplication::platformName() == QLatin1String("xcb"),
             "run under xvfb-run (QT_QPA_PLATFORM=xcb)");
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(QApplication::style()->standardPalette());
    m_outDir = QStringLiteral(HCHAT_BINARY_DIR "/screenshots");
    QDir().mkpath(m_outDir);
    m_gw = std::make_unique<GatewayProcess>();
    QVERIFY(m_gw->start());
}

void CommunityUiTest::save(const QImage &image, const QString &name)
{
    const QString path = QStringLiteral("%1/community-%2.png").arg(m_outDir, name);
    QVERIFY(image.save(path));
    QVERIFY2(distinctColours(image) > 20, qPrintable(QStringLiteral("%1 looks blank").arg(path)));
}

void CommunityUiTest::browseAndJoinAChannel()
{
    TestClient host, mei;
    signIn(host, *m_gw, QStringLiteral("host"));
    const QList<QPair<QString, QString>> channels{
        {QStringLiteral("general"), QStringLiteral("Say hello, ask anything")},
        {QStringLiteral("design"), QStringLiteral("Icons, colours and the next release's look")},
        {QStringLiteral("release"), QStringLiteral("Release planning — 发布计划")},
    };
    for (const auto &[name, topic] : channels) {
        QVERIFY(host.run(host->joinChannel(name)));
        QVERIFY(host.run(host->setTopic(name, topic)));
    }
    signIn(mei, *m_gw, QStringLiteral("mei"), QStringLiteral("general"));

    MainWindow window(&*mei.client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, QStringLiteral("general")));
    // The topic under the title.
    auto *topic = window.findChild<QLabel *>(QStringLiteral("channelTopic"));
    QVERIFY(topic);
    QTRY_COMPARE_WITH_TIMEOUT(topic->text(), QStringLiteral("Say hello, ask anything"), kWait);
    QVERIFY(topic->isVisible());

    QAction *browse = findAction(&window, QStringLiteral("browseChannelsAction"));
    QVERIFY(browse);
    browse->trigger();
    auto *dialog = window.findChild<hchat::ui::BrowseChannelsDialog *>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QTRY_COMPARE_WITH_TIMEOUT(dialog->channelList()->topLevelItemCount(), 3, kWait);
    QStringList names;
    for (int i = 0; i < 3; ++i)
        names << dialog->channelList()->topLevelItem(i)->data(0, Qt::UserRole).toString();
    QCOMPARE(names,
             (QStringList{QStringLiteral("design"), QStringLiteral("general"), QStringLiteral("release")}));
    // The joined one is marked, each shows its topic and member count.
    QVERIFY(dialog->channelList()->topLevelItem(1)->text(0).contains(QStringLiteral("\u2713")));
    QVERIFY(!dialog->channelList()->topLevelItem(0)->text(0).contains(QStringLiteral("\u2713")));
    QCOMPARE(dialog->channelList()->topLevelItem(1)->text(1), QStringLiteral("2"));
    QCOMPARE(dialog->channelList()->topLevelItem(0)->text(2), channels.at(1).second);
    QTest::qWait(200);
    save(grab(dialog), QStringLiteral("browse-channels"));

    // Search by topic, then join.
    dialog->searchField()->setText(QStringLiteral("colours"));
    QTRY_COMPARE_WITH_TIMEOUT(dialog->channelList()->topLevelItemCount(), 1, kWait);
    QCOMPARE(dialog->channelList()->topLevelItem(0)->data(0, Qt::UserRole).toString(),
             QStringLiteral("design"));
    dialog->channelList()->setCurrentItem(dialog->channelList()->topLevelItem(0));
    QCOMPARE(dialog->joinButton()->text(), QStringLiteral("&Join"));
    QTest::qWait(200);
    save(grab(dialog), QStringLiteral("browse-channels-search"));
    QTest::mouseClick(dialog->joinButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.currentChannel(), QStringLiteral("design"), kWait);
    QVERIFY(mei.store()->channel(QStringLiteral("design"))->joined);
    QTRY_COMPARE_WITH_TIMEOUT(topic->text(), channels.at(1).second, kWait);
    QTest::qWait(300);
    save(grab(&window), QStringLiteral("browse-joined"));
}

void CommunityUiTest::emptyWindowOffersTheDirectory()
{
    TestClient newcomer;
    signIn(newcomer, *m_gw, QStringLiteral("newcomer"));
    MainWindow window(&*newcomer.client);
    window.resize(1000, 640);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *button = window.findChild<QPushButton *>(QStringLiteral("emptyBrowseButton"));
    QVERIFY(button);
    QTRY_VERIFY_WITH_TIMEOUT(button->isVisible(), kWait);
    QTest::qWait(200);
    save(grab(&window), QStringLiteral("empty-window"));
    QTest::mouseClick(button, Qt::LeftButton);
    auto *dialog = window.findChild<hchat::ui::BrowseChannelsDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->channelList()->topLevelItemCount() > 0, kWait);
    dialog->reject();
}

void CommunityUiTest::moderatorsMemberMenu()
{
    TestClient mod, helper, visitor;
    const QString room = QStringLiteral("lobby");
    signIn(mod, *m_gw, QStringLiteral("moderator"), room); // the first: its owner
    signIn(helper, *m_gw, QStringLiteral("helper"), room);
    signIn(visitor, *m_gw, QStringLiteral("visitor"), room);
    QVERIFY(mod.run(mod->setMemberRole(room, QStringLiteral("helper"), ChannelRecord::Role::Moderator)));
    QVERIFY(waitSent(visitor, visitor->sendMessage(room, QStringLiteral("FREE PRIZES, click here"))) > 0);

    MainWindow window(&*mod.client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, room));
    auto *members = window.findChild<hchat::ui::MemberList *>(QStringLiteral("members"));
    QVERIFY(members && members->isVisible());
    auto textOf = [members](const QString &nick) {
        for (int i = 0; i < members->count(); ++i)
            if (members->item(i)->data(Qt::UserRole).toString() == nick)
                return members->item(i)->text();
        return QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(textOf(QStringLiteral("moderator")), QStringLiteral("moderator (owner)"),
                              kWait);
    QTRY_COMPARE_WITH_TIMEOUT(textOf(QStringLiteral("helper")), QStringLiteral("helper (moderator)"), kWait);
    QCOMPARE(textOf(QStringLiteral("visitor")), QStringLiteral("visitor"));

    // The owner's menu over a member: everything.
    QMenu menu;
    members->populateMenu(&menu, QStringLiteral("visitor"));
    QCOMPARE(actionNames(menu),
             (QStringList{QStringLiteral("kickAction"), QStringLiteral("banAction"),
                          QStringLiteral("promoteAction"), QStringLiteral("handOwnershipAction"),
                          QStringLiteral("blockAction")}));
    // Shown as the user sees it, beside the member.
    int row = 0;
    for (; row < members->count(); ++row)
        if (members->item(row)->data(Qt::UserRole).toString() == QLatin1String("visitor"))
            break;
    const QRect itemRect = members->visualItemRect(members->item(row));
    // (selected, as a right-click does; the menu below it, opening leftwards inside the window)
    members->setCurrentRow(row);
    menu.popup(members->viewport()->mapToGlobal(QPoint(members->viewport()->width(), itemRect.bottom() + 2)) -
               QPoint(menu.sizeHint().width(), 0));
    QVERIFY(QTest::qWaitForWindowExposed(&menu));
    QTest::qWait(300);
    const QRect area = window.frameGeometry();
    save(window.screen()->grabWindow(0, area.x(), area.y(), area.width(), area.height()).toImage(),
         QStringLiteral("moderator-member-menu"));
    menu.close();

    // A moderator's menu over another moderator or the owner has no moderation, over a member it has.
    MainWindow helperWindow(&*helper.client);
    QVERIFY(showOnChannel(helperWindow, room));
    auto *helperMembers = helperWindow.findChild<hchat::ui::MemberList *>(QStringLiteral("members"));
    QTRY_COMPARE_WITH_TIMEOUT(helperMembers->roleOf(QStringLiteral("moderator")), ChannelRecord::Role::Owner,
                              kWait);
    QMenu overOwner;
    helperMembers->populateMenu(&overOwner, QStringLiteral("moderator"));
    QCOMPARE(actionNames(overOwner), QStringList{QStringLiteral("blockAction")});
    QMenu overMember;
    helperMembers->populateMenu(&overMember, QStringLiteral("visitor"));
    QCOMPARE(actionNames(overMember), (QStringList{QStringLiteral("kickAction"), QStringLiteral("banAction"),
                                                   QStringLiteral("blockAction")}));
    helperWindow.hide();

    // A plain member's menu: only blocking.
    MainWindow visitorWindow(&*visitor.client);
    QVERIFY(showOnChannel(visitorWindow, room));
    auto *visitorMembers = visitorWindow.findChild<hchat::ui::MemberList *>(QStringLiteral("members"));
    QTRY_VERIFY_WITH_TIMEOUT(visitorMembers->count() == 3, kWait);
    QMenu plain;
    visitorMembers->populateMenu(&plain, QStringLiteral("helper"));
    QCOMPARE(actionNames(plain), QStringList{QStringLiteral("blockAction")});
    visitorWindow.hide();

    // Promote from the menu: the list follows.
    QMenu again;
    members->populateMenu(&again, QStringLiteral("visitor"));
    for (QAction *a : again.actions())
        if (a->objectName() == QLatin1String("promoteAction"))
            a->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(textOf(QStringLiteral("visitor")), QStringLiteral("visitor (moderator)"),
                              kWait);
    // The channel saw notices, in words.
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(model, QStringLiteral("helper is now a moderator")) >= 0, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(model, QStringLiteral("visitor is now a moderator")) >= 0, kWait);

    // The owner deletes a message from the message menu (as moderator), on every device.
    const int spamRow = rowOfText(model, QStringLiteral("FREE PRIZES, click here"));
    QVERIFY(spamRow >= 0);
    QMenu messageMenu;
    window.populateMessageMenu(&messageMenu, model->index(spamRow, 0));
    QAction *remove = nullptr;
    for (QAction *a : messageMenu.actions())
        if (a->objectName() == QLatin1String("moderatorDeleteAction"))
            remove = a;
    QVERIFY(remove);
}

void CommunityUiTest::channelSettingsDialog()
{
    TestClient owner, rowdy;
    const QString room = QStringLiteral("book-club");
    signIn(owner, *m_gw, QStringLiteral("clubowner"), room);
    signIn(rowdy, *m_gw, QStringLiteral("rowdy"), room);
    QVERIFY(owner.run(owner->ban(room, QStringLiteral("rowdy"), QStringLiteral("spoilers, again"))));

    MainWindow window(&*owner.client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, room));
    QAction *settings = findAction(&window, QStringLiteral("channelSettingsAction"));
    QVERIFY(settings);
    QTRY_VERIFY_WITH_TIMEOUT(settings->isEnabled(), kWait);
    settings->trigger();
    auto *dialog = window.findChild<hchat::ui::ChannelSettingsDialog *>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QTRY_COMPARE_WITH_TIMEOUT(dialog->banList()->topLevelItemCount(), 1, kWait);
    QCOMPARE(dialog->banList()->topLevelItem(0)->text(0), QStringLiteral("rowdy"));
    QCOMPARE(dialog->banList()->topLevelItem(0)->text(3), QStringLiteral("spoilers, again"));
    dialog->topicField()->setText(QStringLiteral("This month: The Left Hand of Darkness"));
    dialog->readOnlyBox()->setChecked(true);
    dialog->banList()->setCurrentItem(dialog->banList()->topLevelItem(0));
    QTest::qWait(300);
    save(grab(dialog), QStringLiteral("channel-settings"));

    // Lift the ban, then save: the topic shows under the title, the channel is read-only.
    dialog->liftSelectedBan();
    QTRY_COMPARE_WITH_TIMEOUT(dialog->banList()->topLevelItem(0)->text(0),
                              QStringLiteral("Nobody is banned."), kWait);
    QVERIFY(rowdy.run(rowdy->joinChannel(room)));
    QSignalSpy finished(dialog, &QDialog::finished);
    dialog->save();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWait);
    auto *topic = window.findChild<QLabel *>(QStringLiteral("channelTopic"));
    QTRY_COMPARE_WITH_TIMEOUT(topic->text(), QStringLiteral("This month: The Left Hand of Darkness"), kWait);
    QTRY_VERIFY_WITH_TIMEOUT(owner.store()->channel(room)->readOnly, kWait);
    // The owner still writes.
    QVERIFY(window.composer()->isEnabled());

    // A refusal shows the gateway's reason in the dialog: a plain member tries.
    MainWindow rowdyWindow(&*rowdy.client);
    QVERIFY(showOnChannel(rowdyWindow, room));
    QTRY_VERIFY_WITH_TIMEOUT(rowdy.store()->channel(room)->readOnly, kWait);
    QVERIFY(!findAction(&rowdyWindow, QStringLiteral("channelSettingsAction"))->isEnabled());
    hchat::ui::ChannelSettingsDialog refused(&*rowdy.client, room);
    refused.topicField()->setText(QStringLiteral("hijacked"));
    refused.save();
    QTRY_VERIFY_WITH_TIMEOUT(refused.statusLabel()->text().startsWith(QStringLiteral("Not saved: ")), kWait);
    QVERIFY(refused.statusLabel()->text().size() > QStringLiteral("Not saved: ").size());
    rowdyWindow.hide();
}

void CommunityUiTest::readOnlyChannelDisablesTheComposer()
{
    TestClient owner, reader;
    const QString room = QStringLiteral("news");
    signIn(owner, *m_gw, QStringLiteral("newsdesk"), room);
    signIn(reader, *m_gw, QStringLiteral("reader"), room);
    QVERIFY(owner.run(owner->setTopic(room, QStringLiteral("Announcements only"))));
    QVERIFY(waitSent(owner, owner->sendMessage(room, QStringLiteral("Version 2.0 is out!"))) > 0);
    MainWindow window(&*reader.client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, room));
    auto *line = window.findChild<QLabel *>(QStringLiteral("readOnlyLine"));
    QVERIFY(line);
    QVERIFY(!line->isVisible());
    QVERIFY(window.composer()->isEnabled());
    QVERIFY(owner.run(owner->setReadOnly(room, true)));
    QTRY_VERIFY_WITH_TIMEOUT(line->isVisible(), kWait);
    QVERIFY(!window.composer()->isEnabled());
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(
        rowOfText(model, QStringLiteral("newsdesk made the channel read-only: only moderators can write")) >=
            0,
        kWait);
    QTest::qWait(300);
    save(grab(&window), QStringLiteral("read-only"));
    QVERIFY(owner.run(owner->setReadOnly(room, false)));
    QTRY_VERIFY_WITH_TIMEOUT(!line->isVisible(), kWait);
    QVERIFY(window.composer()->isEnabled());
}

void CommunityUiTest::blockedUsersMessagesAreHidden()
{
    TestClient me, pest;
    const QString room = QStringLiteral("chatter");
    signIn(me, *m_gw, QStringLiteral("patient"), room);
    signIn(pest, *m_gw, QStringLiteral("pest"), room);
    QVERIFY(waitSent(pest, pest->sendMessage(room, QStringLiteral("you are all wrong"))) > 0);
    QVERIFY(waitSent(me, me->sendMessage(room, QStringLiteral("a calm reply"))) > 0);
    MainWindow window(&*me.client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, room));
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(model, QStringLiteral("you are all wrong")) >= 0, kWait);
    QVERIFY(me.run(me->setBlocked(QStringLiteral("pest"), true)));
    const QString hidden = QStringLiteral("Message from a blocked user \u2014 show");
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(model, hidden) >= 0, kWait);
    QCOMPARE(rowOfText(model, QStringLiteral("you are all wrong")), -1);
    const int row = rowOfText(model, hidden);
    QVERIFY(model->index(row, 0).data(MessageListModel::BlockedRole).toBool());
    QVERIFY(rowOfText(model, QStringLiteral("a calm reply")) >= 0); // own messages stay
    QTest::qWait(300);
    save(grab(&window), QStringLiteral("blocked-message"));
    // A click reveals it.
    auto *view = window.messageView();
    view->scrollTo(model->index(row, 0));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(model->index(row, 0)).center());
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(model, QStringLiteral("you are all wrong")) >= 0, kWait);
    QVERIFY(me.run(me->setBlocked(QStringLiteral("pest"), false)));
}

void CommunityUiTest::blockedUsersDialog()
{
    TestClient me, noisy, stranger;
    const QString room = QStringLiteral("quiet-room");
    signIn(me, *m_gw, QStringLiteral("guarded"), room);
    signIn(noisy, *m_gw, QStringLiteral("noisy"), room);
    signIn(stranger, *m_gw, QStringLiteral("exfriend")); // shares no channel with "guarded"
    QVERIFY(me.run(me->setBlocked(QStringLiteral("noisy"), true)));
    MainWindow window(&*me.client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, room));
    QAction *action = findAction(&window, QStringLiteral("blockedUsersAction"));
    QVERIFY(action);
    action->trigger();
    auto *dialog = window.findChild<hchat::ui::BlockedUsersDialog *>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QListWidget *list = dialog->blockedList();
    QCOMPARE(list->count(), 1);
    QCOMPARE(list->item(0)->text(), QStringLiteral("noisy"));
    QVERIFY(!dialog->blockButton()->isEnabled()); // nothing typed yet

    // Block by name someone no channel is shared with: type the nick, Enter.
    QCOMPARE(dialog->focusWidget(), static_cast<QWidget *>(dialog->nickField())); // where typing goes first
    QTest::keyClicks(dialog->nickField(), QStringLiteral("exfriend"));
    QVERIFY(dialog->blockButton()->isEnabled());
    QTest::keyClick(dialog->nickField(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(me->isBlocked(QStringLiteral("exfriend")), kWait);
    QTRY_COMPARE_WITH_TIMEOUT(list->count(), 2, kWait);
    QCOMPARE(list->item(0)->text(), QStringLiteral("exfriend"));
    QTRY_COMPARE_WITH_TIMEOUT(dialog->statusLabel()->text(), QStringLiteral("Blocked exfriend."), kWait);
    QVERIFY(dialog->nickField()->text().isEmpty());
    QVERIFY(dialog->isVisible()); // Enter blocked; it did not close the dialog

    // An unknown nick: the gateway refuses, and the dialog says so with its reason.
    QTest::keyClicks(dialog->nickField(), QStringLiteral("nosuchperson"));
    QTest::mouseClick(dialog->blockButton(), Qt::LeftButton);
    const QString refused = QStringLiteral("Could not block nosuchperson: ");
    QTRY_VERIFY_WITH_TIMEOUT(dialog->statusLabel()->text().startsWith(refused), kWait);
    QVERIFY(dialog->statusLabel()->text().size() > refused.size());
    QVERIFY(!me->isBlocked(QStringLiteral("nosuchperson")));
    QCOMPARE(list->count(), 2);
    list->setCurrentRow(1);
    QTest::qWait(300);
    save(grab(dialog), QStringLiteral("blocked-users"));

    // Unblock from the keyboard: the selected user, Delete.
    QVERIFY(!dialog->unblockButton()->isHidden() && dialog->unblockButton()->isEnabled());
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Delete);
    QTRY_VERIFY_WITH_TIMEOUT(!me->isBlocked(QStringLiteral("noisy")), kWait);
    QTRY_COMPARE_WITH_TIMEOUT(list->count(), 1, kWait);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->statusLabel()->text(), QStringLiteral("Unblocked noisy."), kWait);
    // And with the button.
    list->setCurrentRow(0);
    QTest::mouseClick(dialog->unblockButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!me->isBlocked(QStringLiteral("exfriend")), kWait);
    QTRY_COMPARE_WITH_TIMEOUT(list->item(0)->text(), QStringLiteral("You have not blocked anyone."), kWait);
    QCOMPARE(list->item(0)->flags(), Qt::ItemFlags());
    QVERIFY(!dialog->unblockButton()->isEnabled());
    dialog->reject();
}

void CommunityUiTest::adminDialog()
{
    const QString token = HttpTestApi(m_gw->httpUrl()).account(QStringLiteral("operator"));
    QProcess admin;
    admin.start(QStringLiteral(HCHAT_GATEWAY_BINARY),
                {QStringLiteral("admin"), QStringLiteral("--db"), m_gw->databasePath(),
                 QStringLiteral("set-admin"), QStringLiteral("operator"), QStringLiteral("on")});
    QVERIFY(admin.waitForFinished(30000));
    QCOMPARE(admin.exitCode(), 0);
    TestClient op;
    op.connectTo({m_gw->wsUrl()}, token);
    QVERIFY(op.waitOnline());
    QVERIFY(op.run(op->joinChannel(QStringLiteral("ops"))));
    MainWindow window(&*op.client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, QStringLiteral("ops")));
    QAction *action = findAction(&window, QStringLiteral("adminAction"));
    QVERIFY(action);
    QTRY_VERIFY_WITH_TIMEOUT(action->isVisible(), kWait);
    action->trigger();
    auto *dialog = window.findChild<hchat::ui::AdminDialog *>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QTRY_VERIFY_WITH_TIMEOUT(dialog->userList()->topLevelItemCount() > 3, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->auditList()->topLevelItemCount() > 0, kWait);
    QTest::qWait(300);
    save(grab(dialog), QStringLiteral("admin-users"));
    // Make an invite code: it is listed, ready to copy.
    dialog->tabs()->setCurrentIndex(1);
    auto *make = dialog->findChild<QPushButton *>(QStringLiteral("createInviteButton"));
    QTest::mouseClick(make, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->inviteList()->count(), 1, kWait);
    QVERIFY(!dialog->inviteList()->item(0)->data(Qt::UserRole).toString().isEmpty());
    dialog->tabs()->setCurrentIndex(2);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->channelList()->topLevelItemCount() > 0, kWait);
    dialog->reject();

    // Not an administrator: no menu item.
    TestClient plain;
    signIn(plain, *m_gw, QStringLiteral("plainjane"), QStringLiteral("ops"));
    MainWindow plainWindow(&*plain.client);
    QVERIFY(!findAction(&plainWindow, QStringLiteral("adminAction"))->isVisible());
}

void CommunityUiTest::adminDialogCreatesAUser()
{
    const QString token = HttpTestApi(m_gw->httpUrl()).account(QStringLiteral("overseer"));
    QProcess admin;
    admin.start(QStringLiteral(HCHAT_GATEWAY_BINARY),
                {QStringLiteral("admin"), QStringLiteral("--db"), m_gw->databasePath(),
                 QStringLiteral("set-admin"), QStringLiteral("overseer"), QStringLiteral("on")});
    QVERIFY(admin.waitForFinished(30000));
    QCOMPARE(admin.exitCode(), 0);
    TestClient op;
    op.connectTo({m_gw->wsUrl()}, token);
    QVERIFY(op.waitOnline());
    QVERIFY(op->isAdmin());
    hchat::ui::AdminDialog dialog(&*op.client);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTRY_VERIFY_WITH_TIMEOUT(dialog.userList()->topLevelItemCount() > 0, kWait);
    auto *createButton = dialog.findChild<QPushButton *>(QStringLiteral("createUserButton"));
    QVERIFY(createButton && createButton->isVisible());
    QTest::mouseClick(createButton, Qt::LeftButton);
    QPointer<hchat::ui::CreateUserDialog> form = dialog.findChild<hchat::ui::CreateUserDialog *>();
    QVERIFY(form);
    QVERIFY(QTest::qWaitForWindowExposed(form.data()));
    QCOMPARE(form->passwordField()->echoMode(), QLineEdit::Password);
    QCOMPARE(form->confirmField()->echoMode(), QLineEdit::Password);
    QVERIFY(!form->createButton()->isEnabled()); // nothing typed yet

    // Passwords that differ are refused here, before anything is sent.
    const QString password = QStringLiteral("a long enough password");
    QTest::keyClicks(form->nickField(), QStringLiteral("hired.hand"));
    QTest::keyClicks(form->passwordField(), password);
    QTest::keyClicks(form->confirmField(), QStringLiteral("a long enough passwort"));
    QVERIFY(form->createButton()->isEnabled());
    QTest::keyClick(form->confirmField(), Qt::Key_Return);
    QCOMPARE(form->statusLabel()->text(), QStringLiteral("The passwords do not match."));
    QVERIFY(form->isVisible());
    QTest::qWait(300);
    save(grab(form), QStringLiteral("create-user"));
    hchat::v1::LoginResponse login;
    QVERIFY(!HttpTestApi(m_gw->httpUrl()).login(QStringLiteral("hired.hand"), password, &login));

    // A nick that is taken: the gateway refuses, the form stays open with its reason.
    form->nickField()->setText(QStringLiteral("overseer"));
    form->confirmField()->setText(password);
    QTest::mouseClick(form->createButton(), Qt::LeftButton);
    const QString refused = QStringLiteral("The gateway did not create overseer: ");
    QTRY_VERIFY_WITH_TIMEOUT(form->statusLabel()->text().startsWith(refused), kWait);
    QVERIFY(form->statusLabel()->text().size() > refused.size());
    QVERIFY(form->isVisible());
    QTest::qWait(300);
    save(grab(form), QStringLiteral("create-user-refused"));

    // Created: the form closes, the list shows the new user selected, who can sign in.
    form->nickField()->setText(QStringLiteral("hired.hand"));
    QTest::keyClick(form->nickField(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(form.isNull(), kWait);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.userList()->currentItem() &&
                                 dialog.userList()->currentItem()->text(0) == QLatin1String("hired.hand"),
                             kWait);
    QCOMPARE(dialog.statusLabel()->text(), QStringLiteral("Created the user hired.hand."));
    QVERIFY(HttpTestApi(m_gw->httpUrl()).login(QStringLiteral("hired.hand"), password, &login));
}

void CommunityUiTest::signInTakesAnInviteCode()
{
    TestClient fresh;
    hchat::ui::SignInDialog dialog(&*fresh.client,
                                   m_gw->host() + QStringLiteral(":") + QString::number(m_gw->port()));
    auto *invite = dialog.findChild<QLineEdit *>(QStringLiteral("inviteCode"));
    QVERIFY(invite);
    QVERIFY(!invite->placeholderText().isEmpty());
}

QTEST_MAIN(CommunityUiTest)
#include "tst_ui_community.moc"
