#include "crypto/KeyShare.h"

#include "crypto/CanonicalBytes.h"
#include "crypto/CryptoLogging.h"
#include "crypto/Sodium.h"
#include "hchat.pb.h"

#include <google/protobuf/stubs/logging.h>

#include <QCoreApplication>

#include <sodium.h>

namespace hchat::crypto {

namespace {
constexpr int kMaxNameBytes = 128;

const unsigned char *u(const std::string &s)
{
    return reinterpret_cast<const unsigned char *>(s.data());
}

QString q(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QByteArray signedBytes(const hchat::v1::SealedKeyShare &s)
{
    CanonicalBytes bytes("hchat-keyshare-v1");
    bytes.addU32(s.version())
        .add(QByteArrayView(s.sender().data(), qsizetype(s.sender().size())))
        .add(QByteArrayView(s.sender_device().data(), qsizetype(s.sender_device().size())))
        .add(QByteArrayView(s.recipient().data(), qsizetype(s.recipient().size())))
        .add(QByteArrayView(s.recipient_device().data(), qsizetype(s.recipient_device().size())))
        .add(QByteArrayView(s.nonce().data(), qsizetype(s.nonce().size())))
        .add(QByteArrayView(s.ciphertext().data(), qsizetype(s.ciphertext().size())));
    if (s.version() >= KeyShare::kVersion)
        bytes.addU32(s.prekey_id());
    return bytes.bytes();
}

// Wipes a std::string that held a secret (protobuf buffers).
void wipe(std::string &s)
{
    if (!s.empty())
        sodium_memzero(s.data(), s.size());
    s.clear();
}
} // namespace

QByteArray KeyShare::seal(const SenderSession &session, const DeviceIdentity &sender,
                          const QString &senderNick, const QString &senderDevice, const Recipient &recipient,
                          const std::optional<Origin> &origin)
{
    if (!Sodium::ensureInitialized())
        return {};
    const QByteArray recipientX =
        recipient.prekeyId != 0 ? recipient.prekey : DeviceIdentity::exchangeKeyFor(recipient.identityKey);
    if (recipientX.size() != crypto_box_PUBLICKEYBYTES || senderNick.isEmpty() || senderDevice.isEmpty() ||
        recipient.nick.isEmpty() || recipient.deviceId.isEmpty())
        return {};

    // The chain from the next index on: the recipient cannot derive any key sent before. A
    // forward hands on all the forwarding device itself can derive.
    if (origin && (origin->nick.isEmpty() || origin->deviceId.isEmpty() ||
                   senderNick.compare(recipient.nick, Qt::CaseInsensitive) != 0))
        return {};
    const std::optional<SenderSession> shared =
        session.from(origin ? session.startIndex() : session.nextIndex());
    if (!shared)
        return {};
    hchat::v1::KeySharePayload payload;
    payload.set_channel(shared->channel().toStdString());
    payload.set_session_id(shared->sessionId().toStdString());
    payload.set_start_index(shared->startIndex());
    payload.set_sender_key(reinterpret_cast<const char *>(shared->key().data()), shared->key().size());
    payload.set_sender(senderNick.toStdString());
    payload.set_sender_device(senderDevice.toStdString());
    payload.set_recipient(recipient.nick.toStdString());
    payload.set_recipient_device(recipient.deviceId.toStdString());
    if (origin) {
        payload.set_origin(origin->nick.toStdString());
        payload.set_origin_device(origin->deviceId.toStdString());
    }
    std::string plain = payload.SerializeAsString();
    wipe(*payload.mutable_sender_key());

    hchat::v1::SealedKeyShare sealed;
    if (shared->derivation() != SenderSession::Derivation::Ratchet)
        return {}; // indexed sessions are only ever received, never shared any more
    sealed.set_version(kVersion);
    sealed.set_prekey_id(recipient.prekeyId);
    sealed.set_sender(payload.sender());
    sealed.set_sender_device(payload.sender_device());
    sealed.set_recipient(payload.recipient());
    sealed.set_recipient_device(payload.recipient_device());
    std::string nonce(crypto_box_NONCEBYTES, '\0');
    randombytes_buf(nonce.data(), nonce.size());
    std::string box(plain.size() + crypto_box_MACBYTES, '\0');
    const int rc = crypto_box_easy(reinterpret_cast<unsigned char *>(box.data()), u(plain), plain.size(),
                                   u(nonce), reinterpret_cast<const unsigned char *>(recipientX.constData()),
                                   sender.exchangeSecret().data());
    wipe(plain);
    if (rc != 0)
        return {};
    sealed.set_nonce(nonce);
    sealed.set_ciphertext(box);
    const QByteArray sig = sender.sign(signedBytes(sealed));
    sealed.set_signature(sig.constData(), std::size_t(sig.size()));
    const std::string out = sealed.SerializeAsString();
    return QByteArray(out.data(), qsizetype(out.size()));
}

KeyShare::Opened KeyShare::open(QByteArrayView bytes, const DeviceIdentity &me, const QString &myNick,
                                const QString &myDevice, const IdentityKeyLookup &trustedKey,
                                const QString &outerSender, const QString &outerSenderDevice,
                                const PrekeySecretLookup &prekeySecretLookup)
{
    Opened r;
    if (!Sodium::ensureInitialized() || bytes.size() > kMaxSealedBytes)
        return r;
    hchat::v1::SealedKeyShare sealed;
    // Hostile input must not flood the log (protobuf logs invalid UTF-8 in string fields).
    const google::protobuf::LogSilencer quiet;
    if (!sealed.ParseFromArray(bytes.data(), int(bytes.size())))
        return r;
    if (sealed.version() != kVersion && sealed.version() != kRatchetVersion &&
        sealed.version() != kIndexedVersion) {
        r.error = Error::UnsupportedVersion;
        return r;
    }
    if (sealed.nonce().size() != crypto_box_NONCEBYTES || sealed.signature().size() != crypto_sign_BYTES ||
        sealed.ciphertext().size() <= crypto_box_MACBYTES || sealed.sender().empty() ||
        sealed.sender().size() > kMaxNameBytes || sealed.sender_device().empty() ||
        sealed.sender_device().size() > kMaxNameBytes)
        return r;
    r.sender = q(sealed.sender());
    r.senderDevice = q(sealed.sender_device());
    if (q(sealed.recipient()).compare(myNick, Qt::CaseInsensitive) != 0 ||
        q(sealed.recipient_device()) != myDevice) {
        r.error = Error::WrongRecipient;
        return r;
    }
    if ((!outerSender.isEmpty() && outerSender.compare(r.sender, Qt::CaseInsensitive) != 0) ||
        (!outerSenderDevice.isEmpty() && outerSenderDevice != r.senderDevice)) {
        r.error = Error::BadSignature;
        return r;
    }
    const QByteArray senderKey = trustedKey ? trustedKey(r.sender, r.senderDevice) : QByteArray();
    if (senderKey.size() != DeviceIdentity::kPublicKeyBytes) {
        r.error = Error::UnknownSender;
        return r;
    }
    if (!DeviceIdentity::verify(
            senderKey, signedBytes(sealed),
            QByteArrayView(sealed.signature().data(), qsizetype(sealed.signature().size())))) {
        r.error = Error::BadSignature;
        return r;
    }
    const QByteArray senderX = DeviceIdentity::exchangeKeyFor(senderKey);
    SecureBuffer prekeySecret;
    if (sealed.version() >= kVersion && sealed.prekey_id() != 0) {
        if (prekeySecretLookup)
            prekeySecret = prekeySecretLookup(sealed.prekey_id());
        if (prekeySecret.size() != crypto_box_SECRETKEYBYTES) {
            r.error = Error::PrekeyUnknown;
            return r;
        }
    }
    const unsigned char *recipientSecret =
        prekeySecret.isNull() ? me.exchangeSecret().data() : prekeySecret.data();
    SecureBuffer plain(sealed.ciphertext().size() - crypto_box_MACBYTES);
    if (senderX.isEmpty() || plain.isNull() ||
        crypto_box_open_easy(plain.data(), u(sealed.ciphertext()), sealed.ciphertext().size(),
                             u(sealed.nonce()), reinterpret_cast<const unsigned char *>(senderX.constData()),
                             recipientSecret) != 0) {
        r.error = Error::DecryptionFailed;
        return r;
    }
    hchat::v1::KeySharePayload payload;
    const bool parsed = payload.ParseFromArray(plain.data(), int(plain.size()));
    // The sealed payload must say the same as the signed envelope around it.
    const bool consistent =
        parsed && payload.sender() == sealed.sender() && payload.sender_device() == sealed.sender_device() &&
        payload.recipient() == sealed.recipient() && payload.recipient_device() == sealed.recipient_device();
    if (consistent) {
        r.session = SenderSession::fromKey(
            q(payload.channel()),
            QByteArray(payload.session_id().data(), qsizetype(payload.session_id().size())),
            payload.start_index(),
            QByteArrayView(payload.sender_key().data(), qsizetype(payload.sender_key().size())), 0,
            sealed.version() == kIndexedVersion ? SenderSession::Derivation::Indexed
                                                : SenderSession::Derivation::Ratchet);
    }
    wipe(*payload.mutable_sender_key());
    if (!r.session) {
        r.error = Error::DecryptionFailed;
        return r;
    }
    if (!payload.origin().empty() || !payload.origin_device().empty()) {
        // A forward comes from a device of the recipient's own account, naming a member device.
        if (payload.origin().empty() || payload.origin().size() > kMaxNameBytes ||
            payload.origin_device().empty() || payload.origin_device().size() > kMaxNameBytes ||
            QString::compare(q(payload.sender()), q(payload.recipient()), Qt::CaseInsensitive) != 0) {
            r.session.reset();
            r.error = Error::Malformed;
            return r;
        }
        r.origin = Origin{q(payload.origin()), q(payload.origin_device())};
    }
    r.prekeyId = sealed.version() >= kVersion ? sealed.prekey_id() : 0;
    r.error = Error::None;
    return r;
}

quint32 KeyShare::peekPrekeyId(QByteArrayView bytes)
{
    if (bytes.size() > kMaxSealedBytes)
        return 0;
    hchat::v1::SealedKeyShare sealed;
    const google::protobuf::LogSilencer quiet;
    if (!sealed.ParseFromArray(bytes.data(), int(bytes.size())) || sealed.version() < kVersion)
        return 0;
    return sealed.prekey_id();
}

QString KeyShare::describe(Error error)
{
    auto tr = [](const char *s) { return QCoreApplication::translate("hchat::crypto::KeyShare", s); };
    switch (error) {
    case Error::None:
        return {};
    case Error::Malformed:
        return tr("malformed key share");
    case Error::UnsupportedVersion:
        return tr("key share of an unsupported version");
    case Error::WrongRecipient:
        return tr("key share addressed to another device");
    case Error::UnknownSender:
        return tr("key share from a device that is not trusted");
    case Error::BadSignature:
        return tr("key share with a bad signature");
    case Error::DecryptionFailed:
        return tr("key share that does not decrypt");
    case Error::PrekeyUnknown:
        return tr("key share sealed to a one-time key this device no longer has");
    }
    return {};
}

} // namespace hchat::crypto
