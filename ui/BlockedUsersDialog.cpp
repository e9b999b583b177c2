#include "BlockedUsersDialog.h"

#include "Client.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSet>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
constexpr int kMaxNickChars = 32; // nicks are 1..32 of [A-Za-z0-9_.-]
}

BlockedUsersDialog::BlockedUsersDialog(Client *client, QWidget *parent)
    : QDialog(parent), m_client(client), m_list(new QListWidget(this)), m_unblock(new QPushButton(this)),
      m_nick(new QLineEdit(this)), m_block(new QPushButton(this)), m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("blockedUsersDialog"));
    setWindowTitle(tr("Blocked users"));
    resize(420, 400);

    auto *about = new QLabel(tr("Blocked users cannot send you direct messages or invite you to channels, "
                                "and their messages in the channels you share are hidden. They are not "
                                "told."),
                             this);
    about->setWordWrap(true);
    m_list->setObjectName(QStringLiteral("blockedList"));
    m_list->setAccessibleName(tr("Blocked users"));
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->installEventFilter(this);
    m_unblock->setObjectName(QStringLiteral("unblockButton"));
    m_unblock->setText(tr("&Unblock"));
    m_unblock->setAutoDefault(false);
    m_nick->setObjectName(QStringLiteral("blockNickField"));
    m_nick->setPlaceholderText(tr("Nick of the user to block"));
    m_nick->setMaxLength(kMaxNickChars);
    m_nick->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9_.-]*")), m_nick));
    m_nick->setClearButtonEnabled(true);
    m_block->setObjectName(QStringLiteral("blockButton"));
    m_block->setText(tr("&Block"));
    m_block->setAutoDefault(false);
    auto *nickLabel = new QLabel(tr("Block a &user:"), this);
    nickLabel->setBuddy(m_nick);
    m_status->setObjectName(QStringLiteral("blockedStatus"));
    m_status->setTextFormat(Qt::PlainText); // the gateway's reasons
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *listRow = new QHBoxLayout;
    listRow->addWidget(m_list, 1);
    auto *listButtons = new QVBoxLayout;
    listButtons->addWidget(m_unblock);
    listButtons->addStretch();
    listRow->addLayout(listButtons);
    auto *blockRow = new QHBoxLayout;
    blockRow->addWidget(nickLabel);
    blockRow->addWidget(m_nick, 1);
    blockRow->addWidget(m_block);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    // No default button: Enter in the nick field blocks, it does not close the dialog.
    buttons->button(QDialogButtonBox::Close)->setAutoDefault(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(about);
    layout->addLayout(listRow, 1);
    layout->addLayout(blockRow);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_unblock, &QPushButton::clicked, this, &BlockedUsersDialog::unblockSelected);
    connect(m_block, &QPushButton::clicked, this, &BlockedUsersDialog::blockEnteredNick);
    connect(m_nick, &QLineEdit::returnPressed, this, &BlockedUsersDialog::blockEnteredNick);
    connect(m_nick, &QLineEdit::textChanged, this, &BlockedUsersDialog::updateButtons);
    connect(m_list, &QListWidget::itemSelectionChanged, this, &BlockedUsersDialog::updateButtons);
    connect(m_client, &Client::blockListChanged, this, &BlockedUsersDialog::reload);
    connect(m_client, &Client::requestFinished, this, &BlockedUsersDialog::onFinished);
    reload();
    m_nick->setFocus();
}

void BlockedUsersDialog::reload()
{
    QSet<QString> selected;
    for (const QListWidgetItem *item : m_list->selectedItems())
        selected.insert(item->data(Qt::UserRole).toString());
    m_list->clear();
    const QStringList nicks = m_client->blockedUsers();
    for (const QString &nick : nicks) {
        auto *item = new QListWidgetItem(nick, m_list);
        item->setData(Qt::UserRole, nick);
        item->setSelected(selected.contains(nick));
    }
    if (nicks.isEmpty()) {
        auto *none = new QListWidgetItem(tr("You have not blocked anyone."), m_list);
        none->setFlags(Qt::NoItemFlags);
    } else if (m_list->currentRow() < 0) {
        m_list->setCurrentRow(0, QItemSelectionModel::NoUpdate);
    }
    updateButtons();
}

void BlockedUsersDialog::updateButtons()
{
    bool anySelected = false;
    for (const QListWidgetItem *item : m_list->selectedItems())
        anySelected = anySelected || !item->data(Qt::UserRole).toString().isEmpty();
    m_unblock->setEnabled(anySelected);
    m_block->setEnabled(!m_nick->text().trimmed().isEmpty());
}

void BlockedUsersDialog::blockEnteredNick()
{
    const QString nick = m_nick->text().trimmed();
    if (nick.isEmpty())
        return;
    if (nick.compare(m_client->nick(), Qt::CaseInsensitive) == 0) {
        m_status->setText(tr("You cannot block yourself."));
        return;
    }
    if (m_client->isBlocked(nick)) {
        m_status->setText(tr("%1 is already blocked.").arg(nick));
        return;
    }
    m_pending.insert(m_client->setBlocked(nick, true), {nick, true});
    m_status->setText(tr("Blocking %1…").arg(nick));
}

void BlockedUsersDialog::unblockSelected()
{
    QStringList nicks;
    for (const QListWidgetItem *item : m_list->selectedItems())
        if (const QString nick = item->data(Qt::UserRole).toString(); !nick.isEmpty())
            nicks << nick;
    if (nicks.isEmpty())
        return;
    for (const QString &nick : std::as_const(nicks))
        m_pending.insert(m_client->setBlocked(nick, false), {nick, false});
    m_status->setText(tr("Unblocking %1…").arg(nicks.join(QStringLiteral(", "))));
}

void BlockedUsersDialog::onFinished(quint64 requestId, bool ok, const QString &error)
{
    const auto it = m_pending.constFind(requestId);
    if (it == m_pending.cend())
        return;
    const Pending p = it.value();
    m_pending.erase(it);
    if (p.block) {
        if (ok) {
            m_status->setText(tr("Blocked %1.").arg(p.nick));
            if (m_nick->text().trimmed().compare(p.nick, Qt::CaseInsensitive) == 0)
                m_nick->clear();
        } else {
            m_status->setText(tr("Could not block %1: %2").arg(p.nick, error));
        }
    } else {
        m_status->setText(ok ? tr("Unblocked %1.").arg(p.nick)
                             : tr("Could not unblock %1: %2").arg(p.nick, error));
    }
}

bool BlockedUsersDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Delete || key == Qt::Key_Backspace) {
            unblockSelected();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace hchat::ui
