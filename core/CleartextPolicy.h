#pragma once

#include <QSet>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace hchat {

// Whether the client may talk to a gateway without TLS (ws://, http://). Without TLS anyone on
// the path reads the password at sign-in, the session token and every plaintext channel. A
// gateway on this machine (127.0.0.0/8, ::1, localhost; ./run.sh) always may; any other only
// once the user allowed that very host and port (allow()), which the Client keeps in the profile.
class CleartextPolicy {
public:
    static bool isLoopbackHost(const QString &host);
    static bool isCleartext(const QUrl &url) { return isCleartextScheme(url.scheme()); }
    static bool isCleartextScheme(const QString &scheme);
    // Cleartext to another machine: what needs the user's consent.
    static bool needsConsent(const QUrl &url) { return isCleartext(url) && !isLoopbackHost(url.host()); }
    // "host:port" ("[::1]:80"), the port defaulted by the scheme; the key consent is kept under.
    static QString authority(const QUrl &url);

    void allow(const QString &authority) { m_allowed.insert(authority); }
    void setAllowed(const QStringList &authorities)
    {
        m_allowed = QSet<QString>(authorities.begin(), authorities.end());
    }
    QStringList allowed() const { return m_allowed.values(); }
    bool permits(const QUrl &url) const { return !needsConsent(url) || m_allowed.contains(authority(url)); }
    // Why url is refused, for the user.
    static QString refusal(const QUrl &url);

private:
    QSet<QString> m_allowed;
};

} // namespace hchat
