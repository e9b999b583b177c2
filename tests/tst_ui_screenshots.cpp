// Screenshots of the main window for people to look at (not golden images): light and dark,
// English and Chinese text, under a real X server (xvfb-run). Each must show something.
#include "DesktopTheme.h"
#include "DeviceApprovalBar.h"
#include "E2eeTestHelpers.h"
#include "InvitationBar.h"
#include "MainWindow.h"
#include "MessageView.h"
#include "Translations.h"
#include "UiTestHelpers.h"

#include <QApplication>
#include <QDir>
#include <QImage>
#include <QMenuBar>
#include <QMessageBox>
#include <QPalette>
#include <QScreen>
#include <QStyleFactory>

// Waits on the network are generous: CI shares two cores between parallel suites.
static constexpr int kWait = 15000;
using hchat::test::GatewayProcess;
using hchat::test::HttpTestApi;
using hchat::test::showOnChannel;
using hchat::test::TestClient;
using hchat::ui::MainWindow;

namespace {
// Distinct colours in a coarse sample: a blank or single-colour image has one or two.
int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}
} // namespace

class Screenshots : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void mainWindowScreenshots_data();
    void mainWindowScreenshots();
    void invitationScreenshot();
    void deviceApprovalScreenshots();
    void richMessagesScreenshots_data();
    void richMessagesScreenshots();

private:
    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<TestClient> m_viewer;
    std::unique_ptr<TestClient> m_ren, m_yun; // issue 23: a direct channel, encrypted
    QString m_outDir;
};

void Screenshots::initTestCase()
{
    QVERIFY2(QGuiApplication::platformName() == QLatin1String("xcb"),
             "run under xvfb-run (QT_QPA_PLATFORM=xcb)");
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    m_outDir = QStringLiteral(HCHAT_BINARY_DIR "/screenshots");
    QDir().mkpath(m_outDir);
    m_gateway = std::make_unique<GatewayProcess>();
    QVERIFY(m_gateway->start());
    HttpTestApi api(m_gateway->httpUrl());
    m_viewer = std::make_unique<TestClient>();
    TestClient friendClient;
    m_viewer->connectTo({m_gateway->wsUrl()}, api.account(QStringLiteral("mei")));
    friendClient.connectTo({m_gateway->wsUrl()}, api.account(QStringLiteral("li")));
    QVERIFY(m_viewer->waitOnline());
    QVERIFY(friendClient.waitOnline());
    for (const char *ch : {"general", "design", "release"}) {
        QVERIFY(m_viewer->run((*m_viewer)->joinChannel(QString::fromLatin1(ch))));
        QVERIFY(friendClient.run(friendClient->joinChannel(QString::fromLatin1(ch))));
    }
    const QStringList lines{QStringLiteral("Good morning! The build is green again."),
                            QStringLiteral("早上好！今天下午三点开会，别忘了带上设计稿。"),
                            QStringLiteral("Release notes: https://example.org/hchat/0.1"),
                            QStringLiteral("收到，我会准时参加。")};
    for (int i = 0; i < lines.size(); ++i) {
        auto &from = i % 2 ? *m_viewer : friendClient;
        from->sendMessage(QStringLiteral("general"), lines.at(i));
        QTRY_VERIFY_WITH_TIMEOUT(from.store()->maxSeq(QStringLiteral("general")) >= quint64(3 + i), kWait);
    }
    friendClient->sendMessage(QStringLiteral("design"), QStringLiteral("New icons are in."));
    QTRY_VERIFY_WITH_TIMEOUT(m_viewer->store()->maxSeq(QStringLiteral("design")) >= 3, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_viewer->store()->maxSeq(QStringLiteral("general")) >= 6, 10000);
    // Issue 23: a Markdown message with a code block, bold text, inline code and a link.
    friendClient->sendMessage(
        QStringLiteral("general"),
        QStringLiteral("The build is fixed — **run it again** with `-j2`:\n"
                       "```\ncmake --preset default\ncmake --build build -j2\n```\n"
                       "Details in [the release notes](https://example.org/hchat/0.1)."));
    QTRY_VERIFY_WITH_TIMEOUT(m_viewer->store()->maxSeq(QStringLiteral("general")) >= 7, 10000);
}

