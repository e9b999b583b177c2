#include "MainWindow.h"

#include "AccountDialog.h"
#include "AttachmentPreview.h"
#include "ChannelDelegate.h"
#include "ChannelListModel.h"
#include "ChannelSwitcher.h"
#include "Client.h"
#include "Composer.h"
#include "DesktopNotifier.h"
#include "DeviceApprovalBar.h"
#include "DevicesDialog.h"
#include "HistoryStore.h"
#include "InvitationBar.h"
#include "KeyChangeBanner.h"
#include "MessageDelegate.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "NotificationCenter.h"
#include "ReplyBar.h"
#include "SafetyNumberDialog.h"
#include "SettingsDialog.h"
#include "TransferPanel.h"
#include "UiLogging.h"
#include "UiSettings.h"
#include "crypto/PassphraseIdentityStore.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
constexpr int kSearchResultSeqRole = Qt::UserRole + 1;
constexpr int kSearchResultChannelRole = Qt::UserRole + 2;
} // namespace

MainWindow::MainWindow(Client *client, UiSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_client(client),
      m_settings(settings ? settings
                          : new UiSettings(client->store() && client->store()->isOpen()
                                               ? QFileInfo(client->store()->path()).absolutePath()
                                               : QString(),
                                           this)),
      m_channelModel(new ChannelListModel(client, this)),
      m_messageModel(new MessageListModel(client->store(), this)), m_notifier(new DesktopNotifier(this)),
      m_notifications(new NotificationCenter(m_notifier, this)), m_channelList(new QListView),
      m_search(new QLineEdit), m_searchResults(new QListWidget), m_leftStack(new QStackedWidget),
      m_header(new QLabel), m_members(new QListWidget), m_messageView(new MessageView),
      m_composer(new Composer), m_status(new QLabel), m_keyBanner(new KeyChangeBanner),
      m_replyBar(new ReplyBar), m_invitationBar(new InvitationBar), m_typingLabel(new QLabel),
      m_typingTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("HChat"));
    setWindowIcon(QIcon(QStringLiteral(":/hchat/hchat.svg")));
    resize(1000, 680);

    m_search->setObjectName(QStringLiteral("search"));
    m_search->setPlaceholderText(tr("Search messages"));
    m_search->setAccessibleName(tr("Search messages"));
    m_search->setClearButtonEnabled(true);
    m_channelList->setObjectName(QStringLiteral("channelList"));
    m_channelList->setAccessibleName(tr("Channels"));
    m_channelList->setModel(m_channelModel);
    m_channelList->setItemDelegate(new ChannelDelegate(m_channelList));
    m_channelList->setContextMenuPolicy(Qt::CustomContextMenu);
    m_searchResults->setObjectName(QStringLiteral("searchResults"));
    m_searchResults->setAccessibleName(tr("Search results"));
    m_searchResults->setWordWrap(true);
    m_leftStack->addWidget(m_channelList);
    m_leftStack->addWidget(m_searchResults);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(6, 6, 0, 6);
    leftLayout->addWidget(m_search);
    leftLayout->addWidget(m_leftStack);

    m_header->setObjectName(QStringLiteral("channelHeader"));
    m_header->setTextFormat(Qt::PlainText);
    QFont headerFont = m_header->font();
    headerFont.setBold(true);
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.15);
    m_header->setFont(headerFont);
    m_messageView->setObjectName(QStringLiteral("messageView"));
    m_messageView->setMessageModel(m_messageModel);
    m_composer->setObjectName(QStringLiteral("composer"));
    m_composer->setMaximumHeight(m_composer->sizeHint().height() * 2);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(6, 6, 6, 6);
    rightLayout->addWidget(m_header);
    m_approvalBar = new DeviceApprovalBar;
    rightLayout->addWidget(m_approvalBar);
    rightLayout->addWidget(m_keyBanner);
    rightLayout->addWidget(m_messageView, 1);
    m_typingLabel->setObjectName(QStringLiteral("typingLine"));
    m_typingLabel->setTextFormat(Qt::PlainText);
    QFont typingFont = m_typingLabel->font();
    typingFont.setItalic(true);
    typingFont.setPointSizeF(typingFont.pointSizeF() * 0.9);
    m_typingLabel->setFont(typingFont);
    m_typingLabel->setForegroundRole(QPalette::PlaceholderText);
    rightLayout->addWidget(m_typingLabel);
    rightLayout->addWidget(m_replyBar);
    m_transferPanel = new TransferPanel(m_client->transfers());
    rightLayout->addWidget(m_transferPanel);
    auto *composerRow = new QHBoxLayout;
    auto *attach = new QToolButton;
    attach->setObjectName(QStringLiteral("attachButton"));
    attach->setIcon(QIcon::fromTheme(QStringLiteral("mail-attachment")));
    if (attach->icon().isNull())
        attach->setText(QStringLiteral("📎"));
    attach->setToolTip(tr("Send a file (or drop files on the window)"));
    attach->setAccessibleName(tr("Send a file"));
    attach->setAutoRaise(true);
    connect(attach, &QToolButton::clicked, this, &MainWindow::attachFilesDialog);
    composerRow->addWidget(attach, 0, Qt::AlignBottom);
    composerRow->addWidget(m_composer, 1);
    m_attachButton = attach;
    rightLayout->addWidget(m_invitationBar);
    rightLayout->addLayout(composerRow);
    connect(m_invitationBar, &InvitationBar::accepted, this, [this](const QString &channel) {
        m_client->acceptInvitation(channel);
        m_invitationBar->acceptButton()->setEnabled(false); // until the answer is stored
    });
    connect(m_invitationBar, &InvitationBar::declined, this,
            [this](const QString &channel) { m_client->declineInvitation(channel); });
    connect(m_client, &Client::invitationsChanged, this, [this](const QString &channel) {
        if (channel == m_currentChannel)
            updateInvitation();
        m_channelModel->reload();
    });
    setAcceptDrops(true);

    m_members->setObjectName(QStringLiteral("members"));
    m_members->setAccessibleName(tr("Members"));
    m_members->setContextMenuPolicy(Qt::CustomContextMenu);
    m_members->setMaximumWidth(220);

    auto *splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->addWidget(m_members);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 740, 0});
    setCentralWidget(splitter);
    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_status->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_status, 1);

    buildMenus();
    buildTray();
    applySettings();
    connect(m_settings, &UiSettings::changed, this, &MainWindow::applySettings);

    connect(m_channelList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    openChannel(current.data(ChannelListModel::NameRole).toString());
            });
    connect(m_channelList, &QListView::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_channelList->indexAt(pos);
        if (!index.isValid())
            return;
        const QString channel = index.data(ChannelListModel::NameRole).toString();
        const bool muted = index.data(ChannelListModel::MutedRole).toBool();
        QMenu menu;
        menu.addAction(muted ? tr("Unmute") : tr("Mute"), this, [this, channel, muted] {
            m_client->setMuted(channel, !muted);
            m_notifications->setChannelMuted(channel, !muted);
            m_channelModel->reload();
        });
        QAction *mentions = menu.addAction(tr("Notify only for @mentions"));
        mentions->setObjectName(QStringLiteral("mentionsOnlyAction"));
        mentions->setCheckable(true);
        mentions->setChecked(m_settings->channelMentionsOnly(channel));
        connect(mentions, &QAction::toggled, this,
                [this, channel](bool on) { m_settings->setChannelMentionsOnly(channel, on); });
        menu.addAction(tr("Leave"), this, [this, channel] { m_client->leaveChannel(channel); });
        menu.exec(m_channelList->viewport()->mapToGlobal(pos));
    });
    connect(m_members, &QListWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QListWidgetItem *item = m_members->itemAt(pos);
        const auto record = m_client->store()->channel(m_currentChannel);
        if (!item || !record || (record->kind != ChannelRecord::Kind::InviteOnly && !record->encrypted))
            return;
        const QString nick = item->text();
        QMenu menu;
        if (record->encrypted && nick.compare(m_client->nick(), Qt::CaseInsensitive) != 0)
            menu.addAction(tr("Safety number with %1…").arg(nick), this,
                           [this, nick] { safetyNumberDialog(nick); });
        if (nick.compare(m_client->nick(), Qt::CaseInsensitive) == 0)
            menu.addAction(tr("Leave %1").arg(m_currentChannel), this,
                           [this] { m_client->leaveChannel(m_currentChannel); });
        else
            menu.addAction(tr("Remove %1 from %2").arg(nick, m_currentChannel), this,
                           [this, nick] { m_client->removeMember(m_currentChannel, nick); });
        menu.exec(m_members->viewport()->mapToGlobal(pos));
    });
    connect(m_search, &QLineEdit::textChanged, this, &MainWindow::runSearch);
    connect(m_searchResults, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        jumpToMessage(item->data(kSearchResultChannelRole).toString(),
                      item->data(kSearchResultSeqRole).toULongLong());
    });
    connect(m_composer, &Composer::submitted, this, &MainWindow::sendFromComposer);
    connect(m_composer, &Composer::cancelRequested, this, &MainWindow::cancelReplyOrEdit);
    connect(m_composer, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_currentChannel.isEmpty() && m_replyBar->mode() != ReplyBar::Mode::Edit &&
            !m_composer->toPlainText().trimmed().isEmpty())
            m_client->notifyTyping(m_currentChannel);
    });
    // "alice is typing…": shown for 6 s after each typing signal (they repeat every few seconds).
    m_typingTimer->setInterval(1000);
    connect(m_typingTimer, &QTimer::timeout, this, &MainWindow::updateTypingLine);
    connect(m_client, &Client::typing, this, [this](const QString &channel, const QString &nick) {
        m_typingUntilMs[channel].insert(nick, QDateTime::currentMSecsSinceEpoch() + 6000);
        updateTypingLine();
    });
    m_messageModel->setPeerReadLookup(
        [this](const QString &channel) { return m_client->peerReadSeq(channel); });
    connect(m_client, &Client::readReceipt, m_messageModel,
            [this](const QString &channel) { m_messageModel->onReadReceipt(channel); });
    connect(m_replyBar, &ReplyBar::cancelled, this, &MainWindow::cancelReplyOrEdit);
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
            &MainWindow::openAttachment);
    // Attachments: where each file is and how far its download got, for the message rows.
    AttachmentTransfers *transfers = m_client->transfers();
    m_messageModel->setAttachmentLookups(
        [transfers](const QString &id) { return transfers->localFile(id); },
        [transfers](const QString &id) { return transfers->downloadPercent(id); });
    connect(transfers, &AttachmentTransfers::downloadProgress, m_messageModel,
            &MessageListModel::onAttachmentChanged);
    connect(transfers, &AttachmentTransfers::downloadFinished, this,
            [this](const QString &id, bool ok, const QString &error) {
                m_messageModel->onAttachmentChanged(id);
                const auto it = m_afterDownload.find(id);
                if (it == m_afterDownload.end())
                    return;
                const QString saveTo = it.value();
                m_afterDownload.erase(it);
                const QString path = m_client->transfers()->localFile(id);
                if (!ok || path.isEmpty()) {
                    statusBar()->showMessage(error, 10000);
                } else if (saveTo.isEmpty()) {
                    openAttachmentFile(path);
                } else {
                    QFile::remove(saveTo);
                    if (!QFile::copy(path, saveTo))
                        statusBar()->showMessage(tr("Could not save %1.").arg(saveTo), 10000);
                }
            });
    connect(m_messageView, &MessageView::seenUpTo, this, [this](quint64 seq) {
        if (isActiveWindow() && !m_currentChannel.isEmpty() &&
            seq > m_client->store()->readSeq(m_currentChannel))
            m_client->markRead(m_currentChannel, seq);
    });

    connect(m_client, &Client::connectionStateChanged, this, &MainWindow::onConnectionStateChanged);
    connect(m_client, &Client::catchUpProgress, this,
            [this] { onConnectionStateChanged(m_client->connectionState()); });
    connect(m_client, &Client::catchUpFinished, this, &MainWindow::onCatchUpFinished);
    connect(m_client, &Client::messageReceived, this, &MainWindow::onMessageReceived);
    connect(m_client, &Client::messagesStored, this,
            [this](const QString &channel, quint64, quint64) { m_messageModel->onMessagesStored(channel); });
    connect(m_client, &Client::outboxChanged, this,
            [this](qint64, const QString &channel, OutboxEntry::State) {
                m_messageModel->onOutboxChanged(channel);
            });
    connect(m_client, &Client::unreadChanged, this, [this] { updateTrayTooltip(); });
    // End-to-end encryption: rows turn into text when their key arrives; key changes are loud.
    m_messageModel->setTrustLookup([this](const QString &nick) { return int(m_client->trustState(nick)); });
    connect(m_client, &Client::messagesDecrypted, m_messageModel, &MessageListModel::onMessagesChanged);
    connect(m_client, &Client::messagesChanged, m_messageModel, &MessageListModel::onMessagesChanged);
    // Deleted accounts: their messages show "deleted user".
    m_messageModel->setDeletedUserLookup(
        [this](const QString &nick) { return m_client->isDeletedUser(nick); });
    connect(m_client, &Client::usersDeleted, m_messageModel, &MessageListModel::onUsersDeleted);
    // This account's own devices: a waiting one shows its code, an approved one asks about others.
    connect(m_client, &Client::deviceApprovalChanged, this, [this](DeviceApproval::State state) {
        m_approvalBar->showWaiting(m_client->nick(), state == DeviceApproval::State::Waiting
                                                         ? m_client->deviceApprovalCode()
                                                         : QString());
    });
    connect(m_client, &Client::deviceAwaitsApproval, this, &MainWindow::approveDeviceDialog);
    m_approvalBar->showWaiting(m_client->nick(),
                               m_client->deviceApprovalState() == DeviceApproval::State::Waiting
                                   ? m_client->deviceApprovalCode()
                                   : QString());
    for (const QString &device : m_client->devicesAwaitingApproval())
        QMetaObject::invokeMethod(
            this, [this, device] { approveDeviceDialog(device, m_client->approvalCodeOf(device)); },
            Qt::QueuedConnection);
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
                    statusBar()->showMessage(tr("Could not accept the key of %1.").arg(nick), 10000);
                m_messageView->viewport()->update();
            });
    connect(m_keyBanner, &KeyChangeBanner::safetyNumberRequested, this, &MainWindow::safetyNumberDialog);
    connect(m_client, &Client::encryptionWarning, this,
            [this](const QString &, const QString &message) { statusBar()->showMessage(message, 15000); });
    connect(m_client, &Client::identityUnavailable, this, [this](const QString &message) {
        statusBar()->showMessage(
            tr("Encrypted channels are unavailable: %1 Use Chat → Unlock encryption with a "
               "passphrase.")
                .arg(message),
            30000);
    });
    connect(m_client, &Client::signedIn, this, [this](const QString &nick) {
        m_notifications->setOwnNick(nick);
        setWindowTitle(tr("HChat — %1").arg(nick));
    });
    connect(m_client, &Client::channelsChanged, this, [this] {
        for (const ChannelRecord &c : m_client->channels())
            m_notifications->setChannelMuted(c.name, c.muted);
        if (openChannelWhenKnown())
            return;
        if (!m_currentChannel.isEmpty())
            m_channelList->setCurrentIndex(m_channelModel->index(m_channelModel->rowOf(m_currentChannel)));
        else if (m_channelModel->rowCount() > 0)
            m_channelList->setCurrentIndex(m_channelModel->index(0));
        updateHeader();
    });
    connect(m_client, &Client::errorOccurred, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_notifications, &NotificationCenter::openChannelRequested, this, [this](const QString &channel) {
        showAndRaise();
        openChannel(channel);
    });

    if (m_client->store() && m_client->store()->isOpen()) {
        m_notifications->setOwnNick(m_client->store()->ownNick());
        for (const ChannelRecord &c : m_client->channels())
            m_notifications->setChannelMuted(c.name, c.muted);
    }
    onConnectionStateChanged(m_client->connectionState());
    if (m_channelModel->rowCount() > 0)
        m_channelList->setCurrentIndex(m_channelModel->index(0));
    updateHeader();
}

