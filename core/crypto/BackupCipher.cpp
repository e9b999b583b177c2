#include "crypto/BackupCipher.h"

#include "crypto/CanonicalBytes.h"
#include "hchat.pb.h"

#include <QCoreApplication>

#include <sodium.h>

namespace hchat::crypto {

namespace {

constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

SecureBuffer subkey(const SecureBuffer &key, std::uint64_t id)
{
    SecureBuffer out(32);
    if (key.size() == crypto_kdf_KEYBYTES)
        crypto_kdf_derive_from_key(out.data(), out.size(), id, "hchatbck", key.data());
    return out;
}

QByteArray keyedHash(const SecureBuffer &key, const QByteArray &bytes)
{
    QByteArray out(int(kHashBytes), Qt::Uninitialized);
    crypto_generichash(reinterpret_cast<unsigned char *>(out.data()), kHashBytes,
                       reinterpret_cast<const unsigned char *>(bytes.constData()), std::size_t(bytes.size()),
                       key.data(), key.size());
    return out;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("hchat::crypto::BackupCipher", text);
}

QByteArray sealBytes(const SecureBuffer &key, QByteArrayView plain, const QByteArray &ad,
                     QByteArray *nonceOut)
{
    QByteArray nonce(int(kNonceBytes), Qt::Uninitialized);
    randombytes_buf(nonce.data(), kNonceBytes);
    QByteArray out(int(plain.size() + kTagBytes), Qt::Uninitialized);
    unsigned long long len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char *>(out.data()), &len,
        reinterpret_cast<const unsigned char *>(plain.data()), std::size_t(plain.size()),
        reinterpret_cast<const unsigned char *>(ad.constData()), std::size_t(ad.size()), nullptr,
        reinterpret_cast<const unsigned char *>(nonce.constData()), key.data());
    out.resize(qsizetype(len));
    *nonceOut = nonce;
    return out;
}

SecureBuffer openBytes(const SecureBuffer &key, const QByteArray &nonce, const QByteArray &cipher,
                       const QByteArray &ad)
{
    if (nonce.size() != qsizetype(kNonceBytes) || cipher.size() < qsizetype(kTagBytes) || key.size() != 32)
        return {};
    SecureBuffer plain(std::size_t(cipher.size()) - kTagBytes);
    unsigned long long len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain.data(), &len, nullptr, reinterpret_cast<const unsigned char *>(cipher.constData()),
            std::size_t(cipher.size()), reinterpret_cast<const unsigned char *>(ad.constData()),
            std::size_t(ad.size()), reinterpret_cast<const unsigned char *>(nonce.constData()),
            key.data()) != 0)
        return {};
    return plain;
}

QByteArray bytesOf(const std::string &s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

} // namespace

BackupCipher::BackupCipher(const SecureBuffer &backupKey, const QString &nick)
    : m_nick(nick.toLower()), m_checkKey(subkey(backupKey, 1)), m_idKey(subkey(backupKey, 2)),
      m_sealKey(subkey(backupKey, 3))
{
}

QByteArray BackupCipher::keyCheck() const
{
    return keyedHash(m_checkKey, CanonicalBytes("hchat-backup-check-v1").add(m_nick).bytes());
}

hchat::v1::BackupHeader BackupCipher::header(qint64 createdMs) const
{
    hchat::v1::BackupHeader h;
    h.set_version(1);
    const QByteArray check = keyCheck();
    h.set_key_check(check.constData(), std::size_t(check.size()));
    h.set_created_ms(createdMs);
    return h;
}

bool BackupCipher::matches(const hchat::v1::BackupHeader &header) const
{
    const QByteArray mine = keyCheck();
    return header.version() == 1 && header.key_check().size() == std::size_t(mine.size()) &&
           sodium_memcmp(header.key_check().data(), mine.constData(), std::size_t(mine.size())) == 0;
}

QByteArray BackupCipher::entryId(const QString &channel, const QString &senderDevice,
                                 const QByteArray &sessionId) const
{
    return keyedHash(
        m_idKey, CanonicalBytes("hchat-backup-id-v1").add(channel).add(senderDevice).add(sessionId).bytes());
}

