#include "crypto/TrustStore.h"

#include "crypto/CryptoLogging.h"
#include "crypto/DeviceIdentity.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace hchat::crypto {

namespace {
constexpr qint64 kMaxFileBytes = 16 * 1024 * 1024;

QString tr(const char *s)
{
    return QCoreApplication::translate("hchat::crypto::TrustStore", s);
}
} // namespace

TrustStore::State TrustStore::Device::state() const
{
    if (revoked)
        return State::Revoked;
    if (trustedKey.isEmpty())
        return pendingKey.isEmpty() ? State::Unknown : State::NewDevice;
    if (!pendingKey.isEmpty())
        return State::Changed;
    return verified ? State::Verified : State::Trusted;
}

QString TrustStore::keyOf(const QString &nick, const QString &deviceId)
{
    return nick.toLower() + QLatin1Char('\n') + deviceId;
}

bool TrustStore::open(const QString &path)
{
    m_path = path;
    m_devices.clear();
    m_lists.clear();
    m_lastError.clear();
    QFile f(path);
    if (!f.exists())
        return true;
    if (!f.open(QIODevice::ReadOnly) || f.size() > kMaxFileBytes) {
        m_lastError = tr("Cannot read the trusted keys file %1").arg(path);
        m_path.clear(); // never write over what we could not read
        return false;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    const QJsonObject root = doc.object();
    if (pe.error != QJsonParseError::NoError || !doc.isObject() || root.value(QLatin1String("version")).toInt() != 1) {
        m_lastError = tr("The trusted keys file %1 is damaged; it was left as it is").arg(path);
        m_path.clear();
        return false;
    }
    for (const QJsonValue &v : root.value(QLatin1String("devices")).toArray()) {
        const QJsonObject o = v.toObject();
        Device d;
        d.nick = o.value(QLatin1String("nick")).toString();
        d.deviceId = o.value(QLatin1String("device")).toString();
        d.trustedKey = QByteArray::fromBase64(o.value(QLatin1String("key")).toString().toLatin1());
        d.pendingKey = QByteArray::fromBase64(o.value(QLatin1String("pending")).toString().toLatin1());
        d.verified = o.value(QLatin1String("verified")).toBool();
        d.revoked = o.value(QLatin1String("revoked")).toBool();
        d.userAccepted = o.value(QLatin1String("accepted_by_user")).toBool();
        d.fromBackup = o.value(QLatin1String("from_backup")).toBool();
        d.firstSeenMs = qint64(o.value(QLatin1String("first_seen_ms")).toDouble());
        d.changedMs = qint64(o.value(QLatin1String("changed_ms")).toDouble());
        const bool sizesOk = (d.trustedKey.isEmpty() || d.trustedKey.size() == DeviceIdentity::kPublicKeyBytes) &&
                             (d.pendingKey.isEmpty() || d.pendingKey.size() == DeviceIdentity::kPublicKeyBytes);
        if (d.nick.isEmpty() || d.deviceId.isEmpty() || !sizesOk) {
            m_lastError = tr("The trusted keys file %1 is damaged; it was left as it is").arg(path);
            m_devices.clear();
            m_path.clear();
            return false;
        }
        m_devices[keyOf(d.nick, d.deviceId)] = d;
    }
    const QJsonObject lists = root.value(QLatin1String("device_lists")).toObject();
    for (auto it = lists.constBegin(); it != lists.constEnd(); ++it) {
        const QByteArray bytes = QByteArray::fromBase64(it.value().toString().toLatin1());
        if (!bytes.isEmpty())
            m_lists.insert(it.key().toLower(), bytes);
    }
    return true;
}

bool TrustStore::save()
{
    if (m_path.isEmpty())
        return false;
    QJsonArray arr;
    for (const auto &[k, d] : m_devices) {
        QJsonObject o;
        o.insert(QLatin1String("nick"), d.nick);
        o.insert(QLatin1String("device"), d.deviceId);
        o.insert(QLatin1String("key"), QString::fromLatin1(d.trustedKey.toBase64()));
        o.insert(QLatin1String("pending"), QString::fromLatin1(d.pendingKey.toBase64()));
        o.insert(QLatin1String("verified"), d.verified);
        if (d.revoked)
            o.insert(QLatin1String("revoked"), true);
        if (d.userAccepted)
            o.insert(QLatin1String("accepted_by_user"), true);
        if (d.fromBackup)
            o.insert(QLatin1String("from_backup"), true);
        o.insert(QLatin1String("first_seen_ms"), double(d.firstSeenMs));
        o.insert(QLatin1String("changed_ms"), double(d.changedMs));
        arr.append(o);
    }
    QJsonObject root;
    root.insert(QLatin1String("version"), 1);
    root.insert(QLatin1String("devices"), arr);
    QJsonObject lists;
    for (auto it = m_lists.cbegin(); it != m_lists.cend(); ++it)
        lists.insert(it.key(), QString::fromLatin1(it.value().toBase64()));
    if (!lists.isEmpty())
        root.insert(QLatin1String("device_lists"), lists);
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly)) {
        m_lastError = tr("Cannot write the trusted keys file %1: %2").arg(m_path, f.errorString());
        return false;
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QByteArray json = QJsonDocument(root).toJson(QJsonDocument::Indented);
    if (f.write(json) != json.size() || !f.commit()) {
        m_lastError = tr("Cannot write the trusted keys file %1: %2").arg(m_path, f.errorString());
        qCWarning(lcCrypto).noquote() << m_lastError;
        return false;
    }
    return true;
}

