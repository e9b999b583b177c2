#include "AttachmentInfo.h"

#include "Limits.h"
#include "hchat.pb.h"

#include <QFileInfo>
#include <QMimeDatabase>

#include <google/protobuf/stubs/logging.h>

#include <algorithm>

namespace hchat {

namespace {
constexpr int kHashBytes = 32;
constexpr int kFileKeyBytes = 32;

bool isLowerHex(char32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// Types a desktop runs (or installs) rather than shows, by their shared-mime-info names.
const char *const kRunnableTypes[] = {
    "application/x-executable",         "application/x-sharedlib",
    "application/x-shellscript",        "application/x-desktop",
    "application/x-ms-dos-executable",  "application/x-msdownload",
    "application/x-msi",                "application/vnd.microsoft.portable-executable",
    "application/java-archive",         "application/x-java-jnlp-file",
    "application/x-perl",               "text/x-python",
    "text/x-python3",                   "application/x-ruby",
    "application/x-php",                "application/x-appimage",
    "application/x-iso9660-appimage",   "application/vnd.debian.binary-package",
    "application/x-rpm",                "application/x-bat",
    "application/x-csh",                "application/vnd.flatpak.ref",
};

bool isRunnableType(const QMimeType &type)
{
    return type.isValid() && std::any_of(std::begin(kRunnableTypes), std::end(kRunnableTypes), [&](const char *name) {
               return type.inherits(QString::fromLatin1(name));
           });
}
} // namespace

bool AttachmentInfo::isValidId(QStringView id)
{
    return id.size() == qsizetype(limits::kUploadIdLength) &&
           std::all_of(id.begin(), id.end(), [](QChar c) { return isLowerHex(c.unicode()); });
}

bool AttachmentInfo::isValidId(std::string_view id)
{
    return id.size() == limits::kUploadIdLength &&
           std::all_of(id.begin(), id.end(), [](char c) { return isLowerHex(char32_t(static_cast<unsigned char>(c))); });
}

bool AttachmentInfo::mayRunWhenOpened(const QString &path)
{
    const QFileInfo fi(path);
    if (fi.isExecutable())
        return true;
    const QMimeDatabase db;
    if (isRunnableType(db.mimeTypeForFile(fi, QMimeDatabase::MatchContent)))
        return true;
    const QList<QMimeType> byName = db.mimeTypesForFileName(fi.fileName());
    return std::any_of(byName.begin(), byName.end(), isRunnableType);
}

std::optional<AttachmentInfo> AttachmentInfo::parse(const QByteArray &bytes, bool draft)
{
    const google::protobuf::LogSilencer quiet; // hostile input must not flood the log
    hchat::v1::AttachmentContent c;
    if (bytes.isEmpty() || !c.ParseFromArray(bytes.constData(), int(bytes.size())))
        return std::nullopt;
    if ((draft ? !c.attachment_id().empty() : !isValidId(c.attachment_id())) ||
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
        if (c.category() == QChar::Other_Format)
            continue; // invisible, but they reorder or hide what the user reads
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