QByteArray BackupCipher::entryAd(const QByteArray &entryId) const
{
    return CanonicalBytes("hchat-backup-entry-v1").add(m_nick).add(entryId).bytes();
}

hchat::v1::BackupEntry BackupCipher::seal(const QString &sender, const QString &senderDevice,
                                          const SenderSession &session,
                                          const QByteArray &senderIdentityKey) const
{
    hchat::v1::BackupSession plain;
    plain.set_channel(session.channel().toStdString());
    plain.set_sender(sender.toStdString());
    plain.set_sender_device(senderDevice.toStdString());
    plain.set_session_id(session.sessionId().constData(), std::size_t(session.sessionId().size()));
    plain.set_start_index(session.startIndex());
    plain.set_chain_key(reinterpret_cast<const char *>(session.key().data()), session.key().size());
    plain.set_sender_identity_key(senderIdentityKey.constData(), std::size_t(senderIdentityKey.size()));
    std::string bytes = plain.SerializeAsString();
    const QByteArray id = entryId(session.channel(), senderDevice, session.sessionId());
    QByteArray nonce;
    const QByteArray cipher =
        sealBytes(m_sealKey, QByteArrayView(bytes.data(), qsizetype(bytes.size())), entryAd(id), &nonce);
    sodium_memzero(bytes.data(), bytes.size());
    plain.mutable_chain_key()->assign(plain.chain_key().size(), '\0');
    hchat::v1::BackupEntry entry;
    entry.set_entry_id(id.constData(), std::size_t(id.size()));
    entry.set_nonce(nonce.constData(), std::size_t(nonce.size()));
    entry.set_ciphertext(cipher.constData(), std::size_t(cipher.size()));
    return entry;
}

std::optional<BackupCipher::Session> BackupCipher::open(const hchat::v1::BackupEntry &entry,
                                                        QString *error) const
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QByteArray id = bytesOf(entry.entry_id());
    const SecureBuffer plain =
        openBytes(m_sealKey, bytesOf(entry.nonce()), bytesOf(entry.ciphertext()), entryAd(id));
    if (plain.isNull())
        return fail(tr("a backup entry does not open under this recovery key"));
    hchat::v1::BackupSession s;
    if (!s.ParseFromArray(plain.data(), int(plain.size())))
        return fail(tr("a backup entry is damaged"));
    Session out;
    out.sender = QString::fromStdString(s.sender());
    out.senderDevice = QString::fromStdString(s.sender_device());
    out.senderIdentityKey = bytesOf(s.sender_identity_key());
    const QString channel = QString::fromStdString(s.channel());
    const QByteArray sid = bytesOf(s.session_id());
    if (entryId(channel, out.senderDevice, sid) != id)
        return fail(tr("a backup entry names another session than its id"));
    const SecureBuffer key =
        SecureBuffer::copyOf(QByteArrayView(s.chain_key().data(), qsizetype(s.chain_key().size())));
    s.mutable_chain_key()->assign(s.chain_key().size(), '\0');
    out.session = SenderSession::fromKey(channel, sid, s.start_index(), key.view(), 0,
                                         SenderSession::Derivation::Ratchet);
    if (!out.session)
        return fail(tr("a backup entry holds no valid session"));
    return out;
}

QByteArray BackupCipher::sealForDevice(const SecureBuffer &backupKey, const SecureBuffer &storageKey)
{
    QByteArray nonce;
    const QByteArray cipher =
        sealBytes(storageKey, backupKey.view(), QByteArrayLiteral("hchat-backup-key-v1"), &nonce);
    return nonce + cipher;
}

SecureBuffer BackupCipher::openOnDevice(const QByteArray &sealed, const SecureBuffer &storageKey)
{
    if (sealed.size() < qsizetype(kNonceBytes + kTagBytes))
        return {};
    return openBytes(storageKey, sealed.left(qsizetype(kNonceBytes)), sealed.mid(qsizetype(kNonceBytes)),
                     QByteArrayLiteral("hchat-backup-key-v1"));
}

} // namespace hchat::crypto