MainWindow::~MainWindow()
{
    saveDraft();
}

// ---- attachments --------------------------------------------------------------------------------

void MainWindow::attachFilesDialog()
{
    if (m_currentChannel.isEmpty())
        return;
    const QStringList paths =
        QFileDialog::getOpenFileNames(this, tr("Send files to %1").arg(m_currentChannel),
                                      QStandardPaths::writableLocation(QStandardPaths::PicturesLocation));
    attachFiles(paths);
}

void MainWindow::attachFiles(const QStringList &paths)
{
    if (m_currentChannel.isEmpty())
        return;
    const quint64 replyTo = m_replyBar->mode() == ReplyBar::Mode::Reply ? m_replyBar->seq() : 0;
    for (const QString &path : paths) {
        QString error;
        if (m_client->sendAttachment(m_currentChannel, path, {}, AttachmentPreview::forFile(path), replyTo,
                                     &error) == 0)
            statusBar()->showMessage(tr("%1 was not sent: %2").arg(QFileInfo(path).fileName(), error), 15000);
    }
    if (replyTo != 0 && !paths.isEmpty())
        cancelReplyOrEdit();
}

void MainWindow::openAttachment(quint64 seq)
{
    const QString path = m_client->attachmentFile(m_currentChannel, seq);
    if (!path.isEmpty()) {
        openAttachmentFile(path);
        return;
    }
    const auto m = m_client->store()->message(m_currentChannel, seq);
    QString error;
    if (!m || !m_client->downloadAttachment(m_currentChannel, seq, &error)) {
        statusBar()->showMessage(error, 10000);
        return;
    }
    m_afterDownload.insert(m->attachmentId, QString());
    m_messageModel->onAttachmentChanged(m->attachmentId);
}