bool TrustStore::knowsUser(const QString &nick) const
{
    const QString prefix = nick.toLower() + QLatin1Char('\n');
    auto it = m_devices.lower_bound(prefix);
    return it != m_devices.end() && it->first.startsWith(prefix);
}

TrustStore::State TrustStore::observe(const QString &nick, const QString &deviceId, const QByteArray &identityKey,
                                     bool trustOnFirstUse)
{
    if (identityKey.size() != DeviceIdentity::kPublicKeyBytes || nick.isEmpty() || deviceId.isEmpty())
        return State::Unknown;
    const QString k = keyOf(nick, deviceId);
    auto it = m_devices.find(k);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (it == m_devices.end()) {
        Device d;
        d.nick = nick;
        d.deviceId = deviceId;
        d.firstSeenMs = now;
        if (knowsUser(nick) || !trustOnFirstUse) {
            d.pendingKey = identityKey;
            d.changedMs = now;
            qCWarning(lcCrypto).noquote() << "new device" << deviceId << "of known user" << nick
                                          << "held until accepted";
        } else {
            d.trustedKey = identityKey;
        }
        it = m_devices.emplace(k, d).first;
        save();
        return it->second.state();
    }
    Device &d = it->second;
    if (d.revoked)
        return d.state(); // a revoked device that reappears stays revoked
    if (!d.trustedKey.isEmpty() && d.trustedKey == identityKey) {
        if (!d.pendingKey.isEmpty()) {
            // The directory went back to the trusted key: the warning no longer applies.
            d.pendingKey.clear();
            d.changedMs = 0;
            save();
        }
        return d.state();
    }
    if (d.pendingKey != identityKey) {
        d.pendingKey = identityKey;
        d.changedMs = now;
        qCWarning(lcCrypto).noquote() << "identity key of" << nick << "device" << deviceId
                                      << "CHANGED; key shares blocked until accepted";
        save();
    }
    return d.state();
}

QList<TrustStore::State> TrustStore::observeUser(const QString &nick, const QList<QPair<QString, QByteArray>> &devices,
                                                bool trustOnFirstUse)
{
    QList<State> states;
    const bool newUser = trustOnFirstUse && !knowsUser(nick);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const auto &[deviceId, key] : devices) {
        if (newUser && key.size() == DeviceIdentity::kPublicKeyBytes && !deviceId.isEmpty() && !nick.isEmpty() &&
            !m_devices.count(keyOf(nick, deviceId))) {
            Device d;
            d.nick = nick;
            d.deviceId = deviceId;
            d.firstSeenMs = now;
            d.trustedKey = key;
            m_devices.emplace(keyOf(nick, deviceId), d);
            states.append(State::Trusted);
        } else {
            states.append(observe(nick, deviceId, key, trustOnFirstUse));
        }
    }
    if (newUser)
        save();
    return states;
}

TrustStore::State TrustStore::state(const QString &nick, const QString &deviceId) const
{
    auto it = m_devices.find(keyOf(nick, deviceId));
    return it == m_devices.end() ? State::Unknown : it->second.state();
}

QByteArray TrustStore::trustedKey(const QString &nick, const QString &deviceId) const
{
    // A revoked device's key verifies nothing any more (its messages, key shares, device lists).
    auto it = m_devices.find(keyOf(nick, deviceId));
    return it == m_devices.end() || it->second.revoked ? QByteArray() : it->second.trustedKey;
}

bool TrustStore::mayShareKeysWith(const QString &nick, const QString &deviceId) const
{
    const auto it = m_devices.find(keyOf(nick, deviceId));
    if (it != m_devices.end() && it->second.fromBackup)
        return false;
    const State s = state(nick, deviceId);
    return s == State::Trusted || s == State::Verified;
}

QList<TrustStore::Device> TrustStore::devices(const QString &nick) const
{
    QList<Device> out;
    const QString prefix = nick.toLower() + QLatin1Char('\n');
    for (auto it = m_devices.lower_bound(prefix); it != m_devices.end() && it->first.startsWith(prefix); ++it)
        out.append(it->second);
    return out;
}

bool TrustStore::accept(const QString &nick, const QString &deviceId)
{
    auto it = m_devices.find(keyOf(nick, deviceId));
    if (it == m_devices.end() || it->second.pendingKey.isEmpty())
        return false;
    Device &d = it->second;
    d.trustedKey = d.pendingKey;
    d.pendingKey.clear();
    d.changedMs = 0;
    d.verified = false; // a new key was never compared
    d.userAccepted = true;
    d.fromBackup = false;
    qCInfo(lcCrypto).noquote() << "user accepted the key of" << nick << "device" << deviceId;
    return save();
}

