#include "AttachmentInfo.h"

#include "Limits.h"
#include "hchat.pb.h"

#include <google/protobuf/stubs/logging.h>

namespace hchat {

namespace {
constexpr int kHashBytes = 32;
constexpr int kFileKeyBytes = 32;
} // namespace

std::optional<AttachmentInfo> AttachmentInfo::parse(const QByteArray &bytes, bool draft)
{
    const google::protobuf::LogSilencer quiet; // hostile input must not flood the log
    hchat::v1::AttachmentContent c;
    if (bytes.isEmpty() || !c.ParseFromArray(bytes.constData(), int(bytes.size())))
        return std::nullopt;
    if ((draft ? !c.attachment_id().empty() : c.attachment_id().size() != limits::kUploadIdLength) ||
        c.name().empty() || c.name().size() > limits::kMaxAttachmentNameLength ||
        c.thumbnail().size() > limits::kMaxThumbnailBytes ||
        (!c.content_hash().empty() && c.content_hash().size() != kHashBytes) ||
        (!c.file_key().empty() && c.file_key().size() != kFileKeyBytes))
        return std::nullopt;
    AttachmentInfo a;
    a.id = QString::fromStdString(c.attachment_id());
    a.name = QString::fromStdString(c.name());
    a.mimeType = QString::fromStdString(c.mime_type());
    a.size = c.size();
    a.caption = QString::fromStdString(c.caption());
    a.width = c.width();
    a.height = c.height();
    a.thumbnail = QByteArray::fromStdString(c.thumbnail());
    a.contentHash = QByteArray::fromStdString(c.content_hash());
    a.fileKey = QByteArray::fromStdString(c.file_key());
    return a;
}

QByteArray AttachmentInfo::serialize() const
{
    hchat::v1::AttachmentContent c;
    c.set_attachment_id(id.toStdString());
    c.set_name(name.toStdString());
    c.set_mime_type(mimeType.toStdString());
    c.set_size(size);
    c.set_caption(caption.toStdString());
    c.set_width(width);
    c.set_height(height);
    c.set_thumbnail(thumbnail.toStdString());
    c.set_content_hash(contentHash.toStdString());
    c.set_file_key(fileKey.toStdString());
    const std::string out = c.SerializeAsString();
    return QByteArray(out.data(), qsizetype(out.size()));
}

QString AttachmentInfo::safeFileName(const QString &name)
{
    QString out;
    for (const QChar c : name) {
        if (c == QLatin1Char('/') || c == QLatin1Char('\\') || c.category() == QChar::Other_Control)
            out += QLatin1Char('_');
        else
            out += c;
    }
    out = out.trimmed();
    if (out.isEmpty() || out == QLatin1String(".") || out == QLatin1String(".."))
        out = QStringLiteral("attachment");
    return out.left(int(limits::kMaxAttachmentNameLength));
}

} // namespace hchat