// Hands the file to the desktop; a file that opening may run (a program, a script, a desktop
// entry) only after the user said so: any member can send one.
void MainWindow::openAttachmentFile(const QString &path)
{
    if (!AttachmentInfo::mayRunWhenOpened(path)) {
        QDesktopServices::openUrl(QUrl::fromLocalFile(path));
        return;
    }
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Open a program?"),
        tr("“%1” is a program or a script: opening it may run it on this computer, with access to your "
           "files. Open it only if you trust its sender and expected this file.")
            .arg(QFileInfo(path).fileName()),
        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("confirmOpenRunnable"));
    box->setTextFormat(Qt::PlainText); // the file name is the sender's
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *open = box->addButton(tr("Open anyway"), QMessageBox::AcceptRole);
    open->setObjectName(QStringLiteral("confirmOpenRunnableButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [path, open](QAbstractButton *button) {
        if (button == open)
            QDesktopServices::openUrl(QUrl::fromLocalFile(path));
    });
    box->open();
}

void MainWindow::approveDeviceDialog(const QString &deviceId, const QString &code)
{
    const QString boxName = QStringLiteral("approveDevice-") + deviceId;
    if (code.isEmpty() || findChild<QMessageBox *>(boxName))
        return;
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Approve a new device?"),
        tr("A new device signed in to your account %1 (device %2). Approve it only if it shows this code:\n\n"
           "%3\n\nOnce approved, your contacts' devices trust it and it can read what is sent to you from "
           "now on. If you did not just sign in somewhere, choose “Not mine”: the device is signed out.")
            .arg(m_client->nick(), deviceId.left(8), code),
        QMessageBox::NoButton, this);
    box->setObjectName(boxName);
    box->setTextFormat(Qt::PlainText); // the device id and the nick come from the gateway
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *approve = box->addButton(tr("&Approve"), QMessageBox::AcceptRole);
    approve->setObjectName(QStringLiteral("approveDeviceButton"));
    QPushButton *reject = box->addButton(tr("&Not mine"), QMessageBox::DestructiveRole);
    reject->setObjectName(QStringLiteral("rejectDeviceButton"));
    box->addButton(tr("&Later"), QMessageBox::RejectRole);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, deviceId, code, approve, reject](QAbstractButton *button) {
                if (button == approve) {
                    m_client->approveDevice(deviceId, code);
                    statusBar()->showMessage(tr("Approving the new device…"), 5000);
                } else if (button == reject) {
                    m_client->revokeDevice(deviceId);
                    statusBar()->showMessage(tr("The other device is being signed out."), 5000);
                }
            });
    box->open();
}

