#include "ComposePane.h"

#include "AppIcons.h"
#include "AttachmentPane.h"
#include "Client.h"
#include "Composer.h"
#include "HistoryStore.h"
#include "InvitationBar.h"
#include "ReplyBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace hchat::ui {

ComposePane::ComposePane(Client *client, QWidget *parent)
    : QWidget(parent), m_client(client), m_replyBar(new ReplyBar), m_attachments(new AttachmentPane(client)),
      m_invitationBar(new InvitationBar), m_readOnlyLine(new QLabel), m_attachButton(new QToolButton),
      m_composer(new Composer)
{
    buildLayout();
    connectWidgets();
}

void ComposePane::buildLayout()
{
    m_composer->setObjectName(QStringLiteral("composer"));
    m_composer->setMaximumHeight(m_composer->sizeHint().height() * 2);
    m_attachButton->setObjectName(QStringLiteral("attachButton"));
    m_attachButton->setIcon(AppIcons::attach());
    m_attachButton->setToolTip(tr("Send a file (or drop files on the window)"));
    m_attachButton->setAccessibleName(tr("Send a file"));
    m_attachButton->setAutoRaise(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_replyBar);
    layout->addWidget(m_attachments);
    layout->addWidget(m_invitationBar);
    m_readOnlyLine->setObjectName(QStringLiteral("readOnlyLine"));
    m_readOnlyLine->setTextFormat(Qt::PlainText);
    m_readOnlyLine->setWordWrap(true);
    m_readOnlyLine->setText(tr("This channel is read-only: only its moderators can write here."));
    m_readOnlyLine->setForegroundRole(QPalette::PlaceholderText);
    m_readOnlyLine->hide();
    layout->addWidget(m_readOnlyLine);
    auto *composerRow = new QHBoxLayout;
    composerRow->addWidget(m_attachButton, 0, Qt::AlignBottom);
    composerRow->addWidget(m_composer, 1);
    layout->addLayout(composerRow);
}

void ComposePane::connectWidgets()
{
    connect(m_attachButton, &QToolButton::clicked, this, &ComposePane::attachFilesDialog);
    connect(m_attachments, &AttachmentPane::statusMessage, this, &ComposePane::statusMessage);
    connect(m_invitationBar, &InvitationBar::accepted, this, [this](const QString &channel) {
        m_client->acceptInvitation(channel);
        m_invitationBar->acceptButton()->setEnabled(false); // until the answer is stored
    });
    connect(m_invitationBar, &InvitationBar::declined, this,
            [this](const QString &channel) { m_client->declineInvitation(channel); });
    connect(m_client, &Client::invitationsChanged, this, [this](const QString &channel) {
        if (channel == m_channel)
            updateInvitation();
    });
    connect(m_composer, &Composer::submitted, this, &ComposePane::send);
    connect(m_composer, &Composer::cancelRequested, this, &ComposePane::cancelReplyOrEdit);
    connect(m_composer, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_channel.isEmpty() && m_replyBar->mode() != ReplyBar::Mode::Edit &&
            !m_composer->toPlainText().trimmed().isEmpty())
            m_client->notifyTyping(m_channel);
    });
    connect(m_replyBar, &ReplyBar::cancelled, this, &ComposePane::cancelReplyOrEdit);
}

void ComposePane::setChannel(const QString &channel)
{
    m_channel = channel;
    m_attachments->setChannel(channel);
    m_replyBar->clear();
    m_draftBeforeEdit.clear();
    m_composer->setPlainText(m_client->store()->draft(channel));
    m_composer->moveCursor(QTextCursor::End);
}

bool ComposePane::readOnlyHere() const
{
    const auto record = m_channel.isEmpty() ? std::nullopt : m_client->store()->channel(m_channel);
    return record && !record->canPost();
}

void ComposePane::setComposerEnabled(bool enabled)
{
    // A read-only channel: plain members read, its moderators write.
    const bool readOnly = enabled && readOnlyHere();
    m_readOnlyLine->setVisible(readOnly);
    m_composer->setEnabled(enabled && !readOnly);
    m_attachButton->setEnabled(enabled && !readOnly);
}

void ComposePane::saveDraft()
{
    if (!m_channel.isEmpty() && m_client->store() && m_client->store()->isOpen())
        m_client->setDraft(m_channel, m_replyBar->mode() == ReplyBar::Mode::Edit ? m_draftBeforeEdit
                                                                                 : m_composer->toPlainText());
}