bool TrustStore::approve(const QString &nick, const QString &deviceId, const QByteArray &identityKey)
{
    if (identityKey.size() != DeviceIdentity::kPublicKeyBytes)
        return false;
    auto it = m_devices.find(keyOf(nick, deviceId));
    if (it == m_devices.end()) {
        Device d;
        d.nick = nick;
        d.deviceId = deviceId;
        d.trustedKey = identityKey;
        d.firstSeenMs = QDateTime::currentMSecsSinceEpoch();
        m_devices[keyOf(nick, deviceId)] = d;
        return save();
    }
    Device &d = it->second;
    if (!d.revoked && d.fromBackup && d.trustedKey == identityKey) {
        d.fromBackup = false; // the account's list names it: a device of its own again
        return save();
    }
    if (d.revoked || d.trustedKey == identityKey)
        return false;
    if (!d.trustedKey.isEmpty() || d.pendingKey != identityKey)
        return false; // a changed key: the user decides
    d.trustedKey = identityKey;
    d.pendingKey.clear();
    d.changedMs = 0;
    qCInfo(lcCrypto).noquote() << "device" << deviceId << "of" << nick << "approved by the account's signed list";
    return save();
}

bool TrustStore::trustFromBackup(const QString &nick, const QString &deviceId, const QByteArray &identityKey)
{
    if (identityKey.size() != DeviceIdentity::kPublicKeyBytes)
        return false;
    auto it = m_devices.find(keyOf(nick, deviceId));
    if (it == m_devices.end()) {
        Device d;
        d.nick = nick;
        d.deviceId = deviceId;
        d.trustedKey = identityKey;
        d.fromBackup = true;
        d.firstSeenMs = QDateTime::currentMSecsSinceEpoch();
        m_devices[keyOf(nick, deviceId)] = d;
    } else {
        Device &d = it->second;
        if (d.revoked || !d.trustedKey.isEmpty() || d.pendingKey != identityKey)
            return false;
        d.trustedKey = identityKey;
        d.pendingKey.clear();
        d.changedMs = 0;
        d.fromBackup = true;
    }
    qCInfo(lcCrypto).noquote() << "device" << deviceId << "of" << nick
                               << "known from the recovery key backup";
    return save();
}

bool TrustStore::setDeviceList(const QString &nick, const QByteArray &serialized)
{
    m_lists.insert(nick.toLower(), serialized);
    return save();
}

bool TrustStore::setVerified(const QString &nick, const QString &deviceId, bool verified)
{
    auto it = m_devices.find(keyOf(nick, deviceId));
    if (it == m_devices.end() || it->second.trustedKey.isEmpty() || !it->second.pendingKey.isEmpty())
        return false;
    it->second.verified = verified;
    return save();
}

bool TrustStore::markUserVerified(const QString &nick, const QList<QByteArray> &keys)
{
    bool any = false;
    const QString prefix = nick.toLower() + QLatin1Char('\n');
    for (auto it = m_devices.lower_bound(prefix); it != m_devices.end() && it->first.startsWith(prefix); ++it) {
        if (it->second.state() == State::Trusted && keys.contains(it->second.trustedKey)) {
            it->second.verified = true;
            any = true;
        }
    }
    return any && save();
}

QList<QByteArray> TrustStore::safetyKeys(const QString &nick) const
{
    QList<QByteArray> keys;
    const QString prefix = nick.toLower() + QLatin1Char('\n');
    for (auto it = m_devices.lower_bound(prefix); it != m_devices.end() && it->first.startsWith(prefix); ++it)
        if (!it->second.revoked && !it->second.trustedKey.isEmpty() && !keys.contains(it->second.trustedKey))
            keys << it->second.trustedKey;
    std::sort(keys.begin(), keys.end());
    return keys;
}


bool TrustStore::revoke(const QString &nick, const QString &deviceId)
{
    auto it = m_devices.find(keyOf(nick, deviceId));
    if (it == m_devices.end() || it->second.revoked)
        return false;
    it->second.revoked = true;
    it->second.pendingKey.clear();
    qCInfo(lcCrypto).noquote() << "device" << deviceId << "of" << nick << "was revoked";
    return save();
}

bool TrustStore::forget(const QString &nick, const QString &deviceId)
{
    if (!m_devices.erase(keyOf(nick, deviceId)))
        return false;
    return save();
}

QString TrustStore::describe(State state)
{
    switch (state) {
    case State::Unknown:
        return tr("unknown device");
    case State::Trusted:
        return tr("trusted (first use)");
    case State::Verified:
        return tr("verified");
    case State::Changed:
        return tr("SECURITY KEY CHANGED: not trusted until you accept it");
    case State::NewDevice:
        return tr("new device: not trusted until you accept it");
    case State::Revoked:
        return tr("revoked: no longer a device of this account, gets no keys");
    }
    return {};
}

} // namespace hchat::crypto
