#include "crypto/MessageCrypto.h"

#include "crypto/CanonicalBytes.h"
#include "crypto/CryptoLogging.h"
#include "crypto/Sodium.h"
#include "hchat.pb.h"

#include <google/protobuf/stubs/logging.h>

#include <QCoreApplication>
#include <QDateTime>

#include <sodium.h>

namespace hchat::crypto {

namespace {
constexpr int kClientMsgIdBytes = 16;

QByteArray b(const std::string &s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

QString q(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

const unsigned char *u(const std::string &s)
{
    return reinterpret_cast<const unsigned char *>(s.data());
}

QByteArray signedBytes(const QByteArray &header, const std::string &nonce, const std::string &ciphertext)
{
    QByteArray out = CanonicalBytes("hchat-message-sig-v1").add(header).bytes();
    out += CanonicalBytes("n").add(QByteArrayView(nonce.data(), qsizetype(nonce.size()))).bytes();
    out += CanonicalBytes("c").add(QByteArrayView(ciphertext.data(), qsizetype(ciphertext.size()))).bytes();
    return out;
}

bool parse(QByteArrayView bytes, hchat::v1::EncryptedEnvelope *env, MessageCrypto::Header *h)
{
    // Hostile input must not flood the log (protobuf logs invalid UTF-8 in string fields).
    const google::protobuf::LogSilencer quiet;
    if (bytes.size() > MessageCrypto::kMaxEnvelopeBytes ||
        !env->ParseFromArray(bytes.data(), int(bytes.size())))
        return false;
    h->version = env->version();
    h->channel = q(env->channel());
    h->sessionId = b(env->session_id());
    h->sender = q(env->sender());
    h->senderDevice = q(env->sender_device());
    h->index = env->index();
    h->clientMsgId = b(env->client_msg_id());
    h->kind = quint32(env->kind());
    h->refSeq = env->ref_seq();
    h->attachmentId = q(env->attachment_id());
    h->senderTimeMs = env->sender_time_ms();
    return true;
}
} // namespace

QByteArray MessageCrypto::headerBytes(const Header &h)
{
    // With the sender's time: every field, under its own domain (a signature made over one
    // encoding never verifies under the other, so the time cannot be stripped).
    if (h.senderTimeMs != 0) {
        return CanonicalBytes("hchat-message-header-v2")
            .addU32(h.version)
            .add(h.channel)
            .add(h.sessionId)
            .add(h.sender)
            .add(h.senderDevice)
            .addU32(h.index)
            .add(h.clientMsgId)
            .addU32(h.kind)
            .addU64(h.refSeq)
            .add(h.attachmentId)
            .addU64(quint64(h.senderTimeMs))
            .bytes();
    }
    CanonicalBytes bytes("hchat-message-header-v1");
    bytes.addU32(h.version)
        .add(h.channel)
        .add(h.sessionId)
        .add(h.sender)
        .add(h.senderDevice)
        .addU32(h.index)
        .add(h.clientMsgId);
    // Two more length-prefixed fields: a header with them can never encode like one without.
    if (h.kind != 0 || h.refSeq != 0 || !h.attachmentId.isEmpty())
        bytes.addU32(h.kind).addU64(h.refSeq);
    if (!h.attachmentId.isEmpty())
        bytes.add(h.attachmentId);
    return bytes.bytes();
}

QByteArray MessageCrypto::encrypt(SenderSession &session, const DeviceIdentity &identity,
                                  const QString &senderNick, const QString &senderDevice,
                                  const QByteArray &clientMsgId, QByteArrayView plaintext, QString *error,
                                  quint32 kind, quint64 refSeq, const QString &attachmentId)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return QByteArray();
    };
    if (!Sodium::ensureInitialized())
        return fail(QStringLiteral("libsodium is unavailable"));
    if (plaintext.size() > kMaxPlaintextBytes)
        return fail(QCoreApplication::translate("hchat::crypto::MessageCrypto",
                                                "The message is too large to encrypt (at most %1 bytes).")
                        .arg(kMaxPlaintextBytes));
    if (clientMsgId.size() != kClientMsgIdBytes || senderNick.isEmpty() || senderDevice.isEmpty() ||
        session.key().isNull())
        return fail(QStringLiteral("invalid arguments to encrypt"));

