// Issue 23 in the window, against the real gateway: message text rendered from Markdown (safely:
// raw HTML as text, nothing loaded), the icons drawn without an icon theme, the composer's focus
// after joining, the sign-in dialog's first words, the Help menu and the preview of an encrypted
// channel.
#include "AppIcons.h"
#include "BrowseChannelsDialog.h"
#include "ChannelListModel.h"
#include "Composer.h"
#include "E2eeTestHelpers.h"
#include "GatewaySuite.h"
#include "MainWindow.h"
#include "MessageDelegate.h"
#include "MessageDocument.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "ShortcutsDialog.h"
#include "SignInDialog.h"
#include "UiTestHelpers.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QFontDatabase>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPointer>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

// Waits on the network are generous: CI shares two cores between parallel suites.
static constexpr int kWait = 15000;
using namespace hchat::test;
using hchat::ui::MainWindow;
using hchat::ui::MessageListModel;

namespace {

// The fragments of doc whose text is text, with their formats.
QList<QTextCharFormat> formatsOf(const QTextDocument *doc, const QString &text)
{
    QList<QTextCharFormat> out;
    for (QTextBlock block = doc->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (it.fragment().text().contains(text))
                out << it.fragment().charFormat();
    return out;
}

// Opaque pixels in an icon drawn at size × size.
int opaquePixels(const QIcon &icon, int size)
{
    const QImage image = icon.pixmap(size, size).toImage().convertToFormat(QImage::Format_ARGB32);
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            n += qAlpha(image.pixel(x, y)) > 128;
    return n;
}

} // namespace

class UiRichMessages : public GatewaySuite {
    Q_OBJECT
private slots:
    void markdownRendersCodeLinksAndShowsHtmlAsText();
    void iconsDrawWithoutAnIconTheme();
    void composerHasTheFocusAfterJoining();
    void signInDialogAsksWithoutAnError();
    void helpMenuHasAboutAndTheShortcuts();
    void encryptedChannelPreviewShowsTheDecryptedText();
};

// A Markdown message from the network: a code block (monospace), a link (an anchor, opened only by
// a click), bold, strikethrough; "<script>" and "<b>" shown as the text they are; an image not
// loaded but shown as its address. Rendered once per row: the second paint reuses it.
void UiRichMessages::markdownRendersCodeLinksAndShowsHtmlAsText()
{
    TestClient alice, bob;
    signIn(alice, *m_gw, QStringLiteral("mdalice"), QStringLiteral("markdown"));
    signIn(bob, *m_gw, QStringLiteral("mdbob"), QStringLiteral("markdown"));
    const QString text =
        QStringLiteral("**bold** and ~~gone~~ and `inline`\n"
                       "```\nint main() { return 0; }\n```\n"
                       "see [the site](https://example.org/docs) <script>alert(1)</script> <b>x</b>\n"
                       "![cat](file:///etc/passwd)");
    const quint64 seq = waitSent(bob, bob->sendMessage(QStringLiteral("markdown"), text));
    QVERIFY(seq > 0);
    MainWindow window(&*alice.client);
    window.resize(900, 600);
    QVERIFY(showOnChannel(window, QStringLiteral("markdown")));
    auto *model = window.messageView()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowOfSeq(model, seq) >= 0, kWait);
    const QModelIndex index = model->index(rowOfSeq(model, seq), 0);
    QCOMPARE(index.data(MessageListModel::TextRole).toString(), text); // the model keeps the source

