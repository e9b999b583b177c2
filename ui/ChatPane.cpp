#include "ChatPane.h"

#include "ChannelListModel.h"
#include "Client.h"
#include "DeviceApprovalBar.h"
#include "HistoryStore.h"
#include "KeyChangeBanner.h"
#include "MessageDelegate.h"
#include "MessageListModel.h"
#include "MessageView.h"

#include <QAction>
#include <QClipboard>
#include <QDateTime>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace hchat::ui {

ChatPane::ChatPane(Client *client, QWidget *parent)
    : QWidget(parent), m_client(client), m_messageModel(new MessageListModel(client->store(), this)),
      m_header(new QLabel), m_topic(new QLabel), m_browseButton(new QPushButton),
      m_approvalBar(new DeviceApprovalBar), m_keyBanner(new KeyChangeBanner), m_messageView(new MessageView),
      m_typingLabel(new QLabel), m_typingTimer(new QTimer(this))
{
    buildLayout();
    connectMessageModel();
    connectMessageView();
    connectTrustWarnings();
    connectTyping();
}

void ChatPane::buildLayout()
{
    m_header->setObjectName(QStringLiteral("channelHeader"));
    m_header->setTextFormat(Qt::PlainText);
    QFont headerFont = m_header->font();
    headerFont.setBold(true);
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.15);
    m_header->setFont(headerFont);
    // The channel's topic, under its title (hidden when it has none).
    m_topic->setObjectName(QStringLiteral("channelTopic"));
    m_topic->setTextFormat(Qt::PlainText);
    m_topic->setWordWrap(true);
    m_topic->setForegroundRole(QPalette::PlaceholderText);
    m_topic->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_topic->hide();
    // The empty window's way in: the channels that exist.
    m_browseButton->setObjectName(QStringLiteral("emptyBrowseButton"));
    m_browseButton->setText(tr("Browse channels…"));
    m_browseButton->hide();
    connect(m_browseButton, &QPushButton::clicked, this, &ChatPane::browseChannelsRequested);
    m_messageView->setObjectName(QStringLiteral("messageView"));
    m_messageView->setMessageModel(m_messageModel);
    m_typingLabel->setObjectName(QStringLiteral("typingLine"));
    m_typingLabel->setTextFormat(Qt::PlainText);
    QFont typingFont = m_typingLabel->font();
    typingFont.setItalic(true);
    typingFont.setPointSizeF(typingFont.pointSizeF() * 0.9);
    m_typingLabel->setFont(typingFont);
    m_typingLabel->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *headerRow = new QHBoxLayout;
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_browseButton);
    layout->addLayout(headerRow);
    layout->addWidget(m_topic);
    layout->addWidget(m_approvalBar);
    layout->addWidget(m_keyBanner);
    layout->addWidget(m_messageView, 1);
    layout->addWidget(m_typingLabel);
}

// The rows follow the history, the outbox, decryption, deletions, read receipts and downloads.
void ChatPane::connectMessageModel()
{
    Client *client = m_client;
    MessageListModel *model = m_messageModel;
    model->setPeerReadLookup([client](const QString &channel) { return client->peerReadSeq(channel); });
    connect(client, &Client::readReceipt, model,
            [model](const QString &channel) { model->onReadReceipt(channel); });
    AttachmentTransfers *transfers = client->transfers();
    model->setAttachmentLookups([transfers](const QString &id) { return transfers->localFile(id); },
                                [transfers](const QString &id) { return transfers->downloadPercent(id); });
    connect(transfers, &AttachmentTransfers::downloadProgress, model, &MessageListModel::onAttachmentChanged);
    connect(transfers, &AttachmentTransfers::downloadFinished, model,
            [model](const QString &id) { model->onAttachmentChanged(id); });
    connect(client, &Client::messagesStored, model,
            [model](const QString &channel) { model->onMessagesStored(channel); });
    connect(client, &Client::outboxChanged, model,
            [model](qint64, const QString &channel) { model->onOutboxChanged(channel); });
    // End-to-end encryption: rows turn into text when their key arrives.
    model->setTrustLookup([client](const QString &nick) { return int(client->trustState(nick)); });
    model->setAwaitingApprovalLookup(
        [client] { return client->deviceApprovalState() == DeviceApproval::State::Waiting; });
    connect(client, &Client::deviceApprovalChanged, model, &MessageListModel::onApprovalChanged);
    connect(client, &Client::messagesDecrypted, model, &MessageListModel::onMessagesChanged);
    connect(client, &Client::messagesChanged, model, &MessageListModel::onMessagesChanged);
    // Deleted accounts: their messages show "deleted user".
    model->setDeletedUserLookup([client](const QString &nick) { return client->isDeletedUser(nick); });
    connect(client, &Client::usersDeleted, model, &MessageListModel::onUsersDeleted);
    // Blocked users: their messages hide behind a line that reveals them.
    model->setBlockedLookup([client](const QString &nick) { return client->isBlocked(nick); });
    connect(client, &Client::blockListChanged, model, &MessageListModel::onBlockListChanged);
}

