#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace hchat {

// A channel as the local history knows it (HistoryStore::channels()).
struct ChannelRecord {
    enum class Kind : int { Open = 0, InviteOnly = 1, Direct = 2 }; // = hchat.v1.ChannelKind

    QString name;             // "general", or "@alice+bob" for a direct channel
    Kind kind = Kind::Open;
    bool encrypted = false;   // never goes back to false once true (HistoryStore)
    quint64 encryptedFromSeq = 0; // encrypted from this seq on (0: from the start); plain rows
                                  // before it were sent before an older HChat's channel was upgraded
    QStringList members;      // invite-only and direct channels
    bool joined = true;       // false once left or removed (history stays)
    bool muted = false;
    quint64 serverMaxSeq = 0; // highest seq the gateway reported
    quint64 maxSeq = 0;       // highest seq committed locally (1..maxSeq are all stored)
    quint64 readSeq = 0;      // this user's read position
    qint64 lastActivityMs = 0; // server time of the newest stored message (0: none)

    // The name of the direct channel of two nicks: "@a+b", both lower-case, sorted.
    static QString directName(const QString &a, const QString &b)
    {
        QStringList nicks{a.toLower(), b.toLower()};
        nicks.sort();
        return QLatin1Char('@') + nicks.join(QLatin1Char('+'));
    }

    // Whether a plaintext row at seq cannot be from a member: the channel was encrypted by then.
    bool plainRowIsForged(quint64 seq) const { return encrypted && seq >= encryptedFromSeq; }
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::ChannelRecord)
