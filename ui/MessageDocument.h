#pragma once

#include <QColor>
#include <QFont>
#include <QTextDocument>

namespace hchat::ui {

// The text of one message as the message list draws it. Markdown goes through Qt's Markdown
// reader (md4c) in GitHub's dialect — bold, italic, strikethrough, inline code, code blocks
// (monospace, on a tinted background, wrapped), quotes, lists, links and bare addresses — with
// raw HTML off: "<script>" or "<b>" is shown as the text it is. Nothing is ever loaded: an image
// becomes its address as a link, and loadResource answers nothing (no file, no network). A line
// break typed in the message stays a line break; headings are drawn as bold text.
class MessageDocument : public QTextDocument {
    Q_OBJECT
public:
    struct Style {
        QFont font;
        QColor link;
        QColor dim;            // "(edited)"
        QColor codeBackground; // code blocks and inline code
    };

    explicit MessageDocument(QObject *parent = nullptr);

    // The message's Markdown, with " (edited)" after it when editedLabel is not empty.
    void setMessageMarkdown(const QString &markdown, const Style &style, const QString &editedLabel = {});
    // Text that is not the member's Markdown (a deletion notice, why a message cannot be read).
    void setMessagePlainText(const QString &text, const Style &style, bool italic);
    // Lays the text out at most width wide, and no wider than it needs.
    void fitToWidth(int width);
    int fittedWidth() const { return m_fittedWidth; }

    // What a reader sees of a message's Markdown, as one plain text (the channel list's preview).
    static QString plainTextOf(const QString &markdown);
    // A line break typed in a message (outside code fences) as a Markdown hard break.
    static QString withHardBreaks(const QString &markdown);

protected:
    QVariant loadResource(int type, const QUrl &name) override;

private:
    void applyStyle(const Style &style);
    void replaceImages(const Style &style);

    int m_fittedWidth = -1;
};

} // namespace hchat::ui
