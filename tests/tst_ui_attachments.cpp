// Attachments in the window against the real gateway: a file sent from the window shows a
// progress bar that climbs to the end and then the message with the image's inline thumbnail;
// the other member's window offers the file, downloads it with progress when it is opened and
// hands the finished file to the desktop, but a program or script only after the user confirmed;
// files dropped on the window are sent.
#include "CoreTestHelpers.h"
#include "GatewaySuite.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "TransferPanel.h"
#include "UiTestHelpers.h"

#include <QCryptographicHash>
#include <QDesktopServices>
#include <QDropEvent>
#include <QImage>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>

static constexpr int kWait = 30000;
using namespace hchat;
using namespace hchat::test;
using hchat::TransferId;
using hchat::ui::MainWindow;
using hchat::ui::MessageListModel;
using hchat::ui::TransferPanel;

namespace {

// A noisy image, so that its PNG is several upload chunks long.
QString writeNoisyPng(const QString &path, int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    QRandomGenerator rng(42);
    for (int y = 0; y < height; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x)
            line[x] = qRgb(int(rng.bounded(256)), (x * 255) / width, (y * 255) / height);
    }
    return image.save(path, "PNG") ? path : QString();
}

QByteArray sha256Of(const QString &path)
{
    QFile f(path);
    QCryptographicHash h(QCryptographicHash::Sha256);
    return f.open(QIODevice::ReadOnly) && h.addData(&f) ? h.result() : QByteArray();
}

int rowOfKind(const QAbstractItemModel *model, MessageKind kind)
{
    for (int row = model->rowCount() - 1; row >= 0; --row)
        if (model->index(row, 0).data(MessageListModel::KindRole).toInt() == int(kind) &&
            model->index(row, 0).data(MessageListModel::SeqRole).toULongLong() != 0)
            return row;
    return -1;
}

// Shows the window on channel and waits for its attachment row; that row's seq (0: none came).
quint64 showAttachmentRow(MainWindow &window, const QString &channel)
{
    if (!showOnChannel(window, channel))
        return 0;
    auto *model = window.messageView()->model();
    if (!QTest::qWaitFor([&] { return rowOfKind(model, MessageKind::Attachment) >= 0; }, kWait))
        return 0;
    return model->index(rowOfKind(model, MessageKind::Attachment), 0)
        .data(MessageListModel::SeqRole)
        .toULongLong();
}

} // namespace

// Stands in for the desktop's file opener (QDesktopServices::setUrlHandler).
class OpenedUrls : public QObject {
    Q_OBJECT
public:
    QList<QUrl> urls;
public slots:
    void open(const QUrl &url) { urls << url; }
};

class AttachmentsUiTest : public GatewaySuite {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase() { QDesktopServices::unsetUrlHandler(QStringLiteral("file")); }
    void sendingShowsProgressThenTheThumbnail();
    void openingDownloadsWithProgressThenHandsTheFileOver();
    void droppedFilesAreSent();
    void aScriptIsOpenedOnlyAfterTheUserConfirms();

private:
    QTemporaryDir m_files{hchat::test::scratchRoot() + QStringLiteral("/uifiles-XXXXXX")};
    OpenedUrls m_opened;
};

void AttachmentsUiTest::initTestCase()
{
    QVERIFY(startGateway());
    QDesktopServices::setUrlHandler(QStringLiteral("file"), &m_opened, "open");
}

