#pragma once

#include <QMetaType>
#include <QString>

namespace hchat {

// One result of HistoryStore::search(): jump to (channel, seq). The snippet is plain text with
// the matched terms between kMarkStart and kMarkEnd; snippetHtml() escapes it and uses <b>.
struct SearchHit {
    static constexpr QChar kMarkStart = QChar(0x2);
    static constexpr QChar kMarkEnd = QChar(0x3);

    QString channel;
    quint64 seq = 0;
    QString sender;
    qint64 serverTimeMs = 0;
    QString snippet;

    QString snippetHtml() const
    {
        QString html = snippet.toHtmlEscaped();
        html.replace(kMarkStart, QStringLiteral("<b>"));
        html.replace(kMarkEnd, QStringLiteral("</b>"));
        return html;
    }
};

} // namespace hchat

Q_DECLARE_METATYPE(hchat::SearchHit)
