// AttachmentInfo, the description of a file that arrives from the network: ids are upload ids or
// nothing (they become folder names), file names carry no path and no invisible reordering
// characters, and files that opening may run are recognised so the UI can ask first.
#include "AttachmentInfo.h"
#include "TestEnv.h"

#include "hchat.pb.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace hchat;

namespace {

QByteArray content(const std::string &id, const std::string &name = "report.pdf")
{
    hchat::v1::AttachmentContent c;
    c.set_attachment_id(id);
    c.set_name(name);
    c.set_size(10);
    return QByteArray::fromStdString(c.SerializeAsString());
}

} // namespace

class AttachmentInfoTest : public QObject {
    Q_OBJECT
private slots:
    void onlyLowerHexUploadIdsAreValid_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::newRow("upload id") << QStringLiteral("0123456789abcdef0123456789abcdef") << true;
        QTest::newRow("traversal") << QStringLiteral("../../../../../././././././././.") << false;
        QTest::newRow("upper case") << QStringLiteral("0123456789ABCDEF0123456789ABCDEF") << false;
        QTest::newRow("slash") << QStringLiteral("0123456789abcdef/123456789abcdef") << false;
        QTest::newRow("too short") << QStringLiteral("0123456789abcdef") << false;
        QTest::newRow("too long") << QStringLiteral("0123456789abcdef0123456789abcdef0") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("fullwidth digits")
            << QStringLiteral("０１２３456789abcdef0123456789abcdef").left(32) << false;
    }
    void onlyLowerHexUploadIdsAreValid()
    {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        QCOMPARE(AttachmentInfo::isValidId(id), valid);
        QCOMPARE(AttachmentInfo::isValidId(id.toStdString()), valid);
        QCOMPARE(AttachmentInfo::parse(content(id.toStdString())).has_value(), valid);
    }

    void draftHasNoIdAndRefusesOne()
    {
        QVERIFY(AttachmentInfo::parse(content(""), true));
        QVERIFY(!AttachmentInfo::parse(content("0123456789abcdef0123456789abcdef"), true));
        QVERIFY(!AttachmentInfo::parse(content(""), false));
    }

    void fileNamesLoseTheirPathAndInvisibleCharacters()
    {
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("../../.bashrc")),
                 QStringLiteral(".._.._.bashrc"));
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("a\\b")), QStringLiteral("a_b"));
        // U+202E (right-to-left override) shows "invoice_fdp.exe" as "invoice_exe.pdf".
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("invoice_\u202Efdp.exe")),
                 QStringLiteral("invoice_fdp.exe"));
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("a\u200Bb\u2066c\uFEFF")),
                 QStringLiteral("abc"));
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("\u202E")), QStringLiteral("attachment"));
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("..")), QStringLiteral("attachment"));
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("line\nbreak")), QStringLiteral("line_break"));
    }

    void filesThatOpeningMayRunAreRecognised_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("executableBit");
        QTest::addColumn<bool>("runnable");
        QTest::newRow("shell script by name") << "install.sh" << QByteArray("echo hi\n") << false << true;
        QTest::newRow("shell script by content")
            << "readme" << QByteArray("#!/bin/sh\nrm -rf ~\n") << false << true;
        QTest::newRow("desktop entry")
            << "photos.desktop" << QByteArray("[Desktop Entry]\nType=Application\nExec=sh -c x\n") << false
            << true;
        QTest::newRow("ELF program") << "viewer"
                                     << QByteArray("\x7f"
                                                   "ELF\x02\x01\x01",
                                                   7) +
                                            QByteArray(64, '\0')
                                     << false << true;
        QTest::newRow("Windows program")
            << "setup.exe" << QByteArray("MZ") + QByteArray(64, '\0') << false << true;
        QTest::newRow("Python") << "tool.py" << QByteArray("print(1)\n") << false << true;
        QTest::newRow("Debian package") << "update.deb" << QByteArray("!<arch>\n") << false << true;
        QTest::newRow("executable bit") << "notes.txt" << QByteArray("plain\n") << true << true;
        QTest::newRow("text") << "notes.txt" << QByteArray("plain words\n") << false << false;
        QTest::newRow("PDF") << "paper.pdf" << QByteArray("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") << false << false;
        QTest::newRow("PNG") << "photo.png" << QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(32, '\0')
                             << false << false;
    }
    void filesThatOpeningMayRunAreRecognised()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(bool, executableBit);
        QFETCH(bool, runnable);
        QTemporaryDir dir(hchat::test::scratchRoot() + QStringLiteral("/runnable-XXXXXX"));
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        if (executableBit)
            QVERIFY(f.setPermissions(f.permissions() | QFileDevice::ExeOwner));
        QCOMPARE(AttachmentInfo::mayRunWhenOpened(f.fileName()), runnable);
    }
};

QTEST_GUILESS_MAIN(AttachmentInfoTest)
#include "tst_core_attachmentinfo.moc"