    Header h;
    h.version = kVersion;
    h.channel = session.channel();
    h.sessionId = session.sessionId();
    h.sender = senderNick;
    h.senderDevice = senderDevice;
    h.index = session.takeIndex();
    h.clientMsgId = clientMsgId;
    h.kind = kind;
    h.refSeq = refSeq;
    h.attachmentId = attachmentId;
    h.senderTimeMs = QDateTime::currentMSecsSinceEpoch();
    const QByteArray ad = headerBytes(h);

    unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    if (!session.messageKey(h.index, key))
        return fail(QStringLiteral("cannot derive the message key"));
    std::string nonce(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, '\0');
    randombytes_buf(nonce.data(), nonce.size());
    std::string ct(std::size_t(plaintext.size()) + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long ctLen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char *>(ct.data()), &ctLen,
        reinterpret_cast<const unsigned char *>(plaintext.data()), quint64(plaintext.size()),
        reinterpret_cast<const unsigned char *>(ad.constData()), quint64(ad.size()), nullptr, u(nonce), key);
    sodium_memzero(key, sizeof key);
    ct.resize(ctLen);

    hchat::v1::EncryptedEnvelope env;
    env.set_version(h.version);
    env.set_channel(h.channel.toStdString());
    env.set_session_id(h.sessionId.toStdString());
    env.set_sender(h.sender.toStdString());
    env.set_sender_device(h.senderDevice.toStdString());
    env.set_index(h.index);
    env.set_client_msg_id(h.clientMsgId.toStdString());
    env.set_kind(static_cast<hchat::v1::MessageKind>(h.kind));
    env.set_ref_seq(h.refSeq);
    env.set_attachment_id(h.attachmentId.toStdString());
    env.set_sender_time_ms(h.senderTimeMs);
    const QByteArray sig = identity.sign(signedBytes(ad, nonce, ct));
    env.set_nonce(std::move(nonce));
    env.set_ciphertext(std::move(ct));
    env.set_signature(sig.constData(), std::size_t(sig.size()));
    const std::string out = env.SerializeAsString();
    return QByteArray(out.data(), qsizetype(out.size()));
}

bool MessageCrypto::peekHeader(QByteArrayView envelope, Header *header)
{
    hchat::v1::EncryptedEnvelope env;
    return parse(envelope, &env, header);
}

bool MessageCrypto::signatureValid(QByteArrayView envelope, const QByteArray &identityKey)
{
    hchat::v1::EncryptedEnvelope env;
    Header h;
    if (identityKey.size() != DeviceIdentity::kPublicKeyBytes || !parse(envelope, &env, &h) ||
        env.signature().size() != crypto_sign_BYTES)
        return false;
    return DeviceIdentity::verify(identityKey, signedBytes(headerBytes(h), env.nonce(), env.ciphertext()),
                                  b(env.signature()));
}

MessageCrypto::Result MessageCrypto::decrypt(QByteArrayView envelope, const Arrival &arrival,
                                             const Resolver &resolver, const QByteArray &verifiedKey)
{
    Result r;
    if (!Sodium::ensureInitialized())
        return r;
    hchat::v1::EncryptedEnvelope env;
    if (!parse(envelope, &env, &r.header))
        return r;
    const Header &h = r.header;
    if (h.version != kVersion) {
        r.error = Error::UnsupportedVersion;
        return r;
    }
    if (h.sessionId.size() != SenderSession::kSessionIdBytes || h.clientMsgId.size() != kClientMsgIdBytes ||
        env.nonce().size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
        env.signature().size() != crypto_sign_BYTES ||
        env.ciphertext().size() < crypto_aead_xchacha20poly1305_ietf_ABYTES || env.channel().empty() ||
        env.channel().size() > kMaxNameBytes || env.sender().empty() || env.sender().size() > kMaxNameBytes ||
        env.sender_device().empty() || env.sender_device().size() > kMaxNameBytes)
        return r; // Malformed
    if (h.channel != arrival.channel) {
        r.error = Error::WrongChannel;
        return r;
    }
    // The gateway asserts who sent the message; the signed header must agree.
    if ((!arrival.sender.isEmpty() && arrival.sender.compare(h.sender, Qt::CaseInsensitive) != 0) ||
        (!arrival.senderDevice.isEmpty() && arrival.senderDevice != h.senderDevice) ||
        (!arrival.clientMsgId.isEmpty() && arrival.clientMsgId != h.clientMsgId) || arrival.kind != h.kind ||
        arrival.refSeq != h.refSeq || arrival.attachmentId != h.attachmentId) {
        r.error = Error::BadSignature;
        return r;
    }
    const QByteArray identityKey =
        resolver.identityKey ? resolver.identityKey(h.sender, h.senderDevice) : QByteArray();
    if (identityKey.size() != DeviceIdentity::kPublicKeyBytes) {
        // Without a trusted key nothing can be verified; a key share from that device cannot have
        // been accepted either, so it is the same situation as a missing session.
        r.error = Error::MissingSession;
        return r;
    }
    const QByteArray ad = headerBytes(h);
    if ((verifiedKey.isEmpty() || verifiedKey != identityKey) &&
        !DeviceIdentity::verify(identityKey, signedBytes(ad, env.nonce(), env.ciphertext()),
                                b(env.signature()))) {
        r.error = Error::BadSignature;
        return r;
    }
    const SenderSession *session =
        resolver.session ? resolver.session(h.channel, h.senderDevice, h.sessionId) : nullptr;
    unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    if (!session || session->channel() != h.channel || !session->messageKey(h.index, key)) {
        r.error = Error::MissingSession;
        return r;
    }
    // seq 0: a local preview (an outbox entry not stored yet) — neither checked nor recorded, so
    // that the stored message later is not taken for its replay.
    if (arrival.seq != 0 && resolver.isReplay &&
        resolver.isReplay(h.senderDevice, h.sessionId, h.index, arrival.channel, arrival.seq)) {
        sodium_memzero(key, sizeof key);
        r.error = Error::Replay;
        return r;
    }
    QByteArray plain(qsizetype(env.ciphertext().size() - crypto_aead_xchacha20poly1305_ietf_ABYTES),
                     Qt::Uninitialized);
    unsigned long long plainLen = 0;
    const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        reinterpret_cast<unsigned char *>(plain.data()), &plainLen, nullptr, u(env.ciphertext()),
        env.ciphertext().size(), reinterpret_cast<const unsigned char *>(ad.constData()), quint64(ad.size()),
        u(env.nonce()), key);
    sodium_memzero(key, sizeof key);
    if (rc != 0) {
        r.error = Error::DecryptionFailed;
        return r;
    }
    plain.resize(qsizetype(plainLen));
    if (arrival.seq != 0 && resolver.markSeen)
        resolver.markSeen(h.senderDevice, h.sessionId, h.index, arrival.channel, arrival.seq);
    r.plaintext = std::move(plain);
    r.error = Error::None;
    return r;
}

