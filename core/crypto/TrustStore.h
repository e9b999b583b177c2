#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <map>

namespace hchat::crypto {

// Trust on first use, per (nick, device id), persisted as a small JSON file written atomically
// (QSaveFile) in the profile folder.
//
//   Trusted    the first identity key seen for a device of a user seen for the first time
//   Verified   Trusted, and the user compared safety numbers (markVerified)
//   Changed    the device now presents another key than the trusted one: a loud warning; key
//              shares to it are blocked and its new key is not used until accept()
//   NewDevice  an additional device of a user whose devices we already knew (the gateway could add
//              one): blocked like Changed until accept()
//   Revoked    gone from its account's device list (revoked): no key shares any more, even if the
//              directory shows it again; its key still verifies what it signed before
//   Unknown    never seen
//
// Only Trusted and Verified devices get key shares (mayShareKeysWith) and only their trusted keys
// verify signatures (trustedKey). A damaged file is refused (open() false) and left untouched.
class TrustStore {
public:
    enum class State { Unknown, Trusted, Verified, Changed, NewDevice, Revoked };

    struct Device {
        QString nick;       // as first seen
        QString deviceId;
        QByteArray trustedKey; // empty for a NewDevice not yet accepted
        QByteArray pendingKey; // the key awaiting accept() (Changed, NewDevice)
        bool verified = false;
        bool revoked = false;
        bool userAccepted = false; // the user accepted it by hand (accept()), whatever lists say
        // Its key came from the account's recovery key backup (trustFromBackup): it verifies what
        // the device signed, and the device gets no key share until a signed list or the user
        // trusts it.
        bool fromBackup = false;
        qint64 firstSeenMs = 0;
        qint64 changedMs = 0; // when the pending key was first seen
        State state() const;
    };

    TrustStore() = default;
    bool open(const QString &path); // missing file: empty store; damaged: false, untouched
    QString lastError() const { return m_lastError; }
    QString path() const { return m_path; }

    // Records a key seen for a device (from the key directory) and returns the device's state.
    // trustOnFirstUse false: even a user never seen gets no device trusted this way (an account
    // with a signed device list: only the list trusts).
    State observe(const QString &nick, const QString &deviceId, const QByteArray &identityKey,
                  bool trustOnFirstUse = true);
    // All devices of one user from one key directory answer: if the user is new, every device in
    // it is trusted on first use (the first observe would otherwise make the rest NewDevice).
    QList<State> observeUser(const QString &nick, const QList<QPair<QString, QByteArray>> &devices,
                             bool trustOnFirstUse = true);

    State state(const QString &nick, const QString &deviceId) const;
    QByteArray trustedKey(const QString &nick, const QString &deviceId) const;
    bool mayShareKeysWith(const QString &nick, const QString &deviceId) const;
    QList<Device> devices(const QString &nick) const;
    bool knowsUser(const QString &nick) const;

    // The user accepts a Changed key or a NewDevice: it becomes Trusted (not Verified).
    bool accept(const QString &nick, const QString &deviceId);
    bool setVerified(const QString &nick, const QString &deviceId, bool verified);
    // After comparing safety numbers, bound to what was compared: the Trusted devices of nick
    // whose trusted key is one of keys (the key set hashed into the number the user saw) become
    // Verified; a device that appeared since does not.
    bool markUserVerified(const QString &nick, const QList<QByteArray> &keys);
    // The trusted keys of nick's devices that count for a safety number (not revoked), sorted.
    QList<QByteArray> safetyKeys(const QString &nick) const;
    bool forget(const QString &nick, const QString &deviceId);
    // The device left its account (the directory no longer lists it): Revoked for good.
    bool revoke(const QString &nick, const QString &deviceId);
    // The account's own signed device list names this device with this key: a NewDevice with that
    // pending key (or one never seen) becomes Trusted without asking. A Changed key stays Changed
    // (a key change is always the user's call); revoked devices stay revoked.
    bool approve(const QString &nick, const QString &deviceId, const QByteArray &identityKey);
    // The recovery key backup names identityKey for a device whose messages this device restores:
    // a device never seen, or a NewDevice showing that very key, gets it to verify what it signed
    // (fromBackup: no key shares). A trusted or changed key stays as it is.
    bool trustFromBackup(const QString &nick, const QString &deviceId, const QByteArray &identityKey);

    // The newest signed device list accepted for nick (serialized SignedDeviceList), if any.
    QByteArray deviceList(const QString &nick) const { return m_lists.value(nick.toLower()); }
    bool setDeviceList(const QString &nick, const QByteArray &serialized);

    static QString describe(State state);

private:
    static QString keyOf(const QString &nick, const QString &deviceId);
    bool save();

    QString m_path;
    QString m_lastError;
    std::map<QString, Device> m_devices;
    QHash<QString, QByteArray> m_lists; // lower-case nick → serialized SignedDeviceList
};

} // namespace hchat::crypto
