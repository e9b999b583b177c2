#pragma once

#include <QString>

namespace hchat {

class HistoryDb;

// Table kv: the small settings of the profile, one text value per key.
class ProfileSettings {
public:
    explicit ProfileSettings(HistoryDb &db) : m_db(db) {}

    QString value(const QString &key, const QString &defaultValue = {}) const;
    bool setValue(const QString &key, const QString &value);

private:
    HistoryDb &m_db;
};

} // namespace hchat
