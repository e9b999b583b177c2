#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace hchat::v1 {
class SignedDeviceList;
}

namespace hchat::crypto {

class DeviceIdentity;

// An account's devices as the account itself says (SignedDeviceList): which device ids with which
// identity keys belong to it, at a generation that only grows, signed by one of its devices.
// Peers follow the newest list signed by a device they already trust for that account: its
// devices are trusted without asking the user, a device it leaves out is revoked, an older list is
// never taken back. A new device is put on the list by an existing one after the user compared
// approvalCode() on both screens.
class DeviceList {
public:
    static constexpr quint32 kVersion = 1;

    struct Entry {
        QString deviceId;
        QByteArray identityKey; // Ed25519, 32 bytes
    };

    // Checks the form only (sizes, order, counts), not the signature.
    static std::optional<DeviceList> fromProto(const hchat::v1::SignedDeviceList &list, QString *why = nullptr);
    static std::optional<DeviceList> parse(QByteArrayView bytes, QString *why = nullptr);
    void toProto(hchat::v1::SignedDeviceList *out) const;
    QByteArray serialize() const;

    // A new list of nick's devices, signed by signer (whose device id is signerDevice).
    static std::optional<DeviceList> make(const QString &nick, quint64 generation, QList<Entry> devices,
                                          const DeviceIdentity &signer, const QString &signerDevice);

    QString nick() const { return m_nick; }
    quint64 generation() const { return m_generation; }
    const QList<Entry> &devices() const { return m_devices; }
    QString signerDevice() const { return m_signerDevice; }
    bool contains(const QString &deviceId) const { return !keyOf(deviceId).isEmpty(); }
    QByteArray keyOf(const QString &deviceId) const;

    QByteArray signedBytes() const;
    bool verify(QByteArrayView signerKey) const;

    enum class Verdict {
        Accepted,      // newer, and signed by a device this client trusts for the account
        Same,          // the list already held
        Older,         // a generation not above the held one: never taken back
        WrongAccount,  // for another nick than asked
        UnknownSigner, // signed by a device neither the held list names nor this client trusts
        BadSignature,
    };
    // Whether `candidate` may replace `held` (none: the first list seen for the account).
    // trustedSignerKey: the key this client trusts for (nick, signer device), if any. The signer
    // must be a device of the held list or a trusted one; the first list of an account this
    // client knows nothing about yet may be signed by a device it names itself (trust on first
    // use, as for the first keys seen).
    static Verdict judge(const DeviceList &candidate, const std::optional<DeviceList> &held, const QString &nick,
                         const QByteArray &trustedSignerKey, bool accountKnown);
    static QString describe(Verdict verdict);

    // The code both screens show when a device is approved: twenty digits from the new device's
    // identity key, in groups of five. A gateway that swapped the key shows another.
    static QString approvalCode(QByteArrayView identityKey);

private:
    QString m_nick;
    quint64 m_generation = 0;
    QList<Entry> m_devices;
    QString m_signerDevice;
    QByteArray m_signature;
};

} // namespace hchat::crypto