void Screenshots::mainWindowScreenshots_data()
{
    QTest::addColumn<bool>("dark");
    QTest::addColumn<QString>("locale");
    QTest::newRow("light-en") << false << QStringLiteral("en_US");
    QTest::newRow("dark-en") << true << QStringLiteral("en_US");
    QTest::newRow("light-zh") << false << QStringLiteral("zh_CN");
    QTest::newRow("dark-zh") << true << QStringLiteral("zh_CN");
}

void Screenshots::mainWindowScreenshots()
{
    QFETCH(bool, dark);
    QFETCH(QString, locale);
    QLocale::setDefault(QLocale(locale));
    // The app's own translation and dark palette, as hchat installs them.
    const QString language = hchat::ui::Translations::install(locale);
    if (locale.startsWith(QLatin1String("zh")))
        QCOMPARE(language.left(2), QStringLiteral("zh"));
    QApplication::setPalette(dark ? hchat::ui::DesktopTheme::darkPalette()
                                  : QApplication::style()->standardPalette());
    MainWindow window(&*m_viewer->client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, QStringLiteral("general")));
    QTest::qWait(300);
    const QImage shot = window.screen()->grabWindow(window.winId()).toImage();
    const QString path =
        QStringLiteral("%1/main-window-%2.png").arg(m_outDir, QString::fromLatin1(QTest::currentDataTag()));
    QVERIFY(shot.save(path));
    QVERIFY2(shot.width() >= 900 && shot.height() >= 600, qPrintable(path));
    QVERIFY2(distinctColours(shot) > 20, qPrintable(QStringLiteral("%1 looks blank").arg(path)));
    // The menu bar speaks the language of the screenshot.
    const QString chatMenu = window.menuBar()->actions().first()->text();
    QVERIFY2(locale.startsWith(QLatin1String("zh")) ? chatMenu.contains(QStringLiteral("聊天"))
                                                    : chatMenu == QStringLiteral("&Chat"),
             qPrintable(chatMenu));
    hchat::ui::Translations::install(QStringLiteral("en"));
    QLocale::setDefault(QLocale::c());
}

// An invitation to an encrypted channel, as its invitee sees it: the bar in place of the composer.
void Screenshots::invitationScreenshot()
{
    QApplication::setPalette(QApplication::style()->standardPalette());
    auto alice = hchat::test::e2eeUser(*m_gateway, QStringLiteral("wen"));
    auto bob = hchat::test::e2eeUser(*m_gateway, QStringLiteral("tao"));
    QVERIFY(alice->run((*alice)->createChannel(
        QStringLiteral("roadmap"), hchat::ChannelRecord::Kind::InviteOnly, {QStringLiteral("tao")})));
    QTRY_VERIFY_WITH_TIMEOUT(!(*bob)->invitationFrom(QStringLiteral("roadmap")).isEmpty(), kWait);
    MainWindow window(&*bob->client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, QStringLiteral("roadmap")));
    auto *bar = window.findChild<hchat::ui::InvitationBar *>(QStringLiteral("invitationBar"));
    QVERIFY(bar && bar->isVisible());
    QTest::qWait(300);
    const QImage shot = window.screen()->grabWindow(window.winId()).toImage();
    const QString path = m_outDir + QStringLiteral("/invitation-light-en.png");
    QVERIFY(shot.save(path));
    QVERIFY2(distinctColours(shot) > 20, qPrintable(QStringLiteral("%1 looks blank").arg(path)));
}

