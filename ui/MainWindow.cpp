#include "MainWindow.h"

#include "AccountDialog.h"
#include "AdminDialog.h"
#include "BlockedUsersDialog.h"
#include "BrowseChannelsDialog.h"
#include "ChannelListModel.h"
#include "ChannelSettingsDialog.h"
#include "Client.h"
#include "DesktopNotifier.h"
#include "DeviceApprovalPrompt.h"
#include "DevicesDialog.h"
#include "HistoryStore.h"
#include "MemberList.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "NotificationCenter.h"
#include "SafetyNumberDialog.h"
#include "SettingsDialog.h"
#include "ShortcutsDialog.h"
#include "UiSettings.h"
#include "crypto/PassphraseIdentityStore.h"
#include "hchat/Version.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QVBoxLayout>

#include <algorithm>

namespace hchat::ui {

MainWindow::MainWindow(Client *client, UiSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_client(client),
      m_settings(settings ? settings
                          : new UiSettings(client->store() && client->store()->isOpen()
                                               ? QFileInfo(client->store()->path()).absolutePath()
                                               : QString(),
                                           this)),
      m_notifier(new DesktopNotifier(this)), m_notifications(new NotificationCenter(m_notifier, this)),
      m_sidebar(new ChannelSidebar(client, m_settings)), m_chat(new ChatPane(client)),
      m_compose(new ComposePane(client)), m_members(new MemberList(client)), m_status(new QLabel)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("HChat"));
    setWindowIcon(QIcon(QStringLiteral(":/hchat/hchat.svg")));
    resize(1000, 680);
    buildLayout();
    buildMenus();
    buildTray();
    applySettings();
    connect(m_settings, &UiSettings::changed, this, &MainWindow::applySettings);
    connectPanes();
    connectClient();

    if (m_client->store() && m_client->store()->isOpen()) {
        m_notifications->setOwnNick(m_client->store()->ownNick());
        syncMutedChannels();
    }
    onConnectionStateChanged(m_client->connectionState());
    m_sidebar->reselect(m_currentChannel);
    updateHeader();
}

MainWindow::~MainWindow()
{
    m_compose->saveDraft();
}

// The middle column is the chat pane over the compose pane, spaced as one column.
void MainWindow::buildLayout()
{
    auto *middle = new QWidget;
    auto *middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(6, 6, 6, 6);
    middleLayout->addWidget(m_chat, 1);
    middleLayout->addWidget(m_compose);
    setAcceptDrops(true);

    m_splitter = new QSplitter;
    m_splitter->addWidget(m_sidebar);
    m_splitter->addWidget(middle);
    m_splitter->addWidget(m_members);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({260, 740, 0});
    setCentralWidget(m_splitter);
    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_status->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_status, 1);
}

void MainWindow::connectPanes()
{
    connect(m_sidebar, &ChannelSidebar::channelActivated, this, &MainWindow::openChannel);
    connect(m_sidebar, &ChannelSidebar::newChannelOpened, m_compose, &ComposePane::focusComposer);
    connect(m_sidebar, &ChannelSidebar::searchResultActivated, this, &MainWindow::jumpToMessage);
    connect(m_sidebar, &ChannelSidebar::channelMuted, m_notifications, &NotificationCenter::setChannelMuted);
    connect(m_chat, &ChatPane::replyRequested, m_compose, &ComposePane::replyTo);
    connect(m_chat, &ChatPane::editRequested, m_compose, &ComposePane::editMessage);
    connect(m_chat, &ChatPane::deleteRequested, m_compose, &ComposePane::deleteMessage);
    connect(m_chat, &ChatPane::openAttachmentRequested, this, &MainWindow::openAttachment);
    connect(m_chat, &ChatPane::saveAttachmentRequested, m_compose->attachments(),
            &AttachmentPane::saveAttachment);
    connect(m_compose->attachments(), &AttachmentPane::downloadStarted, m_chat->messageModel(),
            &MessageListModel::onAttachmentChanged);
    connect(m_compose, &ComposePane::messageSent, m_chat->messageView(), &MessageView::scrollToBottom);
    connect(m_chat, &ChatPane::safetyNumberRequested, this, &MainWindow::safetyNumberDialog);
    connect(m_members, &MemberList::safetyNumberRequested, this, &MainWindow::safetyNumberDialog);
    connect(m_members, &MemberList::statusMessage, this, &MainWindow::showStatus);
    connect(m_chat, &ChatPane::browseChannelsRequested, this, &MainWindow::browseChannelsDialog);
    connect(m_chat, &ChatPane::statusMessage, this, &MainWindow::showStatus);
    connect(m_compose, &ComposePane::statusMessage, this, &MainWindow::showStatus);
    connect(m_notifications, &NotificationCenter::openChannelRequested, this, [this](const QString &channel) {
        showAndRaise();
        openChannel(channel);
    });
}

