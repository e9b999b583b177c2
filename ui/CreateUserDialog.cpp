#include "CreateUserDialog.h"

#include "AdminCommand.h"
#include "Client.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
constexpr int kMaxNickChars = 32;    // nicks are 1..32 of [A-Za-z0-9_.-]
constexpr int kMinPasswordBytes = 8; // the gateway's passwords are 8..256 bytes
constexpr int kMaxPasswordBytes = 256;
} // namespace

CreateUserDialog::CreateUserDialog(Client *client, QWidget *parent)
    : QDialog(parent), m_client(client), m_nick(new QLineEdit(this)), m_password(new QLineEdit(this)),
      m_confirm(new QLineEdit(this)), m_admin(new QCheckBox(this)), m_status(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("createUserDialog"));
    setWindowTitle(tr("Create user"));
    m_nick->setObjectName(QStringLiteral("newUserNick"));
    m_nick->setMaxLength(kMaxNickChars);
    m_nick->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9_.-]*")), m_nick));
    m_nick->setPlaceholderText(tr("Letters, digits, _ . -"));
    m_password->setObjectName(QStringLiteral("newUserPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("At least 8 characters"));
    m_confirm->setObjectName(QStringLiteral("newUserConfirm"));
    m_confirm->setEchoMode(QLineEdit::Password);
    m_admin->setObjectName(QStringLiteral("newUserAdmin"));
    m_admin->setText(tr("Gateway &administrator"));
    m_status->setObjectName(QStringLiteral("createUserStatus"));
    m_status->setTextFormat(Qt::PlainText); // the gateway's reasons
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_create = m_buttons->addButton(tr("C&reate"), QDialogButtonBox::AcceptRole);
    m_create->setObjectName(QStringLiteral("createUserConfirmButton"));
    m_create->setDefault(true);
    // Enter creates; it never cancels, also while Create is disabled during a request.
    m_buttons->button(QDialogButtonBox::Cancel)->setAutoDefault(false);

    auto *form = new QFormLayout;
    form->addRow(tr("&Nick"), m_nick);
    form->addRow(tr("&Password"), m_password);
    form->addRow(tr("&Confirm password"), m_confirm);
    form->addRow(QString(), m_admin);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("The new user signs in with this nick and password."), this));
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    setMinimumWidth(400);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &CreateUserDialog::create);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *field : {m_nick, m_password, m_confirm})
        connect(field, &QLineEdit::textChanged, this, &CreateUserDialog::updateButtons);
    connect(m_client, &Client::requestFinished, this, &CreateUserDialog::onFinished);
    updateButtons();
}

void CreateUserDialog::updateButtons()
{
    m_create->setEnabled(m_request == 0 && !m_nick->text().isEmpty() && !m_password->text().isEmpty() &&
                         !m_confirm->text().isEmpty());
}

void CreateUserDialog::create()
{
    if (m_request != 0)
        return;
    const QString nick = m_nick->text().trimmed();
    if (nick.isEmpty()) {
        m_status->setText(tr("Enter a nick for the new user."));
        m_nick->setFocus();
        return;
    }
    if (m_password->text() != m_confirm->text()) {
        m_status->setText(tr("The passwords do not match."));
        m_confirm->selectAll();
        m_confirm->setFocus();
        return;
    }
    const qsizetype bytes = m_password->text().toUtf8().size();
    if (bytes < kMinPasswordBytes || bytes > kMaxPasswordBytes) {
        m_status->setText(tr("The password must be 8 to 256 characters long."));
        m_password->setFocus();
        return;
    }
    AdminCommand command{AdminCommand::Action::CreateUser};
    command.nick = nick;
    command.password = m_password->text();
    command.flag = m_admin->isChecked();
    m_creating = nick;
    m_request = m_client->administer(command);
    m_status->setText(tr("Creating %1…").arg(nick));
    updateButtons();
}

void CreateUserDialog::onFinished(quint64 requestId, bool ok, const QString &error)
{
    if (requestId != m_request || m_request == 0)
        return;
    m_request = 0;
    updateButtons();
    if (!ok) {
        m_status->setText(tr("The gateway did not create %1: %2").arg(m_creating, error));
        m_create->setDefault(true);
        m_nick->setFocus();
        m_nick->selectAll();
        return;
    }
    m_password->clear();
    m_confirm->clear();
    emit userCreated(m_creating, m_admin->isChecked());
    accept();
}

} // namespace hchat::ui