void MainWindow::saveAttachment(quint64 seq)
{
    const auto m = m_client->store()->message(m_currentChannel, seq);
    const auto info = m ? AttachmentInfo::parse(m->attachment) : std::nullopt;
    if (!info)
        return;
    const QString target =
        QFileDialog::getSaveFileName(this, tr("Save attachment"),
                                     QDir(QStandardPaths::writableLocation(QStandardPaths::DownloadLocation))
                                         .filePath(AttachmentInfo::safeFileName(info->name)));
    if (target.isEmpty())
        return;
    const QString path = m_client->attachmentFile(m_currentChannel, seq);
    if (!path.isEmpty()) {
        QFile::remove(target);
        if (!QFile::copy(path, target))
            statusBar()->showMessage(tr("Could not save %1.").arg(target), 10000);
        return;
    }
    QString error;
    if (!m_client->downloadAttachment(m_currentChannel, seq, &error)) {
        statusBar()->showMessage(error, 10000);
        return;
    }
    m_afterDownload.insert(info->id, target);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!m_currentChannel.isEmpty() && event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile())
            paths << url.toLocalFile();
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    attachFiles(paths);
}

void MainWindow::buildMenus()
{
    QMenu *chat = menuBar()->addMenu(tr("&Chat"));
    chat->addAction(tr("&Join channel…"), QKeySequence(Qt::CTRL | Qt::Key_J), this,
                    &MainWindow::joinChannelDialog);
    chat->addAction(tr("New &direct message…"), QKeySequence(Qt::CTRL | Qt::Key_N), this,
                    &MainWindow::directMessageDialog);
    chat->addAction(tr("New &private channel (encrypted)…"), this, &MainWindow::createPrivateChannelDialog);
    chat->addAction(tr("&Invite to this channel…"), this, &MainWindow::inviteMemberDialog);
    chat->addAction(tr("&Leave this channel"), this, [this] {
        if (!m_currentChannel.isEmpty())
            m_client->leaveChannel(m_currentChannel);
    });
    chat->addAction(tr("&Safety number…"), this, [this] {
        bool ok = false;
        const QString nick =
            QInputDialog::getText(this, tr("Safety number"), tr("Nick:"), QLineEdit::Normal, {}, &ok)
                .trimmed();
        if (ok && !nick.isEmpty())
            safetyNumberDialog(nick);
    });
    chat->addAction(tr("De&vices…"), this, &MainWindow::devicesDialog);
    chat->addAction(tr("&Account…"), this, &MainWindow::accountDialog);
    chat->addAction(tr("Unlock encryption with a &passphrase…"), this, &MainWindow::passphraseDialog);
    chat->addSeparator();
    chat->addAction(tr("&Search"), QKeySequence::Find, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    chat->addAction(tr("S&witch to channel…"), QKeySequence(Qt::CTRL | Qt::Key_K), this,
                    &MainWindow::channelSwitcher);
    chat->addSeparator();
    chat->addAction(tr("Se&ttings…"), QKeySequence::Preferences, this, &MainWindow::settingsDialog);
    chat->addSeparator();
    chat->addAction(tr("Sign &out"), this, [this] { m_client->logOut(); });
    chat->addAction(tr("&Quit"), QKeySequence::Quit, this, [this] {
        m_quitting = true;
        close();
        qApp->quit();
    });
}

void MainWindow::buildTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(windowIcon(), this);
    auto *menu = new QMenu(this);
    menu->addAction(tr("Show HChat"), this, &MainWindow::showAndRaise);
    menu->addAction(tr("Quit"), this, [this] {
        m_quitting = true;
        qApp->quit();
    });
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger)
            isVisible() && isActiveWindow() ? hide() : showAndRaise();
    });
    updateTrayTooltip();
    m_tray->show();
}

