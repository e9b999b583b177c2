// Everyday window features against the real gateway: the devices dialog (this account's devices
// with last activity; revoking one ends its session), the account dialog (change password, log out
// everywhere, delete account with the password typed and confirmed; others then see "deleted
// user"), Ctrl+K to switch channel, and the settings
// dialog (kept per profile; close-to-tray only offered where a tray exists).
#include "AccountDialog.h"
#include "ChannelListModel.h"
#include "ChannelSwitcher.h"
#include "Composer.h"
#include "CoreTestHelpers.h"
#include "DevicesDialog.h"
#include "GatewaySuite.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "SettingsDialog.h"
#include "UiSettings.h"
#include "UiTestHelpers.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>

static constexpr int kWait = 15000;
using namespace hchat;
using namespace hchat::test;
using namespace hchat::ui;

namespace {
// Answers the next modal message box with the given button, as a user would.
void answerNextMessageBox(QMessageBox::StandardButton button)
{
    QTimer::singleShot(0, qApp, [button] {
        QDeadlineTimer d(kWait);
        while (!d.hasExpired()) {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                box->button(button)->click();
                return;
            }
            QTest::qWait(20);
        }
    });
}
// Ctrl+K in the focused widget of the (re)activated window; returns the switcher it opened.
ChannelSwitcher *pressCtrlK(MainWindow &window)
{
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window))
        return nullptr;
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : &window, Qt::Key_K,
                    Qt::ControlModifier);
    QDeadlineTimer d(kWait);
    while (!d.hasExpired()) {
        if (auto *s = window.findChild<ChannelSwitcher *>(); s && s->isVisible())
            return s;
        QTest::qWait(20);
    }
    return nullptr;
}
} // namespace

