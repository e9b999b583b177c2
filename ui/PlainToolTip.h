#pragma once

#include <QString>
#include <QTextDocument>

namespace hchat::ui {

// A tool tip is shown as rich text when it looks like markup (Qt::mightBeRichText) and there is
// no way to ask for plain text: text from the network is escaped inside an explicit rich text
// document when it would be read as markup, so it shows as the same characters.
inline QString plainToolTip(const QString &text)
{
    if (!Qt::mightBeRichText(text))
        return text;
    return QStringLiteral("<qt style=\"white-space:pre-wrap\">%1</qt>").arg(text.toHtmlEscaped());
}

} // namespace hchat::ui
