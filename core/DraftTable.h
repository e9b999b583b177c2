#pragma once

#include <QString>

namespace hchat {

class HistoryDb;

// Table drafts: the unsent text of each channel's input.
class DraftTable {
public:
    explicit DraftTable(HistoryDb &db) : m_db(db) {}

    QString draft(const QString &channel) const;
    bool setDraft(const QString &channel, const QString &text); // empty text removes it

private:
    HistoryDb &m_db;
};

} // namespace hchat
