// Text from the network is shown as text: gateway errors, device names and ids, nicks, in labels,
// message boxes and tool tips. A label left at Qt::AutoText renders a string that starts like a
// tag as rich text (a link to click, an image loaded from a local file, text hidden by markup),
// so each of these places must show exactly the characters it was given. The gateway is real;
// a GatewayProxy in front of it plays a hostile one where the real gateway would not say such a
// thing (its error messages and device ids).
#include "AccountDialog.h"
#include "CoreTestHelpers.h"
#include "DevicesDialog.h"
#include "MainWindow.h"
#include "ProxiedGatewaySuite.h"
#include "SafetyNumberDialog.h"
#include "SignInDialog.h"
#include "UiTestHelpers.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTextDocument>
#include <QTreeWidget>

static constexpr int kWait = 15000;
using namespace hchat;
using namespace hchat::test;
using namespace hchat::ui;

namespace {
const QString kHostile =
    QStringLiteral("<b>bold</b> <img src=\"file:///etc/passwd\"> <a href=\"http://127.0.0.1/\">x</a>");

// What a widget shows for text in format: the characters themselves, or what the rich text
// renders to.
QString shown(const QString &text, Qt::TextFormat format)
{
    const bool rich = format == Qt::RichText || (format == Qt::AutoText && Qt::mightBeRichText(text));
    if (!rich)
        return text;
    QTextDocument doc;
    doc.setHtml(text);
    return doc.toPlainText();
}
QString shown(const QLabel *label)
{
    return shown(label->text(), label->textFormat());
}

// The gateway answers path with an error whose message is kHostile.
void failWithHostileError(GatewayProxy &proxy, const QByteArray &failingPath)
{
    proxy.setResponseHook(
        [failingPath](const QByteArray &, const QByteArray &path, int &status, QByteArray &body) {
            if (path != failingPath)
                return;
            hchat::v1::Error error;
            error.set_code(hchat::v1::ERROR_INVALID_ARGUMENT);
            error.set_message(kHostile.toStdString());
            status = 400;
            body = QByteArray::fromStdString(error.SerializeAsString());
        });
}

struct SeenBox {
    QString text;
    Qt::TextFormat format = Qt::AutoText;
    bool seen = false;
};
// Answers the next modal message box with button and records what it showed.
void answerNextMessageBox(QMessageBox::StandardButton button, SeenBox *seen)
{
    QTimer::singleShot(0, qApp, [button, seen] {
        QDeadlineTimer d(kWait);
        while (!d.hasExpired()) {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                seen->text = box->text();
                seen->format = box->textFormat();
                seen->seen = true;
                box->button(button)->click();
                return;
            }
            QTest::qWait(20);
        }
    });
}
} // namespace

