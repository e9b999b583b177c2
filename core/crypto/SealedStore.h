#pragma once

#include "StatementCache.h"
#include "crypto/SecureBuffer.h"

#include <QByteArray>
#include <QString>

class QSqlQuery;

namespace hchat::crypto {

// What SenderKeyStore and PrekeyStore have in common: one of the device's own SQLite files, under
// its own QtSql connection, whose secrets are sealed at rest (XChaCha20-Poly1305 under the storage
// key derived from the device identity, random nonce in front, the row's identity as associated
// data), so that the file alone reveals no key. A file written by a newer HChat, or one that is not
// SQLite, is refused and left untouched.
class SealedStore {
public:
    bool isOpen() const { return m_open; }
    QString lastError() const { return m_lastError; }

protected:
    // label: names the connection and the log lines ("sender key store", "prekey store").
    explicit SealedStore(const char *label);
    ~SealedStore();
    SealedStore(const SealedStore &) = delete;
    SealedStore &operator=(const SealedStore &) = delete;

    // storageKey: 32 bytes (DeviceIdentity::deriveStorageKey()). *version: the file's user_version.
    bool openFile(const QString &path, const SecureBuffer &storageKey, int newest, int *version);
    void closeFile();
    bool exec(const QString &sql);
    bool fail(const QString &message) const; // records and logs it; false
    QString connectionName() const { return m_connectionName; }
    // A statement of the hot paths, prepared once per open file; bind with bindValue(i, …). Null
    // when it does not prepare (lastError() says why).
    QSqlQuery *cached(const QString &sql) const;

    QByteArray seal(const SecureBuffer &secret, const QByteArray &ad) const;
    // Null unless sealed is a sealing of exactly secretBytes bytes under this key and ad.
    SecureBuffer unseal(const QByteArray &sealed, const QByteArray &ad, std::size_t secretBytes) const;

    bool m_open = false;

private:
    const char *m_label;
    QString m_connectionName;
    mutable QString m_lastError;
    SecureBuffer m_storageKey;
    mutable StatementCache m_statements{m_connectionName};
};

} // namespace hchat::crypto
