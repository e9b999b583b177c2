#include "SignInDialog.h"

#include "CleartextPolicy.h"
#include "Client.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSysInfo>
#include <QUrl>
#include <QVBoxLayout>

namespace hchat::ui {

SignInDialog::SignInDialog(Client *client, const QString &gatewayAddress, QWidget *parent)
    : QDialog(parent), m_client(client), m_gateway(new QLineEdit(gatewayAddress, this)),
      m_nick(new QLineEdit(this)), m_password(new QLineEdit(this)), m_invite(new QLineEdit(this)),
      m_status(new QLabel(this)), m_logIn(new QPushButton(tr("Log in"), this)),
      m_register(new QPushButton(tr("Create account"), this))
{
    setWindowTitle(tr("Sign in to HChat"));
    setObjectName(QStringLiteral("signInDialog"));
    m_gateway->setObjectName(QStringLiteral("gateway"));
    m_nick->setObjectName(QStringLiteral("nick"));
    m_password->setObjectName(QStringLiteral("password"));
    m_status->setObjectName(QStringLiteral("status"));
    m_logIn->setObjectName(QStringLiteral("logIn"));
    m_register->setObjectName(QStringLiteral("register"));
    m_gateway->setAccessibleName(tr("Gateway address"));
    m_nick->setAccessibleName(tr("Nick"));
    m_password->setAccessibleName(tr("Password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_invite->setObjectName(QStringLiteral("inviteCode"));
    m_invite->setAccessibleName(tr("Invite code"));
    m_invite->setPlaceholderText(tr("Only to create an account, if the gateway asks for one"));
    m_nick->setMaxLength(32);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // the gateway's error messages
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("&Gateway"), m_gateway);
    form->addRow(tr("&Nick"), m_nick);
    form->addRow(tr("&Password"), m_password);
    form->addRow(tr("&Invite code"), m_invite);
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_logIn, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_register, QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    m_logIn->setDefault(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_logIn, &QPushButton::clicked, this, &SignInDialog::logIn);
    connect(m_register, &QPushButton::clicked, this, &SignInDialog::createAccount);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(client, &Client::requestFinished, this, &SignInDialog::onRequestFinished);
    connect(client, &Client::signedIn, this, [this] {
        if (m_logInRequest)
            accept();
    });
    showNotice(tr("Please sign in."));
    (m_nick->text().isEmpty() ? m_nick : m_password)->setFocus();
}

void SignInDialog::showNotice(const QString &message)
{
    m_status->setStyleSheet({});
    m_status->setText(message);
}

QString SignInDialog::gatewayAddress() const
{
    return m_gateway->text().trimmed();
}

QUrl SignInDialog::webSocketUrlFor(const QString &address)
{
    QString text = address.trimmed();
    const bool bare = !text.contains(QStringLiteral("://"));
    if (bare)
        text.prepend(QStringLiteral("https://"));
    QUrl url(text);
    if (!url.isValid() || url.host().isEmpty())
        return {};
    if (bare && CleartextPolicy::isLoopbackHost(url.host()))
        url.setScheme(QStringLiteral("http"));
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http") || scheme == QLatin1String("ws"))
        url.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https") || scheme == QLatin1String("wss"))
        url.setScheme(QStringLiteral("wss"));
    else
        return {};
    url.setPath(QStringLiteral("/ws"));
    return url;
}

bool SignInDialog::confirmCleartext(Client *client, const QUrl &gateway, QWidget *parent)
{
    if (client->isCleartextAllowed(gateway))
        return true;
    QMessageBox box(
        QMessageBox::Warning, tr("Connect without encryption?"),
        tr("The gateway %1 is on another machine and the address asks for a connection without "
           "encryption (%2://). Anyone on the network between you and it can read your password, "
           "your session and every message of channels that are not end-to-end encrypted, and can "
           "change what you receive.\n\nConnect without encryption only on a network you control. "
           "Use https:// (or host:port alone) for a gateway with TLS.")
            .arg(CleartextPolicy::authority(gateway), gateway.scheme()),
        QMessageBox::NoButton, parent);
    box.setObjectName(QStringLiteral("cleartextWarning"));
    box.setTextFormat(Qt::PlainText);
    QPushButton *connectAnyway = box.addButton(tr("Connect &without encryption"), QMessageBox::AcceptRole);
    connectAnyway->setObjectName(QStringLiteral("cleartextConnect"));
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != connectAnyway)
        return false;
    client->allowCleartext(gateway);
    return true;
}

void SignInDialog::showError(const QString &message)
{
    m_status->setStyleSheet(QStringLiteral("color: #c83c3c;"));
    m_status->setText(message);
}

bool SignInDialog::validate()
{
    const QUrl url = webSocketUrlFor(gatewayAddress());
    if (!url.isValid() || url.isEmpty()) {
        showError(tr("The gateway address is not valid. Use host:port, e.g. 127.0.0.1:8745."));
        return false;
    }
    if (m_nick->text().trimmed().isEmpty() || m_password->text().isEmpty()) {
        showError(tr("Enter your nick and password."));
        return false;
    }
    if (!confirmCleartext(m_client, url, this)) {
        showError(tr("Not connected: use an https:// address, or allow the connection without encryption."));
        return false;
    }
    m_client->setGatewayUrls({url});
    return true;
}

void SignInDialog::setBusy(bool busy, const QString &status)
{
    m_logIn->setEnabled(!busy);
    m_register->setEnabled(!busy);
    m_status->setStyleSheet({});
    m_status->setText(status);
}

void SignInDialog::logIn()
{
    if (!validate())
        return;
    setBusy(true, tr("Signing in…"));
    m_logInRequest = m_client->logIn(m_nick->text().trimmed(), m_password->text(), QSysInfo::machineHostName());
}

void SignInDialog::createAccount()
{
    if (!validate())
        return;
    setBusy(true, tr("Creating the account…"));
    m_registerRequest =
        m_client->registerAccount(m_nick->text().trimmed(), m_password->text(), m_invite->text().trimmed());
}

void SignInDialog::onRequestFinished(quint64 id, bool ok, const QString &error)
{
    if (id == m_registerRequest) {
        m_registerRequest = 0;
        if (!ok) {
            setBusy(false);
            showError(error);
            return;
        }
        setBusy(true, tr("Account created. Signing in…"));
        m_logInRequest = m_client->logIn(m_nick->text().trimmed(), m_password->text(), QSysInfo::machineHostName());
    } else if (id == m_logInRequest) {
        if (!ok) {
            m_logInRequest = 0;
            setBusy(false);
            showError(error);
        }
    }
}

} // namespace hchat::ui
