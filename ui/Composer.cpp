#include "Composer.h"

#include "Mentions.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStringListModel>

namespace hchat::ui {

Composer::Composer(QWidget *parent)
    : QPlainTextEdit(parent), m_nicks(new QStringListModel(this)), m_completer(new QCompleter(m_nicks, this))
{
    setPlaceholderText(tr("Write a message…  (Enter sends, Shift+Enter for a new line)"));
    setAccessibleName(tr("Message"));
    setTabChangesFocus(true);
    m_completer->setWidget(this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->popup()->setObjectName(QStringLiteral("mentionPopup"));
    m_completer->popup()->setAccessibleName(tr("Mention someone"));
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this, &Composer::insertMention);
    connect(this, &QPlainTextEdit::textChanged, this, &Composer::updateCompletion);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &Composer::updateCompletion);
}

void Composer::setMentionCandidates(const QStringList &nicks)
{
    QStringList sorted = nicks;
    sorted.sort(Qt::CaseInsensitive);
    m_nicks->setStringList(sorted);
}

void Composer::updateCompletion()
{
    const QTextCursor cursor = textCursor();
    QString prefix;
    const bool typingMention =
        !cursor.hasSelection() && !m_composing && Mentions::typedAt(toPlainText(), cursor.position(), &prefix);
    if (!typingMention || m_nicks->rowCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(prefix);
    if (m_completer->completionCount() == 0 ||
        (m_completer->completionCount() == 1 && m_completer->currentCompletion().compare(prefix, Qt::CaseInsensitive) == 0)) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect rect = cursorRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0) + m_completer->popup()->verticalScrollBar()->sizeHint().width() + 8);
    m_completer->complete(rect);
}

void Composer::insertMention(const QString &nick)
{
    QTextCursor cursor = textCursor();
    int start = -1;
    if (!Mentions::typedAt(toPlainText(), cursor.position(), nullptr, &start))
        return;
    cursor.setPosition(start);
    cursor.setPosition(textCursor().position(), QTextCursor::KeepAnchor);
    cursor.insertText(QLatin1Char('@') + nick + QLatin1Char(' '));
    setTextCursor(cursor);
    m_completer->popup()->hide();
}

QSize Composer::sizeHint() const
{
    const QFontMetrics fm(font());
    return {400, fm.lineSpacing() * 3 + 12};
}

bool Composer::event(QEvent *event)
{
    // Ctrl+K switches channel from anywhere in the window; QPlainTextEdit would otherwise claim it
    // as "delete to the end of the line" before the window's shortcut sees it.
    if (event->type() == QEvent::ShortcutOverride &&
        static_cast<QKeyEvent *>(event)->keyCombination() == QKeyCombination(Qt::ControlModifier, Qt::Key_K)) {
        event->ignore();
        return false;
    }
    return QPlainTextEdit::event(event);
}

void Composer::inputMethodEvent(QInputMethodEvent *event)
{
    m_composing = !event->preeditString().isEmpty();
    QPlainTextEdit::inputMethodEvent(event);
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (m_completer->popup()->isVisible()) {
        // The completer takes these: Enter or Tab picks the nick, Escape closes the list.
        if (enter || event->key() == Qt::Key_Tab) {
            const QModelIndex current = m_completer->popup()->currentIndex();
            insertMention((current.isValid() ? current : m_completer->completionModel()->index(0, 0)).data().toString());
            event->accept();
            return;
        }
        if (event->key() == Qt::Key_Escape) {
            m_completer->popup()->hide();
            event->accept();
            return;
        }
    }
    if (event->key() == Qt::Key_Escape) {
        emit cancelRequested();
        event->accept();
        return;
    }
    if (enter && m_composing) {
        // The input method owns this Enter (it commits the candidate); it must neither send nor
        // add a line.
        event->accept();
        return;
    }
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        const QString text = toPlainText().trimmed();
        if (!text.isEmpty())
            emit submitted(text);
        event->accept();
        return;
    }
    if (enter && (event->modifiers() & Qt::ShiftModifier)) {
        insertPlainText(QStringLiteral("\n"));
        event->accept();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

} // namespace hchat::ui