void ChatPane::connectMessageView()
{
    m_messageView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_messageView, &QListView::customContextMenuRequested, this, [this](const QPoint &pos) {
        QMenu menu;
        populateMessageMenu(&menu, m_messageView->indexAt(pos));
        if (!menu.isEmpty())
            menu.exec(m_messageView->viewport()->mapToGlobal(pos));
    });
    connect(m_messageView->messageDelegate(), &MessageDelegate::retryRequested, this,
            [this](qint64 id) { m_client->retrySend(id); });
    connect(m_messageView->messageDelegate(), &MessageDelegate::attachmentActivated, this,
            &ChatPane::openAttachmentRequested);
    connect(m_messageView, &QAbstractItemView::clicked, this, [this](const QModelIndex &index) {
        if (index.data(MessageListModel::BlockedRole).toBool())
            m_messageModel->reveal(index.data(MessageListModel::SeqRole).toULongLong());
    });
    // A refused moderation says why (the gateway's words).
    connect(m_client, &Client::requestFinished, this, [this](quint64 id, bool ok, const QString &error) {
        if (m_pendingModeration.remove(id) && !ok)
            emit statusMessage(tr("Refused: %1").arg(error), 15000);
    });
    connect(m_messageView, &MessageView::seenUpTo, this, [this](quint64 seq) {
        if (isActiveWindow() && !m_channel.isEmpty() && seq > m_client->store()->readSeq(m_channel))
            m_client->markRead(m_channel, seq);
    });
}

// This account's own devices: a waiting one shows its code. A contact's key change is loud.
void ChatPane::connectTrustWarnings()
{
    const auto showApproval = [this](DeviceApproval::State state) {
        m_approvalBar->showWaiting(m_client->nick(), state == DeviceApproval::State::Waiting
                                                         ? m_client->deviceApprovalCode()
                                                         : QString());
    };
    connect(m_client, &Client::deviceApprovalChanged, this, showApproval);
    showApproval(m_client->deviceApprovalState());
    connect(m_client, &Client::deviceTrustChanged, this,
            [this](const QString &nick, const QString &device, crypto::TrustStore::State state) {
                // A new device of the user's own account is answered in the approval dialog.
                if (state == crypto::TrustStore::State::NewDevice &&
                    nick.compare(m_client->nick(), Qt::CaseInsensitive) == 0)
                    return;
                if (state == crypto::TrustStore::State::Changed ||
                    state == crypto::TrustStore::State::NewDevice)
                    m_keyBanner->addWarning(nick, device, state == crypto::TrustStore::State::NewDevice);
                else
                    m_keyBanner->removeWarning(nick, device);
            });
    connect(m_keyBanner, &KeyChangeBanner::accepted, this,
            [this](const QString &nick, const QString &device) {
                if (!m_client->acceptDevice(nick, device))
                    emit statusMessage(tr("Could not accept the key of %1.").arg(nick), 10000);
                repaintMessages();
            });
    connect(m_keyBanner, &KeyChangeBanner::safetyNumberRequested, this, &ChatPane::safetyNumberRequested);
}

// "alice is typing…": shown for 6 s after each typing signal (they repeat every few seconds).
void ChatPane::connectTyping()
{
    m_typingTimer->setInterval(1000);
    connect(m_typingTimer, &QTimer::timeout, this, &ChatPane::updateTypingLine);
    connect(m_client, &Client::typing, this, [this](const QString &channel, const QString &nick) {
        m_typingUntilMs[channel].insert(nick, QDateTime::currentMSecsSinceEpoch() + 6000);
        updateTypingLine();
    });
    connect(m_client, &Client::messageReceived, this, &ChatPane::onMessageReceived);
}

void ChatPane::setChannel(const QString &channel)
{
    m_channel = channel;
    m_messageModel->setChannel(channel);
    updateTypingLine();
}

void ChatPane::updateHeader(bool anyChannel)
{
    m_browseButton->setVisible(!anyChannel);
    if (m_channel.isEmpty()) {
        m_header->setText(anyChannel
                              ? QString()
                              : tr("Join a channel to start (Ctrl+J), or browse the channels there are"));
        m_topic->hide();
        return;
    }
    const auto record = m_client->store()->channel(m_channel);
    QString title = record ? ChannelListModel::titleFor(*record, m_client->nick()) : m_channel;
    if (record && record->encrypted)
        title = tr("%1 (encrypted)").arg(title);
    m_header->setText(title);
    const QString topic = record ? record->topic.simplified() : QString();
    m_topic->setText(topic);
    m_topic->setToolTip(topic);
    m_topic->setVisible(!topic.isEmpty());
}

void ChatPane::showMessage(quint64 seq)
{
    const int row = m_messageModel->rowForSeq(seq);
    if (row >= 0) {
        m_messageView->scrollToRow(row);
        m_messageView->setCurrentIndex(m_messageModel->index(row));
    }
}