class UiRemoteText : public ProxiedGatewaySuite {
    Q_OBJECT
private slots:
    void signInDialogShowsAGatewayErrorAsText()
    {
        failWithHostileError(*m_proxy, "/v1/login");
        TestClient client;
        SignInDialog dialog(&*client.client, QStringLiteral("127.0.0.1:%1").arg(m_proxy->port()));
        dialog.show();
        dialog.findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("olga"));
        dialog.findChild<QLineEdit *>(QStringLiteral("password"))->setText(QStringLiteral("some password"));
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("logIn")), Qt::LeftButton);
        auto *status = dialog.findChild<QLabel *>(QStringLiteral("status"));
        QTRY_COMPARE_WITH_TIMEOUT(status->text(), kHostile, kWait);
        QCOMPARE(shown(status), kHostile);
    }

    void accountDialogShowsAGatewayErrorAndTheNickAsText()
    {
        HttpTestApi api(m_gw->httpUrl());
        TestClient client;
        client.connectTo({m_proxy->wsUrl()}, api.account(QStringLiteral("pavel")));
        QVERIFY(client.waitOnline());
        failWithHostileError(*m_proxy, "/v1/account/password");
        AccountDialog dialog(&*client.client);
        dialog.show();
        QTest::keyClicks(dialog.currentPasswordField(), QStringLiteral("correct horse battery"));
        QTest::keyClicks(dialog.newPasswordField(), QStringLiteral("a fresh horse battery"));
        QTest::keyClicks(dialog.repeatPasswordField(), QStringLiteral("a fresh horse battery"));
        QTest::mouseClick(dialog.changePasswordButton(), Qt::LeftButton);
        auto *status = dialog.findChild<QLabel *>(QStringLiteral("accountStatus"));
        QTRY_COMPARE_WITH_TIMEOUT(status->text(), kHostile, kWait);
        QCOMPARE(shown(status), kHostile);

        // The question names the account as the gateway spelled it.
        SeenBox box;
        answerNextMessageBox(QMessageBox::No, &box);
        QTest::mouseClick(dialog.logOutEverywhereButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(box.seen, kWait);
        QCOMPARE(box.format, Qt::PlainText);
        QCOMPARE(client->connectionState(), ConnectionState::Online);
    }

    void devicesDialogShowsDeviceNamesIdsAndErrorsAsText()
    {
        // A device's name is whatever that device said when it logged in: the gateway keeps it.
        HttpTestApi api(m_gw->httpUrl());
        TestClient laptop, phone;
        laptop.connectTo({m_proxy->wsUrl()}, api.account(QStringLiteral("quinn")));
        QVERIFY(laptop.waitOnline());
        phone->setGatewayUrls({m_gw->wsUrl()});
        const QString name = QStringLiteral("<b>bold</b> <img src=\"file:///etc/passwd\">"); // 64 at most
        QVERIFY(
            phone.run(phone->logIn(QStringLiteral("quinn"), QStringLiteral("correct horse battery"), name)));
        // Device ids come from the gateway too.
        const QString hostileId = QStringLiteral("<i>id</i>");
        m_proxy->setResponseHook(
            [hostileId](const QByteArray &, const QByteArray &path, int &status, QByteArray &body) {
                hchat::v1::DeviceList list;
                if (path != "/v1/devices" || status != 200 ||
                    !list.ParseFromArray(body.constData(), int(body.size())))
                    return;
                for (auto &d : *list.mutable_devices())
                    if (!d.current())
                        d.set_device_id(hostileId.toStdString());
                body = QByteArray::fromStdString(list.SerializeAsString());
            });

        DevicesDialog dialog(&*laptop.client);
        dialog.show();
        QTreeWidget *own = dialog.ownDevices();
        QTRY_COMPARE_WITH_TIMEOUT(own->topLevelItemCount(), 2, kWait);
        QTreeWidgetItem *other = nullptr;
        for (int i = 0; i < own->topLevelItemCount(); ++i)
            if (!own->topLevelItem(i)->text(0).contains(QStringLiteral("(this device)")))
                other = own->topLevelItem(i);
        QVERIFY(other);
        QCOMPARE(other->text(0), name);
        QCOMPARE(shown(other->toolTip(0), Qt::AutoText), QStringLiteral("Device %1").arg(hostileId));

        SeenBox box;
        own->setCurrentItem(other);
        answerNextMessageBox(QMessageBox::Cancel, &box);
        QTest::mouseClick(dialog.revokeButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(box.seen, kWait);
        QVERIFY2(shown(box.text, box.format).contains(QStringLiteral("“%1”").arg(name)),
                 qPrintable(box.text));

        // The gateway's error when listing.
        failWithHostileError(*m_proxy, "/v1/devices");
        DevicesDialog again(&*laptop.client);
        again.show();
        auto *status = again.findChild<QLabel *>(QStringLiteral("devicesStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(kHostile), kWait);
        QCOMPARE(shown(status), QStringLiteral("Could not list your devices: %1").arg(kHostile));
    }

    void safetyNumberDialogShowsTheNickAsText()
    {
        TestClient client;
        SafetyNumberDialog dialog(&*client.client, kHostile);
        int naming = 0;
        for (const QLabel *label : dialog.findChildren<QLabel *>()) {
            if (!label->text().contains(kHostile))
                continue;
            ++naming;
            QCOMPARE(shown(label), label->text());
        }
        QVERIFY(naming >= 2); // the introduction and "no keys known"
    }

    // The channel header (title of a channel or the other member's nick), the typing line and the
    // connection status; the device approval question names a device id the gateway sent.
    void windowShowsRemoteTextAsText()
    {
        HttpTestApi api(m_gw->httpUrl());
        TestClient client;
        client.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("rosa")));
        QVERIFY(client.waitOnline());
        QVERIFY(client.run(client->joinChannel(QStringLiteral("lounge"))));
        MainWindow window(&*client.client);
        QVERIFY(showOnChannel(window, QStringLiteral("lounge")));
        for (const char *name : {"channelHeader", "typingLine", "connectionStatus"}) {
            auto *label = window.findChild<QLabel *>(QString::fromLatin1(name));
            QVERIFY2(label, name);
            QCOMPARE(label->textFormat(), Qt::PlainText);
        }
        const QString deviceId = QStringLiteral("<i>x</i>abcdef");
        window.approveDeviceDialog(deviceId, QStringLiteral("12345"));
        auto *box = window.findChild<QMessageBox *>(QStringLiteral("approveDevice-") + deviceId);
        QVERIFY(box);
        QVERIFY2(shown(box->text(), box->textFormat()).contains(QStringLiteral("<i>x</i>")),
                 qPrintable(box->text()));
        box->reject();
    }
};

QTEST_MAIN(UiRemoteText)
#include "tst_ui_remote_text.moc"
