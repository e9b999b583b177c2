// The sign-in dialog: a bare host:port means TLS (except on this machine), and an explicit
// http:// to another machine is used only after the user confirmed a clear warning. No
// connection leaves the machine: a RecordingProxy is the application proxy and shows where the
// dialog's client tried to go.
#include "CoreTestHelpers.h"
#include "RecordingProxy.h"
#include "SignInDialog.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>

static constexpr int kWait = 15000;
using hchat::test::RecordingProxy;
using hchat::test::TestClient;
using hchat::ui::SignInDialog;

namespace {
enum class Answer { Cancel, Connect };
// Answers the cleartext warning if it shows within timeoutMs; *shown tells whether it did.
void answerCleartextWarning(Answer answer, bool *shown, int timeoutMs = kWait)
{
    *shown = false;
    QTimer::singleShot(0, qApp, [answer, shown, timeoutMs] {
        QDeadlineTimer d(timeoutMs);
        while (!d.hasExpired()) {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (box && box->objectName() == QLatin1String("cleartextWarning")) {
                *shown = true;
                if (answer == Answer::Connect)
                    box->findChild<QPushButton *>(QStringLiteral("cleartextConnect"))->click();
                else
                    box->button(QMessageBox::Cancel)->click();
                return;
            }
            QTest::qWait(20);
        }
    });
}

void fillIn(SignInDialog &dialog, const QString &gateway)
{
    dialog.findChild<QLineEdit *>(QStringLiteral("gateway"))->setText(gateway);
    dialog.findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("olga"));
    dialog.findChild<QLineEdit *>(QStringLiteral("password"))->setText(QStringLiteral("a long password"));
}
} // namespace

class UiCleartext : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(m_proxy.install()); }
    void init() { m_proxy.clear(); }

    void aBareAddressMeansTlsExceptOnThisMachine()
    {
        const QList<QPair<QString, QString>> cases{
            {QStringLiteral("example.invalid:8745"), QStringLiteral("wss://example.invalid:8745/ws")},
            {QStringLiteral("10.0.0.1:8745"), QStringLiteral("wss://10.0.0.1:8745/ws")},
            {QStringLiteral("127.0.0.1:8745"), QStringLiteral("ws://127.0.0.1:8745/ws")},
            {QStringLiteral("127.1.2.3:8745"), QStringLiteral("ws://127.1.2.3:8745/ws")},
            {QStringLiteral("localhost:8745"), QStringLiteral("ws://localhost:8745/ws")},
            {QStringLiteral("[::1]:8745"), QStringLiteral("ws://[::1]:8745/ws")},
            {QStringLiteral("https://example.invalid"), QStringLiteral("wss://example.invalid/ws")},
            {QStringLiteral("http://10.0.0.1:8745"), QStringLiteral("ws://10.0.0.1:8745/ws")},
            {QStringLiteral("http://127.0.0.1:8745"), QStringLiteral("ws://127.0.0.1:8745/ws")},
        };
        for (const auto &[typed, expected] : cases)
            QCOMPARE(SignInDialog::webSocketUrlFor(typed).toString(), expected);
    }

    // Typed without a scheme, another machine is reached over TLS, with no question asked.
    void aBareRemoteAddressSignsInOverTls()
    {
        TestClient client;
        SignInDialog dialog(&*client.client, QStringLiteral("127.0.0.1:8745"));
        dialog.show();
        fillIn(dialog, QStringLiteral("example.invalid:8745"));
        bool warned = false;
        answerCleartextWarning(Answer::Cancel, &warned, 1000);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("logIn")), Qt::LeftButton);
        QCOMPARE(client->gatewayUrls(), QList<QUrl>{QUrl(QStringLiteral("wss://example.invalid:8745/ws"))});
        // Through the proxy, as a TLS tunnel: nothing was sent in the clear, nothing left the machine.
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy.sawRequestFor("CONNECT example.invalid:8745"), kWait);
        QVERIFY(!warned);
    }

    void cleartextToAnotherMachineAsksFirst()
    {
        const QUrl remote(QStringLiteral("ws://10.0.0.1:8745/ws"));
        TestClient client;
        SignInDialog dialog(&*client.client, QStringLiteral("127.0.0.1:8745"));
        dialog.show();
        fillIn(dialog, QStringLiteral("http://10.0.0.1:8745"));
        auto *status = dialog.findChild<QLabel *>(QStringLiteral("status"));

        // Cancel: nothing changes and nothing is sent.
        bool warned = false;
        answerCleartextWarning(Answer::Cancel, &warned);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("logIn")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(warned, kWait);
        QVERIFY(client->gatewayUrls().isEmpty());
        QVERIFY(!client->isCleartextAllowed(remote));
        QVERIFY2(status->text().contains(QStringLiteral("Not connected")), qPrintable(status->text()));
        QVERIFY(dialog.isVisible());
        QTest::qWait(300);
        QVERIFY2(m_proxy.requestLines().isEmpty(), m_proxy.requestLines().join('\n').constData());

        // Connect without encryption: allowed for this gateway (kept in the profile) and used.
        answerCleartextWarning(Answer::Connect, &warned);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("logIn")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(warned, kWait);
        QCOMPARE(client->gatewayUrls(), QList<QUrl>{remote});
        QVERIFY(client->isCleartextAllowed(remote));
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy.sawRequestFor("http://10.0.0.1:8745/v1/login"), kWait);

        // Asked once: the next sign-in to the same gateway goes without the question.
        QTRY_VERIFY_WITH_TIMEOUT(dialog.findChild<QPushButton *>(QStringLiteral("logIn"))->isEnabled(),
                                 kWait);
        m_proxy.clear();
        answerCleartextWarning(Answer::Cancel, &warned, 1000);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("logIn")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy.sawRequestFor("http://10.0.0.1:8745/v1/login"), kWait);
        QVERIFY(!warned);
    }

    // ./run.sh's gateway: plain WebSocket on this machine, no question.
    void aGatewayOnThisMachineNeedsNoQuestion()
    {
        TestClient client;
        SignInDialog dialog(&*client.client, QStringLiteral("127.0.0.1:1"));
        dialog.show();
        fillIn(dialog, QStringLiteral("http://127.0.0.1:1"));
        bool warned = false;
        answerCleartextWarning(Answer::Cancel, &warned, 1000);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("logIn")), Qt::LeftButton);
        QCOMPARE(client->gatewayUrls(), QList<QUrl>{QUrl(QStringLiteral("ws://127.0.0.1:1/ws"))});
        QTest::qWait(300);
        QVERIFY(!warned);
    }

private:
    RecordingProxy m_proxy;
};

QTEST_MAIN(UiCleartext)
#include "tst_ui_cleartext.moc"