void MainWindow::connectClient()
{
    connect(m_client, &Client::connectionStateChanged, this, &MainWindow::onConnectionStateChanged);
    connect(m_client, &Client::catchUpProgress, this,
            [this] { onConnectionStateChanged(m_client->connectionState()); });
    connect(m_client, &Client::catchUpFinished, this, &MainWindow::onCatchUpFinished);
    connect(m_client, &Client::messageReceived, this, &MainWindow::onMessageReceived);
    connect(m_client, &Client::unreadChanged, this, [this] { updateTrayTooltip(); });
    connect(m_client, &Client::channelsChanged, this, &MainWindow::onChannelsChanged);
    connect(m_client, &Client::deviceAwaitsApproval, this, &MainWindow::approveDeviceDialog);
    for (const QString &device : m_client->devicesAwaitingApproval())
        QMetaObject::invokeMethod(
            this, [this, device] { approveDeviceDialog(device, m_client->approvalCodeOf(device)); },
            Qt::QueuedConnection);
    connect(m_client, &Client::encryptionWarning, this,
            [this](const QString &, const QString &message) { showStatus(message, 15000); });
    connect(m_client, &Client::identityUnavailable, this, [this](const QString &message) {
        showStatus(tr("Encrypted channels are unavailable: %1 Use Chat → Unlock encryption with a "
                      "passphrase.")
                       .arg(message),
                   30000);
    });
    connect(m_client, &Client::signedIn, this, [this](const QString &nick) {
        m_notifications->setOwnNick(nick);
        setWindowTitle(tr("HChat — %1").arg(nick));
    });
    connect(m_client, &Client::errorOccurred, this,
            [this](const QString &message) { showStatus(message, 10000); });
    // Kicked, banned or purged: the channel left the list; say why, loudly enough to be seen.
    connect(m_client, &Client::channelRemoved, this, [this](const QString &channel, const QString &reason) {
        const QString text = reason.isEmpty()
                                 ? tr("You are no longer a member of %1.").arg(channel)
                                 : tr("You are no longer a member of %1: %2").arg(channel, reason);
        showStatus(text, 30000);
    });
    connect(m_client, &Client::connectionStateChanged, this, &MainWindow::updateCommunityActions);
    connect(m_client, &Client::blockListChanged, this, [this] { m_sidebar->channelModel()->reload(); });
}

void MainWindow::updateCommunityActions()
{
    if (m_adminAction)
        m_adminAction->setVisible(m_client->isAdmin());
    if (m_channelSettingsAction) {
        const auto record =
            m_currentChannel.isEmpty() ? std::nullopt : m_client->store()->channel(m_currentChannel);
        m_channelSettingsAction->setEnabled(record && record->canModerate());
    }
}

void MainWindow::browseChannelsDialog()
{
    auto *dialog = new BrowseChannelsDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &BrowseChannelsDialog::channelJoined, this, [this](const QString &channel) {
        m_sidebar->channelModel()->reload();
        openChannel(channel);
        m_compose->focusComposer(); // the focus it gets back when the dialog closes
    });
    dialog->open();
}

