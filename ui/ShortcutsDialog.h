#pragma once

#include <QDialog>
#include <QKeySequence>

class QAction;
class QTreeWidget;

namespace hchat::ui {

// Help → Keyboard shortcuts: every menu action that has a shortcut, with its keys in the
// platform's spelling, and the composer's and message list's keys (send, new line, cancel, …).
class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QList<QAction *> &actions, QWidget *parent = nullptr);

    // The rows shown: what the keys do, and the keys.
    QList<QPair<QString, QString>> rows() const;

private:
    void addRow(const QString &what, const QString &keys);

    QTreeWidget *m_list;
};

} // namespace hchat::ui
