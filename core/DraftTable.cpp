#include "DraftTable.h"

#include "HistoryDb.h"

namespace hchat {

QString DraftTable::draft(const QString &channel) const
{
    return m_db.scalar(QStringLiteral("SELECT text FROM drafts WHERE channel = ?"), {channel}).toString();
}

bool DraftTable::setDraft(const QString &channel, const QString &text)
{
    if (text.isEmpty())
        return m_db.exec(QStringLiteral("DELETE FROM drafts WHERE channel = ?"), {channel});
    return m_db.exec(QStringLiteral("INSERT INTO drafts(channel, text) VALUES(?, ?)"
                                    " ON CONFLICT(channel) DO UPDATE SET text = excluded.text"),
                     {channel, text});
}

} // namespace hchat
