// Attachment files (issue 11): crypto_secretstream encryption of whole files round-trips at every
// chunk boundary, and a changed, cut, extended or wrongly keyed file is refused with nothing
// written; the BLAKE2b hash and the announced ciphertext size are exact; AttachmentContent parsing
// enforces its limits.
#include "AttachmentInfo.h"
#include "Limits.h"
#include "TestEnv.h"
#include "crypto/AttachmentCipher.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <sodium.h>

using hchat::AttachmentInfo;
using hchat::crypto::AttachmentCipher;

namespace {

QByteArray randomBytes(qsizetype n)
{
    QByteArray b(n, Qt::Uninitialized);
    randombytes_buf(b.data(), std::size_t(b.size()));
    return b;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray blake2b(const QByteArray &bytes)
{
    QByteArray h(32, '\0');
    crypto_generichash(reinterpret_cast<unsigned char *>(h.data()), 32,
                       reinterpret_cast<const unsigned char *>(bytes.constData()), quint64(bytes.size()),
                       nullptr, 0);
    return h;
}

} // namespace

class CryptoAttachments : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir{hchat::test::scratchRoot() + QStringLiteral("/attach-XXXXXX")};
    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(sodium_init() >= 0);
        QVERIFY(m_dir.isValid());
    }

    void encryptedFileRoundTripsAtEveryChunkBoundary_data()
    {
        QTest::addColumn<int>("size");
        const int chunk = int(hchat::limits::kSecretStreamChunkBytes);
        for (int size : {0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk, 3 * chunk + 17})
            QTest::addRow("%d bytes", size) << size;
    }
    void encryptedFileRoundTripsAtEveryChunkBoundary()
    {
        QFETCH(int, size);
        const QByteArray plain = randomBytes(size);
        QVERIFY(writeFile(path("plain"), plain));
        QByteArray key;
        const auto enc = AttachmentCipher::encrypt(path("plain"), path("cipher"), &key);
        QVERIFY2(enc.ok, qPrintable(enc.error));
        QCOMPARE(key.size(), AttachmentCipher::kKeyBytes);
        QCOMPARE(enc.plainSize, qint64(size));
        QCOMPARE(enc.hash, blake2b(plain));
        const QByteArray cipher = readFile(path("cipher"));
        QCOMPARE(qint64(cipher.size()), enc.outputSize);
        QCOMPARE(AttachmentCipher::encryptedSize(size), enc.outputSize);
        if (size >= 16)
            QVERIFY(!cipher.contains(plain.left(16)));

        const auto dec = AttachmentCipher::decrypt(path("cipher"), path("out"), key);
        QVERIFY2(dec.ok, qPrintable(dec.error));
        QCOMPARE(readFile(path("out")), plain);
        QCOMPARE(dec.hash, enc.hash);
    }

    void changedCutExtendedOrWronglyKeyedFileIsRefused()
    {
        const QByteArray plain = randomBytes(3 * int(hchat::limits::kSecretStreamChunkBytes) + 100);
        QVERIFY(writeFile(path("plain2"), plain));
        QByteArray key;
        QVERIFY(AttachmentCipher::encrypt(path("plain2"), path("cipher2"), &key).ok);
        const QByteArray cipher = readFile(path("cipher2"));
        const int chunkOnWire = int(hchat::limits::kSecretStreamChunkBytes) + 17;

        QByteArray flipped = cipher;
        flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x01);
        QByteArray wholeChunkCut = cipher;
        wholeChunkCut.chop(cipher.size() - 24 - 2 * chunkOnWire); // ends cleanly, without FINAL
        QByteArray extended = cipher + QByteArray("more");
        QByteArray wrongKey = key;
        wrongKey[0] = char(wrongKey[0] ^ 0x01);

        const struct {
            const char *what;
            QByteArray bytes;
            QByteArray key;
        } cases[] = {{"one bit changed", flipped, key},
                     {"cut after whole chunks", wholeChunkCut, key},
                     {"cut in the header", cipher.left(10), key},
                     {"bytes after FINAL", extended, key},
                     {"wrong key", cipher, wrongKey},
                     {"short key", cipher, key.left(16)}};
        for (const auto &c : cases) {
            QFile::remove(path("out2"));
            QVERIFY(writeFile(path("bad"), c.bytes));
            const auto r = AttachmentCipher::decrypt(path("bad"), path("out2"), c.key);
            QVERIFY2(!r.ok, c.what);
            QVERIFY2(!r.error.isEmpty(), c.what);
            QVERIFY2(!QFile::exists(path("out2")), c.what); // nothing half-written
        }
    }

    void copyAndHashAgree()
    {
        const QByteArray plain = randomBytes(300000);
        QVERIFY(writeFile(path("plain3"), plain));
        const auto c = AttachmentCipher::copy(path("plain3"), path("copy3"));
        QVERIFY(c.ok);
        QCOMPARE(readFile(path("copy3")), plain);
        QCOMPARE(c.hash, blake2b(plain));
        QCOMPARE(AttachmentCipher::hash(path("copy3")).hash, c.hash);
        QVERIFY(!AttachmentCipher::copy(path("missing"), path("copy4")).ok);
    }

    void contentParsingEnforcesItsLimits()
    {
        AttachmentInfo a;
        a.id = QString(32, QLatin1Char('a'));
        a.name = QStringLiteral("photo.jpg");
        a.mimeType = QStringLiteral("image/jpeg");
        a.size = 1234;
        a.contentHash = QByteArray(32, 'h');
        a.fileKey = QByteArray(32, 'k');
        a.thumbnail = QByteArray(1000, 't');
        const auto back = AttachmentInfo::parse(a.serialize());
        QVERIFY(back);
        QCOMPARE(back->name, a.name);
        QCOMPARE(back->fileKey, a.fileKey);
        QVERIFY(back->isImage() && back->isEncrypted());

        auto broken = [](auto change) {
            AttachmentInfo b;
            b.id = QString(32, QLatin1Char('a'));
            b.name = QStringLiteral("x");
            change(b);
            return AttachmentInfo::parse(b.serialize()).has_value();
        };
        QVERIFY(!broken([](AttachmentInfo &b) { b.id = QStringLiteral("short"); }));
        QVERIFY(!broken([](AttachmentInfo &b) { b.name.clear(); }));
        QVERIFY(!broken([](AttachmentInfo &b) { b.name = QString(256, QLatin1Char('n')); }));
        QVERIFY(!broken([](AttachmentInfo &b) {
            b.thumbnail = QByteArray(int(hchat::limits::kMaxThumbnailBytes) + 1, 't');
        }));
        QVERIFY(!broken([](AttachmentInfo &b) { b.fileKey = QByteArray(31, 'k'); }));
        QVERIFY(!broken([](AttachmentInfo &b) { b.contentHash = QByteArray(33, 'h'); }));
        QVERIFY(!AttachmentInfo::parse(QByteArray("\xff\xff\xff garbage")).has_value());
        // A draft (no id yet) parses only as a draft.
        AttachmentInfo draft = a;
        draft.id.clear();
        QVERIFY(!AttachmentInfo::parse(draft.serialize()));
        QVERIFY(AttachmentInfo::parse(draft.serialize(), true));

        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("../../etc/passwd")),
                 QStringLiteral(".._.._etc_passwd"));
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("..")), QStringLiteral("attachment"));
        QCOMPARE(AttachmentInfo::safeFileName(QStringLiteral("a\nb.txt")), QStringLiteral("a_b.txt"));
    }
};

QTEST_GUILESS_MAIN(CryptoAttachments)
#include "tst_crypto_attachments.moc"
