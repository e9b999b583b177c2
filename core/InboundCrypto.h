#pragma once

#include "ChannelRecord.h"
#include "IncomingBatch.h"
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

// The end-to-end encryption stage of the received-message path: before SyncEngine stores a batch,
// this stage applies its membership operations, accepts key shares from the device's inbox, and
// verifies (signatures on two threads) and decrypts its messages in memory, so that each row is
// written once with its result and nothing is shown undecided. Rows that arrived before the
// device identity was loaded are processed from a per-stream cursor once it is (catchUp), and
// their results written to the stored rows. Key shares that cannot be opened yet (the sender's keys or the
// membership are not here) are kept and tried again when keys arrive. Needs nothing from Client:
// what it cannot do itself (fetch keys, post a genesis) it asks for with a signal.
class InboundCrypto : public QObject {
    Q_OBJECT
public:
    InboundCrypto(HistoryStore *store, crypto::ChannelCrypto *crypto, const SyncEngine *engine,
                  QObject *parent = nullptr);

    // Whether stream's rows go through this stage (encrypted or private channels, the own inbox).
    bool wantsCrypto(const QString &stream) const;
    // Completes a batch about to be stored with its local decryption results (after the stored
    // rows of its stream not processed yet, so that nothing is skipped and order is kept).
    void prepare(IncomingBatch &batch);
    // Processes stream's stored rows in seq order from the last one handled up to beforeSeq
    // (exclusive; 0: all) and records their results.
    void process(const QString &stream, quint64 beforeSeq = 0);
    // Once the identity is open: everything that arrived before it, memberships first.
    void catchUp();
    // Tries the refused key shares again (only fromSender's when given); saves the list.
    void retryKeyShares(const QString &fromSender = {});
    // ChannelCrypto has the key these encrypted messages were waiting for.
    void onMessagesUnblocked(const QString &channel, const QList<quint64> &seqs);
    // ChannelCrypto refused the signed membership operation at seq: its row says so.
    void onMembershipRejected(const QString &channel, quint64 seq, const QString &reason);

signals:
    void messagesDecrypted(const QString &stream, const QList<quint64> &seqs);
    // A decrypted edit or deletion changed these earlier messages.
    void messagesAmended(const QString &channel, const QList<quint64> &seqs);
    void keysWanted(const QString &nick);
    // This device created channel: its signed genesis is due.
    void genesisDue(const QString &channel);

private:
    bool wantsCrypto(const QString &stream, const std::optional<ChannelRecord> &channel) const;
    enum class Row { Stored, InMemory };
    void processCryptoRow(const QString &stream, StoredMessage &m, Row where,
                          const QByteArray &verifiedKey = {});
    void decryptRow(StoredMessage &m, const QByteArray &verifiedKey = {});
    void storeResult(const StoredMessage &m);
    void flagIfUnencrypted(StoredMessage &m, const std::optional<ChannelRecord> &channel);
    StoredMessage *inFlightRow(const QString &stream, quint64 seq);
    void beginCryptoRun();
    void endCryptoRun();
    void saveRetryShares();

    HistoryStore *m_store;
    crypto::ChannelCrypto *m_crypto;
    const SyncEngine *m_engine;
    QList<quint64> m_retryShares;           // inbox seqs of key shares refused so far (sender not known yet)
    QHash<quint64, QString> m_retrySenders; // their senders (lower-case), as far as this run knows
    bool m_retrySharesDirty = false;        // m_retryShares grew in this crypto run: save it once
    // The batch prepare() is working on and how far: keys that arrive meanwhile may unblock its
    // rows, which are not in the store yet.
    IncomingBatch *m_inFlight = nullptr;
    quint64 m_inFlightDone = 0;
};

} // namespace hchat
