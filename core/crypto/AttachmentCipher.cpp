#include "crypto/AttachmentCipher.h"

#include "Limits.h"
#include "crypto/Sodium.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>

#include <sodium.h>

#include <vector>

namespace hchat::crypto {

namespace {

constexpr qint64 kChunk = qint64(limits::kSecretStreamChunkBytes);
constexpr qint64 kCipherChunk = kChunk + crypto_secretstream_xchacha20poly1305_ABYTES;

QString tr(const char *text)
{
    return QCoreApplication::translate("hchat::crypto::AttachmentCipher", text);
}

AttachmentCipher::Result failed(const QString &error)
{
    AttachmentCipher::Result r;
    r.error = error;
    return r;
}

// Reads up to `want` bytes (fewer only at the end of the file).
qint64 readFully(QFile &f, unsigned char *buf, qint64 want)
{
    qint64 got = 0;
    while (got < want) {
        const qint64 n = f.read(reinterpret_cast<char *>(buf) + got, want - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += n;
    }
    return got;
}

// One pass over `in` into `out`; `step` turns each block read into the bytes to write.
struct Files {
    QFile in;
    QSaveFile out;
    bool open(const QString &inPath, const QString &outPath, QString *error)
    {
        in.setFileName(inPath);
        out.setFileName(outPath);
        if (!in.open(QIODevice::ReadOnly)) {
            *error = tr("Cannot read %1: %2").arg(inPath, in.errorString());
            return false;
        }
        if (!outPath.isEmpty() && !out.open(QIODevice::WriteOnly)) {
            *error = tr("Cannot write %1: %2").arg(outPath, out.errorString());
            return false;
        }
        return true;
    }
    bool write(const unsigned char *data, qint64 n, QString *error)
    {
        if (out.write(reinterpret_cast<const char *>(data), n) != n) {
            *error = tr("Cannot write %1: %2").arg(out.fileName(), out.errorString());
            return false;
        }
        return true;
    }
};

} // namespace

qint64 AttachmentCipher::encryptedSize(qint64 plainSize)
{
    // One message per chunk; an empty file is one empty FINAL message.
    const qint64 messages = plainSize == 0 ? 1 : (plainSize + kChunk - 1) / kChunk;
    return qint64(crypto_secretstream_xchacha20poly1305_HEADERBYTES) +
           messages * qint64(crypto_secretstream_xchacha20poly1305_ABYTES) + plainSize;
}

namespace {
// Reads `in` once, hashing it, and writes it to `out` unless out is empty.
AttachmentCipher::Result copyOrHash(const QString &in, const QString &out)
{
    AttachmentCipher::Result r;
    Files f;
    if (!f.open(in, out, &r.error))
        return r;
    crypto_generichash_state h;
    crypto_generichash_init(&h, nullptr, 0, AttachmentCipher::kHashBytes);
    std::vector<unsigned char> buf(static_cast<std::size_t>(kChunk) * 4);
    for (;;) {
        const qint64 n = readFully(f.in, buf.data(), qint64(buf.size()));
        if (n < 0)
            return failed(tr("Cannot read %1: %2").arg(in, f.in.errorString()));
        if (n == 0)
            break;
        crypto_generichash_update(&h, buf.data(), quint64(n));
        if (!out.isEmpty() && !f.write(buf.data(), n, &r.error))
            return r;
        r.plainSize += n;
    }
    r.hash.resize(AttachmentCipher::kHashBytes);
    crypto_generichash_final(&h, reinterpret_cast<unsigned char *>(r.hash.data()), AttachmentCipher::kHashBytes);
    if (!out.isEmpty() && !f.out.commit())
        return failed(tr("Cannot write %1: %2").arg(out, f.out.errorString()));
    r.outputSize = r.plainSize;
    r.ok = true;
    return r;
}
} // namespace

AttachmentCipher::Result AttachmentCipher::copy(const QString &in, const QString &out)
{
    return copyOrHash(in, out);
}

AttachmentCipher::Result AttachmentCipher::hash(const QString &path)
{
    return copyOrHash(path, {});
}

AttachmentCipher::Result AttachmentCipher::encrypt(const QString &in, const QString &out, QByteArray *key)
{
    Result r;
    if (!Sodium::ensureInitialized())
        return failed(QStringLiteral("libsodium is unavailable"));
    Files f;
    if (!f.open(in, out, &r.error))
        return r;
    key->resize(kKeyBytes);
    auto *k = reinterpret_cast<unsigned char *>(key->data());
    crypto_secretstream_xchacha20poly1305_keygen(k);
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_init_push(&st, header, k);
    if (!f.write(header, sizeof header, &r.error))
        return r;
    r.outputSize = sizeof header;
    crypto_generichash_state h;
    crypto_generichash_init(&h, nullptr, 0, kHashBytes);
    std::vector<unsigned char> plain(static_cast<std::size_t>(kChunk) + 1);
    std::vector<unsigned char> cipher(static_cast<std::size_t>(kCipherChunk));
    // Read one byte ahead so that the last message (possibly empty) carries the FINAL tag.
    qint64 have = readFully(f.in, plain.data(), kChunk + 1);
    for (;;) {
        if (have < 0)
            return failed(tr("Cannot read %1: %2").arg(in, f.in.errorString()));
        const bool last = have <= kChunk;
        const qint64 n = last ? have : kChunk;
        crypto_generichash_update(&h, plain.data(), quint64(n));
        unsigned long long clen = 0;
        crypto_secretstream_xchacha20poly1305_push(
            &st, cipher.data(), &clen, plain.data(), quint64(n), nullptr, 0,
            last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        if (!f.write(cipher.data(), qint64(clen), &r.error))
            return r;
        r.plainSize += n;
        r.outputSize += qint64(clen);
        if (last)
            break;
        plain[0] = plain[std::size_t(kChunk)];
        const qint64 more = readFully(f.in, plain.data() + 1, kChunk);
        have = more < 0 ? -1 : more + 1;
    }
    sodium_memzero(&st, sizeof st);
    r.hash.resize(kHashBytes);
    crypto_generichash_final(&h, reinterpret_cast<unsigned char *>(r.hash.data()), kHashBytes);
    if (!f.out.commit())
        return failed(tr("Cannot write %1: %2").arg(out, f.out.errorString()));
    r.ok = true;
    return r;
}

AttachmentCipher::Result AttachmentCipher::decrypt(const QString &in, const QString &out,
                                                   const QByteArray &key)
{
    Result r;
    if (!Sodium::ensureInitialized())
        return failed(QStringLiteral("libsodium is unavailable"));
    if (key.size() != kKeyBytes)
        return failed(tr("The attachment's key is invalid."));
    Files f;
    if (!f.open(in, out, &r.error))
        return r;
    const QString damaged = tr("The attachment is damaged or was tampered with.");
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    if (readFully(f.in, header, sizeof header) != qint64(sizeof header))
        return failed(damaged);
    crypto_secretstream_xchacha20poly1305_state st;
    if (crypto_secretstream_xchacha20poly1305_init_pull(
            &st, header, reinterpret_cast<const unsigned char *>(key.constData())) != 0)
        return failed(damaged);
    crypto_generichash_state h;
    crypto_generichash_init(&h, nullptr, 0, kHashBytes);
    std::vector<unsigned char> cipher(static_cast<std::size_t>(kCipherChunk));
    std::vector<unsigned char> plain(static_cast<std::size_t>(kChunk));
    bool final = false;
    while (!final) {
        const qint64 n = readFully(f.in, cipher.data(), kCipherChunk);
        if (n < 0)
            return failed(tr("Cannot read %1: %2").arg(in, f.in.errorString()));
        if (n < qint64(crypto_secretstream_xchacha20poly1305_ABYTES))
            return failed(damaged); // cut short before the FINAL message
        unsigned long long plen = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, plain.data(), &plen, &tag, cipher.data(),
                                                       quint64(n), nullptr, 0) != 0)
            return failed(damaged);
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (!final && n < kCipherChunk)
            return failed(damaged);
        crypto_generichash_update(&h, plain.data(), plen);
        if (!f.write(plain.data(), qint64(plen), &r.error))
            return r;
        r.plainSize += qint64(plen);
    }
    sodium_memzero(plain.data(), plain.size());
    if (!f.in.atEnd())
        return failed(damaged); // bytes after the FINAL message
    r.hash.resize(kHashBytes);
    crypto_generichash_final(&h, reinterpret_cast<unsigned char *>(r.hash.data()), kHashBytes);
    if (!f.out.commit())
        return failed(tr("Cannot write %1: %2").arg(out, f.out.errorString()));
    r.outputSize = r.plainSize;
    r.ok = true;
    return r;
}

} // namespace hchat::crypto