void MainWindow::updateTrayTooltip()
{
    if (!m_tray)
        return;
    quint64 unread = 0;
    for (const ChannelRecord &c : m_client->channels()) {
        if (!c.muted)
            unread += m_client->unreadCount(c.name);
    }
    m_tray->setToolTip(unread ? tr("HChat — %n unread", nullptr, int(unread)) : tr("HChat"));
}

void MainWindow::showAndRaise()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::onConnectionStateChanged(ConnectionState state)
{
    QString text;
    switch (state) {
    case ConnectionState::Offline:
        text = tr("Offline — messages you write are kept and sent when the connection returns");
        break;
    case ConnectionState::Connecting:
        text = tr("Connecting…");
        break;
    case ConnectionState::CatchingUp:
        text = m_client->catchUpTotal() > 0
                   ? tr("Catching up %1 of %2").arg(m_client->catchUpDone()).arg(m_client->catchUpTotal())
                   : tr("Catching up…");
        break;
    case ConnectionState::Online:
        text = tr("Online");
        break;
    }
    m_status->setText(text);
}

void MainWindow::openChannel(const QString &channel)
{
    if (channel.isEmpty() || channel == m_currentChannel)
        return;
    saveDraft();
    m_currentChannel = channel;
    const int row = m_channelModel->rowOf(channel);
    if (row >= 0 && m_channelList->currentIndex().row() != row)
        m_channelList->setCurrentIndex(m_channelModel->index(row));
    m_messageModel->setChannel(channel);
    m_replyBar->clear();
    m_draftBeforeEdit.clear();
    updateTypingLine();
    m_composer->setPlainText(m_client->store()->draft(channel));
    m_composer->moveCursor(QTextCursor::End);
    updateHeader();
    updateInvitation();
    updateMentionCandidates();
}