void AttachmentsUiTest::sendingShowsProgressThenTheThumbnail()
{
    const QString ch = QStringLiteral("photos");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("alice"), ch);
    signIn(bob, *m_gw, QStringLiteral("bob"), ch);
    const QString path = writeNoisyPng(m_files.filePath(QStringLiteral("holiday.png")), 1200, 900);
    QVERIFY(!path.isEmpty());
    QVERIFY(QFileInfo(path).size() > 2 * 512 * 1024);

    MainWindow window(&*alice.client);
    QVERIFY(showOnChannel(window, ch));
    TransferPanel *panel = window.transferPanel();
    QVERIFY(!panel->isVisible());

    QList<int> values;
    window.attachFiles({path});
    QCOMPARE(panel->rowCount(), 1);
    QVERIFY(panel->isVisible());
    const auto transfers = alice->transfers()->transfers();
    QCOMPARE(transfers.size(), 1);
    QProgressBar *bar = panel->progressBar(transfers.first().id);
    QVERIFY(bar);
    connect(bar, &QProgressBar::valueChanged, this, [&](int v) {
        if (bar->maximum() > 0)
            values << v * 100 / bar->maximum();
    });
    // The bar climbs through the chunks, then the line goes away.
    QTRY_COMPARE_WITH_TIMEOUT(panel->rowCount(), 0, kWait);
    QVERIFY(!panel->isVisible());
    QVERIFY2(values.size() >= 3, qPrintable(QStringLiteral("%1 progress steps").arg(values.size())));
    QVERIFY(std::is_sorted(values.cbegin(), values.cend()));
    QVERIFY(std::any_of(values.cbegin(), values.cend(), [](int v) { return v > 0 && v < 100; }));
    QCOMPARE(values.last(), 100);

    // The message row: the image's thumbnail inline, its name, and the sender's own copy.
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfKind(model, MessageKind::Attachment) >= 0, kWait);
    const QModelIndex i = model->index(rowOfKind(model, MessageKind::Attachment), 0);
    QCOMPARE(i.data(MessageListModel::AttachmentNameRole).toString(), QStringLiteral("holiday.png"));
    const QImage thumb = i.data(MessageListModel::ThumbnailRole).value<QImage>();
    QVERIFY(!thumb.isNull());
    QVERIFY(thumb.width() <= 320 && thumb.height() <= 320);
    QCOMPARE(thumb.width() * 900 / 1200, thumb.height()); // aspect kept
    QVERIFY(!i.data(MessageListModel::AttachmentFileRole).toString().isEmpty());
    QVERIFY(i.data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("holiday.png")));
    // The delegate gives the row room for the thumbnail.
    const QRect rect = window.messageView()->visualRect(i);
    QVERIFY2(rect.height() > thumb.height() * 180 / 320 - 1, qPrintable(QString::number(rect.height())));

    // The other member's history holds the same thumbnail.
    QTRY_VERIFY_WITH_TIMEOUT(bob.store()->latestMessage(ch) &&
                                 bob.store()->latestMessage(ch)->kind == MessageKind::Attachment,
                             kWait);
}

