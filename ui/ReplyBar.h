#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace hchat::ui {

// The strip above the composer while a reply or an edit is being written: "Replying to alice:
// <quoted text>" or "Editing your message", with a button (and Escape in the composer) to cancel.
// Hidden when the composer writes a plain new message.
class ReplyBar : public QWidget {
    Q_OBJECT
public:
    enum class Mode { None, Reply, Edit };
    Q_ENUM(Mode)

    explicit ReplyBar(QWidget *parent = nullptr);

    void startReply(quint64 seq, const QString &sender, const QString &text);
    void startEdit(quint64 seq, const QString &text);
    void clear();

    Mode mode() const { return m_mode; }
    quint64 seq() const { return m_seq; }
    QString label() const;

signals:
    void cancelled();

private:
    void show(Mode mode, quint64 seq, const QString &text);

    QLabel *m_label;
    QToolButton *m_cancel;
    Mode m_mode = Mode::None;
    quint64 m_seq = 0;
};

} // namespace hchat::ui
