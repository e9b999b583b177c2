// Inline thumbnails are the sender's bytes: at most 24 KiB, but a JPEG header can declare any
// size, and the decoder allocates what the header declares (a "decompression bomb"). The message
// model decodes a thumbnail only when its declared size is sane, at the size it is drawn, and
// keeps the decoded images within a byte budget.
#include "AttachmentInfo.h"
#include "HistoryStore.h"
#include "Limits.h"
#include "MessageListModel.h"
#include "TestEnv.h"
#include "ThumbnailCache.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QImageWriter>
#include <QTemporaryDir>
#include <QtMath>
#include <QtTest>

using hchat::AttachmentInfo;
using hchat::HistoryStore;
using hchat::MessageKind;
using hchat::StoredMessage;
using hchat::ui::MessageListModel;
using hchat::ui::ThumbnailCache;

namespace {
QByteArray jpeg(const QImage &image, int quality)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "jpeg");
    writer.setQuality(quality);
    writer.setOptimizedWrite(true);
    return writer.write(image) ? bytes : QByteArray();
}

// A real JPEG of a few hundred bytes whose header says width × height: libjpeg fills what the
// data does not cover, so a decoder that trusts the header allocates and decodes all of it.
QByteArray bombJpeg(int width, int height)
{
    QImage tiny(16, 16,
                QImage::Format_Grayscale8); // one byte per pixel: the most the default limit lets through
    tiny.fill(128);
    QByteArray bytes = jpeg(tiny, 50);
    for (qsizetype i = 0; i + 8 < bytes.size(); ++i) {
        if (uchar(bytes[i]) == 0xFF &&
            uchar(bytes[i + 1]) == 0xC0) { // SOF0: length, precision, height, width
            bytes[i + 5] = char(height >> 8);
            bytes[i + 6] = char(height & 0xFF);
            bytes[i + 7] = char(width >> 8);
            bytes[i + 8] = char(width & 0xFF);
            return bytes;
        }
    }
    return {};
}

// An attachment message of a plain channel whose inline thumbnail is thumb.
StoredMessage attachment(const QString &channel, quint64 seq, const QByteArray &thumb)
{
    AttachmentInfo info;
    info.id = QStringLiteral("%1").arg(seq, 32, 16, QLatin1Char('0'));
    info.name = QStringLiteral("picture-%1.jpg").arg(seq);
    info.mimeType = QStringLiteral("image/jpeg");
    info.size = 1000000;
    info.thumbnail = thumb;
    StoredMessage m;
    m.channel = channel;
    m.seq = seq;
    m.sender = QStringLiteral("mallory");
    m.clientMsgId = QByteArray::number(seq).rightJustified(16, 'x');
    m.serverTimeMs = 1700000000000LL + qint64(seq) * 60000;
    m.kind = MessageKind::Attachment;
    m.attachmentId = info.id;
    m.body = info.serialize();
    m.attachment = m.body;
    return m;
}

QImage thumbnailAt(const MessageListModel &model, int row)
{
    return model.index(row).data(MessageListModel::ThumbnailRole).value<QImage>();
}
} // namespace

