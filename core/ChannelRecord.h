#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace hchat {

// A channel as the local history knows it (HistoryStore::channels()).
struct ChannelRecord {
    enum class Kind : int { Open = 0, InviteOnly = 1, Direct = 2 }; // = hchat.v1.ChannelKind
    enum class Role : int { Member = 0, Moderator = 1, Owner = 2 }; // = hchat.v1.ChannelRole

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
    QString topic;             // set by the channel's moderators (may be empty)
    bool readOnly = false;     // members may not post; moderators and the owner may
    Role role = Role::Member;  // this user's role in the channel

    // Whether this user may kick, ban, delete others' messages, set the topic and read-only flag.
    bool canModerate() const { return joined && role != Role::Member && kind != Kind::Direct; }
    // Whether this user may write here (a read-only channel only to its moderators and owner).
    bool canPost() const { return !readOnly || role != Role::Member; }
    // "owner", "moderator", "member": the body of a ROLE message.
    static Role roleFromName(const QString &name)
    {
        return name == QLatin1String("owner")       ? Role::Owner
               : name == QLatin1String("moderator") ? Role::Moderator
                                                    : Role::Member;
    }

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
