#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include <optional>
#include <string_view>

namespace hchat {

// The content of an attachment message (hchat.v1.AttachmentContent): what the file is, its inline
// thumbnail and, in encrypted channels, the key of its secretstream.
struct AttachmentInfo {
    QString id;   // the gateway's upload id (32 hex digits)
    QString name; // file name without a path
    QString mimeType;
    quint64 size = 0; // bytes of the file itself
    QString caption;
    quint32 width = 0; // images
    quint32 height = 0;
    QByteArray thumbnail;   // JPEG
    QByteArray contentHash; // BLAKE2b-256 of the file
    QByteArray fileKey;     // encrypted channels: the crypto_secretstream key

    bool isImage() const { return mimeType.startsWith(QLatin1String("image/")); }
    bool isEncrypted() const { return !fileKey.isEmpty(); }

    // Parses and checks the limits (name, thumbnail size, hash and key lengths); nullopt when not.
    // A draft (an upload not yet started) has no id yet.
    static std::optional<AttachmentInfo> parse(const QByteArray &bytes, bool draft = false);
    QByteArray serialize() const;
    // A file name safe to create in a directory of ours: no path, no control characters, no
    // Unicode format characters (U+202E would show "exe.txt" for "txt.exe").
    static QString safeFileName(const QString &name);
    // Whether an id from the network can name an upload: exactly 32 lower-case hex digits. Ids
    // become file and folder names, so anything else (a "../" among them) is refused everywhere.
    static bool isValidId(QStringView id);
    static bool isValidId(std::string_view id);
    // Whether opening the file may run it (a program, a script, a desktop entry, an installer),
    // by its name, its content or its permissions: the UI asks before opening such a file.
    static bool mayRunWhenOpened(const QString &path);
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::AttachmentInfo)
