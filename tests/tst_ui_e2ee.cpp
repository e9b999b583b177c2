// The real widgets with an encrypted channel against the real gateway: a message shown as
// "waiting for the key" turns into its text when the key arrives; a new device of a contact
// raises the loud key-change banner, and accepting it clears the warning.
#include "ChannelListModel.h"
#include "Composer.h"
#include "DeviceApprovalBar.h"
#include "DevicesDialog.h"
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"
#include "InvitationBar.h"
#include "KeyChangeBanner.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "SafetyNumberDialog.h"
#include "UiTestHelpers.h"

#include <QPushButton>
#include <QTreeWidget>

#include "hchat.pb.h"

#include <QLabel>
#include <QMessageBox>
#include <QPushButton>

static constexpr int kWait = 20000;
using namespace hchat;
using namespace hchat::test;
using hchat::test::rowOfSeq;
using hchat::test::rowOfText;
using hchat::ui::KeyChangeBanner;
using hchat::ui::MainWindow;
using hchat::ui::MessageListModel;

namespace {
// The row of one device of nick in the devices dialog's list of people.
QTreeWidgetItem *peerDevice(QTreeWidget *tree, const QString &nick, const QString &deviceId)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *person = tree->topLevelItem(i);
        if (person->text(0) != nick)
            continue;
        for (int j = 0; j < person->childCount(); ++j) {
            if (person->child(j)->toolTip(0) == deviceId)
                return person->child(j);
        }
    }
    return nullptr;
}
} // namespace

class UiE2ee : public GatewaySuite {
    Q_OBJECT
private slots:
    void waitingForKeyTurnsIntoText();
    void anInvitationIsAnsweredInTheWindow();
    void aNewDeviceIsApprovedInTheWindowByItsCode();
};

