#pragma once

#include <QString>
#include <QStringList>

namespace hchat {

// @mentions in message text: "@nick" where nick follows the gateway's nick rules
// (1..32 of [A-Za-z0-9_.-]) and the "@" starts the text or follows a character that cannot be
// part of a nick (so "a@b.c" mentions nobody). Nicks compare case-insensitively. Works on the
// shown text, so it covers encrypted channels (decrypted on this device) as well.
class Mentions {
public:
    // The nicks mentioned, each once, in order of first appearance (as written).
    static QStringList inText(const QString &text);
    static bool mentions(const QString &text, const QString &nick);
    // Whether a mention is being typed just before position ("@" and 0..32 nick characters),
    // for completion: *prefix receives what follows the "@", *start the index of the "@".
    static bool typedAt(const QString &text, int position, QString *prefix = nullptr, int *start = nullptr);
};

} // namespace hchat
