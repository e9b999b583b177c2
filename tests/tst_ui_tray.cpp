// The tray icon with a real StatusNotifierItem host on a private session bus, under a real X
// server (xvfb-run): the test plays the desktop's tray (org.kde.StatusNotifierWatcher, served from
// its own thread because Qt asks it synchronously), sees HChat's item register, reads the unread
// total from the item's tooltip over D-Bus, opens the window from the tray's menu, and checks
// close-to-tray. Without a tray host there is no icon (the first case, before the host exists).
#include "ChannelListModel.h"
#include "CoreTestHelpers.h"
#include "MainWindow.h"
#include "UiSettings.h"
#include "UiTestHelpers.h"

#include <QApplication>
#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCall>
#include <QDBusVariant>
#include <QMutex>
#include <QSystemTrayIcon>
#include <QThread>

static constexpr int kWait = 15000;
using namespace hchat;
using namespace hchat::test;
using namespace hchat::ui;

namespace {
const QString kWatcherService = QStringLiteral("org.kde.StatusNotifierWatcher");
const QString kWatcherPath = QStringLiteral("/StatusNotifierWatcher");

class FakeTrayHost : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.StatusNotifierWatcher")
    Q_PROPERTY(bool IsStatusNotifierHostRegistered READ isHostRegistered)
    Q_PROPERTY(int ProtocolVersion READ protocolVersion)
    Q_PROPERTY(QStringList RegisteredStatusNotifierItems READ items)
public:
    bool attach()
    {
        QDBusConnection bus =
            QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("tray-host"));
        return bus.registerObject(kWatcherPath, this,
                                  QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllProperties |
                                      QDBusConnection::ExportAllSignals) &&
               bus.registerService(kWatcherService);
    }
    bool isHostRegistered() const { return true; }
    int protocolVersion() const { return 0; }
    QStringList items() const
    {
        QMutexLocker lock(&m_mutex);
        return m_items;
    }

public slots:
    void RegisterStatusNotifierItem(const QString &service)
    {
        {
            QMutexLocker lock(&m_mutex);
            m_items << service;
        }
        emit StatusNotifierItemRegistered(service);
    }
    void RegisterStatusNotifierHost(const QString &) {}

signals:
    void StatusNotifierItemRegistered(const QString &service);

private:
    mutable QMutex m_mutex;
    QStringList m_items;
};

// An asynchronous call, waited for while the event loop runs (the item lives in this thread).
QDBusMessage callAndWait(const QDBusMessage &call)
{
    QDBusPendingCall pending = QDBusConnection::sessionBus().asyncCall(call, kWait);
    QDeadlineTimer d(kWait);
    while (!pending.isFinished() && !d.hasExpired())
        QTest::qWait(10);
    return pending.reply();
}

QString trayTooltip(const QString &service)
{
    QDBusMessage get = QDBusMessage::createMethodCall(service, QStringLiteral("/StatusNotifierItem"),
                                                      QStringLiteral("org.freedesktop.DBus.Properties"),
                                                      QStringLiteral("Get"));
    get << QStringLiteral("org.kde.StatusNotifierItem") << QStringLiteral("ToolTip");
    const QDBusMessage reply = callAndWait(get);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
        return QStringLiteral("<error: %1>").arg(reply.errorMessage());
    const QDBusArgument arg =
        reply.arguments().first().value<QDBusVariant>().variant().value<QDBusArgument>();
    QString icon, title, subTitle;
    arg.beginStructure();
    arg >> icon;
    arg.beginArray();
    while (!arg.atEnd()) {
        int w = 0, h = 0;
        QByteArray pixels;
        arg.beginStructure();
        arg >> w >> h >> pixels;
        arg.endStructure();
    }
    arg.endArray();
    arg >> title >> subTitle;
    arg.endStructure();
    return title;
}

// dbusmenu layout (ia{sv}av): the label → id of every item.
void collectLabels(const QDBusArgument &arg, QHash<QString, int> &out)
{
    int id = 0;
    QVariantMap props;
    arg.beginStructure();
    arg >> id >> props;
    if (props.contains(QStringLiteral("label")))
        out.insert(props.value(QStringLiteral("label")).toString().remove(QLatin1Char('_')), id);
    arg.beginArray();
    while (!arg.atEnd()) {
        QDBusVariant child;
        arg >> child;
        collectLabels(child.variant().value<QDBusArgument>(), out);
    }
    arg.endArray();
    arg.endStructure();
}

