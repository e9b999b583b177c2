#include "crypto/SealedStore.h"

#include "crypto/CryptoLogging.h"
#include "crypto/Sodium.h"

#include <QAtomicInt>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sodium.h>

namespace hchat::crypto {

namespace {
QAtomicInt g_connectionCounter;
constexpr qsizetype kOverhead = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
} // namespace

SealedStore::SealedStore(const char *label)
    : m_label(label),
      m_connectionName(QStringLiteral("hchat-%1-%2").arg(QLatin1String(label)).arg(g_connectionCounter.fetchAndAddRelaxed(1)))
{
}

SealedStore::~SealedStore()
{
    closeFile();
}

bool SealedStore::fail(const QString &message) const
{
    m_lastError = message;
    qCWarning(lcCrypto).noquote() << m_label << ":" << message;
    return false;
}

bool SealedStore::exec(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(sql))
        return fail(q.lastError().text());
    return true;
}

bool SealedStore::openFile(const QString &path, const SecureBuffer &storageKey, int newest, int *version)
{
    closeFile();
    if (!Sodium::ensureInitialized())
        return fail(QStringLiteral("libsodium is unavailable"));
    if (storageKey.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
        return fail(QStringLiteral("the storage key must be 32 bytes"));
    m_storageKey = storageKey.clone();
    QDir().mkpath(QFileInfo(path).absolutePath());
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        db.setDatabaseName(path);
        if (!db.open()) {
            const QString err = db.lastError().text();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_connectionName);
            return fail(QStringLiteral("cannot open %1: %2").arg(path, err));
        }
    }
    m_open = true;
    int found = -1;
    QString why;
    {
        QSqlQuery v(QSqlDatabase::database(m_connectionName, false));
        if (v.exec(QStringLiteral("PRAGMA user_version")) && v.next())
            found = v.value(0).toInt();
        else
            why = QStringLiteral("%1 is not a usable SQLite database: %2").arg(path, v.lastError().text());
    }
    if (found > newest)
        why = QStringLiteral("%1 was written by a newer HChat (schema %2)").arg(path).arg(found);
    if (!why.isEmpty()) {
        closeFile();
        return fail(why);
    }
    *version = found;
    return true;
}

QSqlQuery *SealedStore::cached(const QString &sql) const
{
    QSqlQuery *q = m_statements.get(sql, &m_lastError);
    if (!q)
        fail(m_lastError);
    return q;
}

void SealedStore::closeFile()
{
    m_statements.clear(); // before the connection goes
    if (QSqlDatabase::contains(m_connectionName)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    m_open = false;
}

QByteArray SealedStore::seal(const SecureBuffer &secret, const QByteArray &ad) const
{
    QByteArray out(kOverhead + qsizetype(secret.size()), Qt::Uninitialized);
    auto *nonce = reinterpret_cast<unsigned char *>(out.data());
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, nullptr,
                                               secret.data(), secret.size(),
                                               reinterpret_cast<const unsigned char *>(ad.constData()),
                                               quint64(ad.size()), nullptr, nonce, m_storageKey.data());
    return out;
}

SecureBuffer SealedStore::unseal(const QByteArray &sealed, const QByteArray &ad, std::size_t secretBytes) const
{
    if (m_storageKey.isNull() || sealed.size() != kOverhead + qsizetype(secretBytes))
        return {};
    SecureBuffer secret(secretBytes);
    const auto *nonce = reinterpret_cast<const unsigned char *>(sealed.constData());
    if (secret.isNull() ||
        crypto_aead_xchacha20poly1305_ietf_decrypt(secret.data(), nullptr, nullptr,
                                                   nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                   quint64(sealed.size()) - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                   reinterpret_cast<const unsigned char *>(ad.constData()),
                                                   quint64(ad.size()), nonce, m_storageKey.data()) != 0)
        return {};
    return secret;
}

} // namespace hchat::crypto
