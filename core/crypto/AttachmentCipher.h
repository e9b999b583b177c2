#pragma once

#include <QByteArray>
#include <QString>

namespace hchat::crypto {

// Files of attachments: staged for upload (plain channels: a copy; encrypted channels: the
// crypto_secretstream_xchacha20poly1305 ciphertext, a 24-byte header then one stream message per
// 65536 plaintext bytes, the last tagged FINAL), and opened after download. Each also computes
// the BLAKE2b-256 hash of the plaintext that AttachmentContent.content_hash carries.
// Blocking file I/O: run these off the GUI thread. Outputs are written atomically (QSaveFile).
class AttachmentCipher {
public:
    static constexpr int kKeyBytes = 32;
    static constexpr int kHashBytes = 32;

    struct Result {
        bool ok = false;
        QString error;   // for the user
        QByteArray hash; // BLAKE2b-256 of the plaintext
        qint64 plainSize = 0;
        qint64 outputSize = 0;
    };

    // Copies `in` to `out`.
    static Result copy(const QString &in, const QString &out);
    // Encrypts `in` into `out` under a fresh random key (*key, 32 bytes).
    static Result encrypt(const QString &in, const QString &out, QByteArray *key);
    // Decrypts `in` into `out`; fails (nothing written) when a stream message does not open, the
    // stream is cut short or has bytes after its FINAL message.
    static Result decrypt(const QString &in, const QString &out, const QByteArray &key);
    // Hashes a plain file in place (a plain channel's download); keeps it.
    static Result hash(const QString &path);

    static qint64 encryptedSize(qint64 plainSize);
};

} // namespace hchat::crypto
