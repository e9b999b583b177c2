#pragma once

#include "crypto/SecureBuffer.h"

#include <QObject>
#include <QString>

namespace hchat {

// The key that encrypts a profile's history at rest (HistoryStore, crypto::EncryptedPageVfs), kept
// in the OS keychain through QtKeychain: service "HChat", key "history-key:<profile folder>", 32
// random bytes made on the first fetch. The plain-text fallback is OFF: with no keychain,
// keyUnavailable says so and the caller opens the history without a key (plain on disk).
// Asynchronous: each fetch ends with exactly one signal.
class HistoryKeyring : public QObject {
    Q_OBJECT
public:
    explicit HistoryKeyring(const QString &service = QStringLiteral("HChat"), QObject *parent = nullptr);

    void fetch(const QString &profileDir);
    // The key of the last keyReady; null once taken.
    crypto::SecureBuffer takeKey() { return std::move(m_key); }

    static QString entryKey(const QString &profileDir);

signals:
    void keyReady(const QString &profileDir);
    void keyUnavailable(const QString &profileDir, const QString &message);

private:
    void store(const QString &profileDir, crypto::SecureBuffer key);

    QString m_service;
    crypto::SecureBuffer m_key;
};

} // namespace hchat