// An unanswered invitation takes the composer's place: nothing can be written there before.
void MainWindow::updateInvitation()
{
    const QString inviter =
        m_currentChannel.isEmpty() ? QString() : m_client->invitationFrom(m_currentChannel);
    m_invitationBar->showInvitation(m_currentChannel, inviter);
    m_invitationBar->acceptButton()->setEnabled(true);
    m_composer->setEnabled(inviter.isEmpty());
    m_composer->setVisible(inviter.isEmpty());
    m_attachButton->setEnabled(inviter.isEmpty());
    m_attachButton->setVisible(inviter.isEmpty());
}

void MainWindow::updateMentionCandidates()
{
    QStringList nicks;
    if (const auto record = m_client->store()->channel(m_currentChannel))
        nicks = record->members;
    for (const QString &nick : m_client->store()->recentSenders(m_currentChannel))
        if (!nicks.contains(nick, Qt::CaseInsensitive))
            nicks << nick;
    nicks.removeIf(
        [this](const QString &n) { return n.compare(m_client->nick(), Qt::CaseInsensitive) == 0; });
    m_composer->setMentionCandidates(nicks);
}

void MainWindow::populateMessageMenu(QMenu *menu, const QModelIndex &index)
{
    const auto kind = MessageKind(index.data(MessageListModel::KindRole).toInt());
    if (!index.isValid() || (kind != MessageKind::Text && kind != MessageKind::Attachment))
        return;
    const quint64 seq = index.data(MessageListModel::SeqRole).toULongLong();
    const bool deleted = index.data(MessageListModel::DeletedRole).toBool();
    const bool own = index.data(MessageListModel::IsOwnRole).toBool();
    const int crypto = index.data(MessageListModel::CryptoStateRole).toInt();
    const bool readable = crypto == int(StoredMessage::CryptoState::Plain) ||
                          crypto == int(StoredMessage::CryptoState::Decrypted);
    if (seq == 0 || deleted)
        return; // not stored yet (outbox), or nothing left to act on
    if (kind == MessageKind::Attachment &&
        !index.data(MessageListModel::AttachmentIdRole).toString().isEmpty()) {
        QAction *open = menu->addAction(tr("Open attachment"), this, [this, seq] { openAttachment(seq); });
        open->setObjectName(QStringLiteral("openAttachmentAction"));
        QAction *save =
            menu->addAction(tr("Save attachment as…"), this, [this, seq] { saveAttachment(seq); });
        save->setObjectName(QStringLiteral("saveAttachmentAction"));
        menu->addSeparator();
    }
    QAction *reply = menu->addAction(tr("Reply"), this, [this, seq] { replyTo(seq); });
    reply->setObjectName(QStringLiteral("replyAction"));
    if (own && readable) {
        QAction *edit = menu->addAction(tr("Edit"), this, [this, seq] { editMessage(seq); });
        edit->setObjectName(QStringLiteral("editAction"));
        QAction *del = menu->addAction(tr("Delete…"), this, [this, seq] { deleteMessage(seq); });
        del->setObjectName(QStringLiteral("deleteAction"));
    }
    if (readable) {
        const QString text = index.data(MessageListModel::TextRole).toString();
        QAction *copy =
            menu->addAction(tr("Copy text"), this, [text] { QGuiApplication::clipboard()->setText(text); });
        copy->setObjectName(QStringLiteral("copyAction"));
    }
}

void MainWindow::replyTo(quint64 seq)
{
    const auto m = m_client->store()->message(m_currentChannel, seq);
    if (!m || !m->isChat())
        return;
    if (m_replyBar->mode() == ReplyBar::Mode::Edit)
        cancelReplyOrEdit();
    m_replyBar->startReply(seq, m->sender, m->text());
    m_composer->setFocus();
}

void MainWindow::editMessage(quint64 seq)
{
    const auto m = m_client->store()->message(m_currentChannel, seq);
    if (!m || !m->isChat() || m->deleted)
        return;
    if (m_replyBar->mode() != ReplyBar::Mode::Edit)
        m_draftBeforeEdit = m_composer->toPlainText();
    m_replyBar->startEdit(seq, m->text());
    m_composer->setPlainText(m->text());
    m_composer->moveCursor(QTextCursor::End);
    m_composer->setFocus();
}

void MainWindow::deleteMessage(quint64 seq)
{
    const QString channel = m_currentChannel;
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
            statusBar()->showMessage(error, 10000);
        else if (m_replyBar->seq() == seq)
            cancelReplyOrEdit();
    });
    box->open();
}

void MainWindow::updateTypingLine()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto it = m_typingUntilMs.begin(); it != m_typingUntilMs.end();) {
        it->removeIf([now](const auto &entry) { return entry.value() <= now; });
        it = it->isEmpty() ? m_typingUntilMs.erase(it) : std::next(it);
    }
    QStringList nicks = m_typingUntilMs.value(m_currentChannel).keys();
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