// A second device of the same account: its window waiting with the code, and the first device's
// question with the same code.
void Screenshots::deviceApprovalScreenshots()
{
    QApplication::setPalette(QApplication::style()->standardPalette());
    const QString nick = QStringLiteral("mei");
    auto desktop = hchat::test::e2eeUser(*m_gateway, nick);
    QTRY_COMPARE_WITH_TIMEOUT((*desktop)->deviceApprovalState(), hchat::DeviceApproval::State::Approved,
                              kWait);
    auto laptop = hchat::test::e2eeUser(*m_gateway, nick);
    MainWindow laptopWindow(&*laptop->client);
    laptopWindow.resize(1000, 640);
    laptopWindow.show();
    QVERIFY(QTest::qWaitForWindowExposed(&laptopWindow));
    auto *bar = laptopWindow.findChild<hchat::ui::DeviceApprovalBar *>(QStringLiteral("deviceApprovalBar"));
    QTRY_VERIFY_WITH_TIMEOUT(bar && bar->isVisible(), kWait);
    QTest::qWait(300);
    const QImage waiting = laptopWindow.screen()->grabWindow(laptopWindow.winId()).toImage();
    const QString waitingPath = m_outDir + QStringLiteral("/device-approval-waiting-light-en.png");
    QVERIFY(waiting.save(waitingPath));
    QVERIFY2(distinctColours(waiting) > 20, qPrintable(QStringLiteral("%1 looks blank").arg(waitingPath)));
    laptopWindow.hide();
    QTRY_VERIFY_WITH_TIMEOUT((*desktop)->devicesAwaitingApproval().contains((*laptop)->deviceId()), kWait);
    MainWindow desktopWindow(&*desktop->client); // asks about the waiting device when it opens
    desktopWindow.resize(1000, 640);
    desktopWindow.show();
    const QString boxName = QStringLiteral("approveDevice-") + (*laptop)->deviceId();
    QTRY_VERIFY_WITH_TIMEOUT(desktopWindow.findChild<QMessageBox *>(boxName), kWait);
    auto *box = desktopWindow.findChild<QMessageBox *>(boxName);
    QVERIFY(QTest::qWaitForWindowExposed(box));
    QTest::qWait(300);
    const QImage question = box->screen()->grabWindow(box->winId()).toImage();
    const QString questionPath = m_outDir + QStringLiteral("/device-approval-question-light-en.png");
    QVERIFY(question.save(questionPath));
    QVERIFY2(distinctColours(question) > 20, qPrintable(QStringLiteral("%1 looks blank").arg(questionPath)));
    box->reject();
}

void Screenshots::richMessagesScreenshots_data()
{
    mainWindowScreenshots_data();
}

// Issue 23: the rendered code block, the attach button and the lock of an encrypted channel, drawn
// from the bundled icons (no icon theme, no emoji font).
void Screenshots::richMessagesScreenshots()
{
    QFETCH(bool, dark);
    QFETCH(QString, locale);
    QIcon::setThemeSearchPaths({});
    QIcon::setThemeName(QStringLiteral("hchat-no-such-theme"));
    auto &ren = m_ren;
    if (!ren) {
        ren = hchat::test::e2eeUser(*m_gateway, QStringLiteral("ren"));
        m_yun = hchat::test::e2eeUser(*m_gateway, QStringLiteral("yun"));
        QString direct;
        QVERIFY(ren->run((*ren)->openDirectChannel(QStringLiteral("yun"), &direct)));
        QVERIFY(hchat::test::waitE2eeReady(*ren, {QStringLiteral("yun")}));
        QVERIFY(hchat::test::sendAndWait(*ren, direct, QStringLiteral("The keys are in the drawer.")) > 0);
        QVERIFY(ren->run((*ren)->joinChannel(QStringLiteral("general"))));
        QTRY_VERIFY_WITH_TIMEOUT(ren->store()->maxSeq(QStringLiteral("general")) >= 7, kWait);
    }
    QLocale::setDefault(QLocale(locale));
    hchat::ui::Translations::install(locale);
    QApplication::setPalette(dark ? hchat::ui::DesktopTheme::darkPalette()
                                  : QApplication::style()->standardPalette());
    MainWindow window(&*ren->client);
    window.resize(1000, 640);
    QVERIFY(showOnChannel(window, QStringLiteral("general")));
    QTest::qWait(300);
    window.messageView()->scrollToBottom();
    QTest::qWait(200);
    const QImage shot = window.screen()->grabWindow(window.winId()).toImage();
    const QString path =
        QStringLiteral("%1/rich-messages-%2.png").arg(m_outDir, QString::fromLatin1(QTest::currentDataTag()));
    QVERIFY(shot.save(path));
    QVERIFY2(distinctColours(shot) > 20, qPrintable(QStringLiteral("%1 looks blank").arg(path)));
    hchat::ui::Translations::install(QStringLiteral("en"));
    QLocale::setDefault(QLocale::c());
}

QTEST_MAIN(Screenshots)
#include "tst_ui_screenshots.moc"
