#include "crypto/PrekeyStore.h"

#include "crypto/CanonicalBytes.h"
#include "crypto/CryptoLogging.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/Sodium.h"

#include <QAtomicInt>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sodium.h>

namespace hchat::crypto {

namespace {
QByteArray secretAd(quint32 keyId)
{
    return CanonicalBytes("hchat-store-prekey-v1").addU32(keyId).bytes();
}

} // namespace

PrekeyStore::PrekeyStore() : SealedStore("prekey store") {}

PrekeyStore::~PrekeyStore()
{
    close();
}

bool PrekeyStore::open(const QString &path, const SecureBuffer &storageKey)
{
    close();
    int version = 0;
    if (!openFile(path, storageKey, kSchemaVersion, &version))
        return false;
    const bool ok = exec(QStringLiteral("PRAGMA journal_mode=DELETE")) && exec(QStringLiteral("PRAGMA secure_delete=ON")) &&
                    exec(QStringLiteral("PRAGMA synchronous=FULL")) &&
                    exec(QStringLiteral("CREATE TABLE IF NOT EXISTS own_prekey ("
                                        " key_id INTEGER PRIMARY KEY, public_key BLOB NOT NULL,"
                                        " signature BLOB NOT NULL, sealed_secret BLOB NOT NULL,"
                                        " created_ms INTEGER NOT NULL)")) &&
                    exec(QStringLiteral("CREATE TABLE IF NOT EXISTS claimed_prekey ("
                                        " nick TEXT NOT NULL, device_id TEXT NOT NULL, key_id INTEGER NOT NULL,"
                                        " public_key BLOB NOT NULL, signature BLOB NOT NULL,"
                                        " claimed_ms INTEGER NOT NULL, PRIMARY KEY (nick, device_id))")) &&
                    exec(QStringLiteral("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")) &&
                    exec(QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion));
    if (!ok) {
        close(); // lastError() keeps why
        return false;
    }
    return true;
}

void PrekeyStore::close()
{
    closeFile();
}

QByteArray PrekeyStore::signedBytes(const QString &deviceId, quint32 keyId, QByteArrayView publicKey)
{
    return CanonicalBytes("hchat-prekey-v1").add(deviceId).addU32(keyId).add(publicKey).bytes();
}

bool PrekeyStore::verify(const Prekey &prekey, const QString &deviceId, QByteArrayView identityKey)
{
    return prekey.keyId != 0 && prekey.publicKey.size() == kKeyBytes &&
           prekey.signature.size() == DeviceIdentity::kSignatureBytes &&
           DeviceIdentity::verify(identityKey, signedBytes(deviceId, prekey.keyId, prekey.publicKey), prekey.signature);
}

