// crypto_bench: E2EE message throughput for 200-byte texts, one JSON line.
//   encrypt_per_s / decrypt_per_s: MessageCrypto (message key derivation, XChaCha20-Poly1305 with
//   the header as associated data, Ed25519 signature / verification, protobuf envelope, replay
//   check against an in-memory set).
//   reference: a bare crypto_aead_xchacha20poly1305_ietf encrypt / decrypt of the same text in
//   the same run, without signature — the floor the full path is compared against.
//   decrypt_two_threads_per_s: the same verify+decrypt on two threads, each taking half of the
//   sessions — the floor of an encrypted catch-up that uses both cores.
#include "crypto/DeviceIdentity.h"
#include "crypto/MessageCrypto.h"
#include "crypto/SenderSession.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSet>

#include <sodium.h>

#include <cstdio>
#include <map>
#include <thread>
#include <vector>

using namespace hchat::crypto;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int n = 20000;
    const QStringList args = app.arguments();
    const int at = int(args.indexOf(QStringLiteral("--messages")));
    if (at > 0 && at + 1 < args.size())
        n = qMax(100, args.at(at + 1).toInt());
    if (sodium_init() < 0)
        return 1;

    auto alice = DeviceIdentity::generate();
    if (!alice)
        return 1;
    // A new session every kMessagesPerSession messages, as senders rotate; the reader holds each
    // from index 0 and steps its ratchet (and the sender's chain moves past every message).
    std::vector<SenderSession> outbound, inbound;
    for (int i = 0; i < n; i += int(SenderSession::kMessagesPerSession)) {
        auto s = SenderSession::create(QStringLiteral("bench"));
        if (!s)
            return 1;
        inbound.push_back(s->clone());
        outbound.push_back(std::move(*s));
    }
    const QByteArray text(200, 'm');
    const QByteArray msgId(16, 'i');
    const QString nick = QStringLiteral("alice");
    const QString device = QStringLiteral("a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0");

    std::vector<QByteArray> envelopes;
    envelopes.reserve(size_t(n));
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < n; ++i) {
        SenderSession &session = outbound[size_t(i) / SenderSession::kMessagesPerSession];
        envelopes.push_back(MessageCrypto::encrypt(session, *alice, nick, device, msgId, text));
        session.advanceTo(session.nextIndex());
    }
    const double encSeconds = double(t.nsecsElapsed()) / 1e9;

    std::vector<SenderSession> inboundAgain;
    for (const SenderSession &s : inbound)
        inboundAgain.push_back(s.clone());
    MessageCrypto::Resolver resolver;
    const QByteArray identityKey = alice->identityKey();
    resolver.identityKey = [&](const QString &, const QString &) { return identityKey; };
    std::map<QByteArray, const SenderSession *> bySessionId;
    for (const SenderSession &s : inbound)
        bySessionId[s.sessionId()] = &s;
    resolver.session = [&](const QString &, const QString &, const QByteArray &sid) {
        const auto it = bySessionId.find(sid);
        return it == bySessionId.end() ? nullptr : it->second;
    };
    auto seenKey = [](const QString &d, const QByteArray &sid, quint32 idx) {
        return d.toUtf8() + sid + QByteArray::number(idx);
    };
    // Decrypts envelopes from..to-1 with a replay set of its own (each thread has one).
    auto decryptRange = [&](int from, int to, int *done) {
        QSet<QByteArray> own;
        MessageCrypto::Resolver r = resolver;
        r.isReplay = [&](const QString &d, const QByteArray &sid, quint32 idx, const QString &, quint64) {
            return own.contains(seenKey(d, sid, idx));
        };
        r.markSeen = [&](const QString &d, const QByteArray &sid, quint32 idx, const QString &, quint64) {
            own.insert(seenKey(d, sid, idx));
        };
        for (int i = from; i < to; ++i) {
            MessageCrypto::Arrival a{QStringLiteral("bench"), quint64(i + 1), nick, device, msgId};
            *done += MessageCrypto::decrypt(envelopes[size_t(i)], a, r).ok() ? 1 : 0;
        }
    };
    int ok = 0;
    t.restart();
    decryptRange(0, n, &ok);
    const double decSeconds = double(t.nsecsElapsed()) / 1e9;

    // Both cores: two threads, split at a session boundary (a session's ratchet is stepped by one
    // reader).
    for (const SenderSession &s : inboundAgain) // the run above stepped the first copies
        bySessionId[s.sessionId()] = &s;
    const int perSession = int(SenderSession::kMessagesPerSession);
    const int half = std::min(n, (n / 2 + perSession - 1) / perSession * perSession);
    int okFirst = 0, okSecond = 0;
    t.restart();
    std::thread second(decryptRange, half, n, &okSecond);
    decryptRange(0, half, &okFirst);
    second.join();
    const double dec2Seconds = double(t.nsecsElapsed()) / 1e9;

    // Reference: the bare AEAD, same text, same count.
    unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    std::vector<std::vector<unsigned char>> cts(size_t(n),
                                                std::vector<unsigned char>(size_t(text.size()) + 16));
    std::vector<std::vector<unsigned char>> nonces(
        size_t(n), std::vector<unsigned char>(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES));
    t.restart();
    for (int i = 0; i < n; ++i) {
        randombytes_buf(nonces[size_t(i)].data(), nonces[size_t(i)].size());
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            cts[size_t(i)].data(), nullptr, reinterpret_cast<const unsigned char *>(text.constData()),
            quint64(text.size()), nullptr, 0, nullptr, nonces[size_t(i)].data(), key);
    }
    const double refEncSeconds = double(t.nsecsElapsed()) / 1e9;
    std::vector<unsigned char> plain(size_t(text.size()));
    int refOk = 0;
    t.restart();
    for (int i = 0; i < n; ++i)
        refOk += crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), nullptr, nullptr,
                                                            cts[size_t(i)].data(), cts[size_t(i)].size(),
                                                            nullptr, 0, nonces[size_t(i)].data(), key) == 0;
    const double refDecSeconds = double(t.nsecsElapsed()) / 1e9;
    sodium_memzero(key, sizeof key);

    const double enc = n / encSeconds, dec = n / decSeconds, dec2 = n / dec2Seconds;
    const double refEnc = n / refEncSeconds, refDec = n / refDecSeconds;
    std::printf(
        "{\"bench\":\"crypto\",\"messages\":%d,\"text_bytes\":%d,\"envelope_bytes\":%d,"
        "\"encrypt_per_s\":%.0f,\"decrypt_per_s\":%.0f,\"decrypt_ok\":%d,"
        "\"decrypt_two_threads_per_s\":%.0f,\"decrypt_two_threads_ok\":%d,"
        "\"reference_aead_encrypt_per_s\":%.0f,\"reference_aead_decrypt_per_s\":%.0f,\"reference_ok\":%d,"
        "\"encrypt_vs_reference\":%.3f,\"decrypt_vs_reference\":%.3f}\n",
        n, int(text.size()), int(envelopes.front().size()), enc, dec, ok, dec2, okFirst + okSecond, refEnc,
        refDec, refOk, enc / refEnc, dec / refDec);
    return ok == n && okFirst + okSecond == n && refOk == n ? 0 : 1;
}
