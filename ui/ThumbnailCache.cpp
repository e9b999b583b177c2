#include "ThumbnailCache.h"

#include "UiLogging.h"

#include <QBuffer>
#include <QGuiApplication>
#include <QImageReader>
#include <QtMath>

#include <algorithm>

namespace hchat::ui {

namespace {
// Decoding at a reduced size never needs more than this (libjpeg scales by up to 1/8 while it
// decodes, then the image is scaled down); Qt's default is 128 MB.
constexpr int kAllocationLimitMb = 16;

// QImageReader's allocation limit is process-wide: lowered for one decode on the GUI thread.
class AllocationLimit {
public:
    explicit AllocationLimit(int mb) : m_previous(QImageReader::allocationLimit())
    {
        if (m_previous == 0 || m_previous > mb)
            QImageReader::setAllocationLimit(mb);
    }
    ~AllocationLimit() { QImageReader::setAllocationLimit(m_previous); }
    AllocationLimit(const AllocationLimit &) = delete;
    AllocationLimit &operator=(const AllocationLimit &) = delete;

private:
    int m_previous;
};
constexpr qint64 kNullImageCost = 64; // an entry that remembers a refusal
} // namespace

ThumbnailCache::ThumbnailCache(qint64 budgetBytes) : m_cache(budgetBytes) {}

QImage ThumbnailCache::thumbnail(quint64 key, const QByteArray &jpeg)
{
    if (const QImage *cached = m_cache.object(key))
        return *cached;
    const QImage image = decode(jpeg, qGuiApp ? qGuiApp->devicePixelRatio() : 1.0);
    m_cache.insert(key, new QImage(image), image.isNull() ? kNullImageCost : image.sizeInBytes());
    return image;
}

QImage ThumbnailCache::decode(const QByteArray &jpeg, qreal devicePixelRatio)
{
    QBuffer buffer;
    buffer.setData(jpeg);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, "jpeg"); // only the JPEG decoder sees the sender's bytes
    const QSize declared = reader.size(); // the header alone
    if (!declared.isValid() || declared.width() > kMaxDeclaredSide || declared.height() > kMaxDeclaredSide ||
        qint64(declared.width()) * declared.height() > kMaxDeclaredPixels) {
        qCWarning(lcUi) << "thumbnail not decoded: declared size" << declared;
        return {};
    }
    const int side = qCeil(kMaxSide * std::clamp(devicePixelRatio, 1.0, 4.0));
    if (declared.width() > side || declared.height() > side)
        reader.setScaledSize(declared.scaled(side, side, Qt::KeepAspectRatio).expandedTo(QSize(1, 1)));
    const AllocationLimit limit(kAllocationLimitMb);
    QImage image = reader.read();
    if (image.isNull())
        qCWarning(lcUi) << "thumbnail not decoded:" << reader.errorString();
    return image;
}

} // namespace hchat::ui
