#pragma once

#include <QPlainTextEdit>

class QCompleter;
class QStringListModel;

namespace hchat::ui {

// The message composer: Enter sends, Shift+Enter starts a new line, and Enter never sends while an
// input method is composing (Chinese, Japanese, Korean input commit with Enter). Typing "@" and
// the start of a nick offers the channel's nicks (setMentionCandidates); Enter or Tab takes the
// highlighted one. Escape asks to cancel a reply or an edit (cancelRequested).
class Composer : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);
    bool isComposing() const { return m_composing; }
    void setMentionCandidates(const QStringList &nicks);
    QCompleter *mentionCompleter() const { return m_completer; }
    QSize sizeHint() const override;

signals:
    void submitted(const QString &text);
    void cancelRequested();

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void inputMethodEvent(QInputMethodEvent *event) override;

private:
    void updateCompletion();
    void insertMention(const QString &nick);

    bool m_composing = false;
    QStringListModel *m_nicks;
    QCompleter *m_completer;
};

} // namespace hchat::ui
