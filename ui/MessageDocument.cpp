#include "MessageDocument.h"

#include <QFontDatabase>
#include <QTextBlock>
#include <QTextCursor>

#include <algorithm>

namespace hchat::ui {

MessageDocument::MessageDocument(QObject *parent) : QTextDocument(parent)
{
    setDocumentMargin(0);
    setUndoRedoEnabled(false);
}

QVariant MessageDocument::loadResource(int, const QUrl &)
{
    return {}; // a member's message loads nothing: no local file, no image, no style sheet
}

QString MessageDocument::withHardBreaks(const QString &markdown)
{
    QStringList lines = markdown.split(QLatin1Char('\n'));
    QString fence;
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QString trimmed = lines.at(i).trimmed();
        if (fence.isEmpty() &&
            (trimmed.startsWith(QLatin1String("```")) || trimmed.startsWith(QLatin1String("~~~")))) {
            fence = trimmed.left(3);
            continue;
        }
        if (!fence.isEmpty()) {
            if (trimmed.startsWith(fence))
                fence.clear();
            continue;
        }
        if (!trimmed.isEmpty() && !lines.at(i + 1).trimmed().isEmpty())
            lines[i] += QLatin1String("  ");
    }
    return lines.join(QLatin1Char('\n'));
}

QString MessageDocument::plainTextOf(const QString &markdown)
{
    // Most messages hold no markup at all: nothing to parse (the channel list has one per channel).
    static const QString markup = QStringLiteral("*_~`[]<>#|\\&!-+=\n");
    if (std::none_of(markdown.cbegin(), markdown.cend(),
                     [](QChar c) { return markup.contains(c) || c.isDigit(); }))
        return markdown;
    MessageDocument doc;
    doc.setMarkdown(withHardBreaks(markdown),
                    QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub |
                                                    QTextDocument::MarkdownNoHTML));
    return doc.toPlainText();
}

void MessageDocument::setMessageMarkdown(const QString &markdown, const Style &style,
                                         const QString &editedLabel)
{
    setDefaultFont(style.font);
    setMarkdown(withHardBreaks(markdown),
                QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub |
                                                QTextDocument::MarkdownNoHTML));
    replaceImages(style);
    applyStyle(style);
    if (!editedLabel.isEmpty()) {
        QTextCursor end(this);
        end.movePosition(QTextCursor::End);
        QTextCharFormat small;
        small.setFontPointSize(style.font.pointSizeF() * 0.85);
        small.setForeground(style.dim);
        end.insertText(QStringLiteral(" ") + editedLabel, small);
    }
    m_fittedWidth = -1;
}

void MessageDocument::setMessagePlainText(const QString &text, const Style &style, bool italic)
{
    setDefaultFont(style.font);
    setPlainText(text);
    if (italic) {
        QTextCursor all(this);
        all.select(QTextCursor::Document);
        QTextCharFormat format;
        format.setFontItalic(true);
        all.mergeCharFormat(format);
    }
    m_fittedWidth = -1;
}

void MessageDocument::fitToWidth(int width)
{
    if (width == m_fittedWidth)
        return;
    setTextWidth(width);
    setTextWidth(std::min<qreal>(width, idealWidth() + 1));
    m_fittedWidth = width;
}

// md4c turns ![alt](address) into an image to be loaded: it becomes the address, as a link.
void MessageDocument::replaceImages(const Style &style)
{
    QList<QPair<int, QString>> images; // position, address
    for (QTextBlock block = begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (const QTextFragment f = it.fragment(); f.isValid() && f.charFormat().isImageFormat())
                for (int i = 0; i < f.length(); ++i)
                    images.append({f.position() + i, f.charFormat().toImageFormat().name()});
    for (auto it = images.crbegin(); it != images.crend(); ++it) {
        QTextCursor cursor(this);
        cursor.setPosition(it->first);
        cursor.setPosition(it->first + 1, QTextCursor::KeepAnchor);
        QTextCharFormat link;
        link.setAnchor(true);
        link.setAnchorHref(it->second);
        link.setForeground(style.link);
        link.setFontUnderline(true);
        cursor.insertText(it->second, link);
    }
}

void MessageDocument::applyStyle(const Style &style)
{
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(style.font.pointSizeF() * 0.95);
    // What to restyle, collected first: restyling merges and splits the fragments walked.
    enum class Span { CodeBlock, Heading, Link, InlineCode };
    struct Range {
        Span span;
        int from;
        int to;
    };
    QList<Range> ranges;
    for (QTextBlock block = begin(); block.isValid(); block = block.next()) {
        const QTextBlockFormat blockFormat = block.blockFormat();
        if (blockFormat.hasProperty(QTextFormat::BlockCodeLanguage) ||
            blockFormat.hasProperty(QTextFormat::BlockCodeFence)) {
            ranges.append({Span::CodeBlock, block.position(), block.position() + block.length() - 1});
            continue;
        }
        if (blockFormat.headingLevel() > 0)
            ranges.append({Span::Heading, block.position(), block.position() + block.length() - 1});
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            const QTextCharFormat format = f.charFormat();
            if (format.isAnchor())
                ranges.append({Span::Link, f.position(), f.position() + f.length()});
            else if (format.fontFixedPitch() || format.fontFamilies().toStringList().contains(mono.family()))
                // Qt's reader gives inline code the system's monospace font
                ranges.append({Span::InlineCode, f.position(), f.position() + f.length()});
        }
    }
    for (const Range &r : ranges) {
        QTextCursor cursor(this);
        cursor.setPosition(r.from);
        cursor.setPosition(r.to, QTextCursor::KeepAnchor);
        QTextCharFormat format;
        switch (r.span) {
        case Span::CodeBlock: {
            QTextBlockFormat blockFormat = cursor.blockFormat();
            blockFormat.setBackground(style.codeBackground);
            blockFormat.setNonBreakableLines(false); // wrapped inside the bubble
            cursor.setBlockFormat(blockFormat);
            format.setFont(mono);
            format.setFontFixedPitch(true);
            break;
        }
        case Span::Heading: { // a chat message has no headings: bold text
            QTextBlockFormat blockFormat = cursor.blockFormat();
            blockFormat.setHeadingLevel(0);
            cursor.setBlockFormat(blockFormat);
            format.setFontPointSize(style.font.pointSizeF());
            format.setFontWeight(QFont::Bold);
            break;
        }
        case Span::Link:
            format.setForeground(style.link);
            format.setFontUnderline(true);
            break;
        case Span::InlineCode:
            format.setFont(mono);
            format.setFontFixedPitch(true);
            format.setBackground(style.codeBackground);
            break;
        }
        cursor.mergeCharFormat(format);
    }
}

} // namespace hchat::ui