QHash<QString, int> trayMenu(const QString &service)
{
    QDBusMessage call =
        QDBusMessage::createMethodCall(service, QStringLiteral("/MenuBar"),
                                       QStringLiteral("com.canonical.dbusmenu"), QStringLiteral("GetLayout"));
    call << 0 << -1 << QStringList();
    const QDBusMessage reply = callAndWait(call);
    QHash<QString, int> labels;
    if (reply.type() == QDBusMessage::ReplyMessage && reply.arguments().size() == 2)
        collectLabels(reply.arguments().at(1).value<QDBusArgument>(), labels);
    return labels;
}

bool clickTrayMenu(const QString &service, int id)
{
    QDBusMessage call =
        QDBusMessage::createMethodCall(service, QStringLiteral("/MenuBar"),
                                       QStringLiteral("com.canonical.dbusmenu"), QStringLiteral("Event"));
    call << id << QStringLiteral("clicked") << QVariant::fromValue(QDBusVariant(QVariant(0))) << uint(0);
    return callAndWait(call).type() == QDBusMessage::ReplyMessage;
}
} // namespace

class UiTray : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QGuiApplication::platformName() == QLatin1String("xcb"),
                 "run under xvfb-run (QT_QPA_PLATFORM=xcb)");
        m_gw = std::make_unique<GatewayProcess>();
        QVERIFY(m_gw->start());
    }

    void cleanupTestCase()
    {
        if (m_host) {
            QMetaObject::invokeMethod(m_host, &QObject::deleteLater);
            m_hostThread.quit();
            m_hostThread.wait();
        }
        m_gw.reset();
    }

    void trayShowsTheUnreadTotalAndItsMenuOpensTheWindow()
    {
        // The desktop's tray host appears before anything asks whether a tray exists (Qt asks once).
        m_hostThread.start();
        m_host = new FakeTrayHost;
        m_host->moveToThread(&m_hostThread);
        bool attached = false;
        QMetaObject::invokeMethod(
            m_host, [&] { attached = m_host->attach(); }, Qt::BlockingQueuedConnection);
        QVERIFY(attached);
        QVERIFY(QSystemTrayIcon::isSystemTrayAvailable());

        HttpTestApi api(m_gw->httpUrl());
        TestClient tina, sam;
        tina.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("tina")));
        sam.connectTo({m_gw->wsUrl()}, api.account(QStringLiteral("sam")));
        QVERIFY(tina.waitOnline() && sam.waitOnline());
        for (const char *ch : {"lobby", "news"}) {
            QVERIFY(tina.run(tina->joinChannel(QString::fromLatin1(ch))));
            QVERIFY(sam.run(sam->joinChannel(QString::fromLatin1(ch))));
        }
        MainWindow window(&*tina.client);
        QVERIFY(showOnChannel(window, QStringLiteral("lobby")));
        QVERIFY(window.trayIcon());
        QTRY_VERIFY_WITH_TIMEOUT(!m_host->items().isEmpty(), kWait);
        const QString item = m_host->items().first();
        QTRY_COMPARE_WITH_TIMEOUT(trayTooltip(item), QStringLiteral("HChat"), kWait);

        // Three messages in the channel that is not open: the tray says so.
        for (int i = 0; i < 3; ++i)
            QVERIFY(sam->sendMessage(QStringLiteral("news"), QStringLiteral("headline %1").arg(i)) > 0);
        QTRY_VERIFY_WITH_TIMEOUT(trayTooltip(item).contains(QStringLiteral("3 unread")), kWait);

        // The tray's menu: Show HChat and Quit; "Show HChat" brings a hidden window back.
        const QHash<QString, int> menu = trayMenu(item);
        QVERIFY2(menu.contains(QStringLiteral("Show HChat")) && menu.contains(QStringLiteral("Quit")),
                 qPrintable(QStringList(menu.keys()).join(QLatin1Char(','))));
        // Close-to-tray is on by default where a tray exists: closing hides the window.
        window.settings()->setCloseToTray(true);
        window.close();
        QVERIFY(!window.isVisible());
        QVERIFY(window.trayIcon()->isVisible());
        QVERIFY(clickTrayMenu(item, menu.value(QStringLiteral("Show HChat"))));
        QTRY_VERIFY_WITH_TIMEOUT(window.isVisible(), kWait);

        // With the option off, closing the window closes it.
        window.settings()->setCloseToTray(false);
        QVERIFY(window.close());
        QVERIFY(!window.isVisible());
    }

private:
    std::unique_ptr<GatewayProcess> m_gw;
    QThread m_hostThread;
    FakeTrayHost *m_host = nullptr;
};

QTEST_MAIN(UiTray)
#include "tst_ui_tray.moc"