class UiThumbnails : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_store.open(m_dir.filePath(QStringLiteral("thumbs.db"))));
        m_store.setOwnNick(QStringLiteral("me"));
    }

    // A header that declares an absurd size (a side over 10,000 or over 40 megapixels) is not
    // decoded at all: a placeholder box is drawn instead. A merely large one is decoded at the
    // drawn size, never at its own.
    void aDecompressionBombIsNotDecodedAtFullSize()
    {
        const QString ch = QStringLiteral("bombs");
        struct Case {
            QSize declared;
            bool refused;
        };
        // Each file is a few hundred bytes. 20000² exceeds Qt's own default allocation limit
        // (128 MB, counted at 4 bytes a pixel); 12000 × 2000 (96 MB) and 5600² (125 MB) do not:
        // a decoder that trusts the header would allocate and decode all of them.
        const QList<Case> cases{{{20000, 20000}, true}, {{12000, 2000}, true}, {{5600, 5600}, false}};
        QList<StoredMessage> rows;
        for (int i = 0; i < cases.size(); ++i) {
            const QByteArray bomb = bombJpeg(cases.at(i).declared.width(), cases.at(i).declared.height());
            QVERIFY(!bomb.isEmpty() && bomb.size() < 1024);
            rows << attachment(ch, quint64(i + 1), bomb);
        }
        QVERIFY(m_store.appendMessages(ch, rows).ok);
        MessageListModel model(&m_store);
        model.setChannel(ch);
        QCOMPARE(model.rowCount(), int(cases.size()));
        const int bound = qCeil(ThumbnailCache::kMaxSide * qGuiApp->devicePixelRatio());
        for (int row = 0; row < model.rowCount(); ++row) {
            QElapsedTimer t;
            t.start();
            const QImage thumb = thumbnailAt(model, row);
            const QString what = QStringLiteral("%1×%2 declared, %3×%4 decoded in %5 ms")
                                     .arg(cases.at(row).declared.width())
                                     .arg(cases.at(row).declared.height())
                                     .arg(thumb.width())
                                     .arg(thumb.height())
                                     .arg(t.elapsed());
            if (cases.at(row).refused)
                QVERIFY2(thumb.isNull(), qPrintable(what));
            else
                QVERIFY2(!thumb.isNull() && thumb.width() <= bound && thumb.height() <= bound,
                         qPrintable(what));
            QCOMPARE(model.index(row).data(MessageListModel::AttachmentNameRole).toString(),
                     QStringLiteral("picture-%1.jpg").arg(row + 1)); // the file box still shows
        }
        QVERIFY(model.thumbnailCacheBytes() <= 4LL * bound * bound + 1024);
    }

    // A large image is decoded at the drawn size (aspect ratio kept), not at its own.
    void aLargeImageIsDecodedAtTheBoundedSize()
    {
        const QString ch = QStringLiteral("large");
        QImage image(2000, 1500, QImage::Format_RGB32);
        image.fill(QColor(40, 120, 200));
        const QByteArray bytes = jpeg(image, 5);
        QVERIFY(!bytes.isEmpty() && bytes.size() < qsizetype(hchat::limits::kMaxThumbnailBytes));
        QVERIFY(m_store.appendMessages(ch, {attachment(ch, 1, bytes)}).ok);
        MessageListModel model(&m_store);
        model.setChannel(ch);
        const QImage thumb = thumbnailAt(model, 0);
        QVERIFY(!thumb.isNull());
        const int bound = qCeil(ThumbnailCache::kMaxSide * qGuiApp->devicePixelRatio());
        QVERIFY2(thumb.width() <= bound && thumb.height() <= bound,
                 qPrintable(QStringLiteral("%1×%2").arg(thumb.width()).arg(thumb.height())));
        QVERIFY(qAbs(double(thumb.width()) / thumb.height() - 4.0 / 3.0) < 0.02);
        QCOMPARE(thumb.pixelColor(thumb.width() / 2, thumb.height() / 2).blue() > 150, true);
    }

    // Many thumbnails: the decoded ones kept stay within the budget (the view decodes again what
    // was dropped).
    void theCacheStaysWithinItsByteBudget()
    {
        const QString ch = QStringLiteral("gallery");
        QImage image(320, 320, QImage::Format_RGB32); // what a sender's thumbnail is: 400 KB decoded
        image.fill(QColor(200, 60, 60));
        const QByteArray bytes = jpeg(image, 60);
        QList<StoredMessage> rows;
        for (quint64 seq = 1; seq <= 150; ++seq) // 60 MB decoded in all
            rows << attachment(ch, seq, bytes);
        QVERIFY(m_store.appendMessages(ch, rows).ok);
        MessageListModel model(&m_store);
        model.setChannel(ch);
        QCOMPARE(model.rowCount(), 150);
        qint64 decoded = 0;
        for (int round = 0; round < 2; ++round) {
            for (int row = 0; row < model.rowCount(); ++row) {
                const QImage thumb = thumbnailAt(model, row);
                QVERIFY(!thumb.isNull());
                decoded += thumb.sizeInBytes();
                QVERIFY2(model.thumbnailCacheBytes() <= ThumbnailCache::kDefaultBudgetBytes,
                         qPrintable(QString::number(model.thumbnailCacheBytes())));
            }
        }
        QVERIFY(decoded > 2 * ThumbnailCache::kDefaultBudgetBytes); // the budget was really tested
        QVERIFY(model.thumbnailCacheBytes() > ThumbnailCache::kDefaultBudgetBytes / 2); // and used
    }

private:
    QTemporaryDir m_dir{hchat::test::scratchRoot() + QStringLiteral("/thumbs-XXXXXX")};
    HistoryStore m_store;
};

QTEST_MAIN(UiThumbnails)
#include "tst_ui_thumbnails.moc"