void ChatPane::markShownAsRead()
{
    if (isActiveWindow() && m_messageView->isAtBottom() && !m_channel.isEmpty()) {
        const quint64 max = m_client->store()->maxSeq(m_channel);
        if (max > m_client->store()->readSeq(m_channel))
            m_client->markRead(m_channel, max);
    }
}

void ChatPane::repaintMessages()
{
    m_messageView->viewport()->update();
}

void ChatPane::populateMessageMenu(QMenu *menu, const QModelIndex &index)
{
    const auto kind = MessageKind(index.data(MessageListModel::KindRole).toInt());
    if (!index.isValid() || (kind != MessageKind::Text && kind != MessageKind::Attachment))
        return;
    const quint64 seq = index.data(MessageListModel::SeqRole).toULongLong();
    if (index.data(MessageListModel::BlockedRole).toBool()) {
        QAction *show =
            menu->addAction(tr("Show the message"), this, [this, seq] { m_messageModel->reveal(seq); });
        show->setObjectName(QStringLiteral("revealAction"));
        return;
    }
    const bool deleted = index.data(MessageListModel::DeletedRole).toBool();
    const bool own = index.data(MessageListModel::IsOwnRole).toBool();
    const int crypto = index.data(MessageListModel::CryptoStateRole).toInt();
    const bool readable = crypto == int(StoredMessage::CryptoState::Plain) ||
                          crypto == int(StoredMessage::CryptoState::Decrypted);
    if (seq == 0 || deleted)
        return; // not stored yet (outbox), or nothing left to act on
    if (kind == MessageKind::Attachment &&
        !index.data(MessageListModel::AttachmentIdRole).toString().isEmpty()) {
        QAction *open =
            menu->addAction(tr("Open attachment"), this, [this, seq] { emit openAttachmentRequested(seq); });
        open->setObjectName(QStringLiteral("openAttachmentAction"));
        QAction *save = menu->addAction(tr("Save attachment as…"), this,
                                        [this, seq] { emit saveAttachmentRequested(seq); });
        save->setObjectName(QStringLiteral("saveAttachmentAction"));
        menu->addSeparator();
    }
    QAction *reply = menu->addAction(tr("Reply"), this, [this, seq] { emit replyRequested(seq); });
    reply->setObjectName(QStringLiteral("replyAction"));
    if (own && readable) {
        QAction *edit = menu->addAction(tr("Edit"), this, [this, seq] { emit editRequested(seq); });
        edit->setObjectName(QStringLiteral("editAction"));
        QAction *del = menu->addAction(tr("Delete…"), this, [this, seq] { emit deleteRequested(seq); });
        del->setObjectName(QStringLiteral("deleteAction"));
    }
    // A channel's moderators delete others' messages (in an encrypted channel as a signed deletion).
    const auto record = m_client->store()->channel(m_channel);
    if (!own && record && record->canModerate()) {
        QAction *remove = menu->addAction(tr("Delete as moderator…"), this, [this, seq] {
            if (QMessageBox::question(this, tr("Delete message"),
                                      tr("Delete this message for everyone in %1?").arg(m_channel)) !=
                QMessageBox::Yes)
                return;
            m_pendingModeration.insert(m_client->deleteOthersMessage(m_channel, seq));
        });
        remove->setObjectName(QStringLiteral("moderatorDeleteAction"));
    }
    if (readable) {
        const QString text = index.data(MessageListModel::TextRole).toString();
        QAction *copy =
            menu->addAction(tr("Copy text"), this, [text] { QGuiApplication::clipboard()->setText(text); });
        copy->setObjectName(QStringLiteral("copyAction"));
    }
}

void ChatPane::updateTypingLine()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto it = m_typingUntilMs.begin(); it != m_typingUntilMs.end();) {
        it->removeIf([now](const auto &entry) { return entry.value() <= now; });
        it = it->isEmpty() ? m_typingUntilMs.erase(it) : std::next(it);
    }
    QStringList nicks = m_typingUntilMs.value(m_channel).keys();
    nicks.sort(Qt::CaseInsensitive);
    QString text;
    if (nicks.size() == 1)
        text = tr("%1 is typing…").arg(nicks.first());
    else if (nicks.size() == 2)
        text = tr("%1 and %2 are typing…").arg(nicks.at(0), nicks.at(1));
    else if (nicks.size() > 2)
        text = tr("Several people are typing…");
    m_typingLabel->setText(text);
    m_typingLabel->setAccessibleName(text);
    if (m_typingUntilMs.isEmpty())
        m_typingTimer->stop();
    else if (!m_typingTimer->isActive())
        m_typingTimer->start();
}

// A message arrived from them: they stopped typing it.
void ChatPane::onMessageReceived(const StoredMessage &message)
{
    auto typing = m_typingUntilMs.find(message.channel);
    if (typing != m_typingUntilMs.end() && typing->remove(message.sender) > 0)
        updateTypingLine();
}

} // namespace hchat::ui