void UiE2ee::waitingForKeyTurnsIntoText()
{
    const QString ch = QStringLiteral("hush");
    auto alice = e2eeUser(*m_gw, QStringLiteral("ualice"));
    QVERIFY((*alice)->isEncryptionReady());

    // Bob accepts the invitation on his device; then his app starts again without access to its
    // identity (a locked keychain): what arrives meanwhile waits for the key.
    HttpTestApi api(m_gw->httpUrl());
    const QString token = api.account(QStringLiteral("ubob"));
    QTemporaryDir bobProfile(scratchRoot() + QStringLiteral("/ubob-XXXXXX"));
    std::optional<crypto::DeviceIdentity> identity;
    {
        TestClient first(bobProfile.path());
        first->setIdentityStore(std::make_unique<MemoryIdentityStore>());
        first.connectTo({m_gw->wsUrl()}, token);
        QVERIFY(first.waitOnline(kWait));
        QTRY_VERIFY_WITH_TIMEOUT(first->isEncryptionReady(), kWait);
        QVERIFY(alice->run(
            (*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {QStringLiteral("ubob")})));
        QVERIFY(acceptInvitation(first, ch));
        QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, QStringLiteral("ubob")), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(knowsKeysOf(*alice, {QStringLiteral("ubob")}), kWait);
        const auto secret = first->crypto()->identity()->exportSecret();
        identity = crypto::DeviceIdentity::fromSecret(secret.view());
        QVERIFY(identity);
        first->disconnectFromGateway();
    }
    TestClient bob(bobProfile.path());
    bob.connectTo({m_gw->wsUrl()}, token);
    QVERIFY(bob.waitOnline(kWait));

    MainWindow window(&*bob.client);
    window.show();
    const quint64 seq = sendAndWait(*alice, ch, QStringLiteral("the parcel is under the bench"));
    QVERIFY(seq > 0);
    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->maxSeq(ch) >= seq, kWait);
    window.openChannel(ch);
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(model, seq) >= 0, kWait);
    QModelIndex index = model->index(rowOfSeq(model, seq), 0);
    QCOMPARE(StoredMessage::CryptoState(index.data(MessageListModel::CryptoStateRole).toInt()),
             StoredMessage::CryptoState::WaitingForKey);
    QVERIFY(
        index.data(MessageListModel::TextRole).toString().contains(QStringLiteral("Waiting for the key")));
    QVERIFY(!index.data(MessageListModel::TextRole).toString().contains(QStringLiteral("parcel")));

    // The identity becomes available: the same row turns into the text, without reopening.
    auto store = std::make_unique<MemoryIdentityStore>();
    store->preset(bob->accountKey(), *identity);
    bob->setIdentityStore(std::move(store));
    bob->loadIdentityNow();
    QTRY_COMPARE_WITH_TIMEOUT(
        model->index(rowOfSeq(model, seq), 0).data(MessageListModel::TextRole).toString(),
        QStringLiteral("the parcel is under the bench"), kWait);
    index = model->index(rowOfSeq(model, seq), 0);
    QCOMPARE(StoredMessage::CryptoState(index.data(MessageListModel::CryptoStateRole).toInt()),
             StoredMessage::CryptoState::Decrypted);
    QCOMPARE(index.data(MessageListModel::SenderRole).toString(), QStringLiteral("ualice"));

    // Alice re-installs (a new device and identity): Bob's window warns loudly.
    auto *banner = window.keyChangeBanner();
    QVERIFY(banner && !banner->isVisible());
    auto aliceAgain = e2eeUser(*m_gw, QStringLiteral("ualice"));
    const QString newDevice = (*aliceAgain)->deviceId();
    QVERIFY(bob.run(bob->fetchKeys({QStringLiteral("ualice")})));
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kWait);
    QVERIFY(banner->text().contains(QStringLiteral("ualice")));
    QVERIFY(banner->text().contains(newDevice));
    QVERIFY(!bob->crypto()->trust().mayShareKeysWith(QStringLiteral("ualice"), newDevice));

    // The devices dialog lists it too, as not trusted, with Accept offered for it.
    {
        hchat::ui::DevicesDialog devices(&*bob.client);
        QTreeWidgetItem *item = peerDevice(devices.peerDevices(), QStringLiteral("ualice"), newDevice);
        QVERIFY(item);
        QVERIFY2(item->text(1).contains(QStringLiteral("new device")), qPrintable(item->text(1)));
        devices.peerDevices()->setCurrentItem(item);
        QVERIFY(devices.acceptButton()->isEnabled());
    }
    QTest::mouseClick(banner->acceptButton(), Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    QVERIFY(bob->crypto()->trust().mayShareKeysWith(QStringLiteral("ualice"), newDevice));

    // The safety-number dialog shows the 60 digits to compare.
    hchat::ui::SafetyNumberDialog dialog(&*bob.client, QStringLiteral("ualice"));
    QCOMPARE(dialog.number().remove(QLatin1Char(' ')).size(), 60);

    // "Mark as verified" after comparing: every trusted device of Alice becomes verified, the
    // button says so, and the devices dialog shows it.
    QVERIFY(dialog.verifyButton()->isEnabled());
    QTest::mouseClick(dialog.verifyButton(), Qt::LeftButton);
    QCOMPARE(bob->trustState(QStringLiteral("ualice")), crypto::TrustStore::State::Verified);
    QVERIFY(!dialog.verifyButton()->isEnabled());
    QCOMPARE(dialog.verifyButton()->text(), QStringLiteral("Verified"));
    hchat::ui::DevicesDialog devices(&*bob.client);
    QTreeWidgetItem *verified = peerDevice(devices.peerDevices(), QStringLiteral("ualice"), newDevice);
    QVERIFY(verified);
    QCOMPARE(verified->text(1), crypto::TrustStore::describe(crypto::TrustStore::State::Verified));
    QVERIFY(!devices.acceptButton()->isEnabled());
    // Its Safety number button asks the window for Alice's dialog.
    QSignalSpy asked(&devices, &hchat::ui::DevicesDialog::safetyNumberRequested);
    devices.peerDevices()->setCurrentItem(verified);
    QTest::mouseClick(devices.safetyNumberButton(), Qt::LeftButton);
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.first().at(0).toString(), QStringLiteral("ualice"));
}

