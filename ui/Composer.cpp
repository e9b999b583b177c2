#include "Composer.h"

#include <QKeyEvent>

namespace hchat::ui {

Composer::Composer(QWidget *parent) : QPlainTextEdit(parent)
{
    setPlaceholderText(tr("Write a message…  (Enter sends, Shift+Enter for a new line)"));
    setAccessibleName(tr("Message"));
    setTabChangesFocus(true);
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
