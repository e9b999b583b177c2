#pragma once

#include <QString>

#include <optional>

namespace hchat {

class HistoryDb;

// Table streams: per stream (a channel, or a device inbox "~<device_id>") how far this device has
// it: the committed max seq (all rows up to it stored, HistoryStore::appendMessages), the max the
// gateway reported, and how far InboundCrypto has processed it.
class StreamTable {
public:
    explicit StreamTable(HistoryDb &db) : m_db(db) {}

    struct Committed {
        quint64 maxSeq = 0;
        quint64 serverMaxSeq = 0;
    };
    // Nothing when the query failed (HistoryDb::lastError()); zeros for an unknown stream.
    std::optional<Committed> committed(const QString &stream) const;
    // Only inside the write that stores the rows up to maxSeq.
    bool setCommitted(const QString &stream, const Committed &committed);

    quint64 maxSeq(const QString &stream) const;
    quint64 serverMaxSeq(const QString &stream) const;
    bool setServerMaxSeq(const QString &stream, quint64 seq); // only raises it
    bool skipInboxTo(const QString &stream, quint64 seq);     // only raises max_seq

    // The last seq of the stream InboundCrypto has processed (schema 7; before, kv crypto_seq:<stream>).
    quint64 cryptoCursor(const QString &stream) const;
    bool setCryptoCursor(const QString &stream, quint64 seq);

private:
    HistoryDb &m_db;
};

} // namespace hchat
