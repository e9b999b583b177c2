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