void MainWindow::cancelReplyOrEdit()
{
    const bool editing = m_replyBar->mode() == ReplyBar::Mode::Edit;
    m_replyBar->clear();
    if (editing) {
        m_composer->setPlainText(std::exchange(m_draftBeforeEdit, QString()));
        m_composer->moveCursor(QTextCursor::End);
    }
}

bool MainWindow::openChannelWhenKnown()
{
    if (m_channelToOpen.isEmpty() || m_channelModel->rowOf(m_channelToOpen) < 0)
        return false;
    openChannel(std::exchange(m_channelToOpen, QString()));
    return true;
}

void MainWindow::saveDraft()
{
    if (!m_currentChannel.isEmpty() && m_client->store() && m_client->store()->isOpen())
        m_client->setDraft(m_currentChannel, m_replyBar->mode() == ReplyBar::Mode::Edit
                                                 ? m_draftBeforeEdit
                                                 : m_composer->toPlainText());
}

void MainWindow::updateHeader()
{
    if (m_currentChannel.isEmpty()) {
        m_header->setText(m_channelModel->rowCount() == 0 ? tr("Join a channel to start (Ctrl+J)")
                                                          : QString());
        m_composer->setEnabled(false);
        return;
    }
    m_composer->setEnabled(true);
    const auto record = m_client->store()->channel(m_currentChannel);
    QString title = record ? ChannelListModel::titleFor(*record, m_client->nick()) : m_currentChannel;
    if (record && record->encrypted)
        title = tr("%1 (encrypted)").arg(title);
    m_header->setText(title);
    // Invite-only and direct channels list their members (as the channel's own membership
    // messages say); open channels have no fixed member list.
    m_members->clear();
    const bool listed = record && record->kind != ChannelRecord::Kind::Open;
    if (listed)
        m_members->addItems(record->members);
    m_members->setVisible(listed);
}

void MainWindow::sendFromComposer(const QString &text)
{
    if (m_currentChannel.isEmpty())
        return;
    QString error;
    const quint64 seq = m_replyBar->seq();
    qint64 id = 0;
    switch (m_replyBar->mode()) {
    case ReplyBar::Mode::None:
        id = m_client->sendMessage(m_currentChannel, text, &error);
        break;
    case ReplyBar::Mode::Reply:
        id = m_client->sendReply(m_currentChannel, text, seq, &error);
        break;
    case ReplyBar::Mode::Edit:
        id = m_client->editMessage(m_currentChannel, seq, text, &error);
        break;
    }
    if (id == 0) {
        statusBar()->showMessage(error, 10000);
        return;
    }
    const bool edited = m_replyBar->mode() == ReplyBar::Mode::Edit;
    m_replyBar->clear();
    m_composer->setPlainText(edited ? std::exchange(m_draftBeforeEdit, QString()) : QString());
    m_composer->moveCursor(QTextCursor::End);
    m_client->setDraft(m_currentChannel, m_composer->toPlainText());
    if (!edited)
        m_messageView->scrollToBottom();
}

void MainWindow::onCatchUpFinished(const CatchUpReport &report)
{
    QList<ChannelArrivals> arrivals;
    for (const auto &c : report.channels)
        arrivals.append({c.channel, int(c.count), c.senders, c.newest.sender, c.newest.text(),
                         c.newest.serverTimeMs, int(c.mentions)});
    m_notifications->setWindowActive(isActiveWindow());
    m_notifications->catchUpFinished(arrivals);
    m_channelModel->reload();
    updateTrayTooltip();
}

void MainWindow::onMessageReceived(const StoredMessage &message)
{
    // A message arrived from them: they stopped typing it.
    auto typing = m_typingUntilMs.find(message.channel);
    if (typing != m_typingUntilMs.end() && typing->remove(message.sender) > 0)
        updateTypingLine();
    // A plaintext row in an encrypted channel is no member's: nothing to announce in their name.
    if (!message.isChat() || message.isUnencryptedForgery())
        return;
    m_notifications->setWindowActive(isActiveWindow());
    // Encrypted content only after local decryption.
    const bool readable = !message.encrypted || message.cryptoState == StoredMessage::CryptoState::Decrypted;
    QString text = readable ? message.text() : tr("Encrypted message");
    if (message.kind == MessageKind::Attachment && readable) {
        const auto info = AttachmentInfo::parse(message.attachment);
        const QString file = info ? tr("sent %1").arg(info->name) : tr("sent a file");
        text = text.isEmpty() ? file : QStringLiteral("%1 — %2").arg(file, text);
    }
    m_notifications->liveMessage(message.channel, message.sender, text);
}

void MainWindow::runSearch()
{
    const QString query = m_search->text().trimmed();
    if (query.isEmpty()) {
        m_leftStack->setCurrentWidget(m_channelList);
        return;
    }
    m_searchResults->clear();
    const auto hits = m_client->search(query, 200);
    for (const SearchHit &hit : hits) {
        auto *item = new QListWidgetItem;
        const QString when =
            QLocale().toString(QDateTime::fromMSecsSinceEpoch(hit.serverTimeMs), QLocale::ShortFormat);
        QString snippet = hit.snippet;
        snippet.remove(SearchHit::kMarkStart).remove(SearchHit::kMarkEnd);
        item->setText(QStringLiteral("%1 · %2 · %3\n%4").arg(hit.channel, hit.sender, when, snippet));
        item->setData(kSearchResultChannelRole, hit.channel);
        item->setData(kSearchResultSeqRole, hit.seq);
        m_searchResults->addItem(item);
    }
    if (hits.isEmpty())
        m_searchResults->addItem(tr("No messages match “%1”.").arg(query));
    m_leftStack->setCurrentWidget(m_searchResults);
}

