#include "ChannelSettingsDialog.h"

#include "Client.h"
#include "HistoryStore.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
constexpr int kMaxTopicChars = 512; // MAX_TOPIC_BYTES; the gateway counts bytes and says so
}

ChannelSettingsDialog::ChannelSettingsDialog(Client *client, const QString &channel, QWidget *parent)
    : QDialog(parent), m_client(client), m_channel(channel), m_topic(new QLineEdit(this)),
      m_readOnly(new QCheckBox(this)), m_bans(new QTreeWidget(this)), m_lift(new QPushButton(this)),
      m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("channelSettingsDialog"));
    setWindowTitle(tr("Settings of #%1").arg(channel));
    resize(520, 420);
    if (const auto record = m_client->store()->channel(channel)) {
        m_savedTopic = record->topic;
        m_savedReadOnly = record->readOnly;
    }
    m_topic->setObjectName(QStringLiteral("topicField"));
    m_topic->setText(m_savedTopic);
    m_topic->setMaxLength(kMaxTopicChars);
    m_topic->setPlaceholderText(tr("What the channel is about"));
    m_readOnly->setObjectName(QStringLiteral("readOnlyBox"));
    m_readOnly->setText(tr("Read-only: only moderators can write"));
    m_readOnly->setChecked(m_savedReadOnly);
    m_bans->setObjectName(QStringLiteral("banList"));
    m_bans->setAccessibleName(tr("Bans"));
    m_bans->setRootIsDecorated(false);
    m_bans->setHeaderLabels({tr("User"), tr("Banned by"), tr("When"), tr("Reason")});
    m_bans->header()->setStretchLastSection(true);
    m_lift->setObjectName(QStringLiteral("liftBanButton"));
    m_lift->setText(tr("&Lift ban"));
    m_lift->setEnabled(false);
    m_status->setObjectName(QStringLiteral("settingsStatus"));
    m_status->setTextFormat(Qt::PlainText); // the gateway's reasons
    m_status->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Topic"), m_topic);
    form->addRow(QString(), m_readOnly);
    auto *bansBox = new QGroupBox(tr("Bans"), this);
    auto *bansLayout = new QVBoxLayout(bansBox);
    bansLayout->addWidget(m_bans);
    bansLayout->addWidget(m_lift, 0, Qt::AlignRight);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(bansBox, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(buttons->button(QDialogButtonBox::Save), &QPushButton::clicked, this,
            &ChannelSettingsDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_lift, &QPushButton::clicked, this, &ChannelSettingsDialog::liftSelectedBan);
    connect(m_bans, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *item) { m_lift->setEnabled(item != nullptr && !m_liftRequest); });
    connect(m_client, &Client::membersListed, this,
            [this](quint64 id, const QString &ch, const QList<ChannelMember> &,
                   const QList<ChannelBan> &bans) { onMembersListed(id, ch, bans); });
    connect(m_client, &Client::requestFinished, this, &ChannelSettingsDialog::onFinished);
    m_listRequest = m_client->listMembers(m_channel);
}

void ChannelSettingsDialog::onMembersListed(quint64 requestId, const QString &channel,
                                            const QList<ChannelBan> &bans)
{
    if (requestId != m_listRequest || channel != m_channel)
        return;
    m_bans->clear();
    for (const ChannelBan &b : bans) {
        auto *item = new QTreeWidgetItem(m_bans);
        item->setText(0, b.nick);
        item->setText(1, b.by);
        item->setText(2, QLocale().toString(b.time.toLocalTime(), QLocale::ShortFormat));
        item->setText(3, b.reason);
        item->setToolTip(3, b.reason);
    }
    if (bans.isEmpty()) {
        auto *none = new QTreeWidgetItem(m_bans);
        none->setText(0, tr("Nobody is banned."));
        none->setFlags(Qt::NoItemFlags);
        none->setFirstColumnSpanned(true);
    }
    for (int c = 0; c < 3; ++c)
        m_bans->resizeColumnToContents(c);
}

void ChannelSettingsDialog::save()
{
    m_saveFailed = false;
    m_status->clear();
    const QString topic = m_topic->text().trimmed();
    if (topic != m_savedTopic)
        m_saving.insert(m_client->setTopic(m_channel, topic));
    if (m_readOnly->isChecked() != m_savedReadOnly)
        m_saving.insert(m_client->setReadOnly(m_channel, m_readOnly->isChecked()));
    if (m_saving.isEmpty())
        accept();
    else
        m_status->setText(tr("Saving…"));
}

void ChannelSettingsDialog::liftSelectedBan()
{
    const QTreeWidgetItem *item = m_bans->currentItem();
    if (!item || m_liftRequest || !(item->flags() & Qt::ItemIsEnabled))
        return;
    m_liftRequest = m_client->unban(m_channel, item->text(0));
    m_lift->setEnabled(false);
}

void ChannelSettingsDialog::onFinished(quint64 requestId, bool ok, const QString &error)
{
    if (requestId == m_listRequest) {
        if (!ok)
            m_status->setText(tr("The bans are unavailable: %1").arg(error));
    } else if (requestId == m_liftRequest) {
        m_liftRequest = 0;
        if (!ok)
            m_status->setText(tr("The ban was not lifted: %1").arg(error));
        m_listRequest = m_client->listMembers(m_channel);
    } else if (m_saving.remove(requestId)) {
        if (!ok) {
            m_saveFailed = true;
            m_status->setText(tr("Not saved: %1").arg(error));
        } else if (m_saving.isEmpty() && !m_saveFailed) {
            accept();
        }
    }
}

} // namespace hchat::ui
