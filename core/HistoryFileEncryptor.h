#pragma once

#include <QString>

namespace hchat {

namespace crypto {
class EncryptedPageVfs;
}

// Converts a plain history database (written before the history was encrypted at rest, or while
// no keychain was available) into the encrypted page format of EncryptedPageVfs, in place:
// VACUUM INTO a new file through the VFS, with each page's tail reserved for nonce and tag, then an
// atomic rename over the old file, whose blocks are then overwritten with zeros (best effort: a
// copy-on-write file system or an SSD may keep the old blocks). A crash at any point leaves either
// the old file or the new one, never a mix; a leftover half-written copy is removed on the next try.
class HistoryFileEncryptor {
public:
    static bool encrypt(const QString &path, const crypto::EncryptedPageVfs &vfs, QString *error);
};

} // namespace hchat