    auto *delegate = qobject_cast<hchat::ui::MessageDelegate *>(window.messageView()->itemDelegate());
    QVERIFY(delegate);
    QStyleOptionViewItem option;
    option.initFrom(window.messageView());
    option.rect = QRect(0, 0, 800, 400);
    const hchat::ui::MessageDocument *doc = delegate->document(option, index, 600);
    QVERIFY(doc);
    const QString shown = doc->toPlainText();
    QVERIFY2(!shown.contains(QStringLiteral("**")) && !shown.contains(QStringLiteral("```")),
             qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("<script>alert(1)</script>")), qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("<b>x</b>")), qPrintable(shown));

    // Bold and strikethrough.
    QVERIFY(!formatsOf(doc, QStringLiteral("bold")).isEmpty());
    QCOMPARE(formatsOf(doc, QStringLiteral("bold")).first().fontWeight(), int(QFont::Bold));
    QVERIFY(formatsOf(doc, QStringLiteral("gone")).first().fontStrikeOut());
    QVERIFY(formatsOf(doc, QStringLiteral("inline")).first().fontFixedPitch());
    // The code block: a block of its own, monospace, on its background.
    bool codeBlock = false;
    for (QTextBlock block = doc->begin(); block.isValid(); block = block.next()) {
        if (block.text() != QStringLiteral("int main() { return 0; }"))
            continue;
        codeBlock = true;
        QVERIFY(block.blockFormat().hasProperty(QTextFormat::BlockCodeFence));
        QVERIFY(block.blockFormat().background().style() != Qt::NoBrush);
        QCOMPARE(block.begin().fragment().charFormat().font().family(),
                 QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
    }
    QVERIFY2(codeBlock, qPrintable(shown));
    // The link: an anchor to its address, found where it is drawn.
    const auto link = formatsOf(doc, QStringLiteral("the site"));
    QVERIFY(!link.isEmpty() && link.first().isAnchor());
    QCOMPARE(link.first().anchorHref(), QStringLiteral("https://example.org/docs"));
    // The script is no anchor, no HTML element: text; the image is not an image but its address.
    QVERIFY(!formatsOf(doc, QStringLiteral("<script>")).first().isAnchor());
    for (QTextBlock block = doc->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            QVERIFY(!it.fragment().charFormat().isImageFormat());
    QVERIFY(shown.contains(QStringLiteral("file:///etc/passwd")));
    QVERIFY(!doc->toHtml().contains(QStringLiteral("<script"), Qt::CaseInsensitive));

    // The channel list's preview is what a reader sees, without the markup.
    const auto *channels = window.channelModel();
    QTRY_VERIFY_WITH_TIMEOUT(channels->index(channels->rowOf(QStringLiteral("markdown")))
                                 .data(hchat::ui::ChannelListModel::PreviewRole)
                                 .toString()
                                 .startsWith(QStringLiteral("mdbob: bold and gone and inline int main()")),
                             kWait);

    // A click on the link asks for it to be opened; a click elsewhere does not.
    QSignalSpy opened(delegate, &hchat::ui::MessageDelegate::linkActivated);
    const QRect rect = window.messageView()->visualRect(index);
    option.rect = rect;
    const hchat::ui::MessageDocument *drawn = delegate->document(option, index, 600);
    QCOMPARE(drawn, doc); // cached: the same rendering
    QPoint linkAt;
    for (int y = 0; y < int(drawn->size().height()) && linkAt.isNull(); y += 2)
        for (int x = 0; x < int(drawn->size().width()); x += 2)
            if (drawn->documentLayout()->anchorAt(QPointF(x, y)) ==
                QStringLiteral("https://example.org/docs")) {
                linkAt = QPoint(x, y);
                break;
            }
    QVERIFY(!linkAt.isNull());
    // The text's place in the row: where the delegate draws it (found by scanning the row).
    bool clicked = false;
    for (int dy = 0; dy < rect.height() && !clicked; dy += 2)
        for (int dx = 0; dx < rect.width() / 2 && !clicked; dx += 4) {
            const QPoint pos = rect.topLeft() + QPoint(dx, dy);
            QMouseEvent release(QEvent::MouseButtonRelease, pos,
                                window.messageView()->viewport()->mapToGlobal(pos), Qt::LeftButton,
                                Qt::NoButton, Qt::NoModifier);
            delegate->editorEvent(&release, model, option, index);
            clicked = !opened.isEmpty();
        }
    QVERIFY(clicked);
    QCOMPARE(opened.first().first().toUrl(), QUrl(QStringLiteral("https://example.org/docs")));

    // An edit renders again (a new text for the row), with "(edited)".
    QVERIFY(bob->editMessage(QStringLiteral("markdown"), seq, QStringLiteral("now *italic*")) > 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        model->index(rowOfSeq(model, seq), 0).data(MessageListModel::EditedRole).toBool(), kWait);
    const auto *edited = delegate->document(option, model->index(rowOfSeq(model, seq), 0), 600);
    QVERIFY2(edited->toPlainText().startsWith(QStringLiteral("now italic")),
             qPrintable(edited->toPlainText()));
    QVERIFY(formatsOf(edited, QStringLiteral("italic")).first().fontItalic());
    QVERIFY(edited->toPlainText().contains(QStringLiteral("(edited)")));

    // Painted without trouble.
    QImage canvas(rect.size(), QImage::Format_ARGB32);
    canvas.fill(Qt::white);
    QPainter painter(&canvas);
    option.rect = QRect(QPoint(0, 0), rect.size());
    delegate->paint(&painter, option, model->index(rowOfSeq(model, seq), 0));
}

// No icon theme (and no emoji font needed): the attach button and the lock are the bundled icons,
// drawn; the button shows no emoji text.
void UiRichMessages::iconsDrawWithoutAnIconTheme()
{
    QIcon::setThemeSearchPaths({});
    QIcon::setThemeName(QStringLiteral("hchat-no-such-theme"));
    QVERIFY(QIcon::fromTheme(QStringLiteral("mail-attachment")).isNull());
    for (const QIcon &icon : {hchat::ui::AppIcons::attach(), hchat::ui::AppIcons::encrypted()}) {
        QVERIFY(!icon.isNull());
        QVERIFY(opaquePixels(icon, 16) > 20);
        QVERIFY(opaquePixels(icon, 24) > 40);
    }
    TestClient ivy;
    signIn(ivy, *m_gw, QStringLiteral("iconivy"), QStringLiteral("icons"));
    MainWindow window(&*ivy.client);
    QVERIFY(showOnChannel(window, QStringLiteral("icons")));
    auto *attach = window.findChild<QToolButton *>(QStringLiteral("attachButton"));
    QVERIFY(attach);
    QVERIFY(!attach->icon().isNull());
    QVERIFY(opaquePixels(attach->icon(), 24) > 40);
    QVERIFY2(attach->text().isEmpty() || !attach->text().contains(QChar(0xD83D)), qPrintable(attach->text()));
}

// Joining from Chat → Join channel… or from the directory: what the user types next goes to the
// composer of the channel joined.
void UiRichMessages::composerHasTheFocusAfterJoining()
{
    TestClient jo, other;
    signIn(jo, *m_gw, QStringLiteral("focusjo"), QStringLiteral("start"));
    signIn(other, *m_gw, QStringLiteral("focusother"), QStringLiteral("directory-one"));
    MainWindow window(&*jo.client);
    QVERIFY(showOnChannel(window, QStringLiteral("start")));
    window.activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(window.isActiveWindow(), kWait);
    QLineEdit *elsewhere = nullptr; // the search field: somewhere else than the composer
    for (QLineEdit *edit : window.findChildren<QLineEdit *>())
        if (edit->isVisible() && edit->focusPolicy() != Qt::NoFocus)
            elsewhere = edit;
    QVERIFY(elsewhere);
    elsewhere->setFocus();
    QTRY_VERIFY_WITH_TIMEOUT(elsewhere->hasFocus(), kWait);

    // Chat → Join channel… (Ctrl+J): a name typed in the input dialog.
    QAction *join = nullptr;
    for (QAction *a : window.findChildren<QAction *>())
        if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_J))
            join = a;
    QVERIFY(join);
    QTimer::singleShot(0, &window, [] {
        QTRY_VERIFY_WITH_TIMEOUT(qobject_cast<QInputDialog *>(QApplication::activeModalWidget()), kWait);
        auto *input = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
        input->setTextValue(QStringLiteral("typed-one"));
        input->accept();
    });
    join->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(window.currentChannel(), QStringLiteral("typed-one"), kWait);
    // The window's focus widget (the one that has the focus whenever the window is active).
    QTRY_COMPARE_WITH_TIMEOUT(window.focusWidget(), static_cast<QWidget *>(window.composer()), kWait);
    window.activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(window.composer()->hasFocus(), kWait);

    // Chat → Browse channels…: Join.
    elsewhere->setFocus();
    QTRY_VERIFY_WITH_TIMEOUT(elsewhere->hasFocus(), kWait);
    window.browseChannelsDialog();
    QPointer<hchat::ui::BrowseChannelsDialog> dialog = window.findChild<hchat::ui::BrowseChannelsDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->channelList()->topLevelItemCount() > 0, kWait);
    QTreeWidgetItem *item = nullptr;
    for (int i = 0; i < dialog->channelList()->topLevelItemCount(); ++i)
        if (dialog->channelList()->topLevelItem(i)->data(0, Qt::UserRole).toString() ==
            QStringLiteral("directory-one"))
            item = dialog->channelList()->topLevelItem(i);
    QVERIFY(item);
    dialog->channelList()->setCurrentItem(item);
    QTest::mouseClick(dialog->joinButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.currentChannel(), QStringLiteral("directory-one"), kWait);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog || !dialog->isVisible(), kWait); // closed (and deleted)
    QTRY_COMPARE_WITH_TIMEOUT(window.focusWidget(), static_cast<QWidget *>(window.composer()), kWait);
    window.activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(window.composer()->hasFocus(), kWait);
}

