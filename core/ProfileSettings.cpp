#include "ProfileSettings.h"

#include "HistoryDb.h"

namespace hchat {

QString ProfileSettings::value(const QString &key, const QString &defaultValue) const
{
    const QVariant value = m_db.scalar(QStringLiteral("SELECT value FROM kv WHERE key = ?"), {key});
    return value.isValid() ? value.toString() : defaultValue;
}

bool ProfileSettings::setValue(const QString &key, const QString &value)
{
    return m_db.exec(
        QStringLiteral(
            "INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
        {key, nonNull(value)});
}

} // namespace hchat
