#pragma once

#include "crypto/IdentityStore.h"
#include "crypto/SecureBuffer.h"

#include <QThreadPool>

namespace hchat::crypto {

// The identity secret in a file encrypted under a passphrase, for systems without an OS keychain.
// key = Argon2id(passphrase, random salt, cost) (crypto_pwhash); file = crypto_secretbox_easy.
//
// File "<directory>/identity-<hash of account>.hcid", mode 0600, written atomically (QSaveFile):
//   "HCHATID" 0x01 | opslimit u64 BE | memlimit u64 BE | salt 16 | nonce 24 | secretbox(
//       64-byte secret ‖ account UTF-8)
// The cost is read back from the file (bounded, so a planted file cannot make us hash for hours).
//
// A wrong passphrase is a clear error (Status::WrongPassphrase) and changes nothing: saving over an
// existing file first checks that the passphrase opens it. Argon2id costs ~0.8 s and 256 MiB at the
// moderate cost, so the IdentityStore calls run on a private one-thread pool; the *Now() methods
// run on the calling thread (tools, tests).
class PassphraseIdentityStore : public IdentityStore {
    Q_OBJECT
public:
    struct Cost {
        quint64 opsLimit;
        quint64 memLimit; // bytes
        static Cost moderate();    // libsodium MODERATE: ~0.8 s, 256 MiB (default)
        static Cost interactive(); // libsodium INTERACTIVE: ~0.1 s, 64 MiB
        static Cost minimum();     // tests only
    };
    enum class Status { Ok, NotFound, NoPassphrase, WrongPassphrase, Damaged, WrongAccount, IoError, CryptoError };
    Q_ENUM(Status)

    struct LoadResult {
        Status status = Status::IoError;
        QString error; // for the user; empty when Ok
        std::optional<DeviceIdentity> identity;
    };

    explicit PassphraseIdentityStore(const QString &directory, Cost cost = Cost::moderate(),
                                     QObject *parent = nullptr);
    ~PassphraseIdentityStore() override; // waits for a running hash

    // The passphrase (UTF-8) is copied into secure memory; wipe the caller's copy.
    void setPassphrase(QByteArrayView passphrase);
    void clearPassphrase();
    bool hasPassphrase() const { return !m_passphrase.isNull(); }

    QString fileFor(const QString &account) const;
    bool exists(const QString &account) const;

    LoadResult loadNow(const QString &account) const;
    Status saveNow(const QString &account, const DeviceIdentity &identity, QString *error = nullptr) const;
    Status removeNow(const QString &account, QString *error = nullptr) const;
    // Re-encrypts the file under newPassphrase (the current passphrase must open it).
    Status changePassphraseNow(const QString &account, QByteArrayView newPassphrase, QString *error = nullptr);

    static QString describe(Status status);

    void loadIdentity(const QString &account) override;
    void saveIdentity(const QString &account, const DeviceIdentity &identity) override;
    void removeIdentity(const QString &account) override;

private:
    QString m_directory;
    Cost m_cost;
    SecureBuffer m_passphrase;
    QThreadPool m_pool;
};

} // namespace hchat::crypto
