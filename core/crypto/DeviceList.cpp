#include "crypto/DeviceList.h"

#include "crypto/CanonicalBytes.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/Sodium.h"
#include "Limits.h"
#include "hchat.pb.h"

#include <google/protobuf/stubs/logging.h>

#include <QCoreApplication>
#include <QStringList>

#include <sodium.h>

#include <algorithm>

namespace hchat::crypto {

namespace {
QString q(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

bool fail(QString *why, const char *text)
{
    if (why)
        *why = QCoreApplication::translate("hchat::crypto::DeviceList", text);
    return false;
}
} // namespace

std::optional<DeviceList> DeviceList::fromProto(const hchat::v1::SignedDeviceList &p, QString *why)
{
    if (p.version() != kVersion) {
        fail(why, "a device list of an unknown version");
        return std::nullopt;
    }
    if (p.nick().empty() || p.nick().size() > limits::kMaxNickLength || p.generation() == 0 ||
        p.signer_device().empty() || p.signer_device().size() > 64 ||
        p.signature().size() != std::size_t(DeviceIdentity::kSignatureBytes)) {
        fail(why, "a malformed device list");
        return std::nullopt;
    }
    if (p.devices_size() < 1 || std::size_t(p.devices_size()) > limits::kMaxDevicesPerList) {
        fail(why, "a device list with too few or too many devices");
        return std::nullopt;
    }
    DeviceList l;
    l.m_nick = q(p.nick());
    l.m_generation = p.generation();
    l.m_signerDevice = q(p.signer_device());
    l.m_signature = QByteArray(p.signature().data(), qsizetype(p.signature().size()));
    for (int i = 0; i < p.devices_size(); ++i) {
        const auto &d = p.devices(i);
        if (d.device_id().empty() || d.device_id().size() > 64 ||
            d.identity_key().size() != std::size_t(DeviceIdentity::kPublicKeyBytes) ||
            (i > 0 && !(p.devices(i - 1).device_id() < d.device_id()))) {
            fail(why, "a device list with a malformed or repeated entry");
            return std::nullopt;
        }
        l.m_devices.append({q(d.device_id()), QByteArray(d.identity_key().data(), qsizetype(d.identity_key().size()))});
    }
    return l;
}

std::optional<DeviceList> DeviceList::parse(QByteArrayView bytes, QString *why)
{
    hchat::v1::SignedDeviceList p;
    const google::protobuf::LogSilencer quiet;
    if (bytes.size() > 64 * 1024 || !p.ParseFromArray(bytes.data(), int(bytes.size()))) {
        fail(why, "a device list that does not parse");
        return std::nullopt;
    }
    return fromProto(p, why);
}

void DeviceList::toProto(hchat::v1::SignedDeviceList *out) const
{
    out->Clear();
    out->set_version(kVersion);
    out->set_nick(m_nick.toStdString());
    out->set_generation(m_generation);
    for (const Entry &e : m_devices) {
        auto *d = out->add_devices();
        d->set_device_id(e.deviceId.toStdString());
        d->set_identity_key(e.identityKey.constData(), std::size_t(e.identityKey.size()));
    }
    out->set_signer_device(m_signerDevice.toStdString());
    out->set_signature(m_signature.constData(), std::size_t(m_signature.size()));
}

QByteArray DeviceList::serialize() const
{
    hchat::v1::SignedDeviceList p;
    toProto(&p);
    const std::string s = p.SerializeAsString();
    return QByteArray(s.data(), qsizetype(s.size()));
}

std::optional<DeviceList> DeviceList::make(const QString &nick, quint64 generation, QList<Entry> devices,
                                           const DeviceIdentity &signer, const QString &signerDevice)
{
    std::sort(devices.begin(), devices.end(), [](const Entry &a, const Entry &b) {
        return a.deviceId.toStdString() < b.deviceId.toStdString();
    });
    for (int i = 1; i < devices.size(); ++i)
        if (devices[i].deviceId == devices[i - 1].deviceId)
            return std::nullopt;
    DeviceList l;
    l.m_nick = nick;
    l.m_generation = generation;
    l.m_devices = std::move(devices);
    l.m_signerDevice = signerDevice;
    l.m_signature = signer.sign(l.signedBytes());
    hchat::v1::SignedDeviceList p;
    l.toProto(&p);
    if (!fromProto(p)) // the same checks a receiver makes
        return std::nullopt;
    return l;
}

QByteArray DeviceList::keyOf(const QString &deviceId) const
{
    for (const Entry &e : m_devices)
        if (e.deviceId == deviceId)
            return e.identityKey;
    return {};
}

QByteArray DeviceList::signedBytes() const
{
    CanonicalBytes c("hchat-devicelist-v1");
    c.addU32(kVersion).add(m_nick).addU64(m_generation).addU32(quint32(m_devices.size()));
    for (const Entry &e : m_devices)
        c.add(e.deviceId).add(e.identityKey);
    c.add(m_signerDevice);
    return c.bytes();
}

bool DeviceList::verify(QByteArrayView signerKey) const
{
    return DeviceIdentity::verify(signerKey, signedBytes(), m_signature);
}

DeviceList::Verdict DeviceList::judge(const DeviceList &candidate, const std::optional<DeviceList> &held,
                                      const QString &nick, const QByteArray &trustedSignerKey, bool accountKnown)
{
    if (candidate.nick().compare(nick, Qt::CaseInsensitive) != 0)
        return Verdict::WrongAccount;
    if (held && candidate.generation() <= held->generation())
        return candidate.generation() == held->generation() && candidate.serialize() == held->serialize()
                   ? Verdict::Same
                   : Verdict::Older;
    const QString signer = candidate.signerDevice();
    QByteArray signerKey = held ? held->keyOf(signer) : QByteArray();
    if (signerKey.isEmpty())
        signerKey = trustedSignerKey;
    if (signerKey.isEmpty() && !held && !accountKnown)
        signerKey = candidate.keyOf(signer);
    const QByteArray listed = candidate.keyOf(signer);
    if (signerKey.isEmpty() || (!listed.isEmpty() && listed != signerKey))
        return Verdict::UnknownSigner;
    return candidate.verify(signerKey) ? Verdict::Accepted : Verdict::BadSignature;
}

QString DeviceList::describe(Verdict verdict)
{
    auto tr = [](const char *s) { return QCoreApplication::translate("hchat::crypto::DeviceList", s); };
    switch (verdict) {
    case Verdict::Accepted:
    case Verdict::Same:
        return {};
    case Verdict::Older:
        return tr("an older device list than the one already known");
    case Verdict::WrongAccount:
        return tr("a device list of another account");
    case Verdict::UnknownSigner:
        return tr("a device list signed by a device the account never approved");
    case Verdict::BadSignature:
        return tr("a device list with a bad signature");
    }
    return {};
}

QString DeviceList::approvalCode(QByteArrayView identityKey)
{
    if (!Sodium::ensureInitialized())
        return {};
    const QByteArray input = CanonicalBytes("hchat-device-approval-v1").add(identityKey).bytes();
    unsigned char hash[16];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char *>(input.constData()),
                       std::size_t(input.size()), nullptr, 0);
    // Twenty digits (about 66 bits) from two 64-bit halves: finding another key with the same code
    // takes about 2^66 key generations, out of reach for a gateway holding the prompt back.
    QString digits;
    for (int half = 0; half < 2; ++half) {
        quint64 n = 0;
        for (int i = 0; i < 8; ++i)
            n = (n << 8) | hash[half * 8 + i];
        digits += QStringLiteral("%1").arg(n % 10000000000ULL, 10, 10, QLatin1Char('0'));
    }
    QStringList groups;
    for (int i = 0; i < digits.size(); i += 5)
        groups << digits.mid(i, 5);
    return groups.join(QLatin1Char(' '));
}

} // namespace hchat::crypto
