#include "AttachmentPreview.h"

#include "Limits.h"

#include <QBuffer>
#include <QImage>
#include <QImageReader>
#include <QMimeDatabase>

namespace hchat::ui {

namespace {
// Smaller and rougher until it fits the protocol's limit.
QByteArray encodeThumbnail(const QImage &image)
{
    for (const int side : {320, 240, 160, 96}) {
        const QImage scaled = image.width() > side || image.height() > side
                                  ? image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                                  : image;
        for (const int quality : {80, 65, 50, 35}) {
            QByteArray bytes;
            QBuffer buffer(&bytes);
            buffer.open(QIODevice::WriteOnly);
            if (!scaled.convertToFormat(QImage::Format_RGB32).save(&buffer, "JPEG", quality))
                return {};
            if (bytes.size() <= qsizetype(limits::kMaxThumbnailBytes))
                return bytes;
        }
    }
    return {};
}
} // namespace

AttachmentTransfers::Preview AttachmentPreview::forFile(const QString &path)
{
    AttachmentTransfers::Preview preview;
    preview.mimeType = QMimeDatabase().mimeTypeForFile(path).name();
    if (!preview.mimeType.startsWith(QLatin1String("image/")))
        return preview;
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (!size.isValid() || qint64(size.width()) * size.height() > 100'000'000)
        return preview; // unreadable, or too large to decode for a thumbnail
    // Decode at a reduced size where the format allows it (JPEG), never the full bitmap twice.
    if (size.width() > 640 || size.height() > 640)
        reader.setScaledSize(size.scaled(640, 640, Qt::KeepAspectRatio));
    const QImage image = reader.read();
    if (image.isNull())
        return preview;
    preview.width = quint32(size.width());
    preview.height = quint32(size.height());
    preview.thumbnail = encodeThumbnail(image);
    return preview;
}

} // namespace hchat::ui
