#include "ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hchat::ui {

ShortcutsDialog::ShortcutsDialog(const QList<QAction *> &actions, QWidget *parent)
    : QDialog(parent), m_list(new QTreeWidget(this))
{
    setWindowTitle(tr("Keyboard shortcuts"));
    setObjectName(QStringLiteral("shortcutsDialog"));
    m_list->setObjectName(QStringLiteral("shortcutList"));
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({tr("Action"), tr("Keys")});
    m_list->setRootIsDecorated(false);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(false);

    for (const QAction *action : actions) {
        if (action->shortcut().isEmpty() || action->text().isEmpty())
            continue;
        QString what = action->text();
        what.remove(QLatin1Char('&')).remove(QChar(0x2026)); // mnemonic, "…"
        addRow(what, action->shortcut().toString(QKeySequence::NativeText));
    }
    const auto keys = [](QKeyCombination combination) {
        return QKeySequence(combination).toString(QKeySequence::NativeText);
    };
    addRow(tr("Send the message"), keys(Qt::Key_Return));
    addRow(tr("New line in the message"), keys(Qt::SHIFT | Qt::Key_Return));
    addRow(tr("Complete a @mention"), tr("%1 or %2").arg(keys(Qt::Key_Tab), keys(Qt::Key_Return)));
    addRow(tr("Cancel a reply or an edit"), keys(Qt::Key_Escape));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_list);
    layout->addWidget(buttons);
    resize(460, 420);
}

void ShortcutsDialog::addRow(const QString &what, const QString &keys)
{
    auto *item = new QTreeWidgetItem(m_list, {what, keys});
    item->setFlags(Qt::ItemIsEnabled);
}

QList<QPair<QString, QString>> ShortcutsDialog::rows() const
{
    QList<QPair<QString, QString>> out;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        out.append({m_list->topLevelItem(i)->text(0), m_list->topLevelItem(i)->text(1)});
    return out;
}

} // namespace hchat::ui
