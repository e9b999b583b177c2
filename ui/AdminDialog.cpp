#include "AdminDialog.h"

#include "Client.h"
#include "CreateUserDialog.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
using Action = AdminCommand::Action;
enum { UserRoleAdmin = Qt::UserRole + 1, UserRoleSuspended };

QPushButton *button(const QString &text, const char *name, QWidget *parent)
{
    auto *b = new QPushButton(text, parent);
    b->setObjectName(QLatin1String(name));
    return b;
}

QTreeWidget *table(const QStringList &headers, const char *name, QWidget *parent)
{
    auto *t = new QTreeWidget(parent);
    t->setObjectName(QLatin1String(name));
    t->setRootIsDecorated(false);
    t->setUniformRowHeights(true);
    t->setHeaderLabels(headers);
    t->header()->setStretchLastSection(true);
    return t;
}
} // namespace

AdminDialog::AdminDialog(Client *client, QWidget *parent)
    : QDialog(parent), m_client(client), m_tabs(new QTabWidget(this)), m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("adminDialog"));
    setWindowTitle(tr("Administer the gateway"));
    resize(680, 480);
    m_tabs->addTab(buildUsersTab(), tr("&Users"));
    m_tabs->addTab(buildInvitesTab(), tr("&Invite codes"));
    m_tabs->addTab(buildChannelsTab(), tr("&Channels"));
    m_tabs->addTab(buildAuditTab(), tr("&Audit log"));
    m_status->setObjectName(QStringLiteral("adminStatus"));
    m_status->setTextFormat(Qt::PlainText); // the gateway's words
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_client, &Client::adminAnswered, this, &AdminDialog::onAnswered);
    connect(m_client, &Client::requestFinished, this, &AdminDialog::onFinished);
    reload();
}

QWidget *AdminDialog::buildUsersTab()
{
    auto *page = new QWidget;
    m_users = table({tr("User"), tr("Created"), tr("Standing")}, "adminUsers", page);
    auto *create = button(tr("C&reate user…"), "createUserButton", page);
    auto *reset = button(tr("Reset password…"), "resetPasswordButton", page);
    auto *suspend = button(tr("Suspend / lift"), "suspendButton", page);
    auto *admin = button(tr("Make / remove admin"), "adminButton", page);
    auto *remove = button(tr("Delete account…"), "deleteUserButton", page);
    connect(create, &QPushButton::clicked, this, &AdminDialog::createUser);
    connect(reset, &QPushButton::clicked, this, &AdminDialog::resetPassword);
    connect(suspend, &QPushButton::clicked, this, &AdminDialog::toggleSuspended);
    connect(admin, &QPushButton::clicked, this, &AdminDialog::toggleAdmin);
    connect(remove, &QPushButton::clicked, this, &AdminDialog::deleteUser);
    auto *row = new QHBoxLayout;
    for (QPushButton *b : {create, reset, suspend, admin, remove})
        row->addWidget(b);
    row->addStretch();
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_users, 1);
    layout->addLayout(row);
    return page;
}

QWidget *AdminDialog::buildInvitesTab()
{
    auto *page = new QWidget;
    m_inviteUses = new QSpinBox(page);
    m_inviteUses->setObjectName(QStringLiteral("inviteUses"));
    m_inviteUses->setRange(1, 1000);
    m_inviteDays = new QSpinBox(page);
    m_inviteDays->setObjectName(QStringLiteral("inviteDays"));
    m_inviteDays->setRange(1, 365);
    m_inviteDays->setValue(7);
    m_inviteDays->setSuffix(tr(" days"));
    m_invites = new QListWidget(page);
    m_invites->setObjectName(QStringLiteral("inviteCodes"));
    m_invites->setAccessibleName(tr("Invite codes made here"));
    auto *create = button(tr("&Make a code"), "createInviteButton", page);
    auto *copy = button(tr("&Copy"), "copyInviteButton", page);
    connect(create, &QPushButton::clicked, this, &AdminDialog::createInvite);
    connect(copy, &QPushButton::clicked, this, [this] {
        if (const QListWidgetItem *item = m_invites->currentItem()) {
            QGuiApplication::clipboard()->setText(item->data(Qt::UserRole).toString());
            m_status->setText(tr("Copied the invite code."));
        }
    });
    auto *form = new QFormLayout;
    form->addRow(tr("Uses"), m_inviteUses);
    form->addRow(tr("Valid for"), m_inviteDays);
    auto *row = new QHBoxLayout;
    row->addWidget(create);
    row->addWidget(copy);
    row->addStretch();
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addLayout(row);
    layout->addWidget(m_invites, 1);
    return page;
}