void ComposePane::updateInvitation()
{
    const QString inviter = m_channel.isEmpty() ? QString() : m_client->invitationFrom(m_channel);
    m_invitationBar->showInvitation(m_channel, inviter);
    m_invitationBar->acceptButton()->setEnabled(true);
    const bool readOnly = readOnlyHere();
    m_composer->setEnabled(inviter.isEmpty() && !readOnly);
    m_composer->setVisible(inviter.isEmpty());
    m_readOnlyLine->setVisible(inviter.isEmpty() && readOnly);
    m_attachButton->setEnabled(inviter.isEmpty() && !readOnly);
    m_attachButton->setVisible(inviter.isEmpty());
}

void ComposePane::updateMentionCandidates()
{
    QStringList nicks;
    if (const auto record = m_client->store()->channel(m_channel))
        nicks = record->members;
    for (const QString &nick : m_client->store()->recentSenders(m_channel))
        if (!nicks.contains(nick, Qt::CaseInsensitive))
            nicks << nick;
    nicks.removeIf(
        [this](const QString &n) { return n.compare(m_client->nick(), Qt::CaseInsensitive) == 0; });
    m_composer->setMentionCandidates(nicks);
}

void ComposePane::attachFilesDialog()
{
    if (!m_channel.isEmpty())
        attachFiles(m_attachments->chooseFiles());
}

void ComposePane::attachFiles(const QStringList &paths)
{
    if (m_channel.isEmpty())
        return;
    const quint64 replyTo = m_replyBar->mode() == ReplyBar::Mode::Reply ? m_replyBar->seq() : 0;
    m_attachments->sendFiles(paths, replyTo);
    if (replyTo != 0 && !paths.isEmpty())
        cancelReplyOrEdit();
}

void ComposePane::focusComposer()
{
    m_composer->setFocus(Qt::OtherFocusReason);
}

void ComposePane::replyTo(quint64 seq)
{
    const auto m = m_client->store()->message(m_channel, seq);
    if (!m || !m->isChat())
        return;
    if (m_replyBar->mode() == ReplyBar::Mode::Edit)
        cancelReplyOrEdit();
    m_replyBar->startReply(seq, m->sender, m->text());
    m_composer->setFocus();
}

void ComposePane::editMessage(quint64 seq)
{
    const auto m = m_client->store()->message(m_channel, seq);
    if (!m || !m->isChat() || m->deleted)
        return;
    if (m_replyBar->mode() != ReplyBar::Mode::Edit)
        m_draftBeforeEdit = m_composer->toPlainText();
    m_replyBar->startEdit(seq, m->text());
    m_composer->setPlainText(m->text());
    m_composer->moveCursor(QTextCursor::End);
    m_composer->setFocus();
}

void ComposePane::deleteMessage(quint64 seq)
{
    const QString channel = m_channel;
    auto *box =
        new QMessageBox(QMessageBox::Question, tr("Delete message"),
                        tr("Delete this message for everyone? Its text is removed from every device and "
                           "from the server; the others see that a message was deleted."),
                        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("confirmDelete"));
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *yes = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    yes->setObjectName(QStringLiteral("confirmDeleteButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, channel, seq, yes](QAbstractButton *button) {
        if (button != yes)
            return;
        QString error;
        if (m_client->deleteMessage(channel, seq, &error) == 0)
            emit statusMessage(error, 10000);
        else if (m_replyBar->seq() == seq)
            cancelReplyOrEdit();
    });
    box->open();
}

void ComposePane::send(const QString &text)
{
    if (m_channel.isEmpty())
        return;
    QString error;
    const quint64 seq = m_replyBar->seq();
    qint64 id = 0;
    switch (m_replyBar->mode()) {
    case ReplyBar::Mode::None:
        id = m_client->sendMessage(m_channel, text, &error);
        break;
    case ReplyBar::Mode::Reply:
        id = m_client->sendReply(m_channel, text, seq, &error);
        break;
    case ReplyBar::Mode::Edit:
        id = m_client->editMessage(m_channel, seq, text, &error);
        break;
    }
    if (id == 0) {
        emit statusMessage(error, 10000);
        return;
    }
    const bool edited = m_replyBar->mode() == ReplyBar::Mode::Edit;
    m_replyBar->clear();
    m_composer->setPlainText(edited ? std::exchange(m_draftBeforeEdit, QString()) : QString());
    m_composer->moveCursor(QTextCursor::End);
    m_client->setDraft(m_channel, m_composer->toPlainText());
    if (!edited)
        emit messageSent();
}

void ComposePane::cancelReplyOrEdit()
{
    const bool editing = m_replyBar->mode() == ReplyBar::Mode::Edit;
    m_replyBar->clear();
    if (editing) {
        m_composer->setPlainText(std::exchange(m_draftBeforeEdit, QString()));
        m_composer->moveCursor(QTextCursor::End);
    }
}

} // namespace hchat::ui
