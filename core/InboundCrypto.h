#pragma once

#include "StoredMessage.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

namespace hchat {

class HistoryStore;
class SyncEngine;
namespace crypto {
class ChannelCrypto;
}

// The end-to-end encryption stage of the received-message path: SyncEngine stores a batch, then
// this stage applies its membership operations, accepts key shares from the device's inbox,
// verifies and decrypts its messages and records each result in the history, before anything is
// shown. Rows that arrived before the device identity was loaded are processed from a per-stream
// cursor once it is (catchUp). Key shares that cannot be opened yet (the sender's keys or the
// membership are not here) are kept and tried again when keys arrive. Needs nothing from Client:
// what it cannot do itself (fetch keys, post a genesis) it asks for with a signal.
class InboundCrypto : public QObject {
    Q_OBJECT
public:
    InboundCrypto(HistoryStore *store, crypto::ChannelCrypto *crypto, const SyncEngine *engine,
                  QObject *parent = nullptr);

    // Whether stream's rows go through this stage (encrypted or private channels, the own inbox).
    bool wantsCrypto(const QString &stream) const;
    // Processes stream's rows in seq order from the last one handled, so nothing is skipped;
    // rows (a batch just stored, or null) are completed with their local decryption results.
    void process(const QString &stream, QList<StoredMessage> *rows);
    // Once the identity is open: everything that arrived before it, memberships first.
    void catchUp();
    // Tries the refused key shares again (only fromSender's when given); saves the list.
    void retryKeyShares(const QString &fromSender = {});
    // ChannelCrypto has the key these encrypted messages were waiting for.
    void onMessagesUnblocked(const QString &channel, const QList<quint64> &seqs);

signals:
    void messagesDecrypted(const QString &stream, const QList<quint64> &seqs);
    // A decrypted edit or deletion changed these earlier messages.
    void messagesAmended(const QString &channel, const QList<quint64> &seqs);
    void keysWanted(const QString &nick);
    // This device created channel: its signed genesis is due.
    void genesisDue(const QString &channel);

private:
    void processCryptoRow(const QString &stream, StoredMessage &m);
    void decryptRow(StoredMessage &m);
    void flagIfUnencrypted(StoredMessage &m);
    void saveRetryShares();

    HistoryStore *m_store;
    crypto::ChannelCrypto *m_crypto;
    const SyncEngine *m_engine;
    QList<quint64> m_retryShares;           // inbox seqs of key shares refused so far (sender not known yet)
    QHash<quint64, QString> m_retrySenders; // their senders (lower-case), as far as this run knows
    bool m_retrySharesDirty = false;        // m_retryShares grew in this crypto run: save it once
};

} // namespace hchat
