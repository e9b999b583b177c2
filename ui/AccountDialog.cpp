#include "AccountDialog.h"

#include "Client.h"
#include "UiLogging.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
// A question whose text names the account as the gateway spells it: shown as plain text.
QMessageBox::StandardButton ask(QWidget *parent, QMessageBox::Icon icon, const QString &title,
                                const QString &text, QMessageBox::StandardButtons buttons,
                                QMessageBox::StandardButton defaultButton)
{
    QMessageBox box(icon, title, text, buttons, parent);
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(defaultButton);
    return QMessageBox::StandardButton(box.exec());
}

QLineEdit *passwordField(const QString &objectName)
{
    auto *field = new QLineEdit;
    field->setObjectName(objectName);
    field->setEchoMode(QLineEdit::Password);
    return field;
}
} // namespace

AccountDialog::AccountDialog(hchat::Client *client, QWidget *parent)
    : QDialog(parent), m_client(client), m_current(passwordField(QStringLiteral("currentPassword"))),
      m_new(passwordField(QStringLiteral("newPassword"))), m_repeat(passwordField(QStringLiteral("repeatPassword"))),
      m_change(new QPushButton(tr("Change password"))), m_logOutAll(new QPushButton(tr("Log out everywhere…"))),
      m_deletePassword(passwordField(QStringLiteral("deletePassword"))),
      m_delete(new QPushButton(tr("Delete account…"))), m_status(new QLabel)
{
    setObjectName(QStringLiteral("accountDialog"));
    setWindowTitle(tr("Account of %1").arg(client->nick()));
    m_change->setObjectName(QStringLiteral("changePassword"));
    m_logOutAll->setObjectName(QStringLiteral("logOutEverywhere"));
    m_delete->setObjectName(QStringLiteral("deleteAccount"));
    m_status->setObjectName(QStringLiteral("accountStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // the gateway's error messages

    auto *passwordBox = new QGroupBox(tr("Password"));
    auto *passwordForm = new QFormLayout(passwordBox);
    passwordForm->addRow(tr("Current password:"), m_current);
    passwordForm->addRow(tr("New password:"), m_new);
    passwordForm->addRow(tr("Repeat the new password:"), m_repeat);
    auto *changeNote = new QLabel(tr("Your other devices are signed out; this one stays signed in."));
    changeNote->setWordWrap(true);
    passwordForm->addRow(changeNote);
    passwordForm->addRow(QString(), m_change);

    auto *sessionsBox = new QGroupBox(tr("Sessions"));
    auto *sessionsLayout = new QVBoxLayout(sessionsBox);
    auto *logOutNote = new QLabel(tr("Signs out every device of this account, this one too."));
    logOutNote->setWordWrap(true);
    sessionsLayout->addWidget(logOutNote);
    sessionsLayout->addWidget(m_logOutAll);

    auto *deleteBox = new QGroupBox(tr("Delete account"));
    auto *deleteForm = new QFormLayout(deleteBox);
    auto *deleteNote = new QLabel(tr("Deletes this account for good: you leave every channel, your devices are "
                                     "signed out, and others see your messages as from a deleted user. Nobody "
                                     "can take your name afterwards. Type your password to confirm."));
    deleteNote->setWordWrap(true);
    deleteForm->addRow(deleteNote);
    deleteForm->addRow(tr("Password:"), m_deletePassword);
    deleteForm->addRow(QString(), m_delete);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(passwordBox);
    layout->addWidget(sessionsBox);
    layout->addWidget(deleteBox);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    for (QLineEdit *field : {m_current, m_new, m_repeat, m_deletePassword})
        connect(field, &QLineEdit::textChanged, this, &AccountDialog::updateButtons);
    connect(m_change, &QPushButton::clicked, this, &AccountDialog::changePassword);
    connect(m_logOutAll, &QPushButton::clicked, this, &AccountDialog::logOutEverywhere);
    connect(m_delete, &QPushButton::clicked, this, &AccountDialog::deleteAccount);
    connect(m_client, &Client::requestFinished, this, &AccountDialog::onFinished);
    updateButtons();
}

QString AccountDialog::statusText() const
{
    return m_status->text();
}

void AccountDialog::updateButtons()
{
    const bool idle = m_pending == 0;
    m_change->setEnabled(idle && !m_current->text().isEmpty() && !m_new->text().isEmpty() &&
                         !m_repeat->text().isEmpty());
    m_logOutAll->setEnabled(idle);
    m_delete->setEnabled(idle && !m_deletePassword->text().isEmpty());
}

void AccountDialog::setBusy(quint64 requestId, const QString &message)
{
    m_pending = requestId;
    m_status->setText(message);
    updateButtons();
}

void AccountDialog::changePassword()
{
    if (m_new->text() != m_repeat->text()) {
        m_status->setText(tr("The new passwords do not match."));
        return;
    }
    if (m_new->text().toUtf8().size() < 8) {
        m_status->setText(tr("The new password must be at least 8 characters long."));
        return;
    }
    m_action = Action::Change;
    setBusy(m_client->changePassword(m_current->text(), m_new->text()), tr("Changing the password…"));
}

void AccountDialog::logOutEverywhere()
{
    if (ask(this, QMessageBox::Question, tr("Log out everywhere"),
            tr("Sign out every device of %1, this one too?").arg(m_client->nick()),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes) != QMessageBox::Yes)
        return;
    m_action = Action::LogOutAll;
    setBusy(m_client->logOutEverywhere(), tr("Signing out every device…"));
}

void AccountDialog::deleteAccount()
{
    if (m_deletePassword->text().isEmpty())
        return;
    if (ask(this, QMessageBox::Warning, tr("Delete account"),
            tr("Delete the account %1 for good? This cannot be undone.").arg(m_client->nick()),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    m_action = Action::Delete;
    setBusy(m_client->deleteAccount(m_deletePassword->text()), tr("Deleting the account…"));
}

void AccountDialog::onFinished(quint64 requestId, bool ok, const QString &error)
{
    if (requestId == 0 || requestId != m_pending)
        return;
    m_pending = 0;
    const Action action = m_action;
    m_action = Action::None;
    if (!ok) {
        m_status->setText(error.isEmpty() ? tr("The gateway refused the request.") : error);
        qCInfo(lcUi) << "account request refused:" << error;
        updateButtons();
        return;
    }
    switch (action) {
    case Action::Change:
        m_current->clear();
        m_new->clear();
        m_repeat->clear();
        m_status->setText(tr("The password was changed. Your other devices were signed out."));
        break;
    case Action::LogOutAll:
    case Action::Delete:
        m_deletePassword->clear();
        accept();
        return;
    case Action::None:
        break;
    }
    updateButtons();
}

} // namespace hchat::ui