QWidget *AdminDialog::buildChannelsTab()
{
    auto *page = new QWidget;
    m_channels = table({tr("Channel"), tr("Kind"), tr("Members"), tr("Messages")}, "adminChannels", page);
    auto *purge = button(tr("&Purge channel…"), "purgeChannelButton", page);
    connect(purge, &QPushButton::clicked, this, &AdminDialog::purgeChannel);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_channels, 1);
    layout->addWidget(purge, 0, Qt::AlignLeft);
    return page;
}

QWidget *AdminDialog::buildAuditTab()
{
    auto *page = new QWidget;
    m_audit = table({tr("When"), tr("Who"), tr("Action"), tr("Subject"), tr("Detail")}, "adminAudit", page);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_audit, 1);
    return page;
}

void AdminDialog::reload()
{
    run({Action::ListUsers}, false);
    run({Action::ListChannels}, false);
    run({Action::AuditLog}, false);
}

quint64 AdminDialog::run(const AdminCommand &command, bool reloadAfter)
{
    const quint64 id = m_client->administer(command);
    m_pending.insert(id, reloadAfter);
    return id;
}

void AdminDialog::onAnswered(quint64 requestId, const AdminReport &report)
{
    if (!m_pending.contains(requestId))
        return;
    switch (report.action) {
    case Action::ListUsers:
        m_users->clear();
        for (const AdminReport::User &u : report.users) {
            QStringList standing;
            if (u.admin)
                standing << tr("administrator");
            if (u.suspended)
                standing << tr("suspended");
            if (u.deleted)
                standing << tr("deleted");
            auto *item = new QTreeWidgetItem(
                m_users, {u.nick, QLocale().toString(u.created.toLocalTime(), QLocale::ShortFormat),
                          standing.join(QStringLiteral(", "))});
            item->setData(0, UserRoleAdmin, u.admin);
            item->setData(0, UserRoleSuspended, u.suspended);
        }
        m_users->resizeColumnToContents(0);
        m_users->resizeColumnToContents(1);
        if (!m_selectUser.isEmpty()) {
            const auto found = m_users->findItems(m_selectUser, Qt::MatchFixedString);
            if (!found.isEmpty()) {
                m_users->setCurrentItem(found.first());
                m_users->scrollToItem(found.first());
            }
            m_selectUser.clear();
        }
        break;
    case Action::ListChannels:
        m_channels->clear();
        for (const AdminReport::Channel &c : report.channels) {
            const QString kind = c.kind == 2 ? tr("direct") : c.kind == 1 ? tr("private") : tr("open");
            new QTreeWidgetItem(m_channels, {c.name, c.encrypted ? tr("%1, encrypted").arg(kind) : kind,
                                             QString::number(c.memberCount), QString::number(c.maxSeq)});
        }
        m_channels->resizeColumnToContents(0);
        m_channels->resizeColumnToContents(1);
        break;
    case Action::AuditLog:
        m_audit->clear();
        for (const AdminReport::AuditEntry &a : report.audit)
            new QTreeWidgetItem(m_audit, {QLocale().toString(a.time.toLocalTime(), QLocale::ShortFormat),
                                          a.actor, a.action, a.subject, a.detail});
        for (int c = 0; c < 4; ++c)
            m_audit->resizeColumnToContents(c);
        break;
    case Action::CreateInvite: {
        auto *item = new QListWidgetItem(tr("%1 (%n use(s), valid %2 days)", nullptr, m_inviteUses->value())
                                             .arg(report.inviteCode)
                                             .arg(m_inviteDays->value()),
                                         m_invites);
        item->setData(Qt::UserRole, report.inviteCode);
        m_invites->setCurrentItem(item);
        break;
    }
    default:
        break;
    }
    if (!report.message.isEmpty())
        m_status->setText(report.message);
}

