#include "ChannelSidebar.h"

#include "ChannelDelegate.h"
#include "ChannelListModel.h"
#include "ChannelSwitcher.h"
#include "Client.h"
#include "UiSettings.h"

#include <QAction>
#include <QDateTime>
#include <QInputDialog>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
constexpr int kSearchResultSeqRole = Qt::UserRole + 1;
constexpr int kSearchResultChannelRole = Qt::UserRole + 2;
} // namespace

ChannelSidebar::ChannelSidebar(Client *client, UiSettings *settings, QWidget *parent)
    : QWidget(parent), m_client(client), m_settings(settings),
      m_channelModel(new ChannelListModel(client, this)), m_search(new QLineEdit),
      m_stack(new QStackedWidget), m_channelList(new QListView), m_searchResults(new QListWidget)
{
    buildLayout();
    connect(m_channelList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    emit channelActivated(current.data(ChannelListModel::NameRole).toString());
            });
    connect(m_channelList, &QListView::customContextMenuRequested, this, &ChannelSidebar::showChannelMenu);
    connect(m_search, &QLineEdit::textChanged, this, &ChannelSidebar::runSearch);
    connect(m_searchResults, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        emit searchResultActivated(item->data(kSearchResultChannelRole).toString(),
                                   item->data(kSearchResultSeqRole).toULongLong());
    });
    connect(m_client, &Client::invitationsChanged, m_channelModel, &ChannelListModel::reload);
}

void ChannelSidebar::buildLayout()
{
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
    m_stack->addWidget(m_channelList);
    m_stack->addWidget(m_searchResults);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 0, 6);
    layout->addWidget(m_search);
    layout->addWidget(m_stack);
}

void ChannelSidebar::selectChannel(const QString &channel)
{
    m_channel = channel;
    const int row = m_channelModel->rowOf(channel);
    if (row >= 0 && m_channelList->currentIndex().row() != row)
        m_channelList->setCurrentIndex(m_channelModel->index(row));
}

void ChannelSidebar::reselect(const QString &channel)
{
    if (!channel.isEmpty())
        m_channelList->setCurrentIndex(m_channelModel->index(m_channelModel->rowOf(channel)));
    else if (m_channelModel->rowCount() > 0)
        m_channelList->setCurrentIndex(m_channelModel->index(0));
}

bool ChannelSidebar::activatePendingChannel()
{
    if (m_channelToOpen.isEmpty() || m_channelModel->rowOf(m_channelToOpen) < 0)
        return false;
    const QString channel = std::exchange(m_channelToOpen, QString());
    emit channelActivated(channel);
    emit newChannelOpened(channel);
    return true;
}

void ChannelSidebar::focusSearch()
{
    m_search->setFocus();
    m_search->selectAll();
}

void ChannelSidebar::showChannelMenu(const QPoint &pos)
{
    const QModelIndex index = m_channelList->indexAt(pos);
    if (!index.isValid())
        return;
    const QString channel = index.data(ChannelListModel::NameRole).toString();
    const bool muted = index.data(ChannelListModel::MutedRole).toBool();
    QMenu menu;
    menu.addAction(muted ? tr("Unmute") : tr("Mute"), this, [this, channel, muted] {
        m_client->setMuted(channel, !muted);
        emit channelMuted(channel, !muted);
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
}

void ChannelSidebar::runSearch()
{
    const QString query = m_search->text().trimmed();
    if (query.isEmpty()) {
        m_stack->setCurrentWidget(m_channelList);
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
    m_stack->setCurrentWidget(m_searchResults);
}

void ChannelSidebar::joinChannelDialog()
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

void ChannelSidebar::directMessageDialog()
{
    bool ok = false;
    const QString nick =
        QInputDialog::getText(this, tr("Direct message"), tr("Nick:"), QLineEdit::Normal, {}, &ok).trimmed();
    if (ok && !nick.isEmpty()) {
        m_client->openDirectChannel(nick, &m_channelToOpen);
        activatePendingChannel();
    }
}

void ChannelSidebar::createPrivateChannelDialog()
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

void ChannelSidebar::inviteMemberDialog()
{
    if (m_channel.isEmpty())
        return;
    bool ok = false;
    const QString nick = QInputDialog::getText(this, tr("Invite to %1").arg(m_channel), tr("Nick:"),
                                               QLineEdit::Normal, {}, &ok)
                             .trimmed();
    if (ok && !nick.isEmpty())
        m_client->invite(m_channel, nick);
}

void ChannelSidebar::leaveChannel()
{
    if (!m_channel.isEmpty())
        m_client->leaveChannel(m_channel);
}

void ChannelSidebar::channelSwitcher()
{
    auto *switcher = new ChannelSwitcher(m_channelModel, this);
    switcher->setAttribute(Qt::WA_DeleteOnClose);
    connect(switcher, &ChannelSwitcher::channelChosen, this, &ChannelSidebar::channelActivated);
    switcher->open();
    switcher->filterField()->setFocus();
}

} // namespace hchat::ui
