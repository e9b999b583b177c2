#pragma once

#include <QByteArray>
#include <QCache>
#include <QImage>

namespace hchat::ui {

// Inline thumbnails of attachments, decoded for the message view. The bytes are the sender's
// (a JPEG of at most limits::kMaxThumbnailBytes, but a small file can declare a huge bitmap), so
// the declared size is read first and an absurd one is not decoded at all; the rest is decoded
// straight at the size it is drawn, and the decoded images are kept within a byte budget.
class ThumbnailCache {
public:
    static constexpr int kMaxSide = 320; // device-independent pixels; the view draws at most 240×180
    static constexpr int kMaxDeclaredSide = 10000;
    static constexpr qint64 kMaxDeclaredPixels = 40'000'000;
    static constexpr qint64 kDefaultBudgetBytes = 32LL * 1024 * 1024;

    explicit ThumbnailCache(qint64 budgetBytes = kDefaultBudgetBytes);

    // The thumbnail of key (a message's seq) from its JPEG bytes; null when it is not a JPEG or
    // declares an absurd size.
    QImage thumbnail(quint64 key, const QByteArray &jpeg);
    void remove(quint64 key) { m_cache.remove(key); }
    void clear() { m_cache.clear(); }
    qint64 totalBytes() const { return m_cache.totalCost(); }
    qint64 budgetBytes() const { return m_cache.maxCost(); }

    // Decodes within kMaxSide × devicePixelRatio on each side, keeping the aspect ratio.
    static QImage decode(const QByteArray &jpeg, qreal devicePixelRatio);

private:
    QCache<quint64, QImage> m_cache; // cost: bytes
};

} // namespace hchat::ui
