#include "InboundCrypto.h"

#include "AttachmentInfo.h"
#include "HistoryStore.h"
#include "SyncEngine.h"
#include "crypto/BatchVerifier.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/CryptoLogging.h"

namespace hchat {

InboundCrypto::InboundCrypto(HistoryStore *store, crypto::ChannelCrypto *crypto, const SyncEngine *engine,
                             QObject *parent)
    : QObject(parent), m_store(store), m_crypto(crypto), m_engine(engine)
{
    connect(m_crypto, &crypto::ChannelCrypto::membershipRejected, this, &InboundCrypto::onMembershipRejected);
}

// A row of the batch prepare() is working on, processed already (not stored yet), or null.
StoredMessage *InboundCrypto::inFlightRow(const QString &stream, quint64 seq)
{
    if (!m_inFlight || stream != m_inFlight->stream || seq > m_inFlightDone ||
        seq < m_inFlight->rows.first().seq)
        return nullptr;
    return &m_inFlight->rows[qsizetype(seq - m_inFlight->rows.first().seq)];
}

void InboundCrypto::onMembershipRejected(const QString &channel, quint64 seq, const QString &reason)
{
    if (StoredMessage *m = inFlightRow(channel, seq)) {
        m->cryptoState = StoredMessage::CryptoState::Undecryptable;
        m->cryptoReason = reason;
        return;
    }
    if (!m_store->setDecryption(channel, seq, StoredMessage::CryptoState::Undecryptable, {}, reason))
        qCWarning(lcCrypto).noquote() << "could not mark" << channel << seq << ":" << m_store->lastError();
}

void InboundCrypto::catchUp()
{
    m_retryShares = m_store->settings().cryptoRetryShares();
    for (const ChannelRecord &c : m_store->channels(false))
        if (wantsCrypto(c.name))
            process(c.name);
    if (!m_engine->inboxStream().isEmpty())
        process(m_engine->inboxStream());
}

bool InboundCrypto::wantsCrypto(const QString &stream) const
{
    return wantsCrypto(stream, stream.startsWith(QLatin1Char('~')) ? std::nullopt : m_store->channel(stream));
}

bool InboundCrypto::wantsCrypto(const QString &stream, const std::optional<ChannelRecord> &channel) const
{
    if (stream.startsWith(QLatin1Char('~')))
        return stream == m_engine->inboxStream();
    // Open channels are never encrypted; anything else may be, and its membership counts.
    return !channel || channel->encrypted || channel->kind != ChannelRecord::Kind::Open;
}

// One commit per batch for the results and the replay records, not one per message. The replay
// records commit first: after a crash in between, the batch is decrypted again (the same message
// again is no replay).
void InboundCrypto::beginCryptoRun()
{
    m_store->beginBatch();
    m_crypto->senderKeys().beginBatch();
}

void InboundCrypto::endCryptoRun()
{
    if (std::exchange(m_retrySharesDirty, false))
        saveRetryShares();
    m_crypto->senderKeys().endBatch();
    m_crypto->settleUsedPrekeys();
    m_store->endBatch();
}

void InboundCrypto::prepare(IncomingBatch &batch)
{
    if (batch.rows.isEmpty())
        return;
    const QString &stream = batch.stream;
    const auto channel = stream.startsWith(QLatin1Char('~')) ? std::nullopt : m_store->channel(stream);
    // Plaintext in an encrypted channel needs no key to be refused: before anything is shown.
    if (channel)
        for (StoredMessage &m : batch.rows)
            flagIfUnencrypted(m, channel);
    if (!m_crypto->isOpen() || !wantsCrypto(stream, channel))
        return;
    const quint64 first = batch.rows.first().seq;
    process(stream, first); // stored rows not processed yet come first
    // Below the batch, rows can be missing only where they never will be (an inbox's rows
    // acknowledged on another run): the cursor stays, the batch is processed.
    quint64 cursor = m_store->cryptoCursor(stream);
    const std::unique_ptr<crypto::BatchVerifier> verifier = m_crypto->verifier(batch.rows);
    beginCryptoRun();
    m_inFlight = &batch;
    for (qsizetype i = 0; i < batch.rows.size(); ++i) {
        StoredMessage &m = batch.rows[i];
        if (m.seq <= cursor)
            continue;
        m_inFlightDone = m.seq;
        processCryptoRow(stream, m, Row::InMemory, verifier->verifiedKey(size_t(i)));
        cursor = m.seq;
    }
    m_inFlight = nullptr;
    batch.cryptoThrough = cursor;
    endCryptoRun();
}

void InboundCrypto::process(const QString &stream, quint64 beforeSeq)
{
    if (!m_crypto->isOpen())
        return;
    quint64 cursor = m_store->cryptoCursor(stream);
    const quint64 before = cursor;
    const quint64 end = beforeSeq ? beforeSeq : m_store->maxSeq(stream) + 1;
    if (cursor + 1 >= end)
        return; // nothing stored waits (every batch of a catch-up comes here first)
    const auto channel = stream.startsWith(QLatin1Char('~')) ? std::nullopt : m_store->channel(stream);
    if (!wantsCrypto(stream, channel))
        return;
    beginCryptoRun();
    while (cursor + 1 < end) {
        QList<StoredMessage> page = m_store->page(stream, cursor + 1, std::min(end - 1, cursor + 500));
        if (page.isEmpty())
            break;
        QList<quint64> seqs;
        for (StoredMessage &m : page) {
            const auto oldState = m.cryptoState;
            if (!m.encrypted && !stream.startsWith(QLatin1Char('~'))) {
                flagIfUnencrypted(m, channel);
                if (m.cryptoState != oldState)
                    storeResult(m);
            }
            processCryptoRow(stream, m, Row::Stored);
            if (m.cryptoState != oldState)
                seqs << m.seq;
        }
        cursor = page.last().seq;
        if (!seqs.isEmpty())
            emit messagesDecrypted(stream, seqs);
    }
    if (cursor != before)
        m_store->setCryptoCursor(stream, cursor);
    endCryptoRun();
}

void InboundCrypto::processCryptoRow(const QString &stream, StoredMessage &m, Row where,
                                     const QByteArray &verifiedKey)
{
    if (stream.startsWith(QLatin1Char('~'))) {
        if (m.kind != MessageKind::KeyShare)
            return;
        QString channel, error;
        bool retryable = true;
        if (!m_crypto->acceptKeyShare(m, &channel, &error, &retryable)) {
            // Usually the sender's keys or the membership message are not here yet: try again
            // when they are.
            if (retryable && !m_retryShares.contains(m.seq) && m_retryShares.size() < 1000) {
                m_retryShares << m.seq;
                m_retrySenders.insert(m.seq, m.sender.toLower());
                m_retrySharesDirty = true;
            }
            emit keysWanted(m.sender);
        }
        return;
    }
    if (changesMembership(m.kind)) {
        m_crypto->applyMembership(m);
        // Someone who has just become a member: the key shares of theirs that arrived first (the
        // inbox is often pulled before the channel) count now, before this batch's messages.
        for (const QString &who : {m.sender, m.subject})
            if (!who.isEmpty() && m_crypto->isMember(m.channel, who))
                retryKeyShares(who);
        // The channel this device created gets its signed genesis (after this batch).
        if (m.kind == MessageKind::ChannelCreated && m.senderDevice == m_crypto->deviceId() &&
            m.sender.compare(m_crypto->nick(), Qt::CaseInsensitive) == 0)
            emit genesisDue(m.channel);
        const QString who = m.subject.isEmpty() ? m.sender : m.subject;
        if (m.kind != MessageKind::MemberRemoved && m.kind != MessageKind::MemberLeft &&
            m.kind != MessageKind::UserDeleted && who.compare(m_crypto->nick(), Qt::CaseInsensitive) != 0)
            emit keysWanted(who);
        return;
    }
    switch (m.kind) {
    case MessageKind::Text:
    case MessageKind::Attachment:
    case MessageKind::Edit:
    case MessageKind::Delete:
        if (!m.encrypted)
            return; // flagged before, if it is a forgery
        decryptRow(m, verifiedKey);
        if (where == Row::Stored)
            storeResult(m);
        return;
    default:
        return;
    }
}

// Members of an encrypted channel only ever send ciphertext: a plaintext message there was
// written by the gateway or someone between, whatever sender it names. It is kept (the history
// has no gaps) but shown as not from any member, its text and file never taken as theirs.
void InboundCrypto::flagIfUnencrypted(StoredMessage &m, const std::optional<ChannelRecord> &channel)
{
    if (m.encrypted || !(m.isChat() || m.isAmendment()) ||
        m.cryptoState == StoredMessage::CryptoState::Undecryptable || !channel ||
        !channel->plainRowIsForged(m.seq))
        return;
    m.cryptoState = StoredMessage::CryptoState::Undecryptable;
    m.cryptoReason = tr("sent without encryption in an end-to-end encrypted channel, so not by a member "
                        "(it claims to be from %1)")
                         .arg(m.sender);
    m.plainText.clear();
    m.attachment.clear();
    qCWarning(lcCrypto).noquote() << "plaintext message" << m.channel << m.seq
                                  << "in an encrypted channel refused";
}

void InboundCrypto::decryptRow(StoredMessage &m, const QByteArray &verifiedKey)
{
    const crypto::ChannelCrypto::Incoming in = m_crypto->decryptMessage(m, verifiedKey);
    switch (in.state) {
    case crypto::ChannelCrypto::DisplayState::Plain:
    case crypto::ChannelCrypto::DisplayState::Decrypted:
        m.cryptoState = StoredMessage::CryptoState::Decrypted;
        m.plainText = in.text;
        m.cryptoReason.clear();
        break;
    case crypto::ChannelCrypto::DisplayState::WaitingForKey:
        m.cryptoState = StoredMessage::CryptoState::WaitingForKey;
        m.plainText.clear();
        m.cryptoReason = in.reason;
        break;
    case crypto::ChannelCrypto::DisplayState::Undecryptable:
        m.cryptoState = StoredMessage::CryptoState::Undecryptable;
        m.plainText.clear();
        m.cryptoReason = in.reason;
        break;
    }
    if (m.kind == MessageKind::Attachment && m.cryptoState == StoredMessage::CryptoState::Decrypted) {
        // The plaintext is the attachment's content; it must describe the upload delivered.
        const auto info = AttachmentInfo::parse(in.plaintext);
        if (info && info->id == m.attachmentId && info->isEncrypted()) {
            m.attachment = in.plaintext;
            m.plainText = info->caption;
        } else {
            m.cryptoState = StoredMessage::CryptoState::Undecryptable;
            m.plainText.clear();
            m.cryptoReason = tr("The attachment's description is damaged.");
        }
    }
    m.senderTimeMs = m.cryptoState == StoredMessage::CryptoState::Decrypted ? in.senderTimeMs : 0;
}

void InboundCrypto::storeResult(const StoredMessage &m)
{
    quint64 amended = 0;
    if (!m_store->setDecryption(m.channel, m.seq, m.cryptoState, m.plainText, m.cryptoReason, &amended,
                                m.attachment, m.senderTimeMs))
        qCWarning(lcCrypto).noquote() << "could not store a decryption result:" << m_store->lastError();
    else if (amended)
        emit messagesAmended(m.channel, {amended});
}

void InboundCrypto::retryKeyShares(const QString &fromSender)
{
    if (m_retryShares.isEmpty() || !m_crypto->isOpen())
        return;
    const QString inbox = m_engine->inboxStream();
    const QString sender = fromSender.toLower();
    const QList<quint64> pending = std::exchange(m_retryShares, {});
    for (quint64 seq : pending) {
        // Only that sender's, when one is named (its sender is unknown after a restart: tried).
        const auto known = m_retrySenders.constFind(seq);
        if (!sender.isEmpty() && known != m_retrySenders.cend() && *known != sender) {
            m_retryShares << seq;
            continue;
        }
        const auto m = m_store->message(inbox, seq);
        bool retryable = true;
        if (m && !m_crypto->acceptKeyShare(*m, nullptr, nullptr, &retryable) && retryable)
            m_retryShares << seq;
        else
            m_retrySenders.remove(seq);
    }
    if (pending.size() != m_retryShares.size()) {
        m_retrySharesDirty = false;
        saveRetryShares();
    }
}

void InboundCrypto::saveRetryShares()
{
    m_store->settings().setCryptoRetryShares(m_retryShares);
}

void InboundCrypto::onMessagesUnblocked(const QString &channel, const QList<quint64> &seqs)
{
    beginCryptoRun();
    QList<quint64> changed;
    for (quint64 seq : seqs) {
        // A row of the batch being prepared, done already: decrypted again before it is stored
        // (and announced with it).
        if (StoredMessage *m = inFlightRow(channel, seq)) {
            if (m->encrypted)
                decryptRow(*m);
            continue;
        }
        auto m = m_store->message(channel, seq);
        if (!m || !m->encrypted)
            continue;
        decryptRow(*m);
        storeResult(*m);
        changed << seq;
    }
    endCryptoRun();
    if (!changed.isEmpty())
        emit messagesDecrypted(channel, changed);
}

} // namespace hchat