QString MessageCrypto::describe(Error error)
{
    auto tr = [](const char *s) { return QCoreApplication::translate("hchat::crypto::MessageCrypto", s); };
    switch (error) {
    case Error::None:
        return {};
    case Error::Malformed:
        return tr("Undecryptable: the message is malformed.");
    case Error::UnsupportedVersion:
        return tr("Undecryptable: the message uses an unsupported encryption version.");
    case Error::WrongChannel:
        return tr("Undecryptable: the message was written for another channel (replayed).");
    case Error::BadSignature:
        return tr("Undecryptable: bad signature — the message was altered or its sender is forged.");
    case Error::MissingSession:
        return tr("Waiting for the key from the sender's device.");
    case Error::Replay:
        return tr("Undecryptable: this message was already received (replayed).");
    case Error::DecryptionFailed:
        return tr("Undecryptable: decryption failed.");
    case Error::NotAMember:
        return tr("Undecryptable: its sender was not a member of the channel then.");
    }
    return {};
}

const char *MessageCrypto::errorName(Error error)
{
    switch (error) {
    case Error::None:
        return "none";
    case Error::Malformed:
        return "malformed";
    case Error::UnsupportedVersion:
        return "unsupported_version";
    case Error::WrongChannel:
        return "wrong_channel";
    case Error::BadSignature:
        return "bad_signature";
    case Error::MissingSession:
        return "missing_session";
    case Error::Replay:
        return "replay";
    case Error::DecryptionFailed:
        return "decryption_failed";
    case Error::NotAMember:
        return "not_a_member";
    }
    return "unknown";
}

} // namespace hchat::crypto