// First start: the client asks for a sign-in without a reason (nothing went wrong), and the
// dialog says "Please sign in." in the ordinary colour; a real error is red.
void UiRichMessages::signInDialogAsksWithoutAnError()
{
    TestClient fresh;
    QSignalSpy asked(&*fresh.client, &hchat::Client::signInRequired);
    fresh->resumeSession();
    QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 1, kWait);
    QCOMPARE(asked.first().first().toString(), QString());
    hchat::ui::SignInDialog dialog(&*fresh.client, QStringLiteral("127.0.0.1:%1").arg(m_gw->port()));
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("status"));
    QCOMPARE(status->text(), QStringLiteral("Please sign in."));
    QVERIFY2(status->styleSheet().isEmpty(), qPrintable(status->styleSheet()));
    dialog.showError(QStringLiteral("wrong password"));
    QVERIFY(status->styleSheet().contains(QStringLiteral("color")));
}

// Help → Keyboard shortcuts lists the menus' shortcuts and the composer's keys; Help → About
// names HChat's and Qt's versions.
void UiRichMessages::helpMenuHasAboutAndTheShortcuts()
{
    TestClient hal;
    signIn(hal, *m_gw, QStringLiteral("helphal"), QStringLiteral("help"));
    MainWindow window(&*hal.client);
    QVERIFY(showOnChannel(window, QStringLiteral("help")));
    QStringList menus;
    for (const QAction *a : window.menuBar()->actions())
        menus << a->text();
    QVERIFY2(menus.contains(QStringLiteral("&Help")), qPrintable(menus.join(QLatin1Char(' '))));

    window.findChild<QAction *>(QStringLiteral("shortcutsAction"))->trigger();
    auto *shortcuts = window.findChild<hchat::ui::ShortcutsDialog *>();
    QVERIFY(shortcuts);
    const auto rows = shortcuts->rows();
    const auto has = [&rows](const QString &what, const QKeySequence &keys) {
        for (const auto &[w, k] : rows)
            if (w.startsWith(what) && k == keys.toString(QKeySequence::NativeText))
                return true;
        return false;
    };
    QVERIFY(has(QStringLiteral("Switch to channel"), QKeySequence(Qt::CTRL | Qt::Key_K)));
    QVERIFY(has(QStringLiteral("Join channel"), QKeySequence(Qt::CTRL | Qt::Key_J)));
    QVERIFY(has(QStringLiteral("Browse channels"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B)));
    QVERIFY(has(QStringLiteral("Send the message"), QKeySequence(Qt::Key_Return)));
    QVERIFY(has(QStringLiteral("New line"), QKeySequence(Qt::SHIFT | Qt::Key_Return)));
    shortcuts->close();

    window.findChild<QAction *>(QStringLiteral("aboutAction"))->trigger();
    auto *about = window.findChild<QMessageBox *>(QStringLiteral("aboutBox"));
    QVERIFY(about);
    QVERIFY2(about->text().startsWith(QStringLiteral("HChat ")) && about->text().size() > 6,
             qPrintable(about->text()));
    QVERIFY2(about->informativeText().contains(QString::fromLatin1(qVersion())),
             qPrintable(about->informativeText()));
    about->close();
}

