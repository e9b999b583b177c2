#include "Mentions.h"

#include <algorithm>

namespace hchat {

namespace {
bool isNickChar(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
           (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') || c == QLatin1Char('.') ||
           c == QLatin1Char('-');
}
constexpr int kMaxNick = 32;
} // namespace

QStringList Mentions::inText(const QString &text)
{
    QStringList out;
    for (int i = 0; i < text.size(); ++i) {
        if (text.at(i) != QLatin1Char('@') || (i > 0 && isNickChar(text.at(i - 1))))
            continue;
        int end = i + 1;
        while (end < text.size() && isNickChar(text.at(end)))
            ++end;
        // A sentence may end right after a mention: "thanks @bob." mentions bob.
        while (end > i + 1 && (text.at(end - 1) == QLatin1Char('.') || text.at(end - 1) == QLatin1Char('-')))
            --end;
        const int length = end - i - 1;
        if (length >= 1 && length <= kMaxNick) {
            const QString nick = text.mid(i + 1, length);
            if (!out.contains(nick, Qt::CaseInsensitive))
                out << nick;
        }
        i = end - 1;
    }
    return out;
}

bool Mentions::mentions(const QString &text, const QString &nick)
{
    if (nick.isEmpty() || !text.contains(QLatin1Char('@')))
        return false;
    return inText(text).contains(nick, Qt::CaseInsensitive);
}

bool Mentions::typedAt(const QString &text, int position, QString *prefix, int *start)
{
    position = std::clamp(position, 0, int(text.size()));
    int i = position;
    while (i > 0 && isNickChar(text.at(i - 1)) && position - i < kMaxNick)
        --i;
    if (i == 0 || text.at(i - 1) != QLatin1Char('@') || (i > 1 && isNickChar(text.at(i - 2))))
        return false;
    if (prefix)
        *prefix = text.mid(i, position - i);
    if (start)
        *start = i - 1;
    return true;
}

} // namespace hchat
