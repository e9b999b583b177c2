#pragma once

#include <QString>
#include <QStringList>

namespace hchat::ui {

// Installs HChat's translation (built into the binary from translations/*.ts) and Qt's own for a
// language: the given one ("zh_CN", "en"), or the system's when empty. English needs no file.
class Translations {
public:
    // Returns the language in effect ("en" when no translation matched).
    static QString install(const QString &language);
    static QStringList available(); // languages with a built-in translation, besides English
};

} // namespace hchat::ui