void AttachmentsUiTest::openingDownloadsWithProgressThenHandsTheFileOver()
{
    const QString ch = QStringLiteral("downloads");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("carol"), ch);
    signIn(bob, *m_gw, QStringLiteral("dave"), ch);
    QByteArray bytes(3 * 1024 * 1024 + 5, Qt::Uninitialized);
    for (auto &b : bytes)
        b = char(QRandomGenerator::global()->generate());
    const QString path = m_files.filePath(QStringLiteral("dataset.bin"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    const qint64 upload = alice->sendAttachment(ch, path);
    QVERIFY(upload > 0);
    QTRY_VERIFY_WITH_TIMEOUT(alice.store()->uploads().isEmpty(), kWait);

    MainWindow window(&*bob.client);
    const quint64 seq = showAttachmentRow(window, ch);
    QVERIFY(seq > 0);
    auto *model = window.messageView()->model();
    QModelIndex i = model->index(rowOfSeq(model, seq), 0);
    QVERIFY(i.data(MessageListModel::AttachmentFileRole).toString().isEmpty());
    QCOMPARE(i.data(MessageListModel::TransferRole).toInt(), -1);
    QVERIFY(i.data(MessageListModel::ThumbnailRole).value<QImage>().isNull()); // not an image

    // Open it through the message menu: it downloads, showing progress in the row and the panel.
    QMenu menu;
    window.populateMessageMenu(&menu, i);
    QAction *open = menu.findChild<QAction *>(QStringLiteral("openAttachmentAction"));
    QVERIFY(open);
    QList<int> rowProgress;
    connect(model, &QAbstractItemModel::dataChanged, this, [&](const QModelIndex &from) {
        if (from.data(MessageListModel::SeqRole).toULongLong() == seq)
            rowProgress << from.data(MessageListModel::TransferRole).toInt();
    });
    m_opened.urls.clear();
    open->trigger();
    QCOMPARE(window.transferPanel()->rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_opened.urls.size(), 1, kWait);
    QVERIFY(std::any_of(rowProgress.cbegin(), rowProgress.cend(), [](int v) { return v > 0 && v < 100; }));
    const QString local = m_opened.urls.first().toLocalFile();
    QCOMPARE(QFileInfo(local).fileName(), QStringLiteral("dataset.bin"));
    QCOMPARE(sha256Of(local), sha256Of(path));
    QTRY_COMPARE_WITH_TIMEOUT(window.transferPanel()->rowCount(), 0, kWait);
    i = model->index(rowOfSeq(model, seq), 0);
    QCOMPARE(i.data(MessageListModel::AttachmentFileRole).toString(), local);
    QCOMPARE(i.data(MessageListModel::TransferRole).toInt(), -1);

    // Opening it again uses the file here, without a new download.
    window.openAttachment(seq);
    QCOMPARE(m_opened.urls.size(), 2);
    QCOMPARE(window.transferPanel()->rowCount(), 0);
}

void AttachmentsUiTest::droppedFilesAreSent()
{
    const QString ch = QStringLiteral("dropzone");
    TestClient alice;
    signIn(alice, *m_gw, QStringLiteral("erin"), ch);
    const QString a = m_files.filePath(QStringLiteral("a.txt"));
    const QString b = m_files.filePath(QStringLiteral("b.txt"));
    for (const QString &p : {a, b}) {
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("dropped file " + p.toUtf8());
    }
    MainWindow window(&*alice.client);
    QVERIFY(showOnChannel(window, ch));
    QMimeData mime;
    mime.setUrls(
        {QUrl::fromLocalFile(a), QUrl::fromLocalFile(b), QUrl(QStringLiteral("https://example.org/x"))});
    const QPointF at(window.width() / 2.0, window.height() / 2.0);
    QDragEnterEvent enter(at.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    auto countAttachments = [&] {
        int n = 0;
        for (const auto &m : alice.store()->page(ch, 1, alice.store()->maxSeq(ch)))
            n += m.kind == MessageKind::Attachment ? 1 : 0;
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(countAttachments(), 2, kWait);
}

// Any member can send a script named like a document: opening it asks first, and Cancel (the
// default) hands nothing to the desktop.
void AttachmentsUiTest::aScriptIsOpenedOnlyAfterTheUserConfirms()
{
    const QString ch = QStringLiteral("scripts");
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("frank"), ch);
    signIn(bob, *m_gw, QStringLiteral("grace"), ch);
    const QString path = m_files.filePath(QStringLiteral("holiday-photos.desktop"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[Desktop Entry]\nType=Application\nName=Holiday photos\nExec=sh -c 'rm -rf ~'\n");
    }
    QVERIFY(alice->sendAttachment(ch, path) > 0);
    QTRY_VERIFY_WITH_TIMEOUT(alice.store()->uploads().isEmpty(), kWait);

    MainWindow window(&*bob.client);
    const quint64 seq = showAttachmentRow(window, ch);
    QVERIFY(seq > 0);
    m_opened.urls.clear();

    auto confirmation = [&] {
        return window.findChild<QMessageBox *>(QStringLiteral("confirmOpenRunnable"));
    };
    window.openAttachment(seq); // downloads, then asks
    QTRY_VERIFY_WITH_TIMEOUT(confirmation() && confirmation()->isVisible(), kWait);
    QVERIFY(confirmation()->text().contains(QStringLiteral("holiday-photos.desktop")));
    QCOMPARE(confirmation()->defaultButton(), confirmation()->button(QMessageBox::Cancel));
    confirmation()->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY_WITH_TIMEOUT(!confirmation(), 5000);
    QTest::qWait(100);
    QVERIFY(m_opened.urls.isEmpty());

    window.openAttachment(seq); // the file is here now: asks at once
    QVERIFY(confirmation());
    auto *open = confirmation()->findChild<QPushButton *>(QStringLiteral("confirmOpenRunnableButton"));
    QVERIFY(open);
    open->click();
    QCOMPARE(m_opened.urls.size(), 1);
    QCOMPARE(QFileInfo(m_opened.urls.first().toLocalFile()).fileName(),
             QStringLiteral("holiday-photos.desktop"));
}

QTEST_MAIN(AttachmentsUiTest)
#include "tst_ui_attachments.moc"
