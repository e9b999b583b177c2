#include "BrowseChannelsDialog.h"

#include "Client.h"
#include "UiLogging.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
enum Column { NameColumn = 0, MembersColumn = 1, TopicColumn = 2 };
constexpr int kJoinedRole = Qt::UserRole + 1;
} // namespace

BrowseChannelsDialog::BrowseChannelsDialog(Client *client, QWidget *parent)
    : QDialog(parent), m_client(client), m_search(new QLineEdit(this)), m_list(new QTreeWidget(this)),
      m_status(new QLabel(this)), m_join(new QPushButton(tr("&Join"), this)), m_searchDelay(new QTimer(this))
{
    setObjectName(QStringLiteral("browseChannelsDialog"));
    setWindowTitle(tr("Browse channels"));
    resize(560, 420);
    m_search->setObjectName(QStringLiteral("directorySearch"));
    m_search->setPlaceholderText(tr("Search by name or topic"));
    m_search->setAccessibleName(tr("Search channels"));
    m_search->setClearButtonEnabled(true);
    m_list->setObjectName(QStringLiteral("directoryList"));
    m_list->setAccessibleName(tr("Open channels"));
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({tr("Channel"), tr("Members"), tr("Topic")});
    m_list->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(MembersColumn, QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(true);
    m_status->setObjectName(QStringLiteral("directoryStatus"));
    m_status->setTextFormat(Qt::PlainText); // the gateway's error messages
    m_status->setWordWrap(true);
    m_join->setObjectName(QStringLiteral("joinButton"));
    m_join->setDefault(true);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(250);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_join, QDialogButtonBox::ActionRole);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_join, &QPushButton::clicked, this, &BrowseChannelsDialog::joinSelected);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, &BrowseChannelsDialog::joinSelected);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &BrowseChannelsDialog::updateButtons);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_searchDelay, &QTimer::timeout, this, &BrowseChannelsDialog::refresh);
    connect(m_client, &Client::directoryListed, this, &BrowseChannelsDialog::onListed);
    connect(m_client, &Client::requestFinished, this, &BrowseChannelsDialog::onFinished);
    updateButtons();
    refresh();
}

void BrowseChannelsDialog::refresh()
{
    m_status->setText(tr("Looking for channels…"));
    m_listRequest = m_client->browseDirectory(m_search->text().trimmed());
}

void BrowseChannelsDialog::onListed(quint64 requestId, const QList<DirectoryEntry> &channels,
                                    const QString &continueAfter)
{
    if (requestId != m_listRequest)
        return;
    const QString current = m_list->currentItem() ? m_list->currentItem()->text(NameColumn) : QString();
    m_list->clear();
    for (const DirectoryEntry &c : channels) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(NameColumn, c.joined ? tr("#%1 \u2713").arg(c.name) : QStringLiteral("#") + c.name);
        item->setData(NameColumn, Qt::UserRole, c.name);
        item->setData(NameColumn, kJoinedRole, c.joined);
        item->setToolTip(NameColumn, c.joined ? tr("You are a member of #%1").arg(c.name) : QString());
        item->setText(MembersColumn, QString::number(c.memberCount));
        item->setTextAlignment(MembersColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(TopicColumn, c.topic.simplified());
        item->setToolTip(TopicColumn, c.topic);
        if (c.name == current || (current.isEmpty() && !m_list->currentItem()))
            m_list->setCurrentItem(item);
    }
    m_status->setText(
        channels.isEmpty()
            ? (m_search->text().trimmed().isEmpty()
                   ? tr("There are no open channels yet.")
                   : tr("No open channel matches \u201c%1\u201d.").arg(m_search->text().trimmed()))
        : !continueAfter.isEmpty()
            ? tr("The first %n channels; search to find others.", nullptr, int(channels.size()))
            : QString());
    updateButtons();
}

void BrowseChannelsDialog::onFinished(quint64 requestId, bool ok, const QString &error)
{
    if (requestId == m_listRequest && !ok) {
        m_status->setText(tr("The channel list is unavailable: %1").arg(error));
    } else if (requestId == m_joinRequest) {
        m_joinRequest = 0;
        if (!ok) {
            m_status->setText(tr("Could not join #%1: %2").arg(m_joining, error));
            updateButtons();
            return;
        }
        qCInfo(lcUi) << "joined" << m_joining << "from the directory";
        emit channelJoined(m_joining);
        accept();
    }
}

void BrowseChannelsDialog::joinSelected()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    if (!item || m_joinRequest)
        return;
    m_joining = item->data(NameColumn, Qt::UserRole).toString();
    if (item->data(NameColumn, kJoinedRole).toBool()) {
        emit channelJoined(m_joining); // already a member: just open it
        accept();
        return;
    }
    m_status->setText(tr("Joining #%1…").arg(m_joining));
    m_joinRequest = m_client->joinChannel(m_joining);
    updateButtons();
}

void BrowseChannelsDialog::updateButtons()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    m_join->setEnabled(item && !m_joinRequest);
    m_join->setText(item && item->data(NameColumn, kJoinedRole).toBool() ? tr("&Open") : tr("&Join"));
}

} // namespace hchat::ui
