#pragma once

#include <QPlainTextEdit>

namespace hchat::ui {

// The message composer: Enter sends, Shift+Enter starts a new line, and Enter never sends while an
// input method is composing (Chinese, Japanese, Korean input commit with Enter).
class Composer : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);
    bool isComposing() const { return m_composing; }
    QSize sizeHint() const override;

signals:
    void submitted(const QString &text);

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void inputMethodEvent(QInputMethodEvent *event) override;

private:
    bool m_composing = false;
};

} // namespace hchat::ui