void AdminDialog::onFinished(quint64 requestId, bool ok, const QString &error)
{
    const auto it = m_pending.find(requestId);
    if (it == m_pending.end())
        return;
    const bool reloadAfter = it.value();
    m_pending.erase(it);
    if (!ok)
        m_status->setText(tr("Refused: %1").arg(error));
    else if (reloadAfter)
        reload();
}

QString AdminDialog::selectedUser() const
{
    const QTreeWidgetItem *item = m_users->currentItem();
    return item ? item->text(0) : QString();
}

CreateUserDialog *AdminDialog::createUser()
{
    auto *form = new CreateUserDialog(m_client, this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &CreateUserDialog::userCreated, this, [this](const QString &nick, bool admin) {
        m_status->setText(admin ? tr("Created the user %1, an administrator.").arg(nick)
                                : tr("Created the user %1.").arg(nick));
        m_selectUser = nick;
        m_tabs->setCurrentIndex(0);
        reload();
    });
    form->open();
    return form;
}

void AdminDialog::resetPassword()
{
    const QString nick = selectedUser();
    if (nick.isEmpty())
        return;
    bool ok = false;
    const QString password = QInputDialog::getText(
        this, tr("Reset password"),
        tr("A new password for %1 (every session of the account is signed out):").arg(nick),
        QLineEdit::Password, {}, &ok);
    if (!ok || password.isEmpty())
        return;
    AdminCommand c{Action::ResetPassword};
    c.nick = nick;
    c.password = password;
    run(c, true);
}

void AdminDialog::toggleSuspended()
{
    const QTreeWidgetItem *item = m_users->currentItem();
    if (!item)
        return;
    AdminCommand c{Action::Suspend};
    c.nick = item->text(0);
    c.flag = !item->data(0, UserRoleSuspended).toBool();
    run(c, true);
}

void AdminDialog::toggleAdmin()
{
    const QTreeWidgetItem *item = m_users->currentItem();
    if (!item)
        return;
    AdminCommand c{Action::SetAdmin};
    c.nick = item->text(0);
    c.flag = !item->data(0, UserRoleAdmin).toBool();
    run(c, true);
}

void AdminDialog::deleteUser()
{
    const QString nick = selectedUser();
    if (nick.isEmpty() ||
        QMessageBox::question(this, tr("Delete account"),
                              tr("Delete the account %1 for good? Its nick stays taken.").arg(nick)) !=
            QMessageBox::Yes)
        return;
    AdminCommand c{Action::DeleteUser};
    c.nick = nick;
    run(c, true);
}

void AdminDialog::createInvite()
{
    AdminCommand c{Action::CreateInvite};
    c.uses = quint32(m_inviteUses->value());
    c.expiresInS = qint64(m_inviteDays->value()) * 24 * 3600;
    run(c, false);
}

void AdminDialog::purgeChannel()
{
    const QTreeWidgetItem *item = m_channels->currentItem();
    if (!item)
        return;
    const QString name = item->text(0);
    if (QMessageBox::warning(this, tr("Purge channel"),
                             tr("Delete %1 with every message and file in it, for everyone? This cannot be "
                                "undone.")
                                 .arg(name),
                             QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    AdminCommand c{Action::PurgeChannel};
    c.channel = name;
    run(c, true);
}

} // namespace hchat::ui
