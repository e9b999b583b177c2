// The recovery key of the backup (issue 22): 32 bytes as 34 words that read back the same whatever
// the case, spacing or hyphens; a mistyped word (unknown, or another valid word) is refused with a
// clear error; the word list is 256 distinct short words. BackupCipher: an entry opens only under
// the same backup key and account, and only with the id it was sealed under.
#include "crypto/BackupCipher.h"
#include "crypto/RecoveryKey.h"
#include "crypto/RecoveryWords.h"
#include "crypto/TrustStore.h"
#include "hchat.pb.h"

#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <sodium.h>

using namespace hchat::crypto;

namespace {

RecoveryKey fixedKey()
{
    QByteArray bytes(32, '\0');
    for (int i = 0; i < 32; ++i)
        bytes[i] = char(i * 37 + 11);
    return *RecoveryKey::fromBytes(bytes);
}

SenderSession session(const QString &channel)
{
    QByteArray sid(16, '\0'), key(32, '\0');
    randombytes_buf(sid.data(), 16);
    randombytes_buf(key.data(), 32);
    return *SenderSession::fromKey(channel, sid, 7, key);
}

} // namespace

class CryptoRecoveryKey : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }

    void theWordListIs256DistinctShortWords()
    {
        QSet<QString> seen;
        static const QRegularExpression word(QStringLiteral("^[a-z]{3,6}$"));
        for (const char *w : recoveryWords()) {
            const QString s = QString::fromLatin1(w);
            QVERIFY2(word.match(s).hasMatch(), w);
            seen.insert(s);
        }
        QCOMPARE(seen.size(), 256);
    }

    void wordsRoundTripWhateverTheSpacing()
    {
        for (int round = 0; round < 50; ++round) {
            const RecoveryKey key = RecoveryKey::generate();
            const QString words = key.toWords();
            QCOMPARE(words.split(QLatin1Char(' ')).size(), RecoveryKey::kWords);
            QString error;
            auto back = RecoveryKey::fromWords(words, &error);
            QVERIFY2(back, qPrintable(error));
            QVERIFY(back->bytes().equals(key.bytes()));
            // Upper case, hyphens, line breaks and extra spaces read the same.
            QString messy = words.toUpper();
            messy.replace(QLatin1Char(' '), round % 2 ? QStringLiteral(" - ") : QStringLiteral("\n  "));
            back = RecoveryKey::fromWords(QStringLiteral("  ") + messy + QStringLiteral("  "), &error);
            QVERIFY2(back, qPrintable(error));
            QVERIFY(back->bytes().equals(key.bytes()));
            QVERIFY(back->deriveBackupKey().equals(key.deriveBackupKey()));
        }
    }

    void aMistypedWordIsRefused()
    {
        const QStringList words = fixedKey().toWords().split(QLatin1Char(' '));
        // Every word replaced by another valid word: the checksum catches each.
        for (int i = 0; i < words.size(); ++i) {
            for (int delta : {1, 2, 128}) {
                QStringList typo = words;
                const int index =
                    int(std::find_if(recoveryWords().begin(), recoveryWords().end(),
                                     [&](const char *w) { return words.at(i) == QLatin1String(w); }) -
                        recoveryWords().begin());
                typo[i] = QString::fromLatin1(recoveryWords()[std::size_t((index + delta) % 256)]);
                QString error;
                QVERIFY2(!RecoveryKey::fromWords(typo.join(QLatin1Char(' ')), &error),
                         qPrintable(QStringLiteral("word %1 + %2 passed").arg(i).arg(delta)));
                QVERIFY2(error.contains(QLatin1String("mistyped")), qPrintable(error));
            }
        }
        // A word not on the list is named.
        QStringList unknown = words;
        unknown[4] = QStringLiteral("zzyzx");
        QString error;
        QVERIFY(!RecoveryKey::fromWords(unknown.join(QLatin1Char(' ')), &error));
        QVERIFY2(error.contains(QLatin1String("Word 5")) && error.contains(QLatin1String("zzyzx")),
                 qPrintable(error));
        // A word missing.
        QVERIFY(!RecoveryKey::fromWords(words.mid(1).join(QLatin1Char(' ')), &error));
        QVERIFY2(error.contains(QLatin1String("34 words")), qPrintable(error));
    }

    void anEntryOpensOnlyUnderItsKeyAccountAndId()
    {
        const SecureBuffer backupKey = RecoveryKey::generate().deriveBackupKey();
        const BackupCipher cipher(backupKey, QStringLiteral("Alice"));
        const SenderSession s = session(QStringLiteral("room"));
        const QByteArray identity(32, 'i');
        const hchat::v1::BackupEntry entry =
            cipher.seal(QStringLiteral("bob"), QStringLiteral("dev-b"), s, identity);
        // Nothing of the session in the clear.
        const std::string all = entry.SerializeAsString();
        QVERIFY(all.find(std::string(reinterpret_cast<const char *>(s.key().data()), s.key().size())) ==
                std::string::npos);
        QVERIFY(all.find("room") == std::string::npos && all.find("dev-b") == std::string::npos);

        QString error;
        auto opened = BackupCipher(backupKey, QStringLiteral("alice")).open(entry, &error);
        QVERIFY2(opened, qPrintable(error));
        QCOMPARE(opened->sender, QStringLiteral("bob"));
        QCOMPARE(opened->senderDevice, QStringLiteral("dev-b"));
        QCOMPARE(opened->senderIdentityKey, identity);
        QCOMPARE(opened->session->channel(), QStringLiteral("room"));
        QCOMPARE(opened->session->sessionId(), s.sessionId());
        QCOMPARE(opened->session->startIndex(), 7u);
        QVERIFY(opened->session->key().equals(s.key()));
        QCOMPARE(cipher.entryId(QStringLiteral("room"), QStringLiteral("dev-b"), s.sessionId()),
                 QByteArray::fromStdString(entry.entry_id()));

        // Another recovery key: the header says so, and the entry does not open.
        const BackupCipher other(RecoveryKey::generate().deriveBackupKey(), QStringLiteral("alice"));
        QVERIFY(cipher.matches(cipher.header(1)));
        QVERIFY(!other.matches(cipher.header(1)));
        QVERIFY(!other.open(entry, &error));
        // Another account with the same key.
        QVERIFY(!BackupCipher(backupKey, QStringLiteral("mallory")).open(entry, &error));
        QVERIFY(!BackupCipher(backupKey, QStringLiteral("mallory")).matches(cipher.header(1)));
        // The gateway moves a sealed entry under another entry's id.
        hchat::v1::BackupEntry moved = entry;
        moved.set_entry_id(
            cipher
                .seal(QStringLiteral("bob"), QStringLiteral("dev-b"), session(QStringLiteral("x")), identity)
                .entry_id());
        QVERIFY(!cipher.open(moved, &error));
        // One bit flipped.
        hchat::v1::BackupEntry flipped = entry;
        (*flipped.mutable_ciphertext())[3] ^= 1;
        QVERIFY(!cipher.open(flipped, &error));
    }

    void aKeyFromTheBackupVerifiesButGetsNoKeyShare()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("trust.json"));
        const QByteArray key(32, 'k'), other(32, 'o');
        {
            TrustStore trust;
            QVERIFY(trust.open(path));
            QVERIFY(trust.trustFromBackup(QStringLiteral("ann"), QStringLiteral("old"), key));
            QCOMPARE(trust.trustedKey(QStringLiteral("ann"), QStringLiteral("old")), key);
            QVERIFY(!trust.mayShareKeysWith(QStringLiteral("ann"), QStringLiteral("old")));
            // A key this device already holds is never replaced from the backup.
            QVERIFY(trust.observe(QStringLiteral("bo"), QStringLiteral("b1"), key) ==
                    TrustStore::State::Trusted);
            QVERIFY(!trust.trustFromBackup(QStringLiteral("bo"), QStringLiteral("b1"), other));
            QCOMPARE(trust.trustedKey(QStringLiteral("bo"), QStringLiteral("b1")), key);
            QVERIFY(trust.mayShareKeysWith(QStringLiteral("bo"), QStringLiteral("b1")));
        }
        TrustStore again;
        QVERIFY(again.open(path));
        QCOMPARE(again.trustedKey(QStringLiteral("ann"), QStringLiteral("old")), key);
        QVERIFY(!again.mayShareKeysWith(QStringLiteral("ann"), QStringLiteral("old")));
        // The account's signed list names it with that key: a device of the account again.
        QVERIFY(again.approve(QStringLiteral("ann"), QStringLiteral("old"), key));
        QVERIFY(again.mayShareKeysWith(QStringLiteral("ann"), QStringLiteral("old")));
    }

    void theBackupKeyIsKeptSealedOnTheDevice()
    {
        const SecureBuffer backupKey = RecoveryKey::generate().deriveBackupKey();
        const SecureBuffer storage = SecureBuffer::random(32);
        const QByteArray sealed = BackupCipher::sealForDevice(backupKey, storage);
        QVERIFY(!sealed.contains(backupKey.view().toByteArray()));
        QVERIFY(BackupCipher::openOnDevice(sealed, storage).equals(backupKey));
        QVERIFY(BackupCipher::openOnDevice(sealed, SecureBuffer::random(32)).isNull());
    }
};

QTEST_GUILESS_MAIN(CryptoRecoveryKey)
#include "tst_crypto_recoverykey.moc"