// The channel list's preview of an encrypted channel this device reads is the text, as the
// notification shows it, not "encrypted message".
void UiRichMessages::encryptedChannelPreviewShowsTheDecryptedText()
{
    TestClient kim, lee;
    withE2ee(kim);
    withE2ee(lee);
    signIn(kim, *m_gw, QStringLiteral("prevkim"));
    signIn(lee, *m_gw, QStringLiteral("prevlee"));
    QString channel;
    QVERIFY(kim.run(kim->openDirectChannel(QStringLiteral("prevlee"), &channel)));
    QVERIFY(waitE2eeReady(kim, {QStringLiteral("prevlee")}));
    MainWindow window(&*lee.client);
    window.show();
    const quint64 seq =
        waitSent(kim, kim->sendMessage(channel, QStringLiteral("the parcel is under the bench")));
    QVERIFY(seq > 0);
    QTRY_VERIFY_WITH_TIMEOUT(lee.store()->maxSeq(channel) >= seq, kWait);
    const auto *channels = window.channelModel();
    QTRY_VERIFY_WITH_TIMEOUT(channels->rowOf(channel) >= 0, kWait);
    QTRY_COMPARE_WITH_TIMEOUT(
        channels->index(channels->rowOf(channel)).data(hchat::ui::ChannelListModel::PreviewRole).toString(),
        QStringLiteral("prevkim: the parcel is under the bench"), kWait);
}

QTEST_MAIN(UiRichMessages)
#include "tst_ui_rich_messages.moc"