QList<PrekeyStore::Prekey> PrekeyStore::generate(int count, const DeviceIdentity &identity, const QString &deviceId)
{
    QList<Prekey> out;
    if (!m_open || count <= 0)
        return out;
    QSqlDatabase db = QSqlDatabase::database(connectionName(), false);
    if (!db.transaction()) {
        fail(db.lastError().text());
        return out;
    }
    QSqlQuery next(db);
    // Key ids are never reused, so a late share names exactly one secret (or none).
    quint32 keyId = 0;
    if (next.exec(QStringLiteral("SELECT value FROM meta WHERE name = 'next_key_id'")) && next.next())
        keyId = next.value(0).toUInt();
    next.finish();
    keyId = std::max<quint32>(keyId, 1);
    QSqlQuery ins(db);
    ins.prepare(QStringLiteral("INSERT INTO own_prekey(key_id, public_key, signature, sealed_secret, created_ms)"
                               " VALUES(?, ?, ?, ?, ?)"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < count; ++i, ++keyId) {
        SecureBuffer secret(kKeyBytes);
        QByteArray pub(kKeyBytes, Qt::Uninitialized);
        if (secret.isNull() || crypto_box_keypair(reinterpret_cast<unsigned char *>(pub.data()), secret.data()) != 0) {
            db.rollback();
            fail(QStringLiteral("could not make a prekey"));
            return {};
        }
        const QByteArray sealed = seal(secret, secretAd(keyId));
        Prekey k{keyId, pub, identity.sign(signedBytes(deviceId, keyId, pub))};
        ins.bindValue(0, qint64(keyId));
        ins.bindValue(1, k.publicKey);
        ins.bindValue(2, k.signature);
        ins.bindValue(3, sealed);
        ins.bindValue(4, now);
        if (!ins.exec()) {
            fail(ins.lastError().text());
            db.rollback();
            return {};
        }
        out.append(k);
    }
    QSqlQuery meta(db);
    meta.prepare(QStringLiteral("INSERT INTO meta(name, value) VALUES('next_key_id', ?)"
                                " ON CONFLICT(name) DO UPDATE SET value = excluded.value"));
    meta.addBindValue(qint64(keyId));
    if (!meta.exec() || !db.commit()) {
        fail(meta.lastError().text());
        db.rollback();
        return {};
    }
    return out;
}

int PrekeyStore::ownCount() const
{
    if (!m_open)
        return 0;
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    if (!q.exec(QStringLiteral("SELECT count(*) FROM own_prekey")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

SecureBuffer PrekeyStore::secret(quint32 keyId) const
{
    if (!m_open || keyId == 0)
        return {};
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("SELECT sealed_secret FROM own_prekey WHERE key_id = ?"));
    q.addBindValue(qint64(keyId));
    if (!q.exec() || !q.next())
        return {};
    return unseal(q.value(0).toByteArray(), secretAd(keyId), kKeyBytes);
}

bool PrekeyStore::consume(quint32 keyId)
{
    if (!m_open)
        return fail(QStringLiteral("not open"));
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("DELETE FROM own_prekey WHERE key_id = ?"));
    q.addBindValue(qint64(keyId));
    if (!q.exec())
        return fail(q.lastError().text());
    return true;
}

bool PrekeyStore::putClaimed(const QString &nick, const QString &deviceId, const Prekey &prekey)
{
    if (!m_open)
        return fail(QStringLiteral("not open"));
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("INSERT INTO claimed_prekey(nick, device_id, key_id, public_key, signature, claimed_ms)"
                             " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(nick, device_id) DO UPDATE SET"
                             " key_id = excluded.key_id, public_key = excluded.public_key,"
                             " signature = excluded.signature, claimed_ms = excluded.claimed_ms"));
    q.addBindValue(nick.toLower());
    q.addBindValue(deviceId);
    q.addBindValue(qint64(prekey.keyId));
    q.addBindValue(prekey.publicKey);
    q.addBindValue(prekey.signature);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec())
        return fail(q.lastError().text());
    return true;
}

std::optional<PrekeyStore::Prekey> PrekeyStore::claimed(const QString &nick, const QString &deviceId) const
{
    if (!m_open)
        return std::nullopt;
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("SELECT key_id, public_key, signature FROM claimed_prekey WHERE nick = ? AND device_id = ?"));
    q.addBindValue(nick.toLower());
    q.addBindValue(deviceId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return Prekey{q.value(0).toUInt(), q.value(1).toByteArray(), q.value(2).toByteArray()};
}

bool PrekeyStore::dropClaimed(const QString &nick, const QString &deviceId)
{
    if (!m_open)
        return fail(QStringLiteral("not open"));
    QSqlQuery q(QSqlDatabase::database(connectionName(), false));
    q.prepare(QStringLiteral("DELETE FROM claimed_prekey WHERE nick = ? AND device_id = ?"));
    q.addBindValue(nick.toLower());
    q.addBindValue(deviceId);
    if (!q.exec())
        return fail(q.lastError().text());
    return true;
}

} // namespace hchat::crypto