// Bob is invited: the channel list says so, the window offers Accept and Decline instead of the
// composer (nothing can be written before), and Accept makes him a member.
void UiE2ee::anInvitationIsAnsweredInTheWindow()
{
    const QString ch = QStringLiteral("invite-ui");
    auto alice = e2eeUser(*m_gw, QStringLiteral("ialice"));
    auto bob = e2eeUser(*m_gw, QStringLiteral("ibob"));
    MainWindow window(&*bob->client);
    window.show();
    QVERIFY(
        alice->run((*alice)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {QStringLiteral("ibob")})));
    auto *channels = window.channelModel();
    QTRY_VERIFY_WITH_TIMEOUT(channels->rowOf(ch) >= 0 &&
                                 channels->index(channels->rowOf(ch))
                                     .data(hchat::ui::ChannelListModel::PreviewRole)
                                     .toString()
                                     .contains(QStringLiteral("Invitation from ialice")),
                             kWait);
    window.openChannel(ch);
    auto *bar = window.findChild<hchat::ui::InvitationBar *>(QStringLiteral("invitationBar"));
    QVERIFY(bar);
    QVERIFY(bar->isVisible());
    QVERIFY(!window.composer()->isEnabled());
    QVERIFY(!(*bob)->crypto()->isMember(ch, QStringLiteral("ibob")));
    bar->acceptButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT((*bob)->crypto()->isMember(ch, QStringLiteral("ibob")), kWait);
    QTRY_VERIFY_WITH_TIMEOUT(!bar->isVisible(), kWait);
    QVERIFY(window.composer()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT((*alice)->crypto()->isMember(ch, QStringLiteral("ibob")), kWait);
}

// Bob signs in on a second device: its window says it waits and shows a code; the window on his
// first device asks about it with the same code; Approve there, and the second device's bar goes.
void UiE2ee::aNewDeviceIsApprovedInTheWindowByItsCode()
{
    const QString nick = QStringLiteral("twodevicebob");
    auto desktop = e2eeUser(*m_gw, nick);
    QTRY_COMPARE_WITH_TIMEOUT((*desktop)->deviceApprovalState(), DeviceApproval::State::Approved, kWait);
    MainWindow desktopWindow(&*desktop->client);
    desktopWindow.show();
    // Written before the laptop existed (issue 22).
    const QString ch = QStringLiteral("notes-to-self");
    QVERIFY(desktop->run((*desktop)->createChannel(ch, ChannelRecord::Kind::InviteOnly, {})));
    QTRY_VERIFY_WITH_TIMEOUT((*desktop)->crypto()->isMember(ch, nick), kWait);
    const QString before = QStringLiteral("written before the laptop");
    const quint64 seq = sendAndWait(*desktop, ch, before);
    QVERIFY(seq > 0);
    auto laptop = e2eeUser(*m_gw, nick);
    MainWindow laptopWindow(&*laptop->client);
    laptopWindow.show();
    auto *bar = laptopWindow.findChild<hchat::ui::DeviceApprovalBar *>(QStringLiteral("deviceApprovalBar"));
    QVERIFY(bar);
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible(), kWait);
    // Unapproved, the laptop says what brings the key.
    QTRY_VERIFY_WITH_TIMEOUT(laptop->store()->maxSeq(ch) >= seq, kWait);
    laptopWindow.openChannel(ch);
    auto *model = laptopWindow.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(model, seq) >= 0, kWait);
    auto shown = [&] {
        return model->index(rowOfSeq(model, seq), 0).data(MessageListModel::TextRole).toString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(shown().contains(QStringLiteral("approve this device")), kWait);
    const QString code = (*laptop)->deviceApprovalCode();
    QCOMPARE(bar->findChild<QLabel *>(QStringLiteral("deviceApprovalCode"))->text(), code);

    const QString boxName = QStringLiteral("approveDevice-") + (*laptop)->deviceId();
    QTRY_VERIFY_WITH_TIMEOUT(desktopWindow.findChild<QMessageBox *>(boxName), kWait);
    auto *box = desktopWindow.findChild<QMessageBox *>(boxName);
    QVERIFY(box->text().contains(code));
    // The desktop's key banner does not treat the user's own new device as a stranger's.
    QCOMPARE(desktopWindow.findChild<KeyChangeBanner *>()->warningCount(), 0);
    box->findChild<QPushButton *>(QStringLiteral("approveDeviceButton"))->click();
    QTRY_COMPARE_WITH_TIMEOUT((*laptop)->deviceApprovalState(), DeviceApproval::State::Approved, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(!bar->isVisible(), kWait);
    QTRY_COMPARE_WITH_TIMEOUT((*desktop)->crypto()->trust().state(nick, (*laptop)->deviceId()),
                              crypto::TrustStore::State::Trusted, kWait);
    // Approved, it receives the desktop's keys: the old message turns into its text.
    QTRY_COMPARE_WITH_TIMEOUT(shown(), before, kWait);
}

QTEST_MAIN(UiE2ee)
#include "tst_ui_e2ee.moc"