class UiAccount : public GatewaySuite {
    Q_OBJECT
private slots:
    void devicesDialogListsDevicesAndRevokesOne()
    {
        HttpTestApi api(m_gw->httpUrl());
        TestClient laptop, phone;
        laptop.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("ursula")));
        phone.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("ursula")));
        QVERIFY(laptop.waitOnline() && phone.waitOnline());

        DevicesDialog dialog(&*laptop.client);
        dialog.show();
        QTreeWidget *own = dialog.ownDevices();
        QTRY_COMPARE_WITH_TIMEOUT(own->topLevelItemCount(), 2, kWait);
        QTreeWidgetItem *self = nullptr;
        QTreeWidgetItem *other = nullptr;
        for (int i = 0; i < 2; ++i) {
            QTreeWidgetItem *item = own->topLevelItem(i);
            (item->text(0).contains(QStringLiteral("(this device)")) ? self : other) = item;
            QVERIFY(!item->text(2).isEmpty() && item->text(2) != QStringLiteral("never")); // last active
        }
        QVERIFY(self && other);
        QCOMPARE(other->toolTip(0), QStringLiteral("Device %1").arg(phone->deviceId()));

        // This device cannot be revoked here (that is Sign out).
        own->setCurrentItem(self);
        QVERIFY(!dialog.revokeButton()->isEnabled());
        // Cancel changes nothing.
        own->setCurrentItem(other);
        QVERIFY(dialog.revokeButton()->isEnabled());
        answerNextMessageBox(QMessageBox::Cancel);
        QTest::mouseClick(dialog.revokeButton(), Qt::LeftButton);
        QTest::qWait(300);
        QCOMPARE(phone->connectionState(), ConnectionState::Online);

        // Yes: the phone's session ends at once and it must sign in again; the list shrinks.
        QSignalSpy signIn(phone.client.get(), &Client::signInRequired);
        own->setCurrentItem(other);
        answerNextMessageBox(QMessageBox::Yes);
        QTest::mouseClick(dialog.revokeButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!signIn.isEmpty(), kWait);
        QTRY_COMPARE_WITH_TIMEOUT(own->topLevelItemCount(), 1, kWait);
        QVERIFY(own->topLevelItem(0)->text(0).contains(QStringLiteral("(this device)")));
    }

    void ctrlKSwitchesToTheTypedChannel()
    {
        HttpTestApi api(m_gw->httpUrl());
        TestClient client;
        client.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("victor")));
        QVERIFY(client.waitOnline());
        for (const char *ch : {"alpha", "bravo", "charlie-team"})
            QVERIFY(client.run(client->joinChannel(QString::fromLatin1(ch))));
        MainWindow window(&*client.client);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_COMPARE_WITH_TIMEOUT(window.channelModel()->rowCount(), 3, kWait);
        window.openChannel(QStringLiteral("alpha"));
        // Screen readers hear what each row is.
        const int alphaRow = window.channelModel()->rowOf(QStringLiteral("alpha"));
        QVERIFY(window.channelModel()
                    ->index(alphaRow)
                    .data(Qt::AccessibleTextRole)
                    .toString()
                    .contains(QStringLiteral("Channel alpha")));

        // From the composer, where the user types: Ctrl+K is the window's, not the text field's.
        window.composer()->setFocus();
        ChannelSwitcher *switcher = pressCtrlK(window);
        QVERIFY(switcher);
        QCOMPARE(switcher->matchCount(), 3);
        QTest::keyClicks(switcher->filterField(), QStringLiteral("CHAR"));
        QCOMPARE(switcher->matchCount(), 1);
        QTest::keyClick(switcher->filterField(), Qt::Key_Return);
        QCOMPARE(window.currentChannel(), QStringLiteral("charlie-team"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.findChild<ChannelSwitcher *>(), kWait); // closed and deleted

        // Up and Down move through the matches from the text field; no match opens nothing.
        QVERIFY((switcher = pressCtrlK(window)));
        QTest::keyClicks(switcher->filterField(), QStringLiteral("a"));
        QCOMPARE(switcher->matchCount(), 3);
        const QString first = switcher->matches()->currentIndex().data(ChannelListModel::NameRole).toString();
        QTest::keyClick(switcher->filterField(), Qt::Key_Down);
        const QString second =
            switcher->matches()->currentIndex().data(ChannelListModel::NameRole).toString();
        QVERIFY(first != second);
        QTest::keyClick(switcher->filterField(), Qt::Key_Return);
        QCOMPARE(window.currentChannel(), second);
        QVERIFY((switcher = pressCtrlK(window)));
        QTest::keyClicks(switcher->filterField(), QStringLiteral("zzz"));
        QCOMPARE(switcher->matchCount(), 0);
        QTest::keyClick(switcher->filterField(), Qt::Key_Return);
        QCOMPARE(window.currentChannel(), second);
        QTest::keyClick(switcher->filterField(), Qt::Key_Escape);
    }

    void settingsAreKeptPerProfileAndCloseToTrayNeedsATray()
    {
        QTemporaryDir profileA(scratchRoot() + QStringLiteral("/settings-a-XXXXXX"));
        QTemporaryDir profileB(scratchRoot() + QStringLiteral("/settings-b-XXXXXX"));
        {
            UiSettings a(profileA.path());
            QCOMPARE(a.theme(), UiSettings::Theme::System);
            QVERIFY(a.notificationPreviews());
            // No tray on this platform: the option is shown, off and disabled.
            SettingsDialog dialog(&a, false);
            QVERIFY(!dialog.closeToTrayBox()->isEnabled());
            QVERIFY(!dialog.closeToTrayBox()->isChecked());
            QSignalSpy changed(&a, &UiSettings::changed);
            dialog.themeBox()->setCurrentIndex(dialog.themeBox()->findData(int(UiSettings::Theme::Dark)));
            dialog.languageBox()->setCurrentIndex(dialog.languageBox()->findData(QStringLiteral("zh_CN")));
            dialog.previewsBox()->setChecked(false);
            dialog.notificationsBox()->setChecked(false);
            QVERIFY(!dialog.previewsBox()->isEnabled());
            QCOMPARE(changed.size(), 4);
        }
        UiSettings again(profileA.path());
        QCOMPARE(again.theme(), UiSettings::Theme::Dark);
        QCOMPARE(again.language(), QStringLiteral("zh_CN"));
        QVERIFY(!again.notificationPreviews());
        QVERIFY(!again.notificationsEnabled());
        QVERIFY(QFile::exists(profileA.filePath(QStringLiteral("hchat.conf"))));
        // Another profile has its own.
        UiSettings b(profileB.path());
        QCOMPARE(b.theme(), UiSettings::Theme::System);
        QVERIFY(b.notificationsEnabled());
        // Where a tray exists the option is offered and follows the setting.
        b.setCloseToTray(false);
        SettingsDialog withTray(&b, true);
        QVERIFY(withTray.closeToTrayBox()->isEnabled());
        QVERIFY(!withTray.closeToTrayBox()->isChecked());
        withTray.closeToTrayBox()->setChecked(true);
        QVERIFY(UiSettings(profileB.path()).closeToTray());
    }

    void accountDialogChangesThePasswordAndDeletesTheAccount()
    {
        const QString password = QStringLiteral("correct horse battery");
        const QString fresh = QStringLiteral("a fresh horse battery");
        const QString ch = QStringLiteral("goodbyes");
        HttpTestApi api(m_gw->httpUrl());
        TestClient wendy, phone, xena;
        wendy.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("wendy")));
        phone.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("wendy")));
        xena.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("xena")));
        QVERIFY(wendy.waitOnline() && phone.waitOnline() && xena.waitOnline());
        QVERIFY(wendy.run(wendy->joinChannel(ch)));
        QVERIFY(xena.run(xena->joinChannel(ch)));
        const qint64 id = wendy->sendMessage(ch, QStringLiteral("see you"));
        QTRY_COMPARE_WITH_TIMEOUT(wendy.store()->outboxEntry(id)->state, OutboxEntry::State::Sent, kWait);
        const quint64 seq = wendy.store()->outboxEntry(id)->seq;
        QTRY_VERIFY_WITH_TIMEOUT(xena.store()->maxSeq(ch) >= seq, kWait);

        // Xena's window shows the message from wendy.
        MainWindow window(&*xena.client);
        QVERIFY(showOnChannel(window, ch));
        auto *model = window.findChild<MessageListModel *>();
        QVERIFY(model);
        auto senderOf = [model](quint64 s) {
            for (int row = 0; row < model->rowCount(); ++row) {
                const QModelIndex i = model->index(row);
                if (i.data(MessageListModel::SeqRole).toULongLong() == s)
                    return i.data(MessageListModel::SenderRole).toString();
            }
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(senderOf(seq), QStringLiteral("wendy"), kWait);

        AccountDialog dialog(&*wendy.client);
        dialog.show();
        QVERIFY(!dialog.changePasswordButton()->isEnabled());
        QVERIFY(!dialog.deleteAccountButton()->isEnabled());
        QVERIFY(dialog.logOutEverywhereButton()->isEnabled());

        // A wrong current password: the dialog says so and nothing changes.
        QTest::keyClicks(dialog.currentPasswordField(), QStringLiteral("not my password"));
        QTest::keyClicks(dialog.newPasswordField(), fresh);
        QTest::keyClicks(dialog.repeatPasswordField(), fresh);
        QVERIFY(dialog.changePasswordButton()->isEnabled());
        QTest::mouseClick(dialog.changePasswordButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.statusText().contains(QStringLiteral("wrong")), kWait);
        QCOMPARE(phone->connectionState(), ConnectionState::Online);
        // Two different new passwords are caught before anything is sent.
        dialog.currentPasswordField()->setText(password);
        dialog.repeatPasswordField()->setText(fresh + QStringLiteral("!"));
        QTest::mouseClick(dialog.changePasswordButton(), Qt::LeftButton);
        QVERIFY(dialog.statusText().contains(QStringLiteral("do not match")));
        // The right one: the phone is signed out, this device stays online.
        QSignalSpy phoneSignIn(phone.client.get(), &Client::signInRequired);
        dialog.repeatPasswordField()->setText(fresh);
        QTest::mouseClick(dialog.changePasswordButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.statusText().contains(QStringLiteral("was changed")), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(!phoneSignIn.isEmpty(), kWait);
        QVERIFY(dialog.currentPasswordField()->text().isEmpty());
        QCOMPARE(wendy->connectionState(), ConnectionState::Online);

        // Delete: only with the password typed, and only once confirmed.
        QTest::keyClicks(dialog.deletePasswordField(), fresh);
        QVERIFY(dialog.deleteAccountButton()->isEnabled());
        answerNextMessageBox(QMessageBox::Cancel);
        QTest::mouseClick(dialog.deleteAccountButton(), Qt::LeftButton);
        QTest::qWait(300);
        QVERIFY(dialog.isVisible());
        QCOMPARE(wendy->connectionState(), ConnectionState::Online);
        QSignalSpy signIn(wendy.client.get(), &Client::signInRequired);
        answerNextMessageBox(QMessageBox::Yes);
        QTest::mouseClick(dialog.deleteAccountButton(), Qt::LeftButton);
        // The dialog closes and the app asks for a sign-in.
        QTRY_VERIFY_WITH_TIMEOUT(!signIn.isEmpty(), kWait);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(api.post(QStringLiteral("/v1/channels"), {}, wendy.token).status, 401);

        // Xena's window now shows wendy's old message as from a deleted user.
        QTRY_COMPARE_WITH_TIMEOUT(senderOf(seq), QStringLiteral("deleted user"), kWait);
    }

    void accountDialogLogsOutEverywhere()
    {
        HttpTestApi api(m_gw->httpUrl());
        TestClient laptop, phone;
        laptop.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("yusuf")));
        phone.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("yusuf")));
        QVERIFY(laptop.waitOnline() && phone.waitOnline());
        AccountDialog dialog(&*laptop.client);
        dialog.show();
        // No: nothing happens.
        answerNextMessageBox(QMessageBox::No);
        QTest::mouseClick(dialog.logOutEverywhereButton(), Qt::LeftButton);
        QTest::qWait(300);
        QCOMPARE(phone->connectionState(), ConnectionState::Online);
        QSignalSpy laptopSignIn(laptop.client.get(), &Client::signInRequired);
        QSignalSpy phoneSignIn(phone.client.get(), &Client::signInRequired);
        answerNextMessageBox(QMessageBox::Yes);
        QTest::mouseClick(dialog.logOutEverywhereButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!laptopSignIn.isEmpty(), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(!phoneSignIn.isEmpty(), kWait);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(api.post(QStringLiteral("/v1/channels"), {}, laptop.token).status, 401);
        QCOMPARE(api.post(QStringLiteral("/v1/channels"), {}, phone.token).status, 401);
    }
};

QTEST_MAIN(UiAccount)
#include "tst_ui_account.moc"