void MainWindow::jumpToMessage(const QString &channel, quint64 seq)
{
    openChannel(channel);
    const int row = m_messageModel->rowForSeq(seq);
    if (row >= 0) {
        m_messageView->scrollToRow(row);
        m_messageView->setCurrentIndex(m_messageModel->index(row));
    }
}

void MainWindow::joinChannelDialog()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Join a channel"),
                                               tr("Channel name (lower-case letters, digits, . _ -):"),
                                               QLineEdit::Normal, {}, &ok)
                             .trimmed();
    if (ok && !name.isEmpty()) {
        m_channelToOpen = name;
        m_client->joinChannel(name);
    }
}

void MainWindow::directMessageDialog()
{
    bool ok = false;
    const QString nick =
        QInputDialog::getText(this, tr("Direct message"), tr("Nick:"), QLineEdit::Normal, {}, &ok).trimmed();
    if (ok && !nick.isEmpty()) {
        m_client->openDirectChannel(nick, &m_channelToOpen);
        openChannelWhenKnown();
    }
}

void MainWindow::createPrivateChannelDialog()
{
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("New private channel"), tr("Channel name (members add members):"),
                              QLineEdit::Normal, {}, &ok)
            .trimmed();
    if (ok && !name.isEmpty()) {
        m_channelToOpen = name;
        // Private channels are always end-to-end encrypted.
        m_client->createChannel(name, ChannelRecord::Kind::InviteOnly);
    }
}

void MainWindow::safetyNumberDialog(const QString &nick)
{
    SafetyNumberDialog dialog(m_client, nick, this);
    dialog.exec();
    m_messageView->viewport()->update();
}

void MainWindow::applySettings()
{
    m_notifications->setEnabled(m_settings->notificationsEnabled());
    m_notifications->setShowPreviews(m_settings->notificationPreviews());
    m_notifications->setMentionsOnlyChannels(m_settings->mentionsOnlyChannels());
    m_client->setShareTyping(m_settings->shareTyping());
    m_client->setShareReadReceipts(m_settings->shareReadReceipts());
}

void MainWindow::settingsDialog()
{
    auto *dialog = new SettingsDialog(m_settings, m_tray != nullptr, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::channelSwitcher()
{
    auto *switcher = new ChannelSwitcher(m_channelModel, this);
    switcher->setAttribute(Qt::WA_DeleteOnClose);
    connect(switcher, &ChannelSwitcher::channelChosen, this, &MainWindow::openChannel);
    switcher->open();
    switcher->filterField()->setFocus();
}

void MainWindow::devicesDialog()
{
    auto *dialog = new DevicesDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DevicesDialog::safetyNumberRequested, this, &MainWindow::safetyNumberDialog);
    connect(dialog, &QDialog::finished, this, [this] { m_messageView->viewport()->update(); });
    dialog->open();
}

void MainWindow::accountDialog()
{
    auto *dialog = new AccountDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::passphraseDialog()
{
    if (m_client->isEncryptionReady())
        return;
    bool ok = false;
    QString passphrase =
        QInputDialog::getText(this, tr("Unlock encryption"),
                              tr("This system has no keychain. A passphrase protects this device's "
                                 "encryption key (a new one is made the first time):"),
                              QLineEdit::Password, {}, &ok);
    if (!ok || passphrase.isEmpty())
        return;
    const QString dir = QFileInfo(m_client->store()->path()).absolutePath();
    auto store = std::make_unique<crypto::PassphraseIdentityStore>(dir);
    QByteArray utf8 = passphrase.toUtf8();
    store->setPassphrase(utf8);
    utf8.fill('\0');
    passphrase.fill(QLatin1Char(' '));
    m_client->setIdentityStore(std::move(store));
    m_client->loadIdentityNow();
}

void MainWindow::inviteMemberDialog()
{
    if (m_currentChannel.isEmpty())
        return;
    bool ok = false;
    const QString nick = QInputDialog::getText(this, tr("Invite to %1").arg(m_currentChannel), tr("Nick:"),
                                               QLineEdit::Normal, {}, &ok)
                             .trimmed();
    if (ok && !nick.isEmpty())
        m_client->invite(m_currentChannel, nick);
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::ActivationChange) {
        m_notifications->setWindowActive(isActiveWindow());
        if (isActiveWindow() && m_messageView->isAtBottom() && !m_currentChannel.isEmpty()) {
            const quint64 max = m_client->store()->maxSeq(m_currentChannel);
            if (max > m_client->store()->readSeq(m_currentChannel))
                m_client->markRead(m_currentChannel, max);
        }
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveDraft();
    if (m_tray && m_tray->isVisible() && !m_quitting && m_settings->closeToTray()) {
        hide();
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace hchat::ui
