#include "SafetyNumberDialog.h"

#include "Client.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace hchat::ui {

SafetyNumberDialog::SafetyNumberDialog(Client *client, const QString &nick, QWidget *parent)
    : QDialog(parent), m_client(client), m_nick(nick), m_digits(new QLabel),
      m_verify(new QPushButton(tr("Mark as verified")))
{
    setObjectName(QStringLiteral("safetyNumberDialog"));
    setWindowTitle(tr("Safety number with %1").arg(nick));
    m_number = client->safetyNumber(nick);
    auto *intro = new QLabel(tr("Compare this number with the one %1 sees, in person or over another channel you "
                                "trust. If they match, nobody is in between.")
                                 .arg(nick));
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::PlainText);
    m_digits->setObjectName(QStringLiteral("safetyNumber"));
    m_digits->setTextFormat(Qt::PlainText);
    m_digits->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_digits->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_digits->setAlignment(Qt::AlignCenter);
    if (m_number.isEmpty()) {
        m_digits->setText(tr("No keys of %1 are known yet.").arg(nick));
        m_verify->setEnabled(false);
    } else {
        // 12 groups of 5: three lines of four groups.
        const QStringList groups = m_number.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QStringList lines;
        for (qsizetype i = 0; i < groups.size(); i += 4)
            lines << groups.mid(i, 4).join(QLatin1Char(' '));
        m_digits->setText(lines.join(QLatin1Char('\n')));
    }
    const bool verified = client->trustState(nick) == crypto::TrustStore::State::Verified;
    if (verified) {
        m_verify->setText(tr("Verified"));
        m_verify->setEnabled(false);
    }
    m_verify->setObjectName(QStringLiteral("markVerifiedButton"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_verify, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_verify, &QPushButton::clicked, this, [this] {
        // Bound to the number on screen: a device that appeared since is not covered.
        QString error;
        if (m_client->markVerified(m_nick, m_number, &error)) {
            m_verify->setText(tr("Verified"));
            m_verify->setEnabled(false);
        } else {
            m_verify->setEnabled(false);
            m_digits->setText(error);
        }
    });
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_digits);
    layout->addWidget(buttons);
}

} // namespace hchat::ui