void MainWindow::channelSettingsDialog()
{
    const auto record =
        m_currentChannel.isEmpty() ? std::nullopt : m_client->store()->channel(m_currentChannel);
    if (!record || !record->canModerate()) {
        showStatus(tr("Only the moderators of a channel change its settings."), 10000);
        return;
    }
    auto *dialog = new ChannelSettingsDialog(m_client, m_currentChannel, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::adminDialog()
{
    if (!m_client->isAdmin())
        return;
    auto *dialog = new AdminDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::blockedUsersDialog()
{
    if (auto *open = findChild<BlockedUsersDialog *>()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dialog = new BlockedUsersDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
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
    chat->addAction(tr("&Join channel…"), QKeySequence(Qt::CTRL | Qt::Key_J), m_sidebar,
                    &ChannelSidebar::joinChannelDialog);
    chat->addAction(tr("&Browse channels…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B), this,
                    &MainWindow::browseChannelsDialog)
        ->setObjectName(QStringLiteral("browseChannelsAction"));
    chat->addAction(tr("New &direct message…"), QKeySequence(Qt::CTRL | Qt::Key_N), m_sidebar,
                    &ChannelSidebar::directMessageDialog);
    chat->addAction(tr("New &private channel (encrypted)…"), m_sidebar,
                    &ChannelSidebar::createPrivateChannelDialog);
    chat->addAction(tr("&Invite to this channel…"), m_sidebar, &ChannelSidebar::inviteMemberDialog);
    chat->addAction(tr("&Leave this channel"), m_sidebar, &ChannelSidebar::leaveChannel);
    m_channelSettingsAction =
        chat->addAction(tr("C&hannel settings…"), this, &MainWindow::channelSettingsDialog);
    m_channelSettingsAction->setObjectName(QStringLiteral("channelSettingsAction"));
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
    chat->addAction(tr("Blocked &users…"), this, &MainWindow::blockedUsersDialog)
        ->setObjectName(QStringLiteral("blockedUsersAction"));
    chat->addAction(tr("Unlock encryption with a &passphrase…"), this, &MainWindow::passphraseDialog);
    m_adminAction = chat->addAction(tr("Ad&minister the gateway…"), this, &MainWindow::adminDialog);
    m_adminAction->setObjectName(QStringLiteral("adminAction"));
    m_adminAction->setVisible(false);
    chat->addSeparator();
    chat->addAction(tr("&Search"), QKeySequence::Find, m_sidebar, &ChannelSidebar::focusSearch);
    chat->addAction(tr("S&witch to channel…"), QKeySequence(Qt::CTRL | Qt::Key_K), m_sidebar,
                    &ChannelSidebar::channelSwitcher);
    chat->addSeparator();
    chat->addAction(tr("Se&ttings…"), QKeySequence::Preferences, this, &MainWindow::settingsDialog);
    chat->addSeparator();
    chat->addAction(tr("Sign &out"), this, [this] { m_client->logOut(); });
    chat->addAction(tr("&Quit"), QKeySequence::Quit, this, [this] {
        m_quitting = true;
        close();
        qApp->quit();
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::shortcutsDialog)
        ->setObjectName(QStringLiteral("shortcutsAction"));
    help->addAction(tr("&About HChat"), this, &MainWindow::aboutDialog)
        ->setObjectName(QStringLiteral("aboutAction"));
}

void MainWindow::shortcutsDialog()
{
    QList<QAction *> actions;
    for (const QAction *menu : menuBar()->actions())
        if (menu->menu())
            actions += menu->menu()->actions();
    auto *dialog = new ShortcutsDialog(actions, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::aboutDialog()
{
    auto *box =
        new QMessageBox(QMessageBox::Information, tr("About HChat"),
                        tr("HChat %1").arg(QString::fromLatin1(hchat::kVersion)), QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->setTextFormat(Qt::PlainText);
    box->setInformativeText(tr("A desktop chat client with end-to-end encrypted channels.\n"
                               "Qt %1 (built with Qt %2)")
                                .arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR)));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
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

void MainWindow::showStatus(const QString &text, int timeoutMs)
{
    statusBar()->showMessage(text, timeoutMs);
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
    m_compose->saveDraft();
    m_currentChannel = channel;
    m_sidebar->selectChannel(channel);
    m_chat->setChannel(channel);
    m_compose->setChannel(channel);
    updateHeader();
    m_compose->updateInvitation();
    m_compose->updateMentionCandidates();
}

void MainWindow::updateHeader()
{
    m_chat->updateHeader(m_sidebar->channelModel()->rowCount() > 0);
    m_compose->setComposerEnabled(!m_currentChannel.isEmpty());
    if (!m_currentChannel.isEmpty())
        m_members->showChannel(m_currentChannel);
    // The member column gets its room the first time there is a list to show (the user may
    // narrow or close it afterwards).
    if (!m_membersSized && !m_members->isHidden()) {
        QList<int> sizes = m_splitter->sizes();
        if (sizes.size() == 3 && sizes.at(2) == 0) {
            constexpr int kMembersWidth = 190;
            sizes[1] = std::max(200, sizes.at(1) - kMembersWidth);
            sizes[2] = kMembersWidth;
            m_splitter->setSizes(sizes);
        }
        m_membersSized = true;
    }
    updateCommunityActions();
}

void MainWindow::jumpToMessage(const QString &channel, quint64 seq)
{
    openChannel(channel);
    m_chat->showMessage(seq);
}

void MainWindow::onChannelsChanged()
{
    syncMutedChannels();
    if (m_sidebar->activatePendingChannel())
        return;
    m_sidebar->reselect(m_currentChannel);
    updateHeader();
}

void MainWindow::syncMutedChannels()
{
    for (const ChannelRecord &c : m_client->channels())
        m_notifications->setChannelMuted(c.name, c.muted);
}

void MainWindow::onCatchUpFinished(const CatchUpReport &report)
{
    QList<ChannelArrivals> arrivals;
    for (const auto &c : report.channels)
        arrivals.append({c.channel, int(c.count), c.senders, c.newest.sender, c.newest.text(),
                         c.newest.serverTimeMs, int(c.mentions)});
    m_notifications->setWindowActive(isActiveWindow());
    m_notifications->catchUpFinished(arrivals);
    m_sidebar->channelModel()->reload();
    updateTrayTooltip();
}

void MainWindow::onMessageReceived(const StoredMessage &message)
{
    // A plaintext row in an encrypted channel is no member's: nothing to announce in their name.
    if (!message.isChat() || message.isUnencryptedForgery())
        return;
    if (m_client->isBlocked(message.sender))
        return; // blocked: hidden in the list, never announced
    if (message.seq <= m_client->store()->readSeq(message.channel))
        return; // read already: on another device, or older than the user's own join
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

void MainWindow::approveDeviceDialog(const QString &deviceId, const QString &code)
{
    if (code.isEmpty() || findChild<QMessageBox *>(DeviceApprovalPrompt::objectNameFor(deviceId)))
        return;
    auto *prompt = new DeviceApprovalPrompt(m_client->nick(), deviceId, code, this);
    connect(prompt, &DeviceApprovalPrompt::approved, this, [this, deviceId, code] {
        m_client->approveDevice(deviceId, code);
        showStatus(tr("Approving the new device…"), 5000);
    });
    connect(prompt, &DeviceApprovalPrompt::disowned, this, [this, deviceId] {
        m_client->revokeDevice(deviceId);
        showStatus(tr("The other device is being signed out."), 5000);
    });
    prompt->open();
}

void MainWindow::safetyNumberDialog(const QString &nick)
{
    SafetyNumberDialog dialog(m_client, nick, this);
    dialog.exec();
    m_chat->repaintMessages();
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

void MainWindow::devicesDialog()
{
    auto *dialog = new DevicesDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DevicesDialog::safetyNumberRequested, this, &MainWindow::safetyNumberDialog);
    connect(dialog, &QDialog::finished, m_chat, &ChatPane::repaintMessages);
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

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::ActivationChange) {
        m_notifications->setWindowActive(isActiveWindow());
        m_chat->markShownAsRead();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_compose->saveDraft();
    if (m_tray && m_tray->isVisible() && !m_quitting && m_settings->closeToTray()) {
        hide();
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace hchat::ui
